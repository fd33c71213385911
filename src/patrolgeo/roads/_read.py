"""Reading OSM files with pyosmium: header bounds, and the ways a filter keeps.

Files (``.osm``, ``.osm.bz2``, ``.osm.pbf``) are read with pyosmium, so the XML and the
PBF of one area give the same ways and nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import osmium
import osmnx as ox

from patrolgeo.errors import OSMFileError

XML_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".xml")
PBF_SUFFIXES = (".osm.pbf", ".pbf")
GRAPHML_SUFFIXES = (".graphml",)

#: Way tags kept on graph edges beyond osmnx's defaults (names, plan evidence).
EXTRA_WAY_TAGS = ("name:zh", "name:en", "sidewalk", "surface", "lit", "busway", "foot",
                  "bicycle", "motor_vehicle")

#: Highway classes from most to least important; used to pick a road's class.


def _suffix(path: Path) -> str:
    """Return the known suffix of an OSM or GraphML file name (``.osm.pbf`` …)."""
    name = path.name.lower()
    for suffix in (*PBF_SUFFIXES, *XML_SUFFIXES, *GRAPHML_SUFFIXES):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def file_bounds(path: str | Path) -> tuple[float, float, float, float] | None:
    """Return the ``(west, south, east, north)`` bounds a file's header declares, if any."""
    path = Path(path)
    try:
        header_box = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING).header().box()
    except RuntimeError as exc:
        raise OSMFileError(f"cannot read OSM file: {_first_line(exc)}", file=path) from exc
    if not header_box.valid():
        return None
    bl, tr_ = header_box.bottom_left, header_box.top_right
    return (bl.lon, bl.lat, tr_.lon, tr_.lat)


def _first_line(exc: BaseException) -> str:
    """Return the first line of an exception's message (its type if it has none)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@dataclass
class OSMExtract:
    """The nodes and ways of an OSM file kept by a filter, ready to write as OSM XML."""

    nodes: dict[int, tuple[float, float, dict[str, str]]]
    ways: dict[int, tuple[list[int], dict[str, str]]]


def read_osm_ways(
    path: str | Path,
    keep: Callable[[dict[str, str]], bool],
    node_tags: Iterable[str] = ("highway", "junction", "railway", "ref"),
) -> OSMExtract:
    """Read the ways passing ``keep`` and the nodes they use from an OSM file.

    Works on OSM XML (plain, bz2, gz) and PBF alike, through pyosmium.

    Parameters
    ----------
    path
        The OSM file.
    keep
        Predicate over a way's tags.
    node_tags
        Node tags to keep.

    Returns
    -------
    OSMExtract
    """
    path = Path(path)
    try:
        ways = _kept_ways(path, keep)
        nodes = _used_nodes(path, ways, set(node_tags))
    except RuntimeError as exc:
        raise OSMFileError(f"corrupt or unreadable OSM data: {_first_line(exc)}",
                           file=path) from exc
    _trim_cut_ways(ways, nodes)
    return OSMExtract(nodes=nodes, ways=ways)


@contextmanager
def _way_tags(extra: Iterable[str]) -> Iterator[None]:
    """Keep ``extra`` way tags on osmnx's edges inside the block."""
    previous = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = list(dict.fromkeys([*previous, *extra]))
    try:
        yield
    finally:
        ox.settings.useful_tags_way = previous


def _kept_ways(path: Path, keep: Callable[[dict[str, str]], bool]
               ) -> dict[int, tuple[list[int], dict[str, str]]]:
    """Node refs and tags of the ways passing ``keep``."""
    ways: dict[int, tuple[list[int], dict[str, str]]] = {}
    # filtered to ways (nodes below): pyosmium types the items as any OSM object
    for way in cast("Iterable[osmium.osm.Way]", osmium.FileProcessor(str(path), osmium.osm.WAY)):
        tags = dict(way.tags)
        if keep(tags):
            ways[way.id] = ([n.ref for n in way.nodes], tags)
    return ways


def _used_nodes(path: Path, ways: dict[int, tuple[list[int], dict[str, str]]],
                wanted_tags: set[str]) -> dict[int, tuple[float, float, dict[str, str]]]:
    """Location and wanted tags of the nodes the ways use."""
    needed = {ref for refs, _ in ways.values() for ref in refs}
    nodes: dict[int, tuple[float, float, dict[str, str]]] = {}
    for node in cast("Iterable[osmium.osm.Node]",
                     osmium.FileProcessor(str(path), osmium.osm.NODE)):
        if node.id in needed and node.location.valid():
            tags = {t.k: t.v for t in node.tags if t.k in wanted_tags}
            nodes[node.id] = (node.location.lat, node.location.lon, tags)
    return nodes


def _trim_cut_ways(ways: dict[int, tuple[list[int], dict[str, str]]],
                   nodes: dict[int, tuple[float, float, dict[str, str]]]) -> None:
    """Cut each way an extract cut short of some nodes to its longest complete run."""
    for way_id, (refs, tags) in list(ways.items()):
        if all(r in nodes for r in refs):
            continue
        runs: list[list[int]] = [[]]
        for ref in refs:
            if ref in nodes:
                runs[-1].append(ref)
            elif runs[-1]:
                runs.append([])
        best = max(runs, key=len)
        if len(best) >= 2:
            ways[way_id] = (best, tags)
        else:
            del ways[way_id]
