"""The site in English: chosen from the switch's cookie or Accept-Language, French by default,
and every answer that holds text (pages, errors, feeds, API, posters) in the language asked."""
from __future__ import annotations

import re

from icalendar import Calendar

from opengen.i18n import LOCALE_COOKIE
from tests.conftest import csrf_token, paris
from tests.submit_fixtures import field_error, login, valid_form

EN = {"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"}


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def test_french_is_the_default_without_a_header(client, make_event, ctx):
    make_event(title="Atelier robots")
    page = client.get("/")
    text = page.get_data(as_text=True)
    assert html_lang(text) == "fr"
    assert "Aller au contenu" in text and "Skip to content" not in text
    assert {"Accept-Language", "Cookie"} <= set(page.vary)


def test_answers_without_words_do_not_vary_by_language(client):
    for path in ("/healthz", "/api/events/markers", "/api/events/clusters/5/16/11", "/static/css/site.css"):
        answer = client.get(path)
        answer.close()
        assert "Accept-Language" not in answer.vary, path


def test_a_browser_asking_for_a_language_we_lack_gets_french(client):
    text = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert html_lang(text) == "fr" and "Aller au contenu" in text


def test_accept_language_english_gives_the_home_page_in_english(client, make_event, ctx):
    make_event(title="Atelier robots")
    text = client.get("/", headers=EN).get_data(as_text=True)
    assert html_lang(text) == "en"
    assert "Skip to content" in text and "Discover digital jobs near you" in text
    assert "Aller au contenu" not in text
    assert "Atelier robots" in text  # a school's words stay as written


def test_session_page_in_english_with_english_hours_and_days(client, make_event, ctx):
    event = make_event(title="Atelier robots", start=paris(2021, 11, 29, 14))
    text = client.get(f"/events/{event.id}", headers=EN).get_data(as_text=True)
    assert html_lang(text) == "en"
    assert "Add to my calendar" in text
    assert "Monday 29 November" in text or "monday 29 november" in text.lower()
    assert "2:00\u00a0PM" in text, "an English hour reads 2:00 PM (no-break space)"
    assert "14 h 00" not in text
    french = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "14 h 00" in french and "Ajouter à mon agenda" in french


def test_submit_form_errors_in_english(client, submissions_open):
    page = client.get("/submit", headers=EN).get_data(as_text=True)
    assert html_lang(page) == "en" and "Submit an Open Gen session" in page
    data = valid_form(venue_name="")
    data["csrf_token"] = csrf_token(page)
    data["preview"] = "1"
    answer = client.post("/submit", data=data, headers=EN).get_data(as_text=True)
    assert field_error(answer, "venue_name") == "Enter the venue’s name."
    assert "One field needs correcting" in answer


def test_staff_login_in_english(client, make_admin):
    make_admin()
    page = client.get("/admin/login", headers=EN).get_data(as_text=True)
    assert "Grande École du Numérique team sign-in" in page
    token = csrf_token(page)
    wrong = client.post("/admin/login", headers=EN,
                        data={"csrf_token": token, "email": "moderatrice@gen.example.org", "password": "nope"})
    assert "Incorrect e-mail or password." in wrong.get_data(as_text=True)


def test_calendar_feed_names_follow_the_language(client, make_event, ctx):
    make_event(families=["data"], start=paris(2021, 11, 30, 10))
    ctx_args = "/calendar.ics?family=data&day=2021-11-30"
    french = client.get(ctx_args)
    english = client.get(ctx_args, headers=EN)
    assert str(Calendar.from_ical(french.data)["X-WR-CALNAME"]) == "Open Gen · Data · mardi 30 novembre"
    assert str(Calendar.from_ical(english.data)["X-WR-CALNAME"]) == "Open Gen · Data · Tuesday 30 November"
    # The same data in two languages: two bodies, two tags (a kept body never crosses languages).
    assert french.get_etag()[0] != english.get_etag()[0]
    assert "Accept-Language" in english.vary
    again = client.get(ctx_args)
    assert again.data == french.data


def test_calendar_name_of_a_search_around_a_place_writes_numbers_the_english_way(client):
    english = Calendar.from_ical(client.get("/calendar.ics?q=93200&radius_km=2.5", headers=EN).data)
    assert str(english["X-WR-CALNAME"]).endswith("within 2.5 km of 93200")
    french = Calendar.from_ical(client.get("/calendar.ics?q=93200&radius_km=2.5").data)
    # icalendar reads X-WR-CALNAME without unescaping its comma (FIELD-NOTES)
    assert str(french["X-WR-CALNAME"]).replace("\\,", ",").endswith("à 2,5 km de 93200")


def test_calendar_entries_name_families_and_kinds_in_english(client, make_event, ctx):
    make_event(families=["web-development"], kind="open_house")
    english = Calendar.from_ical(client.get("/calendar.ics", headers=EN).data)
    [entry] = english.walk("VEVENT")
    categories = set(entry.categories)
    assert {"Web development", "Open house"} <= categories and "Développement web" not in categories
    assert "School: " in str(entry["DESCRIPTION"])
    [french] = Calendar.from_ical(client.get("/calendar.ics").data).walk("VEVENT")
    assert {"Développement web", "Portes ouvertes"} <= set(french.categories)


def test_broadcast_feed_name_in_english(client):
    calendar = Calendar.from_ical(client.get("/broadcasts.ics", headers=EN).data)
    assert str(calendar["X-WR-CALNAME"]) == "Open Gen: morning broadcasts"


def test_api_errors_in_english(client):
    english = client.get("/api/events?day=2021-13-45", headers=EN)
    assert english.status_code == 400
    assert english.get_json()["error"].startswith("Invalid date")
    french = client.get("/api/events?day=2021-13-45")
    assert french.get_json()["error"].startswith("Date invalide")
    missing = client.get("/api/events/999999", headers=EN)
    assert missing.status_code == 404
    assert missing.get_json()["error"] == "This page does not exist, or no longer exists."


def test_api_place_not_found_in_english(client):
    english = client.get("/api/events?q=Zzyzxqwv", headers=EN)
    assert english.status_code == 404
    body = english.get_json()
    assert body["field"] == "q" and body["error"].startswith("Place not found: “Zzyzxqwv”")
    assert client.get("/api/events?q=Zzyzxqwv").get_json()["error"].startswith("Lieu introuvable")


def test_the_switch_is_remembered_and_wins_over_the_browser(client, make_event, ctx):
    event = make_event()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" lang="en" hreflang="en">English</a>', page).group(1)
    switched = client.get(link.replace("&amp;", "&"))
    assert switched.status_code == 303
    assert switched.headers["Location"] == f"/events/{event.id}"
    cookie = client.get_cookie(LOCALE_COOKIE)
    assert cookie is not None and cookie.value == "en" and cookie.http_only
    text = client.get(f"/events/{event.id}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert html_lang(text) == "en" and '<span lang="en" aria-current="true">English</span>' in text
    back = client.get("/langue/fr?next=/", headers=EN)
    assert back.headers["Location"] == "/"
    assert html_lang(client.get("/", headers=EN).get_data(as_text=True)) == "fr"


def test_the_switch_never_sends_visitors_to_another_site(client):
    for target in ("//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
                   "", "%2F%2Fevil.example", "/\x00x"):
        answer = client.get("/langue/en", query_string={"next": target})
        assert answer.status_code == 303
        assert answer.headers["Location"] in ("/", target) and not answer.headers["Location"].startswith("//")
        assert "evil" not in answer.headers["Location"] or answer.headers["Location"].startswith("/%")
    assert client.get("/langue/de?next=/").status_code == 404
    assert client.get_cookie(LOCALE_COOKIE).value == "en"


def test_error_pages_in_english(client):
    answer = client.get("/nowhere", headers=EN)
    assert answer.status_code == 404
    text = answer.get_data(as_text=True)
    assert html_lang(text) == "en" and "This page does not exist" in text


def test_embed_speaks_the_language_of_its_snippet(client, make_event, ctx):
    make_event()
    english = client.get("/embed?lang=en").get_data(as_text=True)
    assert html_lang(english) == "en" and "Open Gen sessions" in english
    # The partner's page chose French: a visitor whose browser prefers English still gets French.
    french = client.get("/embed", headers=EN).get_data(as_text=True)
    assert html_lang(french) == "fr" and "Les sessions Open Gen" in french


def test_posters_are_kept_per_language(client, make_event, ctx):
    event = make_event()
    french = client.get(f"/events/{event.id}/affiche.pdf")
    english = client.get(f"/events/{event.id}/affiche.pdf", headers=EN)
    assert french.status_code == english.status_code == 200
    assert french.get_etag()[0] != english.get_etag()[0]
    assert french.data != english.data


def test_overseas_zone_names_in_english(app):
    from flask_babel import force_locale

    from opengen.i18n import zone_name
    with app.test_request_context("/"):
        with force_locale("en"):
            assert zone_name("Indian/Reunion") == "Réunion time"
        assert zone_name("Indian/Reunion") == "heure de La Réunion"


def test_reminder_mails_are_written_in_the_language_they_are_rendered_in(app, make_event, ctx):
    from flask import render_template
    from flask_babel import force_locale

    event = make_event(title="Atelier robots", start=paris(2021, 11, 30, 14))
    links = dict(confirm="https://x.test/c", unsubscribe="https://x.test/u", privacy="https://x.test/p",
                 page="https://x.test/e", home="https://x.test/")
    with app.test_request_context("/"):
        with force_locale("en"):
            english = render_template("reminders/confirm_mail.txt", event=event, **links)
            cancelled = render_template("reminders/cancelled_mail.txt", event=event, **links)
        french = render_template("reminders/confirm_mail.txt", event=event, **links)
    assert "When: Tuesday 30 November, from 2:00" in english and "The Open Gen team" in english
    assert "To stop receiving anything about it: https://x.test/u" in english
    assert "with École test" in cancelled and "will not take place" in cancelled
    assert "Quand : mardi 30 novembre, de 14 h 00 à 15 h 00" in french and "L’équipe Open Gen" in french


# --- the final pass: French plural rule, school mails, clash messages, family names, decimals -----

def test_french_says_zero_in_the_singular_and_english_in_the_plural(app):
    from flask_babel import ngettext

    with app.test_request_context("/"):
        assert ngettext("%(num)s session", "%(num)s sessions", 0) == "0 session"
        assert ngettext("%(num)s session", "%(num)s sessions", 1) == "1 session"
        assert ngettext("%(num)s session", "%(num)s sessions", 2) == "2 sessions"
    with app.test_request_context("/", headers=EN):
        assert ngettext("%(num)s session", "%(num)s sessions", 0) == "0 sessions"
        assert ngettext("%(num)s session", "%(num)s sessions", 1) == "1 session"


def test_a_family_page_without_sessions_counts_zero_the_french_way(client, ctx):
    french = client.get("/familles/ai").get_data(as_text=True)
    assert re.search(r'<h2 id="list-heading">0 session</h2>', french)
    english = client.get("/familles/ai", headers=EN).get_data(as_text=True)
    assert re.search(r'<h2 id="list-heading">0 sessions</h2>', english)


def _mail_text(raw: str) -> str:
    from email import message_from_string
    from email.policy import default

    message = message_from_string(raw, policy=default)
    return f"Subject: {message['Subject']}\n{message.get_content()}"


def _submitted_in_english(client):
    """A school fills the form in English (the switch), confirms; return its submission's staff page."""
    from sqlalchemy import select

    from opengen.db import db
    from opengen.models import Submission
    from tests.submit_fixtures import submit

    client.get("/langue/en?next=/")
    submit(client)
    submission = db.session.scalars(select(Submission)).one()
    assert submission.locale == "en"
    return submission


def test_a_school_proposing_in_english_gets_its_edit_link_in_english(client, ctx, fake_ban, submissions_open,
                                                                      smtp_sink):
    _submitted_in_english(client)
    mail = _mail_text(smtp_sink.messages[-1]["data"])
    assert "Thank you for proposing Open Gen sessions for Simplon Montreuil." in mail
    assert "use this secret link:" in mail and "Merci" not in mail


def test_staff_deciding_in_french_write_to_an_english_school_in_english(
        client, ctx, fake_ban, submissions_open, smtp_sink, make_admin):
    submission = _submitted_in_english(client)
    client.get("/langue/fr?next=/")  # the moderator works in French
    make_admin()
    login(client)
    page_url = f"/admin/submissions/{submission.id}"
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    client.post(f"{page_url}/approve", data={"csrf_token": token})
    mail = _mail_text(smtp_sink.messages[-1]["data"])
    assert "Subject: Open Gen: your sessions are published" in mail
    assert "2 sessions from Simplon Montreuil have just been approved: they now appear on the Open Gen map." in mail
    assert "validées" not in mail
    flashed = client.get("/admin/").get_data(as_text=True)
    assert "2 sessions publiées." in flashed  # the moderator reads French


def test_a_school_proposing_in_french_is_refused_in_french_by_english_staff(
        client, ctx, fake_ban, submissions_open, smtp_sink, make_admin):
    from sqlalchemy import select

    from opengen.db import db
    from opengen.models import Submission
    from tests.submit_fixtures import submit

    submit(client)
    submission = db.session.scalars(select(Submission)).one()
    assert submission.locale == "fr"
    client.get("/langue/en?next=/")
    make_admin()
    login(client)
    page_url = f"/admin/submissions/{submission.id}"
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    client.post(f"{page_url}/reject", data={"csrf_token": token, "reason": "Hors sujet."})
    mail = _mail_text(smtp_sink.messages[-1]["data"])
    assert "La proposition de Simplon Montreuil n’a pas été retenue pour Open Gen." in mail
    assert "Motif : Hors sujet." in mail and "Reason" not in mail
    assert "Open Gen : votre proposition n’est pas retenue" in mail


def test_rejection_mail_in_english(app, ctx):
    from flask import render_template
    from types import SimpleNamespace

    school = SimpleNamespace(name="École du Code")
    with app.test_request_context("/", headers=EN):
        text = render_template("admin/rejected_mail.txt", submission=SimpleNamespace(school=school),
                               reason="Not a GEN training.")
    assert "The proposal from École du Code has not been accepted for Open Gen." in text
    assert "Reason: Not a GEN training." in text and "Motif" not in text


def test_clash_and_trip_messages_in_the_visitors_language(app):
    from datetime import datetime, timezone

    from opengen.shortlist.clashes import Clash, ShortlistItem, TooFar, check_shortlist

    clash = Clash(1, 2, "Atelier A", "Atelier B")
    trip = TooFar(1, 2, 4.25, 17.0, 10.0, 30.0, "Le Mans", "Annecy")
    with app.test_request_context("/"):
        assert clash.message == "« Atelier A » et « Atelier B » se chevauchent."
        assert trip.message == "Impossible d’aller du Mans à Annecy en 10 min (4,2 km, environ 17 min à 30 km/h)."
    with app.test_request_context("/", headers=EN):
        assert clash.message == "“Atelier A” and “Atelier B” overlap."
        assert trip.message == ("You cannot get from Le Mans to Annecy in 10 min (4.2 km, about 17 min at 30 km/h).")
        assert TooFar(1, 2, 1.0, 20.0, 5.0).message.startswith("You cannot get from one venue to the other")
    # Without an app (a script): French, elision by opengen.french (« d’Annecy », « de Hautot »).
    assert TooFar(1, 2, 3.0, 9.0, 5.0, 30.0, "Annecy", "Hautot").message.startswith(
        "Impossible d’aller d’Annecy à Hautot en 5 min (3 km")
    utc = timezone.utc
    items = [ShortlistItem(1, "A", datetime(2021, 11, 29, 9, tzinfo=utc), datetime(2021, 11, 29, 10, tzinfo=utc),
                           None, None, True),
             ShortlistItem(2, "B", datetime(2021, 11, 29, 9, 30, tzinfo=utc), datetime(2021, 11, 29, 11, tzinfo=utc),
                           None, None, True)]
    assert [w.message for w in check_shortlist(items).warnings] == ["« A » et « B » se chevauchent."]


def test_planner_errors_in_english_with_plurals(app):
    from datetime import date, time

    import pytest

    from opengen.broadcasts.planner import ScheduleError, Slot, propose_lineup

    days = [date(2021, 11, 29), date(2021, 11, 30)]
    families = ["data", "cloud", "ai", "web-design", "cybersecurity"]
    with app.test_request_context("/", headers=EN), pytest.raises(ScheduleError) as error:
        propose_lineup(days, families)
    assert str(error.value) == ("Impossible: 5 career families for 2 mornings with at most 2 career families "
                                "per morning.")
    with app.test_request_context("/"), pytest.raises(ScheduleError) as error:
        propose_lineup(days, families[:3], max_per_morning=1)
    assert str(error.value) == "Impossible : 3 familles pour 2 matinées avec au plus 1 famille par matinée."
    fixed = [Slot(date(2021, 11, 29), ("data", "cloud"), time(10), time(11))]
    with app.test_request_context("/", headers=EN), pytest.raises(ScheduleError) as error:
        propose_lineup(days, families[:2], [Slot(date(2021, 12, 1), ("data",), time(10), time(11))])
    assert "Wednesday 1 December 2021" in str(error.value) and "is outside the edition" in str(error.value)
    with app.test_request_context("/"), pytest.raises(ScheduleError) as error:
        propose_lineup(days, families[:2], [Slot(date(2021, 12, 1), ("data",), time(10), time(11))])
    assert "mercredi 1er décembre 2021 est hors de l’édition" in str(error.value)
    assert fixed  # a lineup that fits raises nothing
    with app.test_request_context("/", headers=EN):
        assert len(propose_lineup(days, families[:4], fixed)) == 2


def test_family_names_in_english_on_the_home_legend_and_family_pages(client, make_event, ctx):
    make_event(families=["ai"])
    home = client.get("/", headers=EN).get_data(as_text=True)
    legend = re.search(r'<ul class="legend".*?</ul>', home, re.S).group(0)
    assert "Artificial intelligence" in legend and "Intelligence artificielle" not in legend
    index = client.get("/familles", headers=EN).get_data(as_text=True)
    assert "Web design and graphics" in index and "Web design et graphisme" not in index
    page = client.get("/familles/ai", headers=EN).get_data(as_text=True)
    assert "<h1>Artificial intelligence</h1>" in page and "Intelligence artificielle" not in page
    assert "<h1>Intelligence artificielle</h1>" in client.get("/familles/ai").get_data(as_text=True)


def test_distances_on_the_list_use_the_languages_decimal_mark(client, make_event, make_venue, ctx):
    venue = make_venue(lat=48.9362 + 0.0225, lon=2.3574, postcode="93200", city="Saint-Denis")
    make_event(title="Atelier proche", venue=venue, school=venue.school)
    french = client.get("/?q=93200").get_data(as_text=True)
    english = client.get("/?q=93200", headers=EN).get_data(as_text=True)
    french_km = re.search(r'class="distance">à ([\d,]+) km<', french).group(1)
    english_km = re.search(r'class="distance">([\d.]+) km away<', english).group(1)
    assert "," in french_km and "." in english_km and french_km.replace(",", ".") == english_km


def test_day_headings_keep_the_months_capital_in_english(client, make_event):
    make_event(title="Atelier", start=paris(2021, 11, 29, 10))
    english = client.get("/", headers=EN).get_data(as_text=True)
    assert "Monday 29 November" in english and "Monday 29 november" not in english
    assert "Lundi 29 novembre" in client.get("/").get_data(as_text=True)
