"""The personal programme: starred ids in, sessions by day, clashes and impossible trips out."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from opengen.checks import FieldError
from opengen.db import db
from opengen.models import EventFormat, EventStatus
from opengen.shortlist.selection import MAX_SESSIONS, parse_ids

from .conftest import paris


@pytest.mark.parametrize("raw, ids", [
    (None, ()), ("", ()), ("  ", ()), ("3,1,2", (3, 1, 2)), ("3,1,3,2,1", (3, 1, 2)),
    (" 4 , 5 ,", (4, 5)), (",".join(map(str, range(1, MAX_SESSIONS + 1))), tuple(range(1, MAX_SESSIONS + 1))),
])
def test_starred_ids_are_read_in_order_without_repeats(raw, ids):
    assert parse_ids(raw) == ids


@pytest.mark.parametrize("raw", ["abc", "1,x", "-1", "0", "1.5", "1;2", "１２", "1" * 13,
                                 ",".join(map(str, range(1, MAX_SESSIONS + 2)))])
def test_bad_or_too_many_ids_are_refused_in_french(app, raw):
    with app.test_request_context(), pytest.raises(FieldError) as error:
        parse_ids(raw)
    assert error.value.field == "ids"
    assert "session" in error.value.message


@pytest.fixture
def week(make_event, make_venue, make_school):
    """Monday: two sessions in Saint-Denis at the same time, then one in Lyon an hour later;
    Tuesday: one cancelled session clashing with an online one."""
    paris_venue = make_venue()
    lyon_school = make_school(name="Simplon Lyon")
    lyon = make_venue(school=lyon_school, city="Lyon", postcode="69002", lat=45.7578, lon=4.8320)
    sessions = {
        "first": make_event(title="Atelier code", venue=paris_venue, start=paris(2021, 11, 29, 10)),
        "clash": make_event(title="Atelier data", venue=paris_venue, start=paris(2021, 11, 29, 10, 30)),
        "lyon": make_event(title="Atelier Lyon", venue=lyon, school=lyon_school,
                           start=paris(2021, 11, 29, 12, 30)),
        "cancelled": make_event(title="Atelier annulé", status=EventStatus.cancelled,
                                start=paris(2021, 11, 30, 14)),
        "online": make_event(title="Webinaire", format=EventFormat.online, start=paris(2021, 11, 30, 14)),
        "rejected": make_event(title="Atelier refusé", status=EventStatus.rejected),
    }
    db.session.commit()
    return sessions


def _ids(*events) -> str:
    return ",".join(str(e.id) for e in events)


def test_the_programme_groups_sessions_by_day_and_warns_of_clashes_and_long_trips(client, week):
    starred = (week["lyon"], week["online"], week["clash"], week["cancelled"], week["first"])
    data = client.get(f"/api/programme?ids={_ids(*starred)}").get_json()
    assert [day["day"] for day in data["days"]] == ["2021-11-29", "2021-11-30"]
    assert [e["title"] for e in data["days"][0]["events"]] == ["Atelier code", "Atelier data", "Atelier Lyon"]
    assert {e["title"] for e in data["days"][1]["events"]} == {"Atelier annulé", "Webinaire"}
    assert data["speed_kmh"] == 30 and data["detour_factor"] == 1.3
    kinds = {(w["type"], tuple(w["ids"])) for w in data["warnings"]}
    assert kinds == {("clash", (week["first"].id, week["clash"].id)),
                     ("too_far", (week["clash"].id, week["lyon"].id))}
    messages = {w["type"]: w["message"] for w in data["warnings"]}
    assert messages["clash"] == "« Atelier code » et « Atelier data » se chevauchent."
    assert messages["too_far"].startswith("Impossible d’aller de Saint-Denis à Lyon en 60 min")
    assert "à 30 km/h" in messages["too_far"]
    # The cancelled session clashes with nothing: it will not take place.
    assert all(week["cancelled"].id not in w["ids"] for w in data["warnings"])
    assert data["missing"] == []
    assert parse_qs(urlsplit(data["ics"]).query)["ids"] == [_ids(*starred)]


def test_sessions_no_longer_public_are_reported_as_missing(client, week):
    data = client.get(f"/api/programme?ids={week['first'].id},{week['rejected'].id},999999").get_json()
    assert data["ids"] == [week["first"].id]
    assert data["missing"] == [week["rejected"].id, 999999]


@pytest.mark.parametrize("query", ["ids=abc", "ids=1,,x", "ids=" + ",".join(map(str, range(1, 300)))])
def test_the_programme_api_refuses_bad_ids_with_json(client, query):
    response = client.get(f"/api/programme?{query}")
    assert response.status_code == 400
    data = response.get_json()
    assert data["field"] == "ids" and data["status"] == 400 and "session" in data["error"]


def test_the_programme_page_shows_days_warnings_and_calendar_links(client, week):
    starred = (week["first"], week["clash"], week["lyon"], week["cancelled"], week["rejected"])
    html = client.get(f"/programme?ids={_ids(*starred)}").get_data(as_text=True)
    main = html[html.index('<main'):html.index('</main>')]
    assert "<h1>Mon programme</h1>" in main
    assert main.index("Lundi 29 novembre") < main.index(">Atelier code</a>") < main.index("Mardi 30 novembre")
    assert "2 points à vérifier" in main
    assert main.count("« Atelier code » et « Atelier data » se chevauchent.") == 1  # listed once, not per item
    assert "estimés à 30 km/h" in main
    assert "1 session de ce programme n’est plus proposée." in main
    cancelled = main[main.index(f'data-event-id="{week["cancelled"].id}"'):]
    assert "Annulée" in cancelled[:cancelled.index("</article>")]
    ids = _ids(*starred)
    assert f'href="/programme.ics?ids={ids}" download' in main
    assert f'href="webcal://localhost/programme.ics?ids={ids}"' in main
    assert "https://calendar.google.com/calendar/render?cid=webcal" in main
    assert "https://outlook.live.com/calendar/0/addfromweb?url=http" in main
    assert 'data-star="%d" aria-pressed="false"' % week["first"].id in main


def test_an_empty_programme_says_how_to_fill_it(client):
    html = client.get("/programme").get_data(as_text=True)
    assert "Votre programme est vide." in html
    assert "programme.ics" not in html


def test_the_programme_page_refuses_bad_ids_with_a_french_page(client):
    response = client.get("/programme?ids=1,deux")
    assert response.status_code == 400
    assert "Identifiant de session invalide : « deux »" in response.get_data(as_text=True)


def test_school_text_is_escaped_on_the_programme_page(client, make_event, make_school):
    event = make_event(title="<img src=x onerror=alert(1)>",
                       school=make_school(name="<script>alert(2)</script>"))
    db.session.commit()
    html = client.get(f"/programme?ids={event.id}").get_data(as_text=True)
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_menu_links_to_the_programme(client):
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/programme">Mon programme</a>' in html


def test_ids_beyond_the_database_range_are_refused_not_crashed(client):
    for ids in ("2147483648", "9" * 20, "0"):
        for path in ("/api/programme", "/programme.ics", "/programme"):
            assert client.get(f"{path}?ids={ids}").status_code == 400, (path, ids)
