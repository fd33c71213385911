"""Shifts by vehicle leave out, and list, the streets one-way rules keep out of reach."""

from __future__ import annotations

import networkx as nx
from typer.testing import CliRunner

from patrolgeo import pipeline
from patrolgeo.cli import app

runner = CliRunner()


def _both_ways_reachable(G, depot, u, v) -> bool:
    """A crew can serve u-v when it can get from the depot to one end and back from the
    other, in either direction of the street (checked path by path, not by components)."""
    return any(nx.has_path(G, depot, a) and nx.has_path(G, b, depot)
               for a, b in ((u, v), (v, u)) if G.has_edge(a, b))


def test_drive_shifts_list_what_they_cannot_reach(tmp_path, guixi_osm):
    from patrolgeo.routing import shifts as cap

    result = pipeline.load_roads(guixi_osm, mode="drive")
    tables = pipeline.plan_shift_tables(result, radius_m=800, iterations=30)
    G = result.graph
    centre = result.segments.geometry.union_all().centroid
    depot = cap.nearest_node(G, centre.x, centre.y)
    listed = set(tables.unreachable["segment_id"])
    assert listed and (tables.unreachable["reason"] == "one_way_unreachable").all()
    seg = result.segments.set_index("segment_id")
    for sid in listed:
        assert not _both_ways_reachable(G, depot, seg.at[sid, "u"], seg.at[sid, "v"]), sid
    served = set(tables.steps.loc[~tables.steps["deadhead"], "segment_id"])
    assert not listed & served
    out = tmp_path / "s"
    run = runner.invoke(app, ["shifts", "--osm", str(guixi_osm), "--mode", "drive",
                              "--radius", "800", "--iterations", "30", "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert "unreachable.csv" in run.output and (out / "unreachable.csv").exists()
