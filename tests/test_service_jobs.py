"""Districts: import an OSM file, compute roads and territories as jobs, dispatch by them."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from conftest_service import *  # noqa: F403  (the fixtures)
from conftest_service import login
from osm_builders import write_osm


def _wait(client, h, job_id, timeout=240):
    end = time.time() + timeout
    while time.time() < end:
        job = client.get(f"/api/jobs/{job_id}", headers=h).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running")


def grid(path, n=5, spacing=0.001):
    """An n x n street grid at (30 N, 120 E), ways in id order (pyosmium needs them so)."""
    nodes = {1000 + i * n + j: (30.0 + i * spacing, 120.0 + j * spacing)
             for i in range(n) for j in range(n)}
    ways = {100 + i: ([1000 + i * n + j for j in range(n)], {"highway": "residential",
                                                            "name": f"东{i}路"})
            for i in range(n)}
    ways.update({200 + i: ([1000 + j * n + i for j in range(n)],
                           {"highway": "residential", "name": f"南{i}街"}) for i in range(n)})
    return write_osm(path, nodes, ways)


@pytest.fixture
def district(client, users, tmp_path):
    osm = grid(tmp_path / "grid.osm")
    h = login(client, "planner")
    r = client.post("/api/districts", data={"name": "网格区"},
                    files={"file": ("grid.osm", osm.read_bytes(), "application/xml")},
                    headers=h)
    assert r.status_code == 201, r.text
    return r.json(), h


def test_import_compute_version_and_dispatch(client, district):
    d, h = district
    bad = client.post(f"/api/districts/{d['id']}/jobs", json={"kind": "nope"}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "kind"
    for kind in ("roads", "territories", "territories"):
        r = client.post(f"/api/districts/{d['id']}/jobs", json={"kind": kind, "chiefs": 2},
                        headers=h)
        assert r.status_code == 202, r.text
        job = _wait(client, h, r.json()["job_id"])
        assert job["status"] == "done" and job["progress"] == 1.0, job["error"]
    versions = client.get(f"/api/districts/{d['id']}/results", headers=h).json()
    assert [(v["kind"], v["version"]) for v in versions] == [
        ("roads", 1), ("territories", 1), ("territories", 2)]
    assert all(v["created_by"] is not None and v["created_at"] for v in versions)
    # a report on a street snaps to it and is proposed to the chief answering for it
    case = client.post("/api/cases", json={"kind_code": "E0101", "lat": 30.0,
                                           "lon": 120.0015}).json()
    assert case["district_id"] == d["id"] and case["segment_id"]
    assert case["snap_distance_m"] < 1
    state = client.app.state.service
    latest = next(v for v in reversed(versions) if v["kind"] == "territories")
    from patrolgeo.service._models import Result

    with state.db.read() as s:
        folder = s.get(Result, latest["id"]).path
    table = pd.read_csv(f"{folder}/assignments.csv", dtype=str)
    chief = table.set_index("segment_id").loc[case["segment_id"], "chief_id"]
    assert case["assignee"] == chief
    disp = login(client, "dispatcher")
    client.post(f"/api/cases/{case['id']}/actions/file", headers=disp)
    sent = client.post(f"/api/cases/{case['id']}/actions/dispatch", headers=disp).json()
    assert sent["state"] == "dispatched" and sent["assignee"] == chief


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_bad_uploads_are_refused(client, users):
    h = login(client, "planner")
    r = client.post("/api/districts", data={"name": "x"},
                    files={"file": ("notes.txt", b"hello", "text/plain")}, headers=h)
    assert r.status_code == 415 and r.json()["error"]["field"] == "file"
    r = client.post("/api/districts", files={"file": ("a.osm", b"<osm/>", "text/xml")},
                    headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "name"
    r = client.post("/api/districts", data={"name": "x"},
                    files={"file": ("a.osm", b"<osm", "text/xml")}, headers=h)
    d = r.json()
    job = client.post(f"/api/districts/{d['id']}/jobs", json={"kind": "roads"},
                      headers=h).json()
    done = _wait(client, h, job["job_id"])
    assert done["status"] == "failed" and done["error"]
