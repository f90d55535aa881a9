"""Open Gen year after year: the current edition by default, earlier ones readable as archives,
every reader (map, list, API, markers, feeds, broadcasts) taking edition=<year>."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from opengen import editions
from opengen.db import db
from opengen.editions import EditionDraft
from opengen.models import Edition
from tests.conftest import paris
from tests.test_feeds import feed, uids


@pytest.fixture
def two_years(app, make_event):
    """Open Gen 2021 (the test edition) and 2022, the clock during the 2022 week."""
    app.config["FROZEN_NOW"] = "2022-11-30T12:00"
    edition = editions.create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28),
                                           ends_on=date(2022, 12, 3)))
    old = make_event(title="Atelier de 2021", start=paris(2021, 11, 29, 10),
                     registration_url="https://inscription.example.org/2021")
    monday = make_event(title="Lundi 2022", start=paris(2022, 11, 28, 10), edition=edition,
                        registration_url="https://inscription.example.org/lundi")
    morning = make_event(title="Mercredi matin 2022", start=paris(2022, 11, 30, 9), edition=edition)
    afternoon = make_event(title="Mercredi après-midi 2022", start=paris(2022, 11, 30, 15),
                           edition=edition, registration_url="https://inscription.example.org/mercredi")
    friday = make_event(title="Vendredi 2022", start=paris(2022, 12, 2, 10), edition=edition)
    db.session.commit()
    return dict(edition=edition, old=old, monday=monday, morning=morning, afternoon=afternoon,
                friday=friday)


def _titles(client, path: str) -> list[str]:
    return [e["title"] for e in client.get(path).get_json()["events"]]


def test_the_site_shows_the_current_edition_by_default(client, two_years):
    assert sorted(_titles(client, "/api/events")) == sorted(
        ["Lundi 2022", "Mercredi matin 2022", "Mercredi après-midi 2022", "Vendredi 2022"])
    assert _titles(client, "/api/events?edition=2021") == ["Atelier de 2021"]
    markers = client.get("/api/events/markers").get_json()
    assert {m[0] for m in markers["markers"]} == {
        two_years[k].id for k in ("monday", "morning", "afternoon", "friday")}
    assert [m[0] for m in client.get("/api/events/markers?edition=2021").get_json()["markers"]] == [
        two_years["old"].id]
    home = client.get("/").get_data(as_text=True)
    assert "Lundi 2022" in home and "Atelier de 2021" not in home


def test_feeds_follow_the_current_edition_or_the_year_asked(client, two_years):
    assert uids(feed(client, "/calendar.ics").data) == {
        two_years[k].uid for k in ("monday", "morning", "afternoon", "friday")}
    assert uids(feed(client, "/calendar.ics?edition=2021").data) == {two_years["old"].uid}


def test_during_the_week_the_list_starts_with_what_is_still_to_come(client, two_years):
    html = client.get("/").get_data(as_text=True)
    order = [html.index(t) for t in ("Mercredi après-midi 2022", "Vendredi 2022", "Lundi 2022",
                                     "Mercredi matin 2022")]
    assert order == sorted(order)
    # The API keeps plain time order, for partners.
    assert _titles(client, "/api/events") == ["Lundi 2022", "Mercredi matin 2022",
                                              "Mercredi après-midi 2022", "Vendredi 2022"]


def test_a_past_edition_is_an_archive_with_its_map_list_and_numbers(client, two_years):
    response = client.get("/editions/2021")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Archive." in html and "Atelier de 2021" in html and "Lundi 2022" not in html
    assert "1 session publiée" in html and "1 école" in html
    assert 'id="around-me"' not in html and "S’abonner à cette recherche" not in html
    assert "/api/events/markers?edition=2021" in html
    assert 'action="/editions/2021"' in html
    current = client.get("/").get_data(as_text=True)
    assert "Archive." not in current and 'id="around-me"' in current


def test_the_editions_are_listed_newest_first_with_their_figures(client, two_years):
    html = client.get("/editions").get_data(as_text=True)
    assert html.index("Open Gen 2022") < html.index("Open Gen 2021")
    assert "4 sessions publiées" in html and "1 session publiée" in html
    assert "édition actuelle" in html


def test_an_ended_session_offers_no_registration_nor_calendar(client, two_years):
    ended = client.get(f"/events/{two_years['monday'].id}").get_data(as_text=True)
    assert "Cette session est terminée." in ended
    assert "https://inscription.example.org/lundi" not in ended and "Ajouter à mon agenda" not in ended
    coming = client.get(f"/events/{two_years['afternoon'].id}").get_data(as_text=True)
    assert "https://inscription.example.org/mercredi" in coming and "Ajouter à mon agenda" in coming
    archived = client.get(f"/events/{two_years['old'].id}").get_data(as_text=True)
    assert "Elle a eu lieu pendant Open Gen 2021." in archived and 'href="/editions/2021"' in archived


def test_an_edition_not_yet_published_is_hidden(app, client, two_years, ctx):
    editions.create(EditionDraft(name="Open Gen 2023", starts_on=date(2023, 11, 27),
                                 ends_on=date(2023, 12, 2), published_on=date(2023, 10, 1)))
    db.session.commit()
    assert client.get("/editions/2023").status_code == 404
    assert "Open Gen 2023" not in client.get("/editions").get_data(as_text=True)
    assert client.get("/api/events?edition=2023").status_code == 400
    app.config["FROZEN_NOW"] = "2023-10-02T08:00"
    assert client.get("/editions/2023").status_code == 200
    assert client.get("/api/events").get_json()["count"] == 0  # the new edition is current


@pytest.mark.parametrize("query", ["edition=1999", "edition=2019", "edition=abcd", "edition=20210",
                                   "edition=%00", "edition=-2021"])
def test_a_bad_or_unknown_edition_gets_a_french_400(client, two_years, query):
    for path in ("/api/events", "/api/events/markers", "/api/broadcasts", "/calendar.ics",
                 "/broadcasts.ics", "/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert "dition" in response.get_data(as_text=True)


def test_unknown_archive_is_a_404(client, two_years):
    assert client.get("/editions/2019").status_code == 404
    assert client.get("/editions/99999999999").status_code == 404


def test_broadcasts_belong_to_their_edition(client, two_years, ctx):
    from opengen.demo import seed_broadcasts
    seed_broadcasts(editions.by_year(2021))
    db.session.commit()
    assert client.get("/api/broadcasts").get_json()["broadcasts"] == []
    shows = client.get("/api/broadcasts?edition=2021").get_json()["broadcasts"]
    assert len(shows) >= 6 and all(s["start"].startswith("2021-") for s in shows)


def test_the_current_edition_follows_the_dates(app, ctx):
    later = editions.create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28),
                                         ends_on=date(2022, 12, 3), published_on=date(2022, 9, 1)))
    db.session.commit()
    assert editions.current_edition(date(2022, 8, 31)).slug == "2021"
    assert editions.current_edition(date(2022, 9, 1)) == later
    assert editions.is_archive(editions.by_year(2021), date(2022, 9, 1))
    assert editions.is_over(later, date(2022, 12, 4)) and not editions.is_over(later, date(2022, 12, 3))
    assert editions.current_edition(date(2022, 12, 25)) == later  # until the next one is published
    assert {e.slug for e in db.session.scalars(select(Edition))} == {"2021", "2022"}
    assert later.days()[-1] - later.days()[0] == timedelta(days=5)
