"""The demo programme: realistic, deterministic, clearly marked, and seeded once by `make run`."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from sqlalchemy import func, select

from opengen.data.demo_towns import TOWNS
from opengen import editions
from opengen.db import db
from opengen.events.families import SLUGS
from opengen.models import Broadcast, Edition, Event, EventKind, EventStatus, School, Venue

METROPOLITAN_REGIONS = {
    "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire", "Corse",
    "Grand Est", "Hauts-de-France", "Île-de-France", "Normandie", "Nouvelle-Aquitaine", "Occitanie",
    "Pays de la Loire", "Provence-Alpes-Côte d'Azur"}
OVERSEAS = {"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"}


@pytest.fixture(autouse=True)
def this_year(app):
    """The demo as a newcomer sees it today: the clock is not frozen in 2021."""
    app.config["FROZEN_NOW"] = None


def _seed(runner, *args):
    result = runner.invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_demo_fills_a_realistic_week(ctx, runner):
    assert "900 sessions de démonstration" in _seed(runner)
    events = db.session.scalars(select(Event)).all()
    assert Counter(e.edition.slug for e in events) == {"2021": 450, str(editions.today().year): 450}
    assert all(e.status == EventStatus.published and e.is_demo for e in events)
    assert all("démonstration" in e.description for e in events)
    regions = set(db.session.scalars(select(Venue.region)))
    assert METROPOLITAN_REGIONS | OVERSEAS <= regions
    assert {k for e in events for k in [e.kind]} == set(EventKind)
    assert {f.slug for e in events for f in e.families} == set(SLUGS)
    days = Counter(e.start_at.astimezone().date() for e in events)
    assert len(days) == 12
    networks = set(db.session.scalars(select(School.network)))
    assert {"Simplon", "Le Wagon", "42", "3W Academy", "Web@cadémie"} <= networks
    assert all(s.is_demo for s in db.session.scalars(select(School)))


def test_demo_sessions_are_at_sensible_local_hours(ctx, runner):
    _seed(runner)
    for event in db.session.scalars(select(Event)):
        local = event.start_at.astimezone(__import__("zoneinfo").ZoneInfo(event.venue.timezone))
        assert 9 <= local.hour <= 18
        assert (event.end_at - event.start_at).total_seconds() == 3600


def test_seed_is_deterministic_and_replaces_earlier_demo_data(ctx, runner):
    _seed(runner)
    first = [(e.uid, e.title, e.start_at) for e in db.session.scalars(select(Event).order_by(Event.uid))]
    _seed(runner)
    second = [(e.uid, e.title, e.start_at) for e in db.session.scalars(select(Event).order_by(Event.uid))]
    assert first == second


def test_seed_if_empty_keeps_existing_data(runner, make_event):
    make_event(title="Session réelle")
    db.session.commit()
    assert "rien à faire" in _seed(runner, "--if-empty")
    assert db.session.scalar(select(func.count(Event.id))) == 1


def test_seed_programmes_a_broadcast_each_morning_covering_every_family(ctx, runner):
    _seed(runner)
    for edition in db.session.scalars(select(Edition)):
        broadcasts = db.session.scalars(select(Broadcast).where(Broadcast.edition_id == edition.id)
                                        .order_by(Broadcast.start_at)).all()
        assert len({b.start_at.date() for b in broadcasts}) == 6
        assert {b.start_at.date() for b in broadcasts} <= set(edition.days())
        families = Counter(f.slug for b in broadcasts for f in b.families)
        assert families == Counter(SLUGS)
        assert all(b.start_at.astimezone().hour < 13 for b in broadcasts)


def test_demo_towns_cover_every_region_with_distinct_insee_codes():
    regions = {town[4] for town in TOWNS}
    assert METROPOLITAN_REGIONS | OVERSEAS <= regions
    codes = [town[2] for town in TOWNS]
    assert len(codes) == len(set(codes))


def test_new_rows_after_a_bulk_seed_get_fresh_ids(runner, make_event):
    _seed(runner, "--events", "30")
    event = make_event(title="Ajoutée après la démo")
    db.session.commit()
    assert event.id > max(db.session.scalars(select(Event.id).where(Event.is_demo)))


def test_the_demo_tells_the_truth_about_time(app, runner):
    """The seed's 2021 week is an archive; the current edition is this year's Open Gen week."""
    app.config["FROZEN_NOW"] = "2026-12-02T10:00"
    _seed(runner)
    with app.app_context():
        current = editions.current_edition()
        assert (current.slug, current.starts_on, current.ends_on) == (
            "2026", date(2026, 11, 30), date(2026, 12, 5))
        assert editions.is_archive(editions.by_year(2021))
        assert not editions.is_archive(current)


def test_open_gen_week_holds_the_last_monday_of_november(app):
    with app.app_context():
        assert editions.open_gen_week(2021) == (date(2021, 11, 29), date(2021, 12, 4))
        assert editions.open_gen_week(2026) == (date(2026, 11, 30), date(2026, 12, 5))
        assert editions.open_gen_week(2027) == (date(2027, 11, 29), date(2027, 12, 4))
        assert editions.open_gen_week(2025) == (date(2025, 11, 24), date(2025, 11, 29))
        app.config["OPEN_GEN_WEEK_START"] = "2027-11-15"
        assert editions.open_gen_week(2027) == (date(2027, 11, 15), date(2027, 11, 20))
        assert editions.open_gen_week(2028) == (date(2028, 11, 27), date(2028, 12, 2))
