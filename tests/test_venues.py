"""Locating venues: the pin the school drags, a geocoder that is down, and `flask geocode-pending`."""
from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from opengen.checks import FieldError
from opengen.db import db
from opengen.models import Event, Venue
from opengen.places.distance import haversine_km
from opengen.places.names import department_of
from opengen.places.place import Place
from opengen.places.venues import VenueDraft, check_place, normalise, same_town

from .conftest import csrf_token
from .submit_fixtures import (
    confirm,
    field_error,
    hidden_inputs,
    preview,
    replace_values,
    submit,
    use_geocoder,
    valid_form,
)

# The real clock is years past the test edition: freeze it while that edition takes proposals.
pytestmark = pytest.mark.usefixtures("submissions_open")


def test_the_confirmation_shows_the_found_address_and_a_draggable_pin(client, fake_ban):
    page = preview(client, valid_form()).get_data(as_text=True)
    assert "Adresse trouvée : 55 Rue de Vincennes 93100 Montreuil." in page
    assert 'id="pin-config"' in page and 'data-lat="48.85743"' in page and "/static/js/pin.js" in page
    assert 'name="pin_lat" id="pin_lat" value="48.85743"' in page


def test_a_dragged_pin_is_kept(ctx, client, fake_ban):
    submit(client, pin=(48.85790, 2.43900))
    venue = db.session.scalars(select(Venue)).one()
    assert (venue.lat, venue.lon, venue.pin_corrected, venue.needs_geocoding) == (48.8579, 2.439, True, False)


def test_a_pin_dragged_to_another_town_is_refused_and_nothing_is_saved(ctx, client, fake_ban):
    page = preview(client, valid_form()).get_data(as_text=True)
    response = confirm(client, page, pin=(45.75, 4.83))  # Lyon
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Le repère a été déplacé trop loin" in body
    assert db.session.scalars(select(Event)).first() is None
    # The page still carries everything typed, so the school can fix the pin and confirm.
    assert confirm(client, body, pin=(48.8575, 2.4382)).status_code == 303


@pytest.mark.parametrize("lat, lon", [("nan", "nan"), ("abc", "2.4"), ("", ""), ("1e999", "0"), ("91", "2.4")])
def test_a_garbled_pin_falls_back_to_the_geocoded_point_or_is_refused(ctx, client, fake_ban, lat, lon):
    page = preview(client, valid_form()).get_data(as_text=True)
    data = hidden_inputs(page)
    replace_values(data, {"csrf_token": csrf_token(page), "pin_lat": lat, "pin_lon": lon, "confirm": "1"})
    response = client.post("/submit", data=data)
    assert response.status_code in (303, 422)
    venue = db.session.scalars(select(Venue)).first()
    if response.status_code == 303:
        assert (venue.lat, venue.lon, venue.pin_corrected) == (48.85743, 2.43812, False)
    else:
        assert venue is None


def test_a_forged_place_token_is_not_trusted(ctx, client, fake_ban):
    page = preview(client, valid_form()).get_data(as_text=True)
    data = hidden_inputs(page)
    fake_place = Place(45.75601, 4.83012, "Lyon", "ban", "housenumber", postcode="93100").to_dict()
    forged = URLSafeSerializer("not-the-secret", salt="opengen-venue-place").dumps(
        {"q": normalise("55 rue de Vincennes, 93100 Montreuil"), "p": fake_place, "down": False})
    replace_values(data, {"csrf_token": csrf_token(page), "confirm": "1", "place_token": forged,
                          "pin_lat": "45.75601", "pin_lon": "4.83012"})
    response = client.post("/submit", data=data)
    assert response.status_code == 422 and "Le repère a été déplacé trop loin" in response.get_data(as_text=True)
    replace_values(data, {"pin_lat": "", "pin_lon": ""})
    assert client.post("/submit", data=data).status_code == 303
    assert db.session.scalars(select(Venue)).one().lat == 48.85743


def test_changing_the_address_after_the_preview_geocodes_the_new_one(ctx, client, fake_ban):
    page = preview(client, valid_form()).get_data(as_text=True)
    data = hidden_inputs(page)
    replace_values(data, {"csrf_token": csrf_token(page), "confirm": "1", "address": "1 rue de la République",
                 "postcode": "93200", "city": "Saint-Denis"})
    assert client.post("/submit", data=data).status_code == 303
    assert db.session.scalars(select(Venue)).one().insee_code == "93066"


def test_a_town_only_result_asks_for_the_pin(ctx, client, fake_ban):
    data = valid_form(address="Mairie", postcode="58000", city="Nevers")
    page = preview(client, data).get_data(as_text=True)
    assert "Nous n’avons trouvé que la commune" in page
    confirm(client, page)
    venue = db.session.scalars(select(Venue)).one()
    assert (venue.geocode_source, venue.geocode_precision, venue.needs_geocoding) == ("gazetteer", "municipality",
                                                                                      False)
    submit(client, valid_form(address="Mairie", postcode="58000", city="Nevers", grid=["2021-12-03T10"]),
           pin=(46.9900, 3.1600))
    moved = db.session.scalars(select(Venue).order_by(Venue.id.desc())).first()
    assert moved.pin_corrected and (moved.lat, moved.lon) == (46.99, 3.16)


def test_when_the_service_is_down_the_pin_starts_in_town_and_the_venue_is_marked(ctx, client, ban_down):
    page = preview(client, valid_form()).get_data(as_text=True)
    assert "Le service d’adresses ne répond pas pour le moment" in page and 'id="pin-config"' in page
    assert confirm(client, page).status_code == 303
    venue = db.session.scalars(select(Venue)).one()
    assert venue.needs_geocoding and venue.geocode_source == "gazetteer"
    assert len(db.session.scalars(select(Event)).all()) == 2


def test_when_the_service_is_down_a_pin_moved_by_the_school_is_final(ctx, client, ban_down):
    page = preview(client, valid_form()).get_data(as_text=True)
    start = float(re.search(r'data-lat="([^"]+)"', page).group(1)), float(re.search(r'data-lon="([^"]+)"', page).group(1))
    confirm(client, page, pin=(start[0] + 0.01, start[1]))
    venue = db.session.scalars(select(Venue)).one()
    assert venue.pin_corrected and not venue.needs_geocoding


def test_when_the_service_is_down_a_postcode_no_commune_has_is_refused_with_the_input_kept(ctx, client, ban_down):
    # The offline gazetteer knows every commune's postcode: an unknown one is caught before any geocoding.
    response = preview(client, valid_form(address="3 rue X", postcode="96000", city="Nullepart"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="3 rue X"' in page
    assert field_error(page, "postcode").startswith("Aucune commune n’a le code postal 96000")
    assert db.session.scalars(select(Venue)).all() == []


def test_geocode_pending_finishes_the_job_once_the_service_is_back(ctx, app, client, runner, ban_down, make_venue):
    submit(client)
    submit(client, valid_form(school_name="Autre", address="12 impasse des Nuages", grid=["2021-12-02T10"]))
    # An address found nowhere (entered before postcodes were checked against the gazetteer).
    make_venue(address="3 rue X", postcode="96000", city="Nullepart", lat=None, lon=None, insee_code=None,
               geocode_source=None, geocode_precision=None, needs_geocoding=True)
    db.session.commit()
    result = runner.invoke(args=["geocode-pending"])
    assert result.exit_code == 1 and "ne répond pas" in result.output
    assert len(db.session.scalars(select(Venue).where(Venue.needs_geocoding)).all()) == 3

    ban_down.start()  # the same port answers again
    use_geocoder(app)  # a new geocoder: the old one's breaker would still be cooling down
    result = runner.invoke(args=["geocode-pending"])
    assert result.exit_code == 0, result.output
    assert "1 lieu(x) géolocalisé(s), 1 à la commune près, 1 adresse(s) introuvable(s)" in result.output
    assert "1 lieu(x) encore en attente" in result.output
    db.session.rollback()
    exact, town, lost = db.session.scalars(select(Venue).order_by(Venue.id)).all()
    assert (exact.lat, exact.lon, exact.needs_geocoding, exact.geocode_source) == (48.85743, 2.43812, False, "ban")
    assert (town.needs_geocoding, town.geocode_precision) == (False, "municipality")
    assert lost.needs_geocoding and lost.lat is None
    ban_down.go_down()


def test_a_service_error_answer_counts_as_unavailable(ctx, client, fake_ban):
    fake_ban.mode = 500
    page = preview(client, valid_form()).get_data(as_text=True)
    assert "Le service d’adresses ne répond pas" in page
    confirm(client, page)
    assert db.session.scalars(select(Venue)).one().needs_geocoding


def test_the_school_corrects_the_venue_through_its_link(ctx, client, fake_ban):
    path = submit(client)
    venue = db.session.scalars(select(Venue)).one()
    url = f"{path}/venues/{venue.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="pin-config"' in page
    # Move the pin only: every session at the venue moves, and their sequence goes up.
    form = {"csrf_token": csrf_token(page), "venue_name": "Campus Simplon", "address": "55 rue de Vincennes",
            "postcode": "93100", "city": "Montreuil", "pin_lat": "48.8580", "pin_lon": "2.4390"}
    assert client.post(url, data=form).status_code == 303
    db.session.expire_all()
    assert (venue.lat, venue.pin_corrected) == (48.858, True)
    assert [e.sequence for e in db.session.scalars(select(Event))] == [1, 1]
    # A new address is geocoded again; an unknown one is refused next to the field.
    form.update(address="1 rue de la République", postcode="93200", city="Saint-Denis")
    assert client.post(url, data=form).status_code == 303
    db.session.expire_all()
    assert (venue.lat, venue.insee_code, venue.pin_corrected) == (48.9362, "93066", False)
    form.update(address="3 rue X", postcode="96000", city="Nullepart")
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert "Aucune commune n’a le code postal 96000" in field_error(response.get_data(as_text=True), "postcode")


def test_a_result_in_another_department_is_refused():
    draft = VenueDraft("Campus", "1 rue de la Paix", "69002", "Lyon")
    place = Place(48.86898, 2.33144, "1 Rue de la Paix 75002 Paris", "ban", "housenumber", postcode="75002",
                  city="Paris")
    with pytest.raises(FieldError) as caught:
        check_place(draft, place)
    assert caught.value.field == "postcode" and "75002 Paris" in caught.value.message


def test_same_town():
    assert same_town("Paris", "Paris 2e Arrondissement") and same_town("St-Denis", "Saint-Denis")
    assert same_town("Lyon 2e", "Lyon") and same_town("Paris Cedex 08", "Paris")
    assert not same_town("Montreuil", "Lyon 2e Arrondissement") and not same_town("", "Paris")


def test_helpers():
    assert department_of("97110") == "971" and department_of("20000") == "20" and department_of("1000") is None
    assert normalise("  55, Rue de  VINCENNES ") == "55 rue de vincennes"
    assert 391 < haversine_km(48.8566, 2.3522, 45.7640, 4.8357) < 393
