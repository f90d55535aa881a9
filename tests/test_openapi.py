"""The described API: the OpenAPI document validates, matches the routes, and the app answers as
it says (schemathesis); cross-origin reading; the per-client limit with Retry-After."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from opengen.db import db
from opengen.events.families import SLUGS
from opengen.events.filters import FORMATS, MAX_RADIUS_KM
from opengen.models import EventFormat, EventKind, EventStatus
from opengen.openapi.document import EXPORTS

from .conftest import paris

# Every documented path is served (the exports, documented before they were routed, now are).
NOT_YET_ROUTED: set[str] = set()


def test_the_exports_are_documented_and_served(app):
    routed = {rule.rule for rule in app.url_map.iter_rules()}
    assert set(EXPORTS) <= routed


def _document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _public_read_rules(app) -> set[str]:
    """Every /api rule and every feed of the app."""
    return {_openapi_path(rule.rule) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/") or rule.endpoint.startswith("feeds.")}


def test_the_document_is_valid_openapi_3_1(client):
    document = _document(client)
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_api_and_feed_route_is_documented_and_nothing_else(app, client):
    documented = set(_document(client)["paths"])
    routed = _public_read_rules(app)
    assert routed - documented == set(), "routes missing from the document"
    assert documented - routed <= NOT_YET_ROUTED, "documented paths the app does not serve"
    assert {"/api/events", "/api/events/{event_id}", "/calendar.ics", "/events/{event_id}.ics",
            "/api/openapi.json", "/api/docs"} <= routed


def test_the_filters_are_read_from_the_constants_the_code_uses(client):
    parameters = {p["name"]: p for p in _document(client)["paths"]["/api/events"]["get"]["parameters"]}
    assert parameters["family"]["schema"]["enum"] == list(SLUGS)
    assert parameters["kind"]["schema"]["enum"] == [k.value for k in EventKind]
    assert parameters["format"]["schema"]["enum"] == list(FORMATS)
    assert parameters["radius_km"]["schema"]["maximum"] == MAX_RADIUS_KM
    assert {"day", "school", "q", "lat", "lon", "edition", "limit", "offset", "updated_since"} <= set(parameters)


def test_errors_and_limits_are_documented(client):
    document = _document(client)
    events = document["paths"]["/api/events"]["get"]["responses"]
    assert {"200", "304", "400", "404", "429"} <= set(events)
    assert events["429"]["headers"]["Retry-After"]["required"] is True
    assert document["x-rate-limit"]["per-client"] == "600 per minute"
    assert "600 per minute" in document["info"]["description"]


def test_the_documentation_page_lists_every_endpoint_in_french(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html lang=\"fr\"" in page and "L’API d’Open Gen" in page
    for path in _document(client)["paths"]:
        assert f"GET {path}</code>" in page
    assert "GET /api/events?day=2021-11-29&amp;family=data" in page
    assert "cdn" not in page.lower() and "swagger" not in page.lower()


# --------------------------------------------------------------------------- schemathesis

@pytest.fixture
def some_sessions(make_event, make_venue):
    make_event(title="Atelier data à Saint-Denis", families=["data"])
    make_event(title="Session annulée", status=EventStatus.cancelled, start=paris(2021, 11, 30, 14))
    make_event(title="En ligne", format=EventFormat.online, venue=None, online_url="https://visio.example.org/a")
    make_event(venue=make_venue(city="Lyon", postcode="69003", lat=45.76, lon=4.84), kind=EventKind.career_talk)
    db.session.commit()


def test_schemathesis_finds_no_server_error_and_every_answer_conforms(app, ctx, some_sessions):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    routed = {_openapi_path(rule.rule) for rule in app.url_map.iter_rules()}
    tested = [op for op in operations if op.path in routed]
    assert {op.path for op in tested} == {op.path for op in operations} - NOT_YET_ROUTED
    for operation in tested:
        @settings(max_examples=12, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            # The WSGI transport does not decompress: ask for plain bodies.
            case.call_and_validate(checks=checks, headers={"Accept-Encoding": "identity"})

        run()


# --------------------------------------------------------------------------- CORS

ORIGIN = {"Origin": "https://partenaire.example.org"}
PREFLIGHT = {**ORIGIN, "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "accept, if-none-match"}


@pytest.mark.parametrize("path", ["/api/events", "/api/events/markers", "/api/broadcasts",
                                  "/api/programme?ids=1", "/api/openapi.json", "/calendar.ics",
                                  "/broadcasts.ics", "/api/geocode?q=93200"])
def test_other_sites_may_read_the_api_and_the_feeds(client, path):
    response = client.get(path, headers=ORIGIN)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


def test_a_preflight_for_a_get_with_accept_headers_is_answered(client):
    response = client.options("/api/events?q=93200", headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "accept" in allowed and "if-none-match" in allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_errors_of_the_api_are_readable_by_other_sites_too(client):
    response = client.get("/api/events?radius_km=0", headers=ORIGIN)
    assert response.status_code == 400
    assert response.get_json()["field"] == "radius_km"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/submit"), ("OPTIONS", "/submit"),
                                          ("GET", "/admin/login"), ("OPTIONS", "/admin/login"),
                                          ("GET", "/programme"), ("GET", "/integrer")])
def test_pages_and_post_routes_are_not_opened_to_other_sites(client, method, path):
    headers = {**ORIGIN, "Access-Control-Request-Method": "POST"} if method == "OPTIONS" else ORIGIN
    response = client.open(path, method=method, headers=headers)
    assert response.status_code < 500
    assert "Access-Control-Allow-Origin" not in response.headers


# --------------------------------------------------------------------------- limits

@pytest.fixture
def api_limited(app):
    """Turn the rate limits on for this test's app with a tiny API limit."""
    from opengen.limits import limiter
    app.config.update(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    limiter.init_app(app)
    limiter.reset()
    yield
    limiter.reset()


def test_the_api_answers_429_with_retry_after_past_the_limit(client, api_limited):
    for _ in range(3):
        assert client.get("/api/events", headers=ORIGIN).status_code == 200
    # One budget for the whole API, shared by its endpoints (the map's kept tiles and markers aside).
    response = client.get("/api/broadcasts", headers=ORIGIN)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["status"] == 429 and "patienter" in body["error"]
    assert client.get("/api/programme?ids=1").status_code == 429


def test_preflights_and_pages_do_not_use_the_api_budget(client, api_limited):
    for _ in range(5):
        assert client.options("/api/events", headers=PREFLIGHT).status_code == 200
        assert client.get("/embed").status_code == 200
    assert client.get("/api/events").status_code == 200


def test_the_document_states_the_configured_limit(client, api_limited):
    assert _document(client)["x-rate-limit"]["per-client"] == "3 per minute"
