"""The responsibility network's rules: which ways a city network takes, and why not.

The rules ship as ``patrolgeo/data/network_rules.toml`` (every key documented there); a
user's TOML file is laid over them. :func:`tag_verdict` decides a way from its tags
(the compound rule needs geometry: :mod:`patrolgeo.roads._compounds`).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from patrolgeo.errors import ConfigError
from patrolgeo.roads._filters import MODES
from patrolgeo.tomlfiles import Positions, has_path, line_of, merge, read_toml

NETWORKS = ("city", *MODES)
"""``"city"``: the responsibility network; a mode name: osmnx's raw network of that mode."""

EXCLUDED_COLUMNS = ("way_id", "name", "highway", "length_m", "reason", "detail")
"""Columns of an excluded-ways table: one row per dropped piece."""

REASONS = ("override", "construction", "motorway", "class", "access", "service_minor",
           "sidewalk_folded", "compound", "reversible", "component")
"""Reason codes of excluded ways, in the order the tag rules are tried."""

#: reasons whose tag a mode's filter may itself reject (a motorway in walk mode): such
#: ways are listed in every mode, so the report says where they went
MODE_BLIND_REASONS = ("construction", "motorway", "access")

#: the rules file format this code reads
NETWORK_RULES_VERSION = 1

_TABLES: dict[str, set[str]] = {
    "network": {"classes"},
    "motorway": {"highway"},
    "construction": {"highway"},
    "access": {"closed", "keys"},
    "service_minor": {"service"},
    "sidewalk_folded": {"highway", "tags", "keep_streets_with_separate_sidewalks"},
    "compound": {"min_share", "inward_buffer_m", "public_classes", "always_closed",
                 "closed_if_barrier", "gates", "gate_distance_m", "max_barrier_area_ha"},
    "overrides": {"include_ways", "exclude_ways"},
}


@dataclass
class RoadNetwork:
    """A road network with what was left out of it, and the compound areas around it.

    Attributes
    ----------
    graph
        The projected road graph (as :func:`patrolgeo.roads.load_graph` returns it);
        ``graph.graph["network"]`` names the network, ``graph.graph["mode"]`` the mode.
    excluded
        One row per dropped piece, columns :data:`EXCLUDED_COLUMNS`, sorted by
        ``(reason, way_id)``; lengths in metres.
    areas
        Compound areas in WGS-84: ``osm_type, osm_id, kind, name, closed, geometry``.
    """

    graph: nx.MultiDiGraph
    excluded: pd.DataFrame
    areas: gpd.GeoDataFrame


@dataclass(frozen=True)
class CompoundRules:
    """When an area is a closed compound, and when a way lies inside one."""

    min_share: float = 0.8
    inward_buffer_m: float = 5.0
    public_classes: frozenset[str] = frozenset()
    always_closed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    closed_if_barrier: Mapping[str, frozenset[str]] = field(default_factory=dict)
    gates: frozenset[str] = frozenset()
    gate_distance_m: float = 15.0
    max_barrier_area_ha: float = 100.0


@dataclass(frozen=True)
class NetworkRules:
    """The validated rules of the responsibility network (see ``network_rules.toml``)."""

    classes: frozenset[str]
    motorway: frozenset[str]
    construction: frozenset[str]
    access_closed: frozenset[str]
    access_keys: Mapping[str, tuple[str, ...]]
    service_minor: frozenset[str]
    folded_highway: frozenset[str]
    folded_tags: Mapping[str, frozenset[str]]
    keep_streets_with_separate_sidewalks: bool
    compound: CompoundRules
    include_ways: frozenset[int]
    exclude_ways: frozenset[int]
    sources: tuple[str, ...] = ()


def default_network_rules_path() -> Path:
    """Return the path of ``patrolgeo/data/network_rules.toml`` (the shipped defaults)."""
    return Path(str(resources.files("patrolgeo") / "data" / "network_rules.toml"))


# --------------------------------------------------------------------------- loading


class _Check:
    """Reads the merged rules by key path; errors name the file and line that set it."""

    def __init__(self, data: dict[str, Any],
                 files: list[tuple[Path, Positions, dict[str, Any]]]):
        self.data = data
        self.files = files  # (path, key lines, data): the defaults, then the user's file

    def fail(self, path: tuple[str, ...], message: str) -> ConfigError:
        file, positions, _ = self.files[0]
        if len(self.files) > 1 and any(has_path(self.files[1][2], path[:n])
                                       for n in range(len(path), 0, -1)):
            file, positions, _ = self.files[1]
        return ConfigError(message, file=file, row=line_of(positions, path),
                           field=".".join(path))

    def get(self, path: tuple[str, ...]) -> Any:
        node: Any = self.data
        for part in path:
            if not isinstance(node, Mapping) or part not in node:
                raise self.fail(path, "missing value")
            node = node[part]
        return node

    def strings(self, path: tuple[str, ...]) -> frozenset[str]:
        return frozenset(self.ordered(path))

    def ordered(self, path: tuple[str, ...]) -> tuple[str, ...]:
        value = self.get(path)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(path, f"must be a list of non-empty strings, not {value!r}")
        return tuple(value)

    def tag_table(self, path: tuple[str, ...]) -> dict[str, frozenset[str]]:
        value = self.get(path)
        if not isinstance(value, Mapping):
            raise self.fail(path, f"must be a table of key = [values], not {value!r}")
        return {str(k): self.strings((*path, str(k))) for k in value}

    def number(self, path: tuple[str, ...], low: float, high: float | None = None) -> float:
        value = self.get(path)
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise self.fail(path, f"must be a number, not {value!r}")
        if value < low or (high is not None and value > high):
            bound = f"between {low:g} and {high:g}" if high is not None else f"≥ {low:g}"
            raise self.fail(path, f"must be {bound}, not {value!r}")
        return float(value)

    def way_ids(self, path: tuple[str, ...]) -> frozenset[int]:
        value = self.get(path)
        if not isinstance(value, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
            raise self.fail(path, f"must be a list of OSM way ids (positive integers), "
                                  f"not {value!r}")
        return frozenset(value)


def load_network_rules(path: str | Path | None = None) -> NetworkRules:
    """Load the responsibility network's rules: the defaults, with ``path`` laid over them.

    Parameters
    ----------
    path
        A TOML file (keys as in the shipped ``network_rules.toml``); tables merge key by
        key, any other value replaces the default.

    Returns
    -------
    NetworkRules

    Raises
    ------
    ConfigError
        A missing or malformed file, an unknown key, a value of the wrong type or out of
        range, or a way in both override lists; naming the file, line and key.

    Examples
    --------
    >>> "motorway" in load_network_rules().motorway
    True
    """
    default = default_network_rules_path()
    base, base_lines = read_toml(default, "network rules file")
    files = [(default, base_lines, base)]
    data = base
    if path is not None:
        user, user_lines = read_toml(Path(path), "network rules file")
        files.append((Path(path), user_lines, user))
        data = merge(base, user)
    return _validate(_Check(data, files))


def _check_keys(c: _Check) -> None:
    for key, value in c.data.items():
        if key == "version":
            continue
        if key not in _TABLES:
            raise c.fail((key,), f"unknown table {key!r}{_did_you_mean(key, _TABLES)}")
        if not isinstance(value, Mapping):
            raise c.fail((key,), f"must be a table, not {value!r}")
        for inner in value:
            if inner not in _TABLES[key]:
                raise c.fail((key, inner),
                             f"unknown key {inner!r}{_did_you_mean(inner, _TABLES[key])}")
    if c.data.get("version") != NETWORK_RULES_VERSION:
        raise c.fail(("version",), f"unsupported version {c.data.get('version')!r}; use 1")


def _did_you_mean(word: str, known: Any) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _validate(c: _Check) -> NetworkRules:
    _check_keys(c)
    keys = c.get(("access", "keys"))
    if not isinstance(keys, Mapping) or set(keys) - set(MODES):
        raise c.fail(("access", "keys"), f"must be a table of {', '.join(MODES)} = [keys]")
    include = c.way_ids(("overrides", "include_ways"))
    exclude = c.way_ids(("overrides", "exclude_ways"))
    if both := sorted(include & exclude):
        raise c.fail(("overrides", "exclude_ways"),
                     f"way {both[0]} is in both include_ways and exclude_ways")
    fold = c.get(("sidewalk_folded", "keep_streets_with_separate_sidewalks"))
    if not isinstance(fold, bool):
        raise c.fail(("sidewalk_folded", "keep_streets_with_separate_sidewalks"),
                     f"must be true or false, not {fold!r}")
    p = ("compound",)
    compound = CompoundRules(
        min_share=c.number((*p, "min_share"), 0.0, 1.0),
        inward_buffer_m=c.number((*p, "inward_buffer_m"), 0.0),
        public_classes=c.strings((*p, "public_classes")),
        always_closed=c.tag_table((*p, "always_closed")),
        closed_if_barrier=c.tag_table((*p, "closed_if_barrier")),
        gates=c.strings((*p, "gates")),
        gate_distance_m=c.number((*p, "gate_distance_m"), 0.0),
        max_barrier_area_ha=c.number((*p, "max_barrier_area_ha"), 0.0),
    )
    return NetworkRules(
        classes=c.strings(("network", "classes")),
        motorway=c.strings(("motorway", "highway")),
        construction=c.strings(("construction", "highway")),
        access_closed=c.strings(("access", "closed")),
        access_keys={m: c.ordered(("access", "keys", m)) for m in keys},
        service_minor=c.strings(("service_minor", "service")),
        folded_highway=c.strings(("sidewalk_folded", "highway")),
        folded_tags=c.tag_table(("sidewalk_folded", "tags")),
        keep_streets_with_separate_sidewalks=fold,
        compound=compound,
        include_ways=include,
        exclude_ways=exclude,
        sources=tuple(str(f) for f, _, _ in c.files),
    )


# --------------------------------------------------------------------------- verdicts


def matches(tags: Mapping[str, str], table: Mapping[str, frozenset[str]]) -> str | None:
    """Return the first ``key=value`` of ``tags`` that ``table`` lists (``"*"``: any)."""
    for key, values in table.items():
        value = tags.get(key)
        if value is not None and ("*" in values or value in values):
            return f"{key}={value}"
    return None


def _access_verdict(tags: Mapping[str, str], rules: NetworkRules, mode: str) -> str | None:
    """The tag closing a way to the public in ``mode``, following the access hierarchy."""
    for key in (*rules.access_keys.get(mode, ()), "access"):
        value = tags.get(key)
        if value is not None:
            return f"{key}={value}" if value in rules.access_closed else None
    return None


def tag_verdict(way_id: int, tags: Mapping[str, str], rules: NetworkRules,
                mode: str) -> tuple[str, str] | None:
    """Decide a way by its tags: ``None`` to keep it, else ``(reason, detail)``.

    Rules are tried in :data:`REASONS` order; ``include_ways`` beats all of them. The
    compound rule is geometric and decided later, for the ways kept here.
    """
    if way_id in rules.include_ways:
        return None
    highway = tags.get("highway", "")
    if way_id in rules.exclude_ways:
        return "override", "exclude_ways"
    if highway in rules.construction:
        return "construction", f"highway={highway}"
    if highway in rules.motorway:
        return "motorway", f"highway={highway}"
    if highway not in rules.classes:
        return "class", f"highway={highway}"
    if closed := _access_verdict(tags, rules, mode):
        return "access", closed
    if tags.get("service") in rules.service_minor:
        return "service_minor", f"service={tags['service']}"
    if highway in rules.folded_highway and (part := matches(tags, rules.folded_tags)):
        return "sidewalk_folded", part
    return None


def neutral_tags(tags: Mapping[str, str], reason: str, rules: NetworkRules,
                 mode: str) -> dict[str, str]:
    """Return ``tags`` without what a mode-blind rule judged (to ask the mode's filter).

    A way the mode's filter passes once its motorway or construction class is read as a
    plain street, or its access tags are dropped, is a way of that mode that the city
    rules exclude; it is listed whatever the mode.
    """
    out = dict(tags)
    if reason in ("construction", "motorway"):
        out["highway"] = "residential"
    elif reason == "access":
        for key in (*rules.access_keys.get(mode, ()), "access"):
            out.pop(key, None)
    return out


# --------------------------------------------------------------------------- tables


def excluded_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Return excluded-way records as a table of :data:`EXCLUDED_COLUMNS`, sorted.

    Rows are sorted by ``(reason, way_id)``; ``name`` and ``detail`` are never missing.
    """
    frame = pd.DataFrame(records, columns=list(EXCLUDED_COLUMNS))
    frame = frame.astype({"way_id": "int64", "length_m": "float64"})
    for col in ("name", "highway", "reason", "detail"):
        frame[col] = frame[col].fillna("").astype(str)
    return frame.sort_values(["reason", "way_id"], kind="stable").reset_index(drop=True)


def excluded_summary(excluded: pd.DataFrame) -> list[tuple[str, int, float]]:
    """Sum an excluded table by reason: ``[(reason, ways, km), ...]``, by reason order.

    ``ways`` counts distinct way ids. Faces print it in one line (words for the reasons
    from ``labels.label("excluded_reason", reason, lang)``).

    Examples
    --------
    >>> excluded_summary(excluded_frame([dict(way_id=1, name="", highway="motorway",
    ...     length_m=1500.0, reason="motorway", detail="highway=motorway")]))
    [('motorway', 1, 1.5)]
    """
    out = []
    order = {r: i for i, r in enumerate(REASONS)}
    for reason, rows in sorted(excluded.groupby("reason"),
                               key=lambda kv: (order.get(str(kv[0]), len(order)), kv[0])):
        out.append((str(reason), int(rows["way_id"].nunique()),
                    float(rows["length_m"].sum()) / 1000.0))
    return out
