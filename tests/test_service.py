"""The service's cases on SQLite and on a real PostgreSQL/PostGIS: workflow, limits, files."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text, update

from conftest_service import *  # noqa: F403  (the fixtures)
from conftest_service import login
from patrolgeo.service import WorkCalendar, load_limits
from patrolgeo.service._models import Base, Case, CaseEvent, Photo

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
POINT = {"lat": 28.2466, "lon": 117.2132}


def report(client, **extra):
    body = {"kind_code": "E0101", **POINT, "description": "垃圾", **extra}
    r = client.post("/api/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def act(client, who, case_id, action, **body):
    return client.post(f"/api/cases/{case_id}/actions/{action}", json=body,
                       headers=login(client, who))


def test_migrations_make_the_model_schema(app):
    db = app.state.service.db
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        # PostGIS's own table is not ours
        diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name == "spatial_ref_sys")]
        assert diff == []
        if db.dialect == "sqlite":
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        else:
            assert db.postgis


def test_closed_loop_with_rework(client, users):
    case = report(client)
    assert case["state"] == "reported" and case["state_label"] == "信息采集"
    cid = case["id"]
    assert act(client, "inspector", cid, "file").status_code == 403
    assert act(client, "dispatcher", cid, "file", note="属实").json()["state"] == "filed"
    r = act(client, "dispatcher", cid, "dispatch")
    assert r.status_code == 422 and r.json()["error"]["field"] == "assignee"
    r = act(client, "dispatcher", cid, "dispatch", assignee="C1")
    assert r.json()["state"] == "dispatched" and r.json()["deadline"]
    wrong = act(client, "chief2", cid, "accept")
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "not_assignee"
    for who, action, state in [("chief", "accept", "handling"),
                               ("chief", "feedback", "handled"),
                               ("inspector", "rework", "dispatched"),
                               ("chief", "accept", "handling"),
                               ("chief", "feedback", "handled"),
                               ("inspector", "verify", "verified"),
                               ("dispatcher", "close", "closed")]:
        r = act(client, who, cid, action, note=action)
        assert r.status_code == 200 and r.json()["state"] == state, (action, r.text)
    again = act(client, "dispatcher", cid, "close")
    assert again.status_code == 409 and again.json()["error"]["field"] == "action"
    events = client.get(f"/api/cases/{cid}/events", headers=login(client, "viewer")).json()
    assert [e["action"] for e in events] == ["report", "file", "dispatch", "accept",
                                             "feedback", "rework", "accept", "feedback",
                                             "verify", "close"]
    assert [e["actor_role"] for e in events][:3] == ["public", "dispatcher", "dispatcher"]
    assert all(e["to_state"] == n["from_state"] for e, n in itertools.pairwise(events))
    assert events[1]["note"] == "属实"


def test_defer_keeps_the_hours_left(client, users, app):
    cid = report(client)["id"]
    act(client, "dispatcher", cid, "file")
    act(client, "dispatcher", cid, "dispatch", assignee="C1")
    db = app.state.service.db
    limits = app.state.service.limits
    assert act(client, "dispatcher", cid, "defer").json()["state"] == "deferred"
    with db.read() as s:
        case = s.get(Case, cid)
        left = case.remaining_h
    assert 0 < left <= limits.hours_for("E01", "E0101")
    resumed = act(client, "dispatcher", cid, "resume").json()
    assert resumed["state"] == "dispatched"
    with db.read() as s:
        case = s.get(Case, cid)
        # hours left at deferral are the working hours from resume to the new deadline
        assert limits.calendar.hours_between(case.updated_at, case.deadline) == \
            pytest.approx(left, abs=1 / 60)


def test_overdue_flag_and_filter(client, users, app):
    late, fine = report(client)["id"], report(client, lat=28.25)["id"]
    for cid in (late, fine):
        act(client, "dispatcher", cid, "file")
        act(client, "dispatcher", cid, "dispatch", assignee="C1")
    with app.state.service.db.write() as s:
        s.execute(update(Case).where(Case.id == late)
                  .values(deadline=datetime.utcnow() - timedelta(hours=1)))
    h = login(client, "viewer")
    got = client.get("/api/cases", params={"overdue": "true"}, headers=h).json()
    assert [c["id"] for c in got["cases"]] == [late] and got["cases"][0]["overdue"]
    assert client.get(f"/api/cases/{fine}", headers=h).json()["overdue"] is False


def test_duplicate_suggestion_same_category_near_and_recent(client, users):
    first = report(client)["id"]
    near = report(client, lat=POINT["lat"] + 0.0001)  # ~11 m north
    assert near["duplicates"] == [first]
    other_kind = report(client, kind_code="E0201")  # another category, same spot
    assert other_kind["duplicates"] == []
    far = report(client, lat=POINT["lat"] + 0.001)  # ~111 m
    assert far["duplicates"] == []
    same_cat = report(client, kind_code="E0103")  # other kind, same category E01
    assert set(same_cat["duplicates"]) == {first, near["id"]}


def test_public_sees_only_its_own_report(client, users):
    mine = report(client)
    assert client.get(f"/api/cases/{mine['id']}").status_code == 404
    ok = client.get(f"/api/cases/{mine['id']}",
                    headers={"X-Report-Token": mine["report_token"]})
    assert ok.status_code == 200 and "actions" not in ok.json()
    other = report(client)
    assert client.get(f"/api/cases/{other['id']}",
                      headers={"X-Report-Token": mine["report_token"]}).status_code == 404
    assert client.get("/api/cases").status_code == 401


def test_photos_are_checked_and_stored_by_sha256(client, users, app):
    case = report(client)
    token = {"X-Report-Token": case["report_token"]}
    url = f"/api/cases/{case['id']}/photos"
    bad = client.post(url, files={"file": ("a.jpg", b"not an image", "image/jpeg")},
                      headers=token)
    assert bad.status_code == 415 and bad.json()["error"]["field"] == "file"
    big = app.state.service.settings.max_photo_bytes + 1
    assert client.post(url, files={"file": ("b.png", PNG + b"0" * big, "image/png")},
                       headers=token).status_code == 413
    r = client.post(url, files={"file": ("c.png", PNG, "image/png")}, headers=token)
    digest = hashlib.sha256(PNG).hexdigest()
    assert r.status_code == 201 and r.json()["sha256"] == digest
    stored = app.state.service.settings.photo_dir
    path = stored / digest[:2] / digest[2:4] / f"{digest}.png"
    assert path.read_bytes() == PNG
    got = client.get(f"/api/photos/{digest}", headers=login(client, "viewer"))
    assert got.content == PNG and got.headers["content-type"] == "image/png"
    with app.state.service.db.read() as s:
        assert s.execute(select(func.count()).select_from(Photo)).scalar() == 1


def test_bad_input_names_the_field_and_writes_nothing(client, users, app):
    db = app.state.service.db

    def count():
        with db.read() as s:
            return (s.execute(select(func.count()).select_from(Case)).scalar(),
                    s.execute(select(func.count()).select_from(CaseEvent)).scalar())

    before = count()
    cases = [({"kind_code": "NOPE", **POINT}, "kind_code"),
             ({"kind_code": "E0101", "lat": 95, "lon": 117}, "lat"),
             ({"kind_code": "E0101", "lat": 28, "lon": 190}, "lon"),
             ({"kind_code": "E0101", "lat": 0, "lon": 0}, "lat"),
             ({"kind_code": "E0101", "lat": "x", "lon": 117}, "lat"),
             ({"kind_code": "E0101", "lat": 28}, "lon"),
             ({"kind_code": "E0101", **POINT, "source": "pigeon"}, "source"),
             ({"kind_code": "E0101", "category_code": "E02", **POINT}, "category_code")]
    headers = login(client, "dispatcher")
    for body, field in cases:
        r = client.post("/api/cases", json=body, headers=headers)
        assert r.status_code == 422, body
        assert field in {e["field"] for e in r.json()["errors"]}, (body, r.json())
    assert count() == before
    cid = report(client)["id"]
    act(client, "dispatcher", cid, "file")
    after_file = count()
    act(client, "dispatcher", cid, "dispatch")  # refused: no chief to send it to
    assert count() == after_file
    with db.read() as s:
        assert s.get(Case, cid).state == "filed"


def test_messages_in_english_on_request(client, users):
    r = client.post("/api/cases", json={"kind_code": "NOPE", **POINT},
                    headers={"Accept-Language": "en-GB,en"})
    assert r.json()["error"]["message"].startswith("unknown category")
    r = client.post("/api/cases?lang=zh", json={"kind_code": "NOPE", **POINT})
    assert r.json()["error"]["message"].startswith("未知")


def test_working_calendar_counts_office_hours_only():
    cal = load_limits().calendar
    assert isinstance(cal, WorkCalendar)

    def utc(local: str) -> datetime:  # Asia/Shanghai has no DST: UTC+8
        return datetime.fromisoformat(local) - timedelta(hours=8)

    # Friday 16:00 + 4 h: 1.5 h on Friday, 2.5 h from Monday 08:30
    assert cal.add_hours(utc("2025-06-06T16:00"), 4) == utc("2025-06-09T11:00")
    # lunch break: 11:00 + 2 h = 1 h before noon, 1 h from 14:00
    assert cal.add_hours(utc("2025-06-09T11:00"), 2) == utc("2025-06-09T15:00")
    assert cal.hours_between(utc("2025-06-06T16:00"), utc("2025-06-09T11:00")) == 4
    holiday = load_limits_from({"calendar": {"holidays": ["2025-06-09"],
                                             "workdays": ["2025-06-08"]}}).calendar
    # Monday is a holiday, Sunday a worked day (调休)
    assert holiday.add_hours(utc("2025-06-06T17:00"), 1) == utc("2025-06-08T09:00")
    assert holiday.add_hours(utc("2025-06-08T17:00"), 1) == utc("2025-06-10T09:00")


def load_limits_from(data):
    from patrolgeo.service._calendar import limits_from_dict

    return limits_from_dict(data)


def test_limits_file_is_laid_over_the_defaults(tmp_path):
    path = tmp_path / "limits.toml"
    path.write_text('[hours]\nE0101 = 1.5\n', encoding="utf-8")
    limits = load_limits(path)
    assert limits.hours_for("E01", "E0101") == 1.5
    assert limits.hours_for("E01", "E0102") == load_limits().hours_for("E01", "E0102")
    path.write_text('[hours]\nE0101 = -1\n', encoding="utf-8")
    from patrolgeo.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        load_limits(path)
    assert err.value.field == "hours.E0101"
