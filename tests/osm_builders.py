"""Tiny hand-built OSM XML files for tests that need exact control over tags."""

from __future__ import annotations

from pathlib import Path


def write_osm(path: Path, nodes: dict[int, tuple[float, float]],
              ways: dict[int, tuple[list[int], dict[str, str]]],
              bounds: tuple[float, float, float, float] | None = None,
              *,
              node_tags: dict[int, dict[str, str]] | None = None,
              relations: dict[int, tuple[list[tuple[str, int, str]], dict[str, str]]]
              | None = None) -> Path:
    """Write nodes ``{id: (lat, lon)}`` and ways ``{id: (refs, tags)}`` as OSM XML.

    ``node_tags`` tags some nodes; ``relations`` are ``{id: ([(type, ref, role)], tags)}``
    with member types ``"node"``, ``"way"`` or ``"relation"``.
    """
    node_tags = node_tags or {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    if bounds is not None:
        west, south, east, north = bounds
        lines.append(f'<bounds minlat="{south}" minlon="{west}" maxlat="{north}" '
                     f'maxlon="{east}"/>')
    for node_id, (lat, lon) in nodes.items():
        tags = node_tags.get(node_id)
        if not tags:
            lines.append(f'<node id="{node_id}" version="1" lat="{lat}" lon="{lon}"/>')
            continue
        lines.append(f'<node id="{node_id}" version="1" lat="{lat}" lon="{lon}">')
        lines += [f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("</node>")
    for way_id, (refs, tags) in ways.items():
        lines.append(f'<way id="{way_id}" version="1">')
        lines += [f'<nd ref="{r}"/>' for r in refs]
        lines += [f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("</way>")
    for rel_id, (members, tags) in (relations or {}).items():
        lines.append(f'<relation id="{rel_id}" version="1">')
        lines += [f'<member type="{t}" ref="{r}" role="{role}"/>' for t, r, role in members]
        lines += [f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("</relation>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def grid_osm(path: Path, n: int = 4, spacing_deg: float = 0.001,
             tags_of=lambda i, horizontal: {"highway": "residential"}) -> Path:
    """Write an ``n`` x ``n`` street grid; each row and column is one way."""
    nodes = {}
    for i in range(n):
        for j in range(n):
            nodes[1000 + i * n + j] = (30.0 + i * spacing_deg, 120.0 + j * spacing_deg)
    ways = {}
    for i in range(n):
        ways[100 + i] = ([1000 + i * n + j for j in range(n)], tags_of(i, True))
        ways[200 + i] = ([1000 + j * n + i for j in range(n)], tags_of(i, False))
    return write_osm(path, nodes, ways)
