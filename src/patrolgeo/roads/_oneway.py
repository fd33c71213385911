"""The one-way law of OSM, per travel mode (stub: filled in by the one-way work).

:func:`apply_oneway_law` rewrites the ``oneway`` tag of every way of an extract to the
direction the mode must obey, so osmnx builds the edges from one rule set: ours.
"""

from __future__ import annotations

from patrolgeo.roads._read import OSMExtract


def apply_oneway_law(extract: OSMExtract, mode: str) -> list[dict[str, object]]:
    """Normalise the ``oneway`` tags of ``extract`` for ``mode`` in place.

    Returns
    -------
    list of dict
        Excluded-way records (``way_id, name, highway, length_m, reason, detail``) of
        ways the mode cannot use safely (e.g. reversible ways by vehicle).
    """
    return []
