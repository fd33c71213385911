"""Open311 GeoReport v2 from the client's side, written from the specification.

The client knows only the spec (wiki.open311.org/GeoReport_v2): paths ending in
``.json``, form-encoded POST with ``api_key``, ``service_code``, ``lat``/``long``,
answers as JSON lists, errors as a list of ``{code, description}``. It never imports the
server's code.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from conftest_service import *  # noqa: F403  (the fixtures)
from conftest_service import login


class GeoReportClient:
    """A minimal GeoReport v2 client over any HTTP client with get/post."""

    def __init__(self, http, endpoint: str, api_key: str | None = None):
        self.http, self.endpoint, self.api_key = http, endpoint.rstrip("/"), api_key

    def services(self):
        return self.http.get(f"{self.endpoint}/services.json")

    def definition(self, code):
        return self.http.get(f"{self.endpoint}/services/{code}.json")

    def post_request(self, **fields):
        form = {"api_key": self.api_key, **fields} if self.api_key else fields
        return self.http.post(f"{self.endpoint}/requests.json", data=form,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})

    def requests(self, **params):
        return self.http.get(f"{self.endpoint}/requests.json", params=params)

    def request(self, request_id):
        return self.http.get(f"{self.endpoint}/requests/{request_id}.json")


SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type",
                  "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url"}


def _client(client, users):
    key = client.post("/api/keys", json={"label": "open311 app"},
                      headers=login(client, "dispatcher")).json()["api_key"]
    return GeoReportClient(client, "/open311/v2", key)


def _is_error_list(r, status):
    body = r.json()
    return (r.status_code == status and isinstance(body, list) and body
            and all(set(e) == {"code", "description"} for e in body))


def test_services_and_definitions(client, users):
    geo = _client(client, users)
    services = geo.services().json()
    assert services and all(set(s) >= SERVICE_FIELDS for s in services)
    assert all(s["type"] in ("realtime", "batch", "blackbox") for s in services)
    codes = [s["service_code"] for s in services]
    assert len(codes) == len(set(codes))
    definition = geo.definition(codes[0]).json()
    assert definition["service_code"] == codes[0] and isinstance(definition["attributes"], list)
    assert _is_error_list(geo.definition("NO-SUCH"), 404)


def test_post_then_find_the_request(client, users):
    geo = _client(client, users)
    code = geo.services().json()[0]["service_code"]
    posted = geo.post_request(service_code=code, lat="28.2466", long="117.2132",
                              description="路边垃圾堆积", address_string="信江路 1 号")
    assert posted.status_code in (200, 201)
    answer = posted.json()
    assert isinstance(answer, list) and len(answer) == 1
    rid = answer[0]["service_request_id"]
    one = geo.request(rid).json()
    assert isinstance(one, list) and len(one) == 1
    got = one[0]
    assert set(got) >= REQUEST_FIELDS
    assert (got["service_request_id"], got["service_code"], got["status"]) == (rid, code, "open")
    assert (got["lat"], got["long"]) == (28.2466, 117.2132)
    assert got["description"] == "路边垃圾堆积" and got["address"] == "信江路 1 号"
    requested = datetime.fromisoformat(got["requested_datetime"])
    assert abs(requested - datetime.now(timezone.utc)) < timedelta(minutes=5)


def test_request_filters(client, users):
    geo = _client(client, users)
    codes = [s["service_code"] for s in geo.services().json()[:2]]
    ids = {c: [geo.post_request(service_code=c, lat="28.24", long=f"117.2{i}")
               .json()[0]["service_request_id"] for i in range(2)] for c in codes}
    listed = {r["service_request_id"] for r in geo.requests(service_code=codes[0]).json()}
    assert listed == set(ids[codes[0]])
    both = geo.requests(service_request_id=f"{ids[codes[0]][0]},{ids[codes[1]][1]}").json()
    assert {r["service_request_id"] for r in both} == {ids[codes[0]][0], ids[codes[1]][1]}
    assert len(geo.requests(status="open").json()) == 4
    assert geo.requests(status="closed").json() == []
    future = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    assert geo.requests(start_date=future).json() == []
    past = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    assert len(geo.requests(start_date=past, end_date=future).json()) == 4
    assert _is_error_list(geo.requests(start_date="yesterday"), 422)


def test_errors_in_the_open311_form(client, users):
    geo = _client(client, users)
    code = geo.services().json()[0]["service_code"]
    missing = geo.post_request(lat="28.2", long="117.2")
    assert _is_error_list(missing, 422) and "service_code" in missing.json()[0]["description"]
    bad = geo.post_request(service_code=code, lat="28.2", long="999")
    assert _is_error_list(bad, 422) and bad.json()[0]["description"].startswith("long")
    no_place = geo.post_request(service_code=code)
    assert _is_error_list(no_place, 422)
    unknown = geo.post_request(service_code="NO-SUCH", lat="28.2", long="117.2")
    assert _is_error_list(unknown, 422)
    keyless = GeoReportClient(client, "/open311/v2").post_request(
        service_code=code, lat="28.2", long="117.2")
    assert _is_error_list(keyless, 401)
    wrong = GeoReportClient(client, "/open311/v2", "not-a-key").post_request(
        service_code=code, lat="28.2", long="117.2")
    assert _is_error_list(wrong, 401)
    assert geo.requests().json() == []  # nothing was written by the refused posts
