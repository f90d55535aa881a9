"""No route answers 5xx, whatever it is sent: every rule of the URL map gets hostile path values,
hostile and unknown query parameters (werkzeug's and url_for's own names included), GET, HEAD and,
where the route takes it, POST with and without a CSRF token, as a visitor and as staff.

The rules are read from the live URL map, so a route added later is covered without anyone
remembering to. Hypothesis is derandomised: the same examples run on every machine.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from opengen.db import db
from opengen.models import EventStatus
from opengen.submissions.operations import start_submission

from .conftest import csrf_token
from .submit_fixtures import login

# The query parameters the app reads somewhere, then the names werkzeug and url_for treat as
# their own, then names the routes' converters use (an alias must not take them as its values).
KNOWN_PARAMETERS = ("day", "family", "kind", "format", "school", "q", "lat", "lon", "radius_km",
                    "edition", "page", "limit", "offset", "ids", "token", "next", "preview",
                    "confirm", "back", "csrf_token", "place_token", "pin_lat", "pin_lon")
SPECIAL_PARAMETERS = ("_method", "_anchor", "_external", "_scheme", "_external_host", "endpoint",
                      "slug", "values", "event_id", "filename", "package", "year", "method")

HOSTILE_VALUES = (
    "", " ", "0", "-1", "-0", "1.5", "1e999", "nan", "inf", "-inf", "0x10", str(2**31), str(2**63),
    str(2**64), "9" * 400, "2021-02-30", "1900-01-01", "9999-12-31", "2021-11-29T25:00", "\x00",
    "a\x00b", "../../etc/passwd", "..\\..\\windows", "é🙂", "\u202e\u0645", "\ufeff", "\ud7ff",
    "'; DROP TABLE events; --", "' OR 1=1 --", "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "${7*7}", "{{ 7*7 }}", "x" * 5000, ",,,", "1,2,abc",
    ",".join(str(n) for n in range(1000)), "data", "online", "onsite", "workshop", "true", "POST",
    "[]", "{}", "null", "\r\nSet-Cookie: x=1", "javascript:alert(1)", "//evil.example.org",
    "http://evil.example.org/", "https", "ftp", "GET",
)
# Pieces of URL passed through unquoted: broken and sneaky percent-encodings.
RAW_PATH_VALUES = ("%00", "%2e%2e%2f%2e%2e%2f", "%ff%fe", "%", "%zz", "..%2f", "%c0%ae%c0%ae/")
RAW_QUERIES = ("%", "%ff", "a=%zz&&&=", "q=%00", "=x", "&&", "q=%E9", "day=%ZZ&page=%",
               "_method=DELETE", "endpoint=x&_anchor=y&_external=1&_scheme=javascript")

hostile_text = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=40),
                         st.integers(-2**70, 2**70).map(str),
                         st.floats(allow_nan=True, allow_infinity=True).map(repr))
parameter_name = st.one_of(st.sampled_from(KNOWN_PARAMETERS), st.sampled_from(SPECIAL_PARAMETERS),
                           st.text(max_size=12))
query_pairs = st.lists(st.tuples(parameter_name, hostile_text), max_size=6)

EXAMPLES_PER_RULE = 25
ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


@pytest.fixture
def world(ctx, make_event, make_broadcast, make_admin):
    """Rows for every kind of id in the URL map: a published and a pending session, a school's
    edit link, a broadcast, a staff account; returns the valid value of each path argument."""
    published = make_event(families=["data"])
    submitted = start_submission("École hostile", "contact@hostile.example.org")
    pending = make_event(status=EventStatus.pending, submission_id=submitted.submission.id,
                         school=submitted.submission.school, contact_email="contact@hostile.example.org")
    broadcast = make_broadcast()
    make_admin()
    db.session.commit()
    return {
        "event_id": [published.id, pending.id], "venue_id": [pending.venue_id, published.venue_id],
        "school_id": [published.school_id, pending.school_id],
        "submission_id": [submitted.submission.id], "broadcast_id": [broadcast.id],
        "year": [2021, 2020], "token": [submitted.token], "slug": ["data", "web-development"],
        "package": ["leaflet", "markercluster"],
        "filename": ["css/site.css", "leaflet.js", "js/map.js", "leaflet.css"],
    }


def path_value(valid: list) -> st.SearchStrategy[str]:
    """A path segment: a valid value (so the view itself runs), a hostile one quoted, or raw."""
    return st.one_of(st.sampled_from([quote(str(v), safe="/") for v in valid] or ["1"]),
                     hostile_text.map(lambda text: quote(text, safe="/")),
                     st.sampled_from(RAW_PATH_VALUES))


def url_strategy(rule: Rule, world: dict) -> st.SearchStrategy[str]:
    """Paths matching a rule's shape, with valid and hostile values for its arguments."""
    names = [m.group("name") for m in ARGUMENT.finditer(rule.rule)]
    if not names:
        return st.just(rule.rule)

    def build(values: tuple[str, ...]) -> str:
        found = iter(values)
        return ARGUMENT.sub(lambda _m: next(found), rule.rule)

    return st.tuples(*[path_value(world.get(name, [])) for name in names]).map(build)


def send(client, method: str, path: str, pairs, raw_query: str | None, form_token: str | None) -> int:
    """Send one request and return its status; POST carries the hostile pairs as its form too."""
    query = raw_query if raw_query is not None else urlencode(pairs)
    form = list(pairs) + ([("csrf_token", form_token)] if form_token else [])
    data = MultiDict(form) if method == "POST" else None
    with client.open(path, method=method, query_string=query, data=data) as response:
        return response.status_code


def check_rule(rule: Rule, clients: dict, tokens: dict, world: dict, failures: list[str]) -> None:
    """Run the hostile examples of one rule, recording the simplest request that got a 5xx."""
    methods = sorted(m for m in rule.methods if m in {"GET", "HEAD", "POST"})

    @settings(max_examples=EXAMPLES_PER_RULE, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(path=url_strategy(rule, world), method=st.sampled_from(methods), pairs=query_pairs,
           raw_query=st.one_of(st.none(), st.none(), st.sampled_from(RAW_QUERIES)),
           who=st.sampled_from(sorted(clients)), with_token=st.booleans())
    def hostile_request(path, method, pairs, raw_query, who, with_token):
        token = tokens[who] if with_token else None
        try:
            status = send(clients[who], method, path, pairs, raw_query, token)
        except Exception as error:  # noqa: BLE001 - any exception is the failure we look for
            status = f"{type(error).__name__}: {error}"
        if not isinstance(status, int) or status >= 500:
            raise AssertionError(f"{who} {method} {path} ?{raw_query or urlencode(pairs)} -> {status}")

    try:
        hostile_request()
    except AssertionError as error:  # the example shrunk by Hypothesis; go on with the other rules
        failures.append(f"{rule.rule}: {error}")


def test_no_route_answers_5xx_to_hostile_requests(app, world):
    """Every rule of the URL map, hostile values everywhere: never a 5xx, never an exception."""
    visitor, staff = app.test_client(), app.test_client()
    assert login(staff).status_code == 303
    clients = {"visitor": visitor, "staff": staff}
    tokens = {who: csrf_token(c.get("/submit").get_data(as_text=True)) for who, c in clients.items()}
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 40  # the whole map, not a list kept by hand
    failures: list[str] = []
    for rule in rules:
        check_rule(rule, clients, tokens, world, failures)
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("url", [
    "/families/data?slug=x", "/families/data?endpoint=x", "/families/data?_method=POST",
    "/families/data?_anchor=x&_external=1&_scheme=javascript", "/emissions?endpoint=x",
    "/emissions?_method=POST", "/emissions?_anchor=x", "/emissions?_external=1&_scheme=javascript",
    "/emissions?values=1&edition=2021",
])
def test_the_aliases_keep_the_query_without_reading_it_as_options(client, url):
    response = client.get(url)
    assert response.status_code == 301
    location = response.headers["Location"]
    path, _, query = location.partition("?")
    assert path in ("/familles/data", "/broadcasts")  # same host, no anchor, no scheme
    assert query == url.partition("?")[2]  # every parameter carried over, as a parameter


def test_the_aliases_re_encode_what_they_carry_over(client):
    response = client.get("/families/data", query_string="page=2&q=Saint-Denis%20%C3%A9&q=%0D%0Ax")
    assert response.status_code == 301
    assert response.headers["Location"] == "/familles/data?page=2&q=Saint-Denis+%C3%A9&q=%0D%0Ax"
    assert client.get("/emissions").headers["Location"] == "/broadcasts"
