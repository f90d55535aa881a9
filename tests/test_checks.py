"""The rules shared by every form, the import, the broadcast desk and display: one URL check, one
point check."""
from __future__ import annotations

import math

import pytest

from opengen.checks import FieldError, web_url
from opengen.db import db
from opengen.places.distance import is_coordinate


@pytest.mark.parametrize("typed, kept", [
    ("https://ecole.fr", "https://ecole.fr"),
    ("  http://www.simplon.co/formations?ville=Lyon#top  ", "http://www.simplon.co/formations?ville=Lyon#top"),
    ("HTTPS://Ecole.FR:8443/x", "HTTPS://Ecole.FR:8443/x"),
])
def test_complete_web_addresses_are_kept_stripped(typed, kept):
    assert web_url(typed) == kept


@pytest.mark.parametrize("typed", [
    None, 42, "", "   ", "javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "ftp://ecole.fr", "https://ecole", "https://ecole.", "https://", "ecole.fr",
    "https://ecole.fr/a b", "https://ecole.fr/\x00", "https://ecole.fr\n/inscription", "https://ecole.fr:port/",
    "https://ecole.fr:99999/",
])
def test_anything_else_is_refused(typed):
    assert web_url(typed) is None


def test_a_field_error_names_its_field_and_keeps_its_message():
    error = FieldError("postcode", "Code postal inconnu.")
    assert (error.field, error.message, str(error)) == ("postcode", "Code postal inconnu.", "Code postal inconnu.")
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("lat, lon, point", [
    (48.85, 2.35, True), (-90, 180, True), (90.0, -180.0, True), (0, 0, True),
    (90.01, 0, False), (0, 180.5, False), (math.nan, 2.0, False), (48.8, math.inf, False),
    (None, 2.0, False), ("48.8", 2.0, False), (True, 2.0, False),
])
def test_a_point_is_two_numbers_in_range(lat, lon, point):
    assert is_coordinate(lat, lon) is point


def test_a_school_link_without_a_real_host_is_not_shown_as_a_link(client, make_event):
    linked = make_event(registration_url="https://inscription.example.org/atelier")
    dotless = make_event(registration_url="https://intranet/inscription")
    db.session.commit()
    assert 'href="https://inscription.example.org/atelier"' in client.get(f"/events/{linked.id}").get_data(as_text=True)
    assert "https://intranet/inscription" not in client.get(f"/events/{dotless.id}").get_data(as_text=True)
