"""Typing a place: communes suggested from the shipped gazetteer (prefixes, postal codes, folded
accents, typos), a bare ambiguous name asked about, a place not found offered the communes it may
mean; and the answer a chosen suggestion gets."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from opengen.places.gazetteer import Gazetteer, default_gazetteer
from opengen.places.geocoders import Geocoder
from opengen.places.prepared import open_prepared
from opengen.places.suggest import Suggestion, did_you_mean, homonyms, suggest

from .fakeban import FakeBAN, feature


@pytest.fixture(scope="module")
def gazetteer():
    return default_gazetteer()


def suggested(client, q: str) -> list[dict]:
    response = client.get("/api/places/suggest", query_string={"q": q})
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()["suggestions"]


def queries(client, q: str) -> list[str]:
    return [s["query"] for s in suggested(client, q)]


# -- the suggestion API --------------------------------------------------------------------------

def test_a_name_prefix_suggests_the_city_then_its_arrondissements(client):
    found = queries(client, "lyon")
    assert found[0] == "Lyon (69)"
    assert "Lyon 3e Arrondissement (69)" in found and len(found) == 8
    assert queries(client, "Ly")[:1] == ["Lyon (69)"]


def test_each_suggestion_says_postcodes_department_and_region(client):
    first = suggested(client, "Saint-Denis")[1]
    assert first == {"name": "Saint-Denis", "insee": "93066", "postcodes": ["93200", "93210", "93380"],
                     "department": "93", "department_name": "Seine-Saint-Denis", "region": "Île-de-France",
                     "lat": pytest.approx(48.93564), "lon": pytest.approx(2.35387),
                     "label": "Saint-Denis (93, Seine-Saint-Denis, Île-de-France)", "query": "Saint-Denis (93)"}
    reunion = suggested(client, "Saint-Denis")[0]
    assert reunion["label"] == "Saint-Denis (974, La Réunion)"  # its department is its region


def test_accents_case_hyphens_and_st_are_folded(client):
    expected = queries(client, "Saint-Denis")
    assert expected[:2] == ["Saint-Denis (974)", "Saint-Denis (93)"]
    for typed in ("st denis", "ST-DENIS", "saint dénis", "Saint Denis", "  saint--denis "):
        assert queries(client, typed) == expected, typed
    assert queries(client, "l'hay")[0] == "L'Haÿ-les-Roses (94)"
    assert queries(client, "ile saint denis")[0] == "L'Île-Saint-Denis (93)"


def test_a_later_word_of_a_name_finds_it_after_the_names_starting_so(client):
    found = queries(client, "denis")
    assert "Saint-Denis (93)" in found and "L'Île-Saint-Denis (93)" in found


def test_postcode_prefixes(client):
    in_93 = suggested(client, "93")
    assert len(in_93) == 8 and {s["department"] for s in in_93} == {"93"}
    assert in_93[0]["query"] == "Saint-Denis (93)"  # the most populous first
    assert queries(client, "930") == ["Bobigny (93)"]  # the only 930xx code
    assert queries(client, "931")[0] == "Montreuil (93)"
    assert queries(client, "75013") == ["Paris 13e Arrondissement (75)"]
    assert queries(client, "93200 saint") == ["Saint-Denis (93)"]


def test_a_department_in_brackets_narrows_the_names(client):
    assert queries(client, "Saint-Denis (93)") == ["Saint-Denis (93)", "L'Île-Saint-Denis (93)"] or \
        queries(client, "Saint-Denis (93)")[0] == "Saint-Denis (93)"
    assert all(q.endswith("(93)") for q in queries(client, "saint (93)"))


@pytest.mark.parametrize("typed,expected", [
    ("Marseil", "Marseille (13)"), ("Marsielle", "Marseille (13)"), ("Montpelier", "Montpellier (34)"),
    ("Bordo", "Bordeaux (33)"), ("strasbur", "Strasbourg (67)"), ("Tolouse", "Toulouse (31)"),
])
def test_typos_still_suggest_the_town(client, typed, expected):
    assert queries(client, typed)[0] == expected


@pytest.mark.parametrize("typed", ["", " ", "x", "9", "é", "zzzzzz", "123456", "'; DROP TABLE commune; --",
                                   "<script>alert(1)</script>", "%", "_", "\x00", "a\x00b", "🙂🙂", "((93))",
                                   "(93)", "x" * 5000, "lyon " * 1000, "9" * 400, "()", "\u202e\u0645"])
def test_short_empty_long_and_hostile_texts_answer_an_empty_or_sane_list(client, typed):
    found = suggested(client, typed)
    assert isinstance(found, list) and len(found) <= 8
    assert all(set(s) >= {"name", "query", "label"} for s in found)


def test_no_q_and_repeated_q(client):
    assert client.get("/api/places/suggest").get_json() == {"q": "", "suggestions": []}
    response = client.get("/api/places/suggest?q=lyon&q=paris")
    assert response.status_code == 200 and response.get_json()["q"] == "lyon"


def test_answers_may_be_kept_by_browsers_and_proxies(client):
    cache = client.get("/api/places/suggest?q=lyon").headers["Cache-Control"]
    assert "public" in cache and "max-age=3600" in cache


# -- a chosen suggestion is that commune -----------------------------------------------------------

def test_every_communes_suggested_query_names_it_alone(gazetteer):
    wrong = [c.insee for c in gazetteer.communes if gazetteer.chosen(Suggestion.of(c).query) != c]
    assert wrong == []


@pytest.mark.parametrize("insee", ["93066", "97411", "11339", "69383", "13201", "75113", "2A004", "97209"])
def test_the_offline_geocoder_resolves_a_suggested_query_to_its_commune(gazetteer, insee):
    commune = gazetteer.commune(insee)
    place = Geocoder("offline", gazetteer=gazetteer).geocode(Suggestion.of(commune).query)
    assert place is not None and place.insee == insee


def test_a_chosen_commune_wins_over_another_the_address_service_ranks_first(gazetteer):
    reunion = feature("Saint-Denis", -20.882057, 55.450675, "municipality", postcode="97400",
                      citycode="97411", city="Saint-Denis", context="974, La Réunion, 93")
    with FakeBAN([reunion]) as ban:
        geocoder = Geocoder("ban", ban_domain=ban.domain, ban_scheme="http", gazetteer=gazetteer)
        assert geocoder.geocode("Saint-Denis (93)").insee == "93066"
        assert len(ban.requests) == 1  # the service was asked: its answer is kept when it agrees
        assert geocoder.geocode("Saint-Denis (974)").insee == "97411"


# -- the prepared file answers as the reference does ----------------------------------------------

@pytest.fixture(scope="module")
def reference():
    return Gazetteer.load()


def test_the_prepared_file_answers_the_typing_lookups_as_the_reference(reference, tmp_path_factory):
    prepared = open_prepared(Path(tmp_path_factory.mktemp("gazetteer")))
    for prefix in ("s", "sa", "saintd", "lyon", "denis", "marseille1", "zz", "l", "paris13"):
        assert [c.insee for c in prepared.prefixed(prefix, 8)] == [c.insee for c in reference.prefixed(prefix, 8)]
    for digits in ("9", "93", "930", "75013", "97", "2", "00"):
        assert [c.insee for c in prepared.postcode_prefixed(digits, 8)] == \
            [c.insee for c in reference.postcode_prefixed(digits, 8)]
    for key in ("marseil", "saindenis", "bordo", "montpelier", "x"):
        assert prepared.similar_keys(key, 40) == reference.similar_keys(key, 40)
    for text in ("Marseil", "st denis", "93", "Montpelier (34)"):
        assert suggest(prepared, text) == suggest(reference, text)


# -- homonyms and typos, as the domain says them --------------------------------------------------

def test_homonyms_of_comparable_size_are_asked_about(gazetteer):
    assert [s.query for s in homonyms(gazetteer, "Saint-Denis")][:2] == ["Saint-Denis (974)", "Saint-Denis (93)"]
    assert homonyms(gazetteer, "saint denis") and homonyms(gazetteer, "ST-DENIS")
    # One far larger than the others: taken, the others listed under the results.
    assert homonyms(gazetteer, "Valence") == [] and homonyms(gazetteer, "Montreuil") == []
    # The text says which one, or names one commune only.
    for said in ("Saint-Denis (93)", "Saint-Denis 93200", "93200 Saint-Denis", "Lyon", "Marseil", ""):
        assert homonyms(gazetteer, said) == [], said


def test_did_you_mean_names_a_city_rather_than_its_arrondissements(gazetteer):
    assert [s.query for s in did_you_mean(gazetteer, "Marseil", 3)][0] == "Marseille (13)"
    assert not any("Arrondissement" in s.name for s in did_you_mean(gazetteer, "Marseil", 3))
    assert did_you_mean(gazetteer, "Xyzzy Qwfp", 3) == []


# -- the search page -------------------------------------------------------------------------------

def _choices_box(html: str) -> str:
    match = re.search(r'<div class="field-error place-choices" id="q-error">(.*?)</div>', html, re.S)
    assert match, "no message next to the place field"
    return match.group(1)


def test_a_typo_offers_did_you_mean_next_to_the_field_keeping_input_and_filters(client):
    response = client.get("/?q=Marseil&family=data&radius_km=50")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    box = _choices_box(html)
    assert "Lieu introuvable : « Marseil »" in box and "Vouliez-vous dire :" in box
    assert 'value="Marseil"' in html and 'aria-invalid="true"' in html
    link = re.search(r'<a href="([^"]+)">Marseille \(13, Bouches-du-Rhône', box)
    assert link, box
    url = link.group(1).replace("&amp;", "&")
    assert "q=Marseille+%2813%29" in url or "q=Marseille+(13)" in url
    assert "family=data" in url and "radius_km=50" in url
    followed = client.get(url).get_data(as_text=True)
    assert "Sessions autour de Marseille (13" in followed and 'id="q-error"' not in followed


def test_a_place_nobody_knows_gets_the_plain_message(client):
    html = client.get("/?q=Xyzzy Qwfp").get_data(as_text=True)
    box = _choices_box(html)
    assert "Lieu introuvable" in box and "Vouliez-vous dire" not in box


def test_a_bare_ambiguous_name_asks_which_before_searching(client):
    html = client.get("/?q=Saint-Denis").get_data(as_text=True)
    box = _choices_box(html)
    assert "Plusieurs communes s’appellent « Saint-Denis » : précisez laquelle." in box
    labels = re.findall(r'<a href="[^"]+">([^<]+)</a>', box)
    assert labels[:2] == ["Saint-Denis (974, La Réunion)",
                          "Saint-Denis (93, Seine-Saint-Denis, Île-de-France)"]
    assert "Sessions autour de" not in html and 'value="Saint-Denis"' in html
    chosen = client.get("/?q=Saint-Denis (93)").get_data(as_text=True)
    assert "Sessions autour de Saint-Denis (93" in chosen and 'id="q-error"' not in chosen


def test_a_dominant_homonym_is_taken_with_the_others_listed(client):
    html = client.get("/?q=Valence").get_data(as_text=True)
    assert "Sessions autour de Valence (26" in html and 'id="q-error"' not in html
    assert re.search(r">Valence \(82\d*\)<", html)


def test_the_geocode_api_still_answers_an_ambiguous_name_with_its_alternatives(client):
    body = client.get("/api/geocode?q=Saint-Denis").get_json()
    assert body["ambiguous"] is True and body["alternatives"]


def test_suggestions_come_with_the_page_markup_and_script(client):
    html = client.get("/").get_data(as_text=True)
    assert 'data-suggest-url="/api/places/suggest"' in html and "js/suggest.js" in html
    assert 'role="combobox"' not in html  # the script makes it one: without it, a plain field
