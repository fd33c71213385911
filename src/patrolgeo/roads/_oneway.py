"""The one-way law of OSM, per travel mode.

:func:`oneway_rule` reads a way's tags the way the OSM wiki documents them (Key:oneway,
Key:oneway:bicycle, Key:cycleway) and says which direction a mode may travel it, as a
code: ``"no"`` (both ways), ``"forward"`` (along the way's node order), ``"backward"``
(against it) or ``"reversible"`` (the direction changes with the time of day).

:func:`apply_oneway_law` rewrites the tags of every way of an extract so osmnx builds
the edges from this one rule set: ``oneway`` becomes ``yes``, ``-1`` or ``no``, and
where the law says two-way the ``junction`` tag moves aside (osmnx would otherwise make
every ``junction=roundabout`` one-way on its own). Reversible ways are taken out for
vehicles and listed as excluded-way records.

The precedence, most specific first:

- **drive**: ``oneway:motorcar``, ``oneway:motor_vehicle``, ``oneway:vehicle``, then
  ``oneway``, then the implied one-way of ``highway=motorway``/``motorway_link`` and
  ``junction=roundabout``/``circular``;
- **bike**: ``oneway:bicycle``, then ``oneway:vehicle``, ``oneway`` and the implied
  one-way as for cars; a one-way street with a contraflow cycleway
  (``cycleway[:left|:right|:both]=opposite*``, or ``cycleway:<side>:oneway=no/-1``) is
  two-way for bicycles;
- **walk**: always two-way (pedestrians walk both ways along one-way streets).

A value the wiki does not define (``oneway=recommended``, typos) is read as no tag at
all, so the next key down decides.
"""

from __future__ import annotations

from pyproj import Geod

from patrolgeo.roads._read import OSMExtract

NO = "no"
FORWARD = "forward"
BACKWARD = "backward"
REVERSIBLE = "reversible"

#: The codes :func:`oneway_rule` returns.
ONEWAY_CODES = (NO, FORWARD, BACKWARD, REVERSIBLE)

#: Excluded-way reason of a reversible way (``labels/_roads.py`` table ``excluded_reason``).
REASON_REVERSIBLE = "reversible"

#: Modes whose vehicles obey one-way streets (walk ignores them).
VEHICLE_MODES = ("drive", "bike")

#: Documented values of ``oneway`` and its mode variants (OSM wiki, Key:oneway).
ONEWAY_VALUES = {
    "yes": FORWARD, "true": FORWARD, "1": FORWARD,
    "-1": BACKWARD, "reverse": BACKWARD,
    "no": NO, "false": NO, "0": NO,
    "reversible": REVERSIBLE, "alternating": REVERSIBLE,
}

#: Tags that make a way one-way (along its node order) when it has no ``oneway`` tag:
#: the wiki's implied one-way for motorways and roundabouts. Motorway links are mapped
#: one-way by convention, and a two-way link is tagged ``oneway=no`` (Tag:highway=
#: motorway_link), so an untagged link is read as one-way too.
IMPLIED_ONEWAY = (
    ("highway", "motorway"), ("highway", "motorway_link"),
    ("junction", "roundabout"), ("junction", "circular"),
)

#: Mode-specific keys read before ``oneway:vehicle`` and ``oneway``, most specific first.
MODE_KEYS = {
    "drive": ("oneway:motorcar", "oneway:motor_vehicle"),
    "bike": ("oneway:bicycle",),
}

#: Keys shared by every vehicle, read after the mode's own keys.
VEHICLE_KEYS = ("oneway:vehicle", "oneway")

#: Cycleway values that let bicycles ride a one-way street against its direction.
CONTRAFLOW_VALUES = frozenset({"opposite", "opposite_lane", "opposite_track",
                               "opposite_share_busway"})

#: Keys carrying a cycleway value (``cycleway`` and its sides).
CYCLEWAY_KEYS = ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both")

#: ``cycleway:<side>:oneway`` values of a cycleway open against the street's direction.
CONTRAFLOW_ONEWAY = frozenset({"no", "-1"})

#: The ``oneway`` value osmnx reads for each code it can build.
OSMNX_ONEWAY = {NO: "no", FORWARD: "yes", BACKWARD: "-1"}

#: Where the original ``junction`` value goes when the law makes the way two-way.
JUNCTION_KEPT_AS = "junction:osm"

_GEOD = Geod(ellps="WGS84")


def _code(tags: dict[str, str], key: str) -> str | None:
    """The code of one key's value, or None for no tag or a value the wiki lacks."""
    value = tags.get(key)
    return None if value is None else ONEWAY_VALUES.get(value.strip().lower())


def _contraflow_cycleway(tags: dict[str, str]) -> str | None:
    """The tag opening a one-way street to cyclists the other way, as ``key=value``."""
    for key in CYCLEWAY_KEYS:
        if tags.get(key) in CONTRAFLOW_VALUES:
            return f"{key}={tags[key]}"
    for side in ("left", "right", "both"):
        key = f"cycleway:{side}:oneway"
        if tags.get(key) in CONTRAFLOW_ONEWAY:
            return f"{key}={tags[key]}"
    return None


def oneway_decision(tags: dict[str, str], mode: str) -> tuple[str, str]:
    """Return the one-way code of a way for ``mode`` and the tag that decided it.

    Parameters
    ----------
    tags
        The way's OSM tags.
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``.

    Returns
    -------
    tuple of str
        ``(code, why)``: a code of :data:`ONEWAY_CODES` and the deciding tag as
        ``key=value`` (``""`` when nothing is tagged and the way is two-way).
    """
    if mode not in VEHICLE_MODES:
        return NO, ""
    for key in (*MODE_KEYS[mode], *VEHICLE_KEYS):
        code = _code(tags, key)
        if code is None:
            continue
        if mode == "bike" and key in VEHICLE_KEYS and code in (FORWARD, BACKWARD):
            opened = _contraflow_cycleway(tags)
            if opened is not None:
                return NO, opened
        return code, f"{key}={tags[key]}"
    for key, value in IMPLIED_ONEWAY:
        if tags.get(key) == value:
            opened = _contraflow_cycleway(tags) if mode == "bike" else None
            return (NO, opened) if opened is not None else (FORWARD, f"{key}={value}")
    return NO, ""


def oneway_rule(tags: dict[str, str], mode: str) -> str:
    """Return the direction ``mode`` may travel a way: a code of :data:`ONEWAY_CODES`.

    Parameters
    ----------
    tags
        The way's OSM tags.
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``.

    Returns
    -------
    str
        ``"no"`` (both ways), ``"forward"`` (along the node order), ``"backward"``
        (against it) or ``"reversible"`` (changes with the time of day).

    Examples
    --------
    >>> oneway_rule({"highway": "motorway"}, "drive")
    'forward'
    >>> oneway_rule({"highway": "residential", "oneway": "yes",
    ...              "oneway:bicycle": "no"}, "bike")
    'no'
    >>> oneway_rule({"highway": "residential", "oneway": "-1"}, "walk")
    'no'
    """
    return oneway_decision(tags, mode)[0]


def way_length_m(extract: OSMExtract, refs: list[int]) -> float:
    """Geodesic length in metres (WGS-84 ellipsoid) of a way's nodes in the extract."""
    points = [extract.nodes[r] for r in refs if r in extract.nodes]
    if len(points) < 2:
        return 0.0
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return float(_GEOD.line_length(lons, lats))


def apply_oneway_law(extract: OSMExtract, mode: str) -> list[dict[str, object]]:
    """Rewrite the tags of every way of ``extract`` in place so osmnx obeys the law.

    For ``drive`` and ``bike``, ``oneway`` becomes ``"yes"``, ``"-1"`` or ``"no"`` as
    :func:`oneway_rule` says; a way the law makes two-way loses its ``junction`` tag
    (kept as :data:`JUNCTION_KEPT_AS`), since osmnx makes roundabouts one-way by
    itself; reversible ways are deleted from ``extract.ways``. Walk networks are built
    two-way by osmnx and are left as they are.

    Parameters
    ----------
    extract
        The ways and nodes read from the file (changed in place).
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``.

    Returns
    -------
    list of dict
        One excluded-way record per deleted way: ``way_id, name, highway, length_m,
        reason, detail`` (reason :data:`REASON_REVERSIBLE`, detail the deciding tag).
    """
    if mode not in VEHICLE_MODES:
        return []
    excluded: list[dict[str, object]] = []
    for way_id in sorted(extract.ways):
        refs, tags = extract.ways[way_id]
        code, why = oneway_decision(tags, mode)
        if code == REVERSIBLE:
            excluded.append({
                "way_id": int(way_id),
                "name": tags.get("name:zh") or tags.get("name") or "",
                "highway": tags.get("highway", ""),
                "length_m": way_length_m(extract, refs),
                "reason": REASON_REVERSIBLE,
                "detail": why,
            })
            del extract.ways[way_id]
            continue
        tags["oneway"] = OSMNX_ONEWAY[code]
        if code == NO and "junction" in tags:
            tags[JUNCTION_KEPT_AS] = tags.pop("junction")
    return excluded
