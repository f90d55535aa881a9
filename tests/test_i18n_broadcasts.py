"""Broadcasts in English: the automatic title and description (kept in French) are shown translated,
the team's own words as written."""
from __future__ import annotations

import html

from opengen.db import db


EN = {"Accept-Language": "en-GB,en;q=0.9"}


def test_an_automatic_title_and_description_are_shown_in_the_visitors_language(client, make_broadcast):
    broadcast = make_broadcast(families=["data", "ai"])
    db.session.commit()
    assert broadcast.title == "Les métiers de la data et de l’intelligence artificielle"  # kept in French
    english = html.unescape(client.get("/broadcasts", headers=EN).get_data(as_text=True))
    assert "Careers in data and artificial intelligence" in english
    assert "A live broadcast to discover careers in data and artificial intelligence, with people who work in them." in english
    assert "Les métiers de la data" not in english
    french = html.unescape(client.get("/broadcasts").get_data(as_text=True))
    assert "Les métiers de la data et de l’intelligence artificielle" in french
    assert "Une émission en direct pour découvrir les métiers de la data et de l’intelligence artificielle" in french


def test_pairs_are_kept_apart_in_english_too(client, make_broadcast):
    make_broadcast(families=["networks-maintenance", "cloud"])
    db.session.commit()
    english = html.unescape(client.get("/broadcasts", headers=EN).get_data(as_text=True))
    assert "Careers in networks and maintenance, as well as cloud" in english


def test_the_teams_own_title_is_shown_as_written(client, make_broadcast):
    make_broadcast(families=["data"], title="Spécial data : les coulisses", description="Avec trois invitées.")
    db.session.commit()
    english = html.unescape(client.get("/broadcasts", headers=EN).get_data(as_text=True))
    assert "Spécial data : les coulisses" in english and "Avec trois invitées." in english


def test_the_api_gives_the_automatic_title_in_the_language_asked(client, make_broadcast):
    make_broadcast(families=["cloud"])
    make_broadcast(families=["data"], title="Spécial data", start=None)
    db.session.commit()
    english = {b["title"] for b in client.get("/api/broadcasts", headers=EN).get_json()["broadcasts"]}
    french = {b["title"] for b in client.get("/api/broadcasts").get_json()["broadcasts"]}
    assert english == {"Careers in cloud", "Spécial data"}
    assert french == {"Les métiers du cloud", "Spécial data"}


def test_the_broadcasts_calendar_gives_the_automatic_title_in_the_language_asked(client, make_broadcast):
    from icalendar import Calendar

    make_broadcast(families=["data", "ai"])
    db.session.commit()
    english = Calendar.from_ical(client.get("/broadcasts.ics", headers=EN).data)
    [event] = english.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Careers in data and artificial intelligence"
    french = Calendar.from_ical(client.get("/broadcasts.ics").data)
    [event] = french.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Les métiers de la data et de l’intelligence artificielle"
