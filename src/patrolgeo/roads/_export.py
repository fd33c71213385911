"""Writing what the roads stage reads back: minimal OSM XML (for osmnx) and GraphML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import osmnx as ox

from patrolgeo.roads._read import OSMExtract


def write_osm_xml(extract: OSMExtract, path: str | Path) -> Path:
    """Write an :class:`OSMExtract` as a minimal OSM XML file (for osmnx's XML reader)."""
    root = ET.Element("osm", version="0.6", generator="patrolgeo")
    for node_id in sorted(extract.nodes):
        lat, lon, tags = extract.nodes[node_id]
        el = ET.SubElement(root, "node", id=str(node_id), lat=repr(lat), lon=repr(lon))
        for k, v in tags.items():
            ET.SubElement(el, "tag", k=k, v=v)
    for way_id in sorted(extract.ways):
        refs, tags = extract.ways[way_id]
        el = ET.SubElement(root, "way", id=str(way_id))
        for ref in refs:
            ET.SubElement(el, "nd", ref=str(ref))
        for k, v in tags.items():
            ET.SubElement(el, "tag", k=k, v=v)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return Path(path)


def save_graphml(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Save a graph as GraphML (atomically), to be read back with :func:`load_graphml`."""
    from patrolgeo.atomic import atomic_path

    with atomic_path(path, suffix=".graphml") as tmp:
        ox.save_graphml(G, tmp)
    return Path(path)
