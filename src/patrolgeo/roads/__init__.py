"""Road networks from OpenStreetMap: loading, stable segments and named roads.

A *segment* is one undirected street piece between intersections of the simplified
graph; a *road* is the segments sharing a name. Every later stage works on these (the
contract of a segments table is :mod:`patrolgeo.segments`).

Files (``.osm``, ``.osm.bz2``, ``.osm.pbf``) are read with pyosmium, filtered to the
ways of the chosen mode with osmnx's own network filters, and handed to
``osmnx.graph_from_xml``; so the XML and the PBF of one area give the same graph, and a
file gives the same network as an osmnx download of the same area.

The *responsibility network* (``network="city"``) keeps the public streets and back
alleys a district's urban management answers for; :func:`load_network` returns it with
every way it leaves out (``excluded``, one row per way with a reason code) and the
compound areas read from the file. Rules: ``patrolgeo/data/network_rules.toml``.

Examples
--------
>>> from patrolgeo import roads
>>> G = roads.load_graph("district.osm.pbf", mode="walk")  # doctest: +SKIP
>>> net = roads.load_network("district.osm.pbf", mode="walk")  # doctest: +SKIP
>>> roads.excluded_summary(net.excluded)  # doctest: +SKIP
>>> segments = roads.segments_from_graph(G)  # doctest: +SKIP
>>> named = roads.roads_from_segments(segments)  # doctest: +SKIP
"""

from patrolgeo.roads._areas import check_bbox, parse_bbox
from patrolgeo.roads._compounds import AREA_COLUMNS, read_areas
from patrolgeo.roads._context_names import (
    CONTEXT_CODES,
    context_road_name,
    road_name_in,
    split_context_name,
)
from patrolgeo.roads._download import DEFAULT_CACHE_DIR, graph_from_osm
from patrolgeo.roads._export import save_graphml, write_osm_xml
from patrolgeo.roads._filters import MODES, TagCondition, network_filter, way_passes
from patrolgeo.roads._graphs import load_graphml
from patrolgeo.roads._load import graph_from_file, load_graph, load_network
from patrolgeo.roads._names import (
    MIN_ROAD_M,
    ROAD_GAP_M,
    UNNAMED_PREFIX,
    assign_roads,
    name_roads,
    road_names,
)
from patrolgeo.roads._network import (
    EXCLUDED_COLUMNS,
    NETWORKS,
    REASONS,
    CompoundRules,
    NetworkRules,
    RoadNetwork,
    default_network_rules_path,
    excluded_frame,
    excluded_summary,
    load_network_rules,
)
from patrolgeo.roads._read import (
    EXTRA_WAY_TAGS,
    GRAPHML_SUFFIXES,
    PBF_SUFFIXES,
    XML_SUFFIXES,
    OSMExtract,
    file_bounds,
    read_osm_ways,
)
from patrolgeo.roads._segments import (
    FINGERPRINT_DECIMALS,
    HIGHWAY_RANK,
    highway_class,
    parse_number,
    road_name_of,
    roads_from_segments,
    segments_from_graph,
    undirected_length,
)
from patrolgeo.segments import SEGMENT_COLUMNS

__all__ = [
    "AREA_COLUMNS", "CONTEXT_CODES", "DEFAULT_CACHE_DIR", "EXCLUDED_COLUMNS",
    "EXTRA_WAY_TAGS", "FINGERPRINT_DECIMALS", "GRAPHML_SUFFIXES", "HIGHWAY_RANK",
    "MIN_ROAD_M", "MODES", "NETWORKS", "PBF_SUFFIXES", "REASONS", "ROAD_GAP_M",
    "SEGMENT_COLUMNS", "UNNAMED_PREFIX", "XML_SUFFIXES", "CompoundRules", "NetworkRules",
    "OSMExtract", "RoadNetwork", "TagCondition", "assign_roads", "check_bbox",
    "context_road_name", "default_network_rules_path", "excluded_frame", "excluded_summary",
    "file_bounds", "graph_from_file", "graph_from_osm", "highway_class", "load_graph",
    "load_graphml", "load_network", "load_network_rules", "name_roads", "network_filter",
    "parse_bbox", "parse_number", "read_areas", "read_osm_ways", "road_name_in",
    "road_name_of", "road_names", "roads_from_segments", "save_graphml",
    "segments_from_graph", "split_context_name", "undirected_length", "way_passes",
    "write_osm_xml"
]
