"""The offline gazetteer: completeness of the shipped data and the queries people type."""

import csv
import gzip

import pytest

from opengen.places.distance import haversine_km
from opengen.places.gazetteer import DATA_FILE, Gazetteer, default_gazetteer
from opengen.places.geocoders import Geocoder
from opengen.places.names import name_key

KNOWN_PRECISIONS = {"geonames", "geonames-chef-lieu", "postcode-neighbour", "epci-neighbour", "department"}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def test_shipped_file_is_compact_and_complete():
    assert DATA_FILE.stat().st_size < 2_000_000
    with gzip.open(DATA_FILE, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    codes = [r["insee"] for r in rows]
    assert len(codes) == len(set(codes))
    assert 34_900 <= len(rows) <= 35_100  # every current commune + 45 arrondissements
    assert sum(1 for r in rows if r["parent"]) == 45
    assert {r["precision"] for r in rows} <= KNOWN_PRECISIONS
    assert {r["dep"] for r in rows} >= {"2A", "2B", "971", "972", "973", "974", "976", "987", "988"}
    for r in rows:
        assert r["name"] and r["dep_name"] and r["region"], r
        assert -23 < float(r["lat"]) < 52 and -180 <= float(r["lon"]) <= 180, r
        assert r["postcodes"], r


def test_every_insee_code_resolves(gaz):
    for commune in gaz.communes:
        found = [p.insee for p in gaz.search(commune.insee, limit=100)]
        assert commune.insee in found, commune
        if commune.insee not in gaz.by_postcode:  # a code that is not also a postal code
            assert found[0] == commune.insee, commune


def test_every_postal_code_resolves(gaz):
    postcodes = {pc for c in gaz.communes for pc in c.postcodes}
    assert len(postcodes) > 6000
    for pc in postcodes:
        place = gaz.locate(pc)
        assert place is not None, pc
        assert place.postcode == pc
        assert pc in gaz.commune(place.insee).postcodes


def test_offline_geocoder_resolves_every_commune_code():
    geocoder = Geocoder("offline")
    sample = default_gazetteer().communes[::97]
    for commune in sample:
        assert geocoder.geocode(commune.insee) is not None, commune


# (query, true latitude, true longitude, INSEE code expected)
REAL_QUERIES = [
    ("93200", 48.936, 2.357, "93066"),
    ("Saint-Denis 93", 48.936, 2.357, "93066"),
    ("Saint-Denis (974)", -20.882, 55.450, "97411"),
    ("Saint-Denis, Seine-Saint-Denis", 48.936, 2.357, "93066"),
    ("St-Etienne", 45.434, 4.390, "42218"),
    ("Saint-Étienne", 45.434, 4.390, "42218"),
    ("12 rue X 69003 Lyon", 45.760, 4.854, "69383"),
    ("Lyon 3e", 45.760, 4.854, "69383"),
    ("Paris 13e", 48.831, 2.356, "75113"),
    ("Paris 13", 48.831, 2.356, "75113"),
    ("75013", 48.831, 2.356, "75113"),
    ("13e arrondissement de Paris", 48.831, 2.356, "75113"),
    ("Paris 13ème", 48.831, 2.356, "75113"),
    ("Paris XIIIe", 48.831, 2.356, "75113"),
    ("Saint-Denis Réunion", -20.882, 55.450, "97411"),
    ("Marseille 1er", 43.300, 5.384, "13201"),
    ("L'Haÿ-les-Roses", 48.780, 2.337, "94038"),
    ("lhay les roses", 48.780, 2.337, "94038"),
    ("Ste-Maxime", 43.309, 6.636, "83115"),
    ("St Malo", 48.649, -2.026, "35288"),
    ("Toulouse (31)", 43.604, 1.444, "31555"),
    ("bordeaux", 44.838, -0.579, "33063"),
    ("STRASBOURG", 48.573, 7.752, "67482"),
    ("Clermont Ferrand", 45.777, 3.087, "63113"),
    ("Ajaccio", 41.919, 8.739, "2A004"),
    ("Cayenne", 4.937, -52.326, "97302"),
    ("Nouméa", -22.276, 166.458, "98818"),
    ("Pointe-à-Pitre", 16.241, -61.533, "97120"),
    ("Mamoudzou", -12.781, 45.228, "97611"),
]


@pytest.mark.parametrize("query,lat,lon,insee", REAL_QUERIES, ids=[q[0] for q in REAL_QUERIES])
def test_real_queries_land_near_the_true_place(gaz, query, lat, lon, insee):
    place = gaz.locate(query)
    assert place is not None
    assert place.insee == insee
    assert haversine_km(place.lat, place.lon, lat, lon) < 4.0
    assert place.source == "gazetteer" and place.precision == "municipality"


def test_ambiguous_name_goes_to_most_populous_with_the_others_as_alternatives(gaz):
    place = gaz.locate("saint denis")
    same_name = sorted(gaz.by_key["saintdenis"], key=lambda c: -c.population)
    assert len(same_name) >= 3
    assert place.insee == same_name[0].insee
    assert {a["insee"] for a in place.alternatives} >= {c.insee for c in same_name[1:3]}
    assert {"93066", "97411"} <= {place.insee} | {a["insee"] for a in place.alternatives}
    for alternative in place.alternatives:
        assert {"label", "lat", "lon", "insee", "postcode", "department"} <= alternative.keys()


def test_shared_postal_code_lists_its_other_communes(gaz):
    place = gaz.locate("01400")
    sharing = gaz.by_postcode["01400"]
    assert len(sharing) > 3
    assert {place.insee} | {a["insee"] for a in place.alternatives} >= {c.insee for c in sharing[:5]}


def test_city_number_that_is_its_department_means_the_city(gaz):
    assert gaz.locate("Marseille 13").insee == "13055"
    assert gaz.locate("Paris 75").insee == "75056"
    assert gaz.locate("Paris").insee == "75056"
    assert gaz.locate("Lyon 13").insee == "69123"  # no 13th arrondissement, not in the Bouches-du-Rhône


def test_address_without_postal_code_falls_back_to_its_town(gaz):
    assert gaz.locate("10 rue Victor Hugo Lyon").insee == "69123"
    assert gaz.locate("12 rue de la Paix, 75002 Paris").insee == "75102"


def test_typo_is_forgiven(gaz):
    assert gaz.locate("Sant-Etienne").insee == "42218"


# Names of places that do not exist, each built around a real commune's name (Mer, Loiré, Bains,
# Ville, Lyon, Paris...) or close to one (Saint-Aubin-sur-Loire): none may come back as that commune.
INVENTED_PLACES = [
    "Zzyzx-sur-Mer",
    "Saint Machin sur Loire",
    "Truc-les-Bains",
    "Trucs-les-Bains",
    "Ville Imaginaire 75",
    "Blorp Lyon",
    "Lyon Blorp",
    "Chemin-sur-Mer",
    "Blorp Paris 13e",
    "Gare de Lyon",  # in Paris: not a way to say Lyon
    "12 rue de Lyon",  # a street named after Lyon, in an unknown town
]


@pytest.mark.parametrize("query", INVENTED_PLACES)
def test_invented_place_is_not_taken_for_a_real_commune(gaz, query):
    assert gaz.locate(query) is None


# Words around a town's name that say where in it, not another place: (query, INSEE code).
EXPLAINED_LEFTOVERS = [
    ("12 rue Blorp Lyon", "69123"),
    ("Résidence les Pins, bât. B, 3 allée des Cèdres, Lyon", "69123"),
    ("Lycée Jean Moulin, 12 bis rue de la Paix Paris", "75056"),
    ("Lyon, 12 rue de Marseille", "69123"),
    ("12 rue des Lilas à Lyon", "69123"),
    ("12 avenue de Paris Versailles", "78646"),
    ("Salle des fêtes 41500 Mer", "41136"),
    ("Lyon Cedex 03", "69123"),
    ("Lyon, France", "69123"),
    ("Pont-Aven, Finistère, France", "29217"),
    ("3e arrondissement de Lyon", "69383"),
    ("Paris 99e", "75056"),  # a wrong number qualifies a real town, as "Lyon 13" does
]


@pytest.mark.parametrize("query,insee", EXPLAINED_LEFTOVERS, ids=[q for q, _ in EXPLAINED_LEFTOVERS])
def test_address_numbers_and_markers_around_a_town_are_explained(gaz, query, insee):
    place = gaz.locate(query)
    assert place is not None and place.insee == insee


@pytest.mark.parametrize("word", ["Blorp", "Zzyzx", "Quux"])
def test_unknown_word_beside_a_real_name_never_gives_a_commune(gaz, word):
    for commune in gaz.communes[::211]:
        for query in (f"{word} {commune.name}", f"{commune.name} {word}"):
            assert gaz.locate(query) is None, query
        # ...unless it reads as a street: then the town is that name.
        place = gaz.locate(f"12 rue {word} {commune.name}")
        assert place is not None and name_key(place.city) == name_key(commune.name), commune


def test_unknown_or_blank_query_finds_nothing(gaz):
    assert gaz.locate("xyzzy qwfp") is None
    assert gaz.locate("   ") is None
    assert gaz.locate("!!!") is None
    assert gaz.search("") == []


def test_non_text_query_is_a_clear_error(gaz):
    with pytest.raises(TypeError, match="string"):
        gaz.locate(93200)


def test_approximately_placed_commune_says_so(gaz):
    approx = next(c for c in gaz.communes if c.precision == "postcode-neighbour")
    place = gaz.place(approx)
    assert place.precision == "approximate"
    exact = gaz.commune("42218")
    assert gaz.place(exact).precision == "municipality"


def test_nearest_commune_and_france_check(gaz):
    commune, km = gaz.nearest(48.8322, 2.3561)
    assert commune.insee == "75113" and km < 0.1
    assert gaz.in_france(48.8566, 2.3522)  # Paris
    assert gaz.in_france(-21.1151, 55.5364)  # Réunion, inland
    assert gaz.in_france(-17.65, -149.43)  # Tahiti
    assert not gaz.in_france(52.5200, 13.4050)  # Berlin
    assert not gaz.in_france(40.4168, -3.7038)  # Madrid
    assert not gaz.in_france(45.0, -30.0)  # mid-Atlantic
    assert gaz.nearest(0.0, 0.0) is None
