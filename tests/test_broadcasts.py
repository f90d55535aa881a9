"""The morning broadcasts: the scheduler command, the editing commands, the API and the live page."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from opengen import clock
from opengen.broadcasts import operations, showings
from opengen.broadcasts.planner import propose_lineup
from opengen.checks import FieldError
from opengen.db import db
from opengen.events.families import SLUGS
from opengen.timezones import PARIS

from .broadcast_fixtures import (
    all_families,
    card,
    current,
    families_per_morning,
    move_edition,
    stored,
)
from .conftest import paris

UTC = timezone.utc
EVERY_FAMILY_ONCE = {slug: 1 for slug in SLUGS}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def schedule(runner, *args):
    return runner.invoke(args=["schedule-broadcasts", *args])


def snapshot():
    return [(b.id, b.uid, b.sequence, b.title, b.start_at, [f.slug for f in b.families], b.is_fixed)
            for b in stored()]


# --------------------------------------------------------------------------- the clock

def test_the_clock_reads_frozen_now_as_iso_text_or_datetime(ctx, app):
    app.config["FROZEN_NOW"] = "2021-11-29T10:30:00+01:00"
    assert clock.now() == utc(2021, 11, 29, 9, 30) and clock.now().tzinfo is not None
    app.config["FROZEN_NOW"] = "2021-11-29T10:30"  # no offset: Paris wall time
    assert clock.now() == utc(2021, 11, 29, 9, 30)
    app.config["FROZEN_NOW"] = paris(2022, 6, 15, 10)
    assert clock.now() == utc(2022, 6, 15, 8)
    app.config["FROZEN_NOW"] = None
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_malformed_frozen_now_is_refused_in_french(ctx, app):
    app.config["FROZEN_NOW"] = "demain matin"
    with pytest.raises(ValueError, match="Instant invalide"):
        clock.now()


# --------------------------------------------------------------------------- the scheduler command

def test_schedule_presents_every_family_once_with_at_most_two_per_morning(ctx, runner):
    result = schedule(runner)
    assert result.exit_code == 0, result.output
    assert "Programme enregistré" in result.output
    shows = stored()
    assert all_families(shows) == EVERY_FAMILY_ONCE
    assert max(families_per_morning(shows).values()) == 2
    assert sorted(families_per_morning(shows).values()) == [1, 1, 1, 2, 2, 2]
    assert {b.start_at.astimezone(PARIS).time() for b in shows} == {time(10)}
    assert {b.start_at.astimezone(PARIS).date() for b in shows} == set(current().days())


def test_schedule_keeps_the_slots_the_team_fixed(runner, make_broadcast):
    fixed = make_broadcast(start=paris(2021, 11, 30, 14), families=["data", "cloud"],
                           title="Spécial data et cloud", guests=[{"name": "Sarah", "role": "data analyst"}])
    db.session.commit()
    before = (fixed.id, fixed.uid, fixed.sequence, fixed.title, fixed.start_at, fixed.end_at)
    result = schedule(runner)
    assert result.exit_code == 0, result.output
    assert "fixée, conservée" in result.output
    shows = stored()
    kept = next(b for b in shows if b.id == before[0])
    assert (kept.id, kept.uid, kept.sequence, kept.title, kept.start_at, kept.end_at) == before
    assert kept.guests == [{"name": "Sarah", "role": "data analyst"}]
    assert all_families(shows) == EVERY_FAMILY_ONCE
    assert max(families_per_morning(shows).values()) <= 2
    assert [b for b in shows if b.start_at.astimezone(PARIS).date() == date(2021, 11, 30)] == [kept]


def test_rescheduling_reuses_each_morning_broadcast_and_only_bumps_what_changed(ctx, runner):
    schedule(runner)
    first = snapshot()
    again = schedule(runner)
    assert again.exit_code == 0 and "inchangée" in again.output
    assert snapshot() == first  # same rows, same uids, same sequences
    monday = first[0]
    # The team fixes Wednesday on Monday's first family: Monday's broadcast must change, not vanish.
    wednesday = next(b for b in stored() if b.start_at.astimezone(PARIS).date() == date(2021, 12, 1))
    result = runner.invoke(args=["broadcast-set", str(wednesday.id), "--families", monday[5][0], "--fixed"])
    assert result.exit_code == 0, result.output
    result = schedule(runner)
    assert result.exit_code == 0, result.output
    shows = stored()
    assert all_families(shows) == EVERY_FAMILY_ONCE
    monday_now = next(b for b in shows if b.id == monday[0])
    assert monday_now.uid == monday[1] and monday_now.sequence == monday[2] + 1
    assert monday[5][0] not in [f.slug for f in monday_now.families]


def test_schedule_removes_extra_unfixed_broadcasts(runner, make_broadcast):
    make_broadcast(start=paris(2021, 11, 29, 15), families=["ai"], is_fixed=False)
    make_broadcast(start=paris(2021, 11, 29, 16), families=["ai"], is_fixed=False)
    db.session.commit()
    result = schedule(runner)
    assert result.exit_code == 0 and "supprimée" in result.output
    assert all_families(stored()) == EVERY_FAMILY_ONCE


@pytest.mark.parametrize("prepare, message", [
    (lambda mb: (mb(start=paris(2021, 11, 29, 10), families=["data"]),
                 mb(start=paris(2021, 11, 30, 10), families=["data"])),
     "la famille « Data » est fixée deux fois"),
    (lambda mb: mb(start=paris(2021, 12, 10, 10), families=["ai"]),
     "hors de l’édition"),
    (lambda mb: mb(start=paris(2021, 11, 29, 10), families=["data", "ai", "cloud"]),
     "au plus 2 sont permises"),
    (lambda mb: [mb(start=paris(2021, 11, 29, 10) + timedelta(days=n), families=pair) for n, pair in
                 enumerate((["data", "ai"], ["cloud", "web-design"], ["digital-marketing", "project-management"],
                            ["cybersecurity", "web-development"]))],
     "au plus 3 matinées peuvent en présenter 2"),
    (lambda mb: move_edition(date(2021, 11, 29), date(2021, 12, 2)),
     "Impossible : 9 familles pour 4 matinées avec au plus 2 familles par matinée."),
])
def test_impossible_constraints_are_refused_with_a_message_and_nothing_saved(runner, make_broadcast,
                                                                            prepare, message):
    prepare(make_broadcast)
    db.session.commit()
    before = snapshot()
    result = schedule(runner)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.startswith("Erreur : ")
    assert snapshot() == before


def test_dry_run_prints_the_plan_and_saves_nothing(runner, make_broadcast):
    make_broadcast(start=paris(2021, 12, 4, 9), families=["web-design"], title="Samedi graphisme")
    db.session.commit()
    result = schedule(runner, "--dry-run", "--start", "9:30", "--duration", "45")
    assert result.exit_code == 0, result.output
    assert "rien n’est enregistré" in result.output
    assert "samedi 4 décembre 2021, 09:00 – 10:00 : Samedi graphisme [web-design] (fixée)" in result.output
    assert "lundi 29 novembre 2021, 09:30 – 10:15" in result.output
    assert result.output.count("(proposée)") == 5
    assert len(stored()) == 1


@pytest.mark.parametrize("args, message", [
    (["--start", "25:00"], "Heure invalide"),
    (["--start", "dix heures"], "Heure invalide"),
    (["--duration", "abc"], "Durée invalide"),
    (["--duration", "0"], "Durée invalide"),
    (["--max-per-morning", "1"], "Impossible : 9 familles pour 6 matinées"),
    (["--start", "23:30", "--duration", "60"], "Une émission doit finir le jour où elle commence."),
])
def test_bad_scheduler_options_get_a_french_error(ctx, runner, args, message):
    result = schedule(runner, *args)
    assert result.exit_code == 1 and message in result.output
    assert stored() == []


def test_the_demo_programme_is_the_scheduler_s(ctx, runner):
    result = runner.invoke(args=["seed-demo", "--events", "12"])
    assert result.exit_code == 0, result.output
    shows = stored()
    assert all_families(shows) == EVERY_FAMILY_ONCE
    assert max(families_per_morning(shows).values()) == 2
    expected = propose_lineup(current().days(), list(SLUGS))
    assert [(b.start_at.astimezone(PARIS).date(), tuple(f.slug for f in b.families), b.title)
            for b in shows] == [(s.day, s.families, s.title) for s in expected]
    assert all(b.guests and b.links and b.replay_url for b in shows)


# --------------------------------------------------------------------------- editing commands

def test_broadcast_set_saves_the_changes_and_bumps_the_version(app, runner, make_broadcast):
    broadcast = make_broadcast(families=["data"], title="Les métiers de la data", is_fixed=False)
    db.session.commit()
    app.config["FROZEN_NOW"] = "2021-11-20T12:00:00+01:00"
    result = runner.invoke(args=[
        "broadcast-set", str(broadcast.id), "--start", "9:30", "--end", "10:45", "--families", "ai,data",
        "--link", "Twitch=https://www.twitch.tv/gen", "--link", "YouTube=https://youtube.com/live/x",
        "--replay", "https://youtube.com/watch?v=replay", "--guest", "Inès|ancienne apprenante",
        "--guest", "Marc", "--fixed"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert broadcast.start_at == paris(2021, 11, 29, 9, 30) and broadcast.end_at == paris(2021, 11, 29, 10, 45)
    assert [f.slug for f in broadcast.families] == ["data", "ai"]
    assert broadcast.title == "Les métiers de la data et de l’intelligence artificielle"
    assert broadcast.links == [{"platform": "Twitch", "url": "https://www.twitch.tv/gen"},
                               {"platform": "YouTube", "url": "https://youtube.com/live/x"}]
    assert broadcast.replay_url == "https://youtube.com/watch?v=replay"
    assert broadcast.guests == [{"name": "Inès", "role": "ancienne apprenante"}, {"name": "Marc", "role": ""}]
    assert broadcast.is_fixed and broadcast.sequence == 1
    assert broadcast.updated_at == utc(2021, 11, 20, 11)

    same = runner.invoke(args=["broadcast-set", str(broadcast.id), "--title", broadcast.title])
    assert same.exit_code == 0 and "Rien à changer" in same.output
    db.session.expire_all()
    assert broadcast.sequence == 1
    cleared = runner.invoke(args=["broadcast-set", str(broadcast.id), "--no-replay", "--no-guests",
                                  "--unfixed", "--start", "2021-12-02 10:00", "--end", "11:00"])
    assert cleared.exit_code == 0, cleared.output
    db.session.expire_all()
    assert broadcast.replay_url is None and broadcast.guests == [] and not broadcast.is_fixed
    assert broadcast.start_at == paris(2021, 12, 2, 10) and broadcast.sequence == 2


@pytest.mark.parametrize("args, message", [
    (["--families", "cuisine"], "Famille de métiers inconnue : « cuisine »"),
    (["--families", ","], "au moins une famille"),
    (["--families", "data,data"], "figure deux fois"),
    (["--link", "https://youtube.com"], "Format attendu : PLATEFORME=URL"),
    (["--link", "YouTube=javascript:alert(1)"], "Lien invalide pour YouTube"),
    (["--link", "=https://youtube.com"], "nommer sa plateforme"),
    (["--replay", "ftp://example.org/replay"], "Lien de replay invalide"),
    (["--replay", "https://exa mple.org"], "Lien de replay invalide"),
    (["--guest", "|ancienne apprenante"], "Chaque invité a un nom"),
    (["--title", "   "], "Le titre ne peut pas être vide."),
    (["--title", "x" * 201], "Le titre est trop long"),
    (["--start", "12:00"], "L’émission doit finir après son début."),
    (["--end", "2021-11-29 09:00"], "L’émission doit finir après son début."),
    (["--end", "2021-11-30 11:00"], "plus de 12 heures"),
    (["--start", "demain"], "Date et heure invalides"),
    (["--start", "2021-11-29 24:00"], "Date et heure invalides"),
    (["--start", "2022-03-27 02:30", "--end", "2022-03-27 04:00"], "n’existe pas à cause du changement d’heure"),
    (["--start", "2021-10-31 02:30", "--end", "2021-10-31 04:00"], "existe deux fois"),
    (["--link", "YouTube=https://y.example", "--no-links"], "options contradictoires"),
])
def test_broadcast_set_refuses_bad_input_in_french_and_saves_nothing(runner, make_broadcast, args, message):
    broadcast = make_broadcast(families=["data"], title="Les métiers de la data")
    db.session.commit()
    before = snapshot()
    result = runner.invoke(args=["broadcast-set", str(broadcast.id), *args])
    assert result.exit_code == 1, result.output
    assert message in result.output and result.output.startswith("Erreur : ")
    assert snapshot() == before


def test_the_broadcast_rules_name_the_field_each_problem_is_about(app):
    """The desk form shows these next to its fields; the commands print the first one."""
    values = {"title": "x" * 201, "start_at": paris(2021, 11, 29, 10), "end_at": paris(2021, 11, 29, 23),
              "families": ["data", "data"], "replay_url": "ftp://example.org/replay",
              "links": [{"platform": "YouTube", "url": "https://www.youtube.com/@gen"},
                        {"platform": "Twitch", "url": "javascript:alert(1)"}],
              "guests": [{"name": "Inès", "role": "r" * 201}]}
    found = operations.problems(values)
    assert [error.field for error in found] == [
        "families", "title", "end", "links-1-url", "replay_url", "guests-0-role"]
    assert all(isinstance(error, FieldError) and str(error) == error.message for error in found)
    assert found[2].message == "Une émission ne peut pas durer plus de 12 heures."
    with pytest.raises(operations.BroadcastError, match="figure deux fois"):
        operations.check(values)


@pytest.mark.parametrize("raw", ["999", "abc", "1.5", "1" * 30])
def test_broadcast_set_on_an_unknown_broadcast_says_so(runner, raw):
    result = runner.invoke(args=["broadcast-set", raw, "--title", "x"])
    assert result.exit_code == 1 and "aucune émission n’a le numéro" in result.output


def test_broadcast_add_list_and_delete(ctx, runner):
    added = runner.invoke(args=["broadcast-add", "--start", "2021-12-01 18:00", "--end", "19:00",
                                "--families", "cybersecurity", "--guest", "Léa|analyste SOC"])
    assert added.exit_code == 0, added.output
    (broadcast,) = stored()
    assert broadcast.title == "Les métiers de la cybersécurité" and broadcast.is_fixed
    listing = runner.invoke(args=["broadcast-list"])
    assert "mercredi 1 décembre 2021, 18 h 00 – 19 h 00  [fixée]" in listing.output
    assert "Léa (analyste SOC)" in listing.output
    missing = runner.invoke(args=["broadcast-add", "--start", "2021-12-01 18:00"])
    assert missing.exit_code == 1 and "obligatoires" in missing.output
    deleted = runner.invoke(args=["broadcast-delete", str(broadcast.id)])
    assert deleted.exit_code == 0 and stored() == []
    assert "Aucune émission" in runner.invoke(args=["broadcast-list"]).output


# --------------------------------------------------------------------------- the JSON API

def test_api_lists_the_broadcasts_with_iso_times(app, client, make_broadcast):
    make_broadcast(start=paris(2021, 11, 30, 10), families=["cloud", "data"], title="Cloud et data",
                   replay_url="https://youtube.com/watch?v=r")
    make_broadcast(start=paris(2021, 11, 29, 10), families=["ai"], title="IA")
    db.session.commit()
    app.config["FROZEN_NOW"] = "2021-11-30T10:30:00+01:00"
    body = client.get("/api/broadcasts").get_json()
    assert list(body) == ["broadcasts"]
    first, second = body["broadcasts"]
    assert {"id", "title", "start", "end", "families", "links", "replay_url"} <= set(first)
    assert (first["title"], second["title"]) == ("IA", "Cloud et data")
    assert second["start"] == "2021-11-30T10:00:00+01:00" and second["end"] == "2021-11-30T11:00:00+01:00"
    assert datetime.fromisoformat(second["start"]) == utc(2021, 11, 30, 9)
    assert second["families"] == ["cloud", "data"]
    assert second["links"] == [{"platform": "YouTube", "url": "https://www.youtube.com/@gen-test"}]
    assert second["status"] == "live" and second["replay_url"] is None  # not before the show ends
    app.config["FROZEN_NOW"] = "2021-11-30T11:00:00+01:00"
    second = client.get("/api/broadcasts").get_json()["broadcasts"][1]
    assert second["status"] == "ended" and second["replay_url"] == "https://youtube.com/watch?v=r"


def test_api_times_carry_the_summer_offset_when_the_edition_moves_to_summer(ctx, client, runner):
    move_edition(date(2022, 6, 13), date(2022, 6, 18))
    assert schedule(runner).exit_code == 0
    starts = [b["start"] for b in client.get("/api/broadcasts").get_json()["broadcasts"]]
    assert starts[0] == "2022-06-13T10:00:00+02:00" and len(starts) == 6


def test_api_without_programme_is_an_empty_list(client):
    assert client.get("/api/broadcasts").get_json() == {"broadcasts": []}


# --------------------------------------------------------------------------- the page, live or not

def page_at(app, client, now: str) -> str:
    app.config["FROZEN_NOW"] = now
    response = client.get("/broadcasts")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("now, live", [
    ("2021-11-30T09:59:59+01:00", False),
    ("2021-11-30T10:00:00+01:00", True),
    ("2021-11-30T09:30:00+00:00", True),   # the same instant as 10:30 in Paris
    ("2021-11-30T10:59:59+01:00", True),
    ("2021-11-30T11:00:00+01:00", False),
    ("2021-11-30T10:30:00+00:00", False),  # 10:30 UTC is 11:30 in Paris: over
])
def test_live_now_appears_only_during_the_slot_in_paris_time(app, client, make_broadcast, now, live):
    show = make_broadcast(start=paris(2021, 11, 30, 10), families=["data"])
    other = make_broadcast(start=paris(2021, 12, 1, 10), families=["ai"])
    db.session.commit()
    html = page_at(app, client, now)
    assert ("En direct" in card(html, show.id)) is live
    assert 'class="live-badge"' not in card(html, other.id)
    assert html.count('class="live-badge"') == int(live)


@pytest.mark.parametrize("first, last, day, hour_utc", [
    (date(2022, 3, 22), date(2022, 3, 27), date(2022, 3, 27), 8),    # spring forward: Sunday is summer time
    (date(2021, 10, 26), date(2021, 10, 31), date(2021, 10, 31), 9),  # fall back: Sunday is winter time
])
def test_live_now_follows_paris_time_across_a_daylight_saving_change(ctx, app, client, runner, first, last,
                                                                     day, hour_utc):
    move_edition(first, last)
    assert schedule(runner).exit_code == 0
    sunday = next(b for b in stored() if b.start_at.astimezone(PARIS).date() == day)
    saturday = next(b for b in stored() if b.start_at.astimezone(PARIS).date() == day - timedelta(days=1))
    assert sunday.start_at == utc(day.year, day.month, day.day, hour_utc)
    assert saturday.start_at == utc(day.year, day.month, day.day - 1, 17 - hour_utc)  # the other offset
    before = page_at(app, client, utc(day.year, day.month, day.day, hour_utc - 1, 30).isoformat())
    during = page_at(app, client, utc(day.year, day.month, day.day, hour_utc, 30).isoformat())
    after = page_at(app, client, utc(day.year, day.month, day.day, hour_utc + 1).isoformat())
    assert "En direct" not in card(before, sunday.id) and "À venir" in card(before, sunday.id)
    assert "En direct" in card(during, sunday.id) and "10 h 00 – 11 h 00" in card(during, sunday.id)
    assert "En direct" not in card(after, sunday.id) and "Émission terminée" in card(after, sunday.id)
    # Saturday, on the other side of the change, was live at 10:00 Paris too.
    saturday_live = page_at(app, client, utc(day.year, day.month, day.day - 1, 17 - hour_utc, 30).isoformat())
    assert "En direct" in card(saturday_live, saturday.id)
    assert "10 h 00 – 11 h 00" in card(saturday_live, saturday.id)


def test_today_is_highlighted_by_its_paris_day(app, client, make_broadcast):
    monday = make_broadcast(start=paris(2021, 11, 29, 10), families=["data"])
    tuesday = make_broadcast(start=paris(2021, 11, 30, 10), families=["ai"])
    db.session.commit()
    html = page_at(app, client, "2021-11-29T23:30:00+00:00")  # already Tuesday 00:30 in Paris
    assert 'aria-current="date"' in card(html, tuesday.id) and "Aujourd’hui" in card(html, tuesday.id)
    assert 'aria-current="date"' not in card(html, monday.id) and "Aujourd’hui" not in card(html, monday.id)
    assert html.count("Aujourd’hui") == 1
    html = page_at(app, client, "2021-11-29T22:30:00+00:00")  # still Monday 23:30 in Paris
    assert "Aujourd’hui" in card(html, monday.id) and "Aujourd’hui" not in card(html, tuesday.id)


def test_replay_link_appears_only_after_the_show(app, client, make_broadcast):
    show = make_broadcast(start=paris(2021, 11, 30, 10), families=["data"],
                          replay_url="https://www.youtube.com/watch?v=replay")
    db.session.commit()
    for now in ("2021-11-30T09:00:00+01:00", "2021-11-30T10:30:00+01:00"):
        html = card(page_at(app, client, now), show.id)
        assert "watch?v=replay" not in html and "Voir le replay" not in html
        assert 'href="https://www.youtube.com/@gen-test"' in html and "Regarder en direct" in html
    html = card(page_at(app, client, "2021-11-30T11:00:00+01:00"), show.id)
    assert 'href="https://www.youtube.com/watch?v=replay"' in html and "Voir le replay" in html
    show.replay_url = None
    db.session.commit()
    html = card(page_at(app, client, "2021-11-30T12:00:00+01:00"), show.id)
    assert "Le replay sera bientôt disponible." in html and "Voir le replay" not in html


def test_unsafe_links_stored_by_hand_are_never_rendered(app, client, make_broadcast):
    show = make_broadcast(families=["data"], title="<script>alert(1)</script>",
                          guests=[{"name": "<img src=x onerror=alert(2)>", "role": "x"}])
    show.links = [{"platform": "YouTube", "url": "javascript:alert(3)"}]
    show.replay_url = "javascript:alert(4)"
    db.session.commit()
    for now in ("2021-11-29T09:00:00+01:00", "2021-11-29T12:00:00+01:00"):
        html = page_at(app, client, now)
        assert "javascript:" not in html and "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    body = client.get("/api/broadcasts").get_json()["broadcasts"][0]
    assert body["links"] == [] and body["replay_url"] is None


def test_each_family_of_a_show_links_to_its_sessions_on_the_map(app, client, make_broadcast, make_event):
    show = make_broadcast(start=paris(2021, 11, 30, 10), families=["cloud", "data"])
    make_event(title="Atelier data", families=["data"])
    make_event(title="Atelier cloud", families=["cloud"])
    db.session.commit()
    html = card(page_at(app, client, "2021-11-30T10:30:00+01:00"), show.id)
    assert 'href="/?family=cloud"' in html and 'href="/?family=data"' in html
    assert "Sessions près de chez vous : Data" in html
    assert 'href="/familles/data"' in html
    listing = client.get("/?family=data").get_data(as_text=True)
    assert "Atelier data" in listing and "Atelier cloud" not in listing


def test_the_programme_page_groups_by_day_and_has_a_french_alias(app, client, make_broadcast):
    make_broadcast(start=paris(2021, 12, 1, 10), families=["ai"], title="Mercredi IA")
    make_broadcast(start=paris(2021, 11, 29, 10), families=["data"], title="Lundi data")
    db.session.commit()
    html = page_at(app, client, "2021-11-01T10:00:00+01:00")
    assert html.index("Lundi 29 novembre") < html.index("Lundi data") < \
        html.index("Mercredi 1 décembre") < html.index("Mercredi IA")
    assert 'aria-current="page"' in html[html.index("<nav"):html.index("</nav>")]
    response = client.get("/emissions")
    assert response.status_code == 301 and response.headers["Location"] == "/broadcasts"


def test_the_programme_page_without_broadcasts_says_so(client):
    html = client.get("/broadcasts").get_data(as_text=True)
    assert "pas encore publié" in html
    assert 'href="/broadcasts.ics"' in html  # an empty calendar is valid: subscribers get the shows later


def test_the_page_state_matches_the_api_at_the_same_instant(app, client, make_broadcast):
    shows = [make_broadcast(start=paris(2021, 11, 29, 10) + timedelta(days=n), families=[slug])
             for n, slug in enumerate(("data", "ai", "cloud"))]
    db.session.commit()
    html = page_at(app, client, "2021-11-30T10:15:00+01:00")
    api = {b["id"]: b["status"] for b in client.get("/api/broadcasts").get_json()["broadcasts"]}
    for show in shows:
        assert f'data-status="{api[show.id]}"' in card(html, show.id)
    assert [api[s.id] for s in shows] == ["ended", "live", "upcoming"]


def test_showings_helpers_agree_with_the_pure_scheduler(app, make_broadcast):
    show = make_broadcast(start=paris(2021, 11, 30, 10), families=["data"])
    state = showings.show(show, utc(2021, 11, 30, 9, 30))
    assert state.status == "live" and state.is_today and state.day == date(2021, 11, 30)
