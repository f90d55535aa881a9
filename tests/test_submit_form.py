"""The submission form: every rule, every bad input, the confirmation step and its warnings."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from opengen.db import db
from opengen.models import Event, EventFormat, EventStatus, School, Submission, Venue

from .conftest import csrf_token, paris
from .submit_fixtures import (
    confirm,
    field_error,
    hidden_inputs,
    preview,
    submit,
    valid_form,
)

# The real clock is years past the test edition: freeze it while that edition takes proposals.
pytestmark = pytest.mark.usefixtures("submissions_open")

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>${alert(2)}`'


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_form_page_speaks_french_carries_csrf_and_has_a_french_alias(client):
    page = client.get("/submit").get_data(as_text=True)
    assert csrf_token(page)
    for label in ("Nom de l’école", "E-mail de contact", "Titre de la session", "Familles de métiers",
                  "Cochez chaque heure", "Lien d’inscription"):
        assert label in page
    # Six days of the edition, twelve one-hour cells each.
    assert len(re.findall(r'type="checkbox" name="grid"', page)) == 6 * 12
    assert client.get("/proposer").status_code == 200


def test_a_valid_submission_is_saved_pending_at_the_geocoded_place(ctx, client, fake_ban):
    path = submit(client)
    events = db.session.scalars(select(Event).order_by(Event.start_at)).all()
    assert [e.status for e in events] == [EventStatus.pending] * 2
    assert [e.start_at for e in events] == [paris(2021, 11, 29, 9), paris(2021, 11, 30, 14)]
    assert [e.end_at - e.start_at for e in events] == [events[0].end_at - events[0].start_at] * 2
    assert (events[0].end_at - events[0].start_at).total_seconds() == 3600
    venue = events[0].venue
    assert (venue.lat, venue.lon, venue.needs_geocoding, venue.pin_corrected) == (48.85743, 2.43812, False, False)
    assert venue.insee_code == "93048" and venue.timezone == "Europe/Paris"
    assert events[0].families[0].slug == "web-development" and events[0].sequence == 0
    # The link's token is stored only as its SHA-256.
    token = path.rsplit("/", 1)[1]
    submission = db.session.scalars(select(Submission)).one()
    assert len(token) >= 43 and submission.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert client.get("/").get_data(as_text=True).count("crée ta première page web") == 0


def test_nothing_is_saved_before_the_school_confirms(ctx, client, fake_ban):
    response = preview(client, valid_form())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Vérifiez votre proposition" in page
    assert "Rien n’est encore enregistré" in page and "lundi 29 novembre, 9 h 00 – 10 h 00" in page.lower()
    assert count(Event) == count(Submission) == count(Venue) == count(School) == 0


def test_back_from_the_confirmation_keeps_everything_typed(ctx, client, fake_ban):
    page = preview(client, valid_form(description="Texte\nsur deux lignes, bien conservé.")).get_data(as_text=True)
    data = hidden_inputs(page)
    data["csrf_token"] = csrf_token(page)
    data["back"] = "Modifier"
    form_page = client.post("/submit", data=data).get_data(as_text=True)
    assert "Texte\nsur deux lignes, bien conservé." in form_page
    assert 'value="2021-11-30T14" id="grid-2021-11-30T14" checked' in form_page
    assert count(Event) == 0


def test_missing_fields_come_back_with_the_error_next_to_each_and_the_input_kept(ctx, client):
    data = valid_form(school_name="", title="", contact_email="pas-une-adresse", families=[], grid=[],
                      description="Ma description est gardée telle quelle.")
    response = preview(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, "school_name") == "Indiquez le nom de votre école."
    assert field_error(page, "title") == "Donnez un titre à la session."
    assert field_error(page, "contact_email").startswith("Cette adresse e-mail n’est pas valide : écrivez-la en entier")
    assert field_error(page, "families") == "Choisissez au moins une famille de métiers."
    assert "Cochez au moins un créneau" in field_error(page, "grid")
    assert "Ma description est gardée telle quelle." in page and 'value="93100"' in page
    assert count(Event) == count(School) == 0


def test_a_venue_is_required_on_site_but_not_online(ctx, client):
    page = preview(client, valid_form(venue_name="", address="", postcode="", city="")).get_data(as_text=True)
    assert field_error(page, "address") == "Indiquez l’adresse du lieu."
    assert field_error(page, "postcode") == "Indiquez le code postal."
    page = preview(client, valid_form(format="online", venue_name="", address="", postcode="",
                                      city="")).get_data(as_text=True)
    assert field_error(page, "online_url") == "Indiquez le lien de la session en ligne."
    submit(client, valid_form(format="online", online_url="https://visio.example.org/gen", venue_name="",
                              address="", postcode="", city=""))
    event = db.session.scalars(select(Event)).first()
    assert event.venue is None and event.format == EventFormat.online
    assert event.online_url == "https://visio.example.org/gen"


@pytest.mark.parametrize("row, field, message", [
    ({"day": "2021-12-06", "start": "10:00"}, "day", "Choisissez un jour de la semaine Open Gen"),
    ({"day": "2021-11-28", "start": "10:00"}, "day", "Choisissez un jour de la semaine Open Gen"),
    ({"day": "2021-11-29", "start": "15:00", "end": "14:00"}, "end", "La fin doit être après le début : corrigez l’heure de fin"),
    ({"day": "2021-11-29", "start": "15:00", "end": "15:00"}, "end", "La fin doit être après le début : corrigez l’heure de fin"),
    ({"day": "2021-11-29", "start": "03:00"}, "start", "Les sessions commencent entre 7 h et 21 h : choisissez"),
    ({"day": "2021-11-29", "start": "21:30"}, "end", "au plus tard à 22 h"),
    ({"day": "2021-11-29", "start": "09:00", "end": "16:00"}, "end", "entre 30 minutes et 4 heures"),
    ({"day": "2021-11-29", "start": "09:00", "end": "09:10"}, "end", "entre 30 minutes et 4 heures"),
    ({"day": "2021-11-29"}, "start", "Indiquez l’heure de début."),
    ({"start": "10:00"}, "day", "Indiquez le jour."),
    ({"day": "29 novembre", "start": "10:00"}, "day", "date"),
    ({"day": "2021-11-29", "start": "10h"}, "start", "heure"),
])
def test_times_outside_the_week_or_sensible_hours_are_refused(ctx, client, row, field, message):
    data = valid_form(grid=[])
    for key, value in row.items():
        data[f"slots-0-{key}"] = value
    response = preview(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message.lower() in field_error(page, f"slots-0-{field}").lower()
    assert count(Event) == 0


def test_a_free_time_and_a_default_one_hour_length(ctx, client):
    data = valid_form(grid=[], format="online", online_url="https://visio.example.org/x", venue_name="",
                      address="", postcode="", city="")
    data.update({"slots-0-day": "2021-12-04", "slots-0-start": "10:30", "slots-1-day": "2021-12-01",
                 "slots-1-start": "14:00", "slots-1-end": "15:30"})
    submit(client, data)
    spans = [(e.start_at, e.end_at) for e in db.session.scalars(select(Event).order_by(Event.start_at))]
    assert spans == [(paris(2021, 12, 1, 14), paris(2021, 12, 1, 15, 30)),
                     (paris(2021, 12, 4, 10, 30), paris(2021, 12, 4, 11, 30))]


def test_overlapping_slots_of_one_submission_are_refused(client):
    data = valid_form(grid=["2021-11-29T09"])
    data.update({"slots-0-day": "2021-11-29", "slots-0-start": "09:30"})
    page = preview(client, data).get_data(as_text=True)
    assert "Deux créneaux se chevauchent" in field_error(page, "grid")


def test_a_forged_grid_cell_outside_the_week_is_refused(ctx, client):
    page = preview(client, valid_form(grid=["2021-12-25T09"])).get_data(as_text=True)
    assert field_error(page, "grid") and count(Event) == 0


@pytest.mark.parametrize("field, value", [
    ("kind", "party"), ("format", "hologram"), ("families", ["astrology"]), ("audience", ["everyone"]),
    ("capacity", "-3"), ("capacity", "many"), ("capacity", "99999999999999999999"),
])
def test_values_outside_the_lists_are_refused(client, field, value):
    response = preview(client, valid_form(**{field: value}))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field)


def test_more_than_three_families_is_refused(client):
    page = preview(client, valid_form(families=["data", "ai", "cloud", "cybersecurity"])).get_data(as_text=True)
    assert field_error(page, "families") == ("Vous avez coché 4 familles : gardez-en trois au plus, celles que la "
                                             "session présente le plus.")


def test_an_unknown_postcode_is_caught_before_any_pin(ctx, client, fake_ban):
    response = preview(client, valid_form(address="12 impasse des Nuages", postcode="96000", city="Nullepart"))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "postcode").startswith(
        "Aucune commune n’a le code postal 96000 : vérifiez-le")
    assert count(Venue) == 0


def test_an_unknown_street_in_a_known_town_puts_the_pin_in_town_to_be_moved(client, fake_ban):
    page = preview(client, valid_form(address="12 impasse des Nuages")).get_data(as_text=True)
    assert "Nous n’avons trouvé que la commune, pas le bâtiment" in page
    assert 'data-lat="48.8' in page  # Montreuil, from the offline gazetteer


def test_an_address_abroad_is_refused(ctx, client, fake_ban):
    page = preview(client, valid_form(address="Rue Neuve 1", postcode="1000", city="Bruxelles")).get_data(as_text=True)
    assert "code postal français" in field_error(page, "postcode")
    assert "Les lieux à l’étranger ne peuvent pas être proposés." in field_error(page, "postcode")
    page = preview(client, valid_form(address="Unter den Linden 1", postcode="75002", city="Berlin")).get_data(as_text=True)
    assert "pas à « Berlin »" in field_error(page, "city")
    assert count(Venue) == 0


def test_an_address_in_another_town_than_the_one_typed_is_caught(client, fake_ban):
    # The postcode is Lyon's: the school typed Montreuil's street with the wrong postcode.
    page = preview(client, valid_form(postcode="69002")).get_data(as_text=True)
    assert "mènent à Lyon 2e Arrondissement, pas à « Montreuil »" in field_error(page, "city")
    # Spelling variants of the same town are fine.
    for city in ("montreuil", "MONTREUIL", "Montreuil Cedex"):
        assert preview(client, valid_form(city=city)).status_code == 200


@pytest.mark.parametrize("field, size, message", [
    ("title", 10_000, "Entre 5 et 120 caractères."), ("description", 100_000, "Entre 20 et 5000 caractères."),
    ("accessibility", 50_000, "1000 caractères au plus."), ("school_name", 5000, "Entre 2 et 200 caractères."),
    ("address", 5000, "300 caractères au plus."), ("registration_url", 5000, "500 caractères au plus."),
])
def test_huge_texts_are_refused_next_to_the_field(client, field, size, message):
    value = ("https://a.example.org/" + "a" * size) if field.endswith("url") else "a" * size
    response = preview(client, valid_form(**{field: value}))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)


def test_a_body_too_large_gets_a_clear_page_not_a_crash(client):
    response = preview(client, valid_form(description="a" * (3 * 1024 * 1024)))
    assert response.status_code == 413 and "trop gros" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["school_website", "online_url", "registration_url"])
def test_links_must_be_web_addresses(client, field):
    for bad in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://x.example.org",
                "www.example.org", "https://"):
        page = preview(client, valid_form(format="both", **{field: bad})).get_data(as_text=True)
        assert "commençant par https://" in field_error(page, field), bad


def test_html_and_script_in_every_text_field_stay_inert_text(ctx, client):
    data = valid_form(school_name="École " + XSS, title="Atelier " + XSS, description="Description " + XSS,
                      accessibility=XSS, venue_name="Lieu " + XSS, address="55 rue " + XSS, city="Montreuil " + XSS,
                      contact_email="contact@simplon.example.org")
    first = preview(client, data)
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    response = confirm(client, page)
    assert response.status_code == 303
    event = db.session.scalars(select(Event)).first()
    assert event.title == "Atelier " + XSS and event.description == "Description " + XSS
    assert event.venue.name == "Lieu " + XSS and event.school.name == "École " + XSS


def test_control_characters_are_dropped(ctx, client, fake_ban):
    submit(client, valid_form(title="Atelier\x00 web\x07 pour tous", description="Ligne 1\r\nLigne 2 \x1b et fin."))
    event = db.session.scalars(select(Event)).first()
    assert event.title == "Atelier web pour tous" and event.description == "Ligne 1\nLigne 2  et fin."


def test_a_post_without_csrf_token_saves_nothing_and_keeps_the_input(ctx, client):
    data = valid_form(description="Je ne veux pas perdre ce texte.")
    data["preview"] = "1"
    response = client.post("/submit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Le formulaire a expiré" in page and "Je ne veux pas perdre ce texte." in page
    data["csrf_token"] = "forged"
    assert client.post("/submit", data=data).status_code == 422
    assert count(Event) == 0


def test_a_confirmation_without_csrf_is_refused(ctx, client, fake_ban):
    page = preview(client, valid_form()).get_data(as_text=True)
    data = hidden_inputs(page)
    data["confirm"] = "1"
    assert client.post("/submit", data=data).status_code == 422
    assert count(Event) == 0


def test_overseas_times_are_read_in_the_venue_clock(ctx, client, fake_ban):
    submit(client, valid_form(address="2 rue de la Victoire", postcode="97110", city="Pointe-à-Pitre",
                              grid=["2021-11-29T09"]))
    event = db.session.scalars(select(Event)).first()
    assert event.venue.timezone == "America/Guadeloupe"
    assert event.start_at == datetime(2021, 11, 29, 13, tzinfo=timezone.utc)


def test_warns_about_an_overlap_of_the_same_school_at_the_same_venue(client, fake_ban, make_event, make_school,
                                                                     make_venue):
    school = make_school(name="Simplon Montreuil")
    venue = make_venue(school=school, address="55 rue de Vincennes", postcode="93100", city="Montreuil")
    make_event(school=school, venue=venue, title="Portes ouvertes du campus", start=paris(2021, 11, 29, 8, 30))
    db.session.commit()
    page = preview(client, valid_form()).get_data(as_text=True)
    assert "Votre école a déjà une session à ce lieu qui chevauche le créneau du 29/11 09:00" in page
    assert "Portes ouvertes du campus" in page
    assert confirm(client, page).status_code == 303  # a warning, not a refusal


def test_warns_about_a_likely_duplicate(client, fake_ban, make_event, make_venue, make_school):
    venue = make_venue(school=make_school(name="Autre école"), address="55, Rue de Vincennes", postcode="93100")
    make_event(venue=venue, title="Atelier : crée ta premiere page Web !", start=paris(2021, 11, 30, 14))
    db.session.commit()
    page = preview(client, valid_form()).get_data(as_text=True)
    assert "Doublon probable" in page and "(Autre école)" in page


def test_no_warning_for_another_place_or_time(client, fake_ban, make_event, make_school, make_venue):
    school = make_school(name="Simplon Montreuil")
    make_event(school=school, venue=make_venue(school=school, address="1 rue ailleurs", postcode="93100"),
               title="Atelier : crée ta première page web", start=paris(2021, 11, 29, 9))
    make_event(school=school, venue=make_venue(school=school, address="55 rue de Vincennes", postcode="93100"),
               title="Atelier : crée ta première page web", start=paris(2021, 12, 2, 9))
    db.session.commit()
    page = preview(client, valid_form()).get_data(as_text=True)
    assert "Doublon probable" not in page and "chevauche" not in page


def test_picking_an_existing_school_reuses_it(client, make_school):
    school = make_school(name="Simplon Montreuil")
    db.session.commit()
    assert "Simplon Montreuil" in client.get("/submit").get_data(as_text=True)
    submit(client, valid_form(school_name="  simplon   MONTREUIL "))
    assert count(School) == 1
    assert db.session.scalars(select(Event)).first().school_id == school.id


@pytest.mark.parametrize("changes", [
    {"slots-999-day": "2021-11-29", "slots-999-start": "10:00"},
    {"slots-0-day": ["2021-11-29", "2021-11-30"], "slots-0-start": ["10:00", "11:00"]},
    {"grid": [f"2021-11-29T{h:02d}" for h in range(0, 24)] * 20},
    {"grid": ["2021-11-29T9", "2021-11-29", "T09", "2021-11-29T09:00", "x" * 1000]},
    {"kind": ["workshop", "testimony"], "format": ["onsite", "online"]},
    {"capacity": "1e5"}, {"capacity": "0x10"}, {"capacity": "١٢"}, {"capacity": " 12 "},
    {"slots-0-day": "2021-02-30", "slots-0-start": "25:61", "grid": []},
    {"slots-0-day": "0001-01-01", "slots-0-start": "00:00", "grid": []},
    {"contact_email": "é@例え.jp"}, {"contact_email": "a@b"}, {"contact_email": "x" * 300 + "@example.org"},
    {"place_token": "x" * 10000, "pin_lat": "inf", "pin_lon": "-inf", "confirm": "1"},
    {"place_token": "eyJxIjoiYSJ9.invalid", "confirm": "1"},
    {"title": "titre étrange \u202e\ufeff\u200b"}, {"school_name": "\x00" * 50},
    {"postcode": "٩٣١٠٠"}, {"postcode": "93 100"}, {"families": ["data"] * 50},
    {"back": "1", "title": ""},
])
def test_no_input_makes_the_form_crash(client, changes):
    data = valid_form(**changes)
    response = preview(client, data)
    assert response.status_code in (200, 303, 422), response.status_code


def test_invalid_utf8_in_a_post_is_answered_cleanly(client):
    token = csrf_token(client.get("/submit").get_data(as_text=True))
    body = f"csrf_token={token}&title=%ED%A0%80%FF%FE&school_name=%C3%28&preview=1".encode()
    response = client.post("/submit", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/submit/edit/", "/submit/edit/%2F..%2F", "/submit/edit/ab/events/1/cancel",
                                  "/submit/edit/é/venues/9", "/submit/merci", "/submit/edit/x/events/-1"])
def test_odd_urls_are_answered_cleanly(client, path):
    assert client.get(path).status_code in (302, 404)
