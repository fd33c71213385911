"""Labels of the road-naming codes: ``code -> (Chinese, English)`` name templates.

Tables
------
``context_name``
    How an unnamed piece of road is called after what lies around it (the
    ``name_source`` codes of :func:`patrolgeo.roads.segments_from_graph`). Templates are
    filled with :meth:`str.format`: ``{a}`` is the named road or area the piece belongs
    to, ``{b}`` the second road of a piece running between two. The Chinese template
    makes the ``road_name`` the core writes (the data's language); writers render other
    languages from the same parts with ``roads._context_names.context_road_name``.
    ``unnamed`` is the fallback where no context exists (``{a}`` is the OSM way id).
"""

from patrolgeo.labels import register

register("context_name", {
    # a service/residential road running alongside a named road (辅路, a frontage road)
    "context:side_road": ("{a}辅路", "{a} side road"),
    # a footway or path alongside a named road: its sidewalk
    "context:sidewalk": ("{a}人行道", "{a} sidewalk"),
    # a cycleway alongside a named road (非机动车道)
    "context:cycle_track": ("{a}非机动车道", "{a} cycle track"),
    # mostly inside a named area (a residential compound, a school, a park)
    "context:inside": ("{a}内道路", "road inside {a}"),
    # a through road whose two ends meet two different named roads
    "context:between": ("{a}至{b}段", "{a} to {b} link"),
    # touches or lies near one named road
    "context:near": ("近{a}无名路", "unnamed road near {a}"),
    # no context: the OSM way id
    "unnamed": ("无名路-{a}", "unnamed road {a}"),
})
