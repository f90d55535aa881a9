"""The gazetteer build on a small made-up extract of its sources (no network)."""

import pytest

from opengen.data.build_gazetteer import build_rows, norm, write_csv
from opengen.places.distance import haversine_km
from opengen.places.gazetteer import Gazetteer


def commune(code, name, postcodes, population, dep="01", region="84", **extra):
    return {"code": code, "nom": name, "type": "commune-actuelle", "departement": dep,
            "region": region, "codesPostaux": postcodes, "population": population, **extra}


def city500(name, lat, lon, population, admin1="84", cc="FR"):
    return {"name": name, "latitude": lat, "longitude": lon, "population": population,
            "countrycode": cc, "admin1code": admin1}


def city1000(name, lat, lon, admin2="Departement de l'Ain", cc="FR"):
    return {"name": name, "lat": str(lat), "lon": str(lon), "admin1": "", "admin2": admin2, "cc": cc}


@pytest.fixture
def sources():
    return {
        "communes": [
            commune("01001", "Alpha", ["01100"], 1000),
            commune("01002", "Beta", ["01100"], 100),
            commune("01003", "Gamma", ["01200"], 100),
            commune("01004", "Delta", ["01300"], 50),
            commune("01005", "Epsilon", ["01400"], 40),
            commune("01006", "Zeta-Nouvelle", ["01500"], 900),
            {"code": "01006", "nom": "Zeta", "type": "commune-deleguee", "chefLieu": "01006",
             "departement": "01", "region": "84"},
            commune("01007", "Saint-Éta", ["01600"], 700),
            commune("75056", "Paris", ["75001"], 2_000_000, dep="75", region="11"),
            {"code": "75101", "nom": "Paris 1er Arrondissement", "type": "arrondissement-municipal",
             "commune": "75056", "departement": "75", "region": "11", "codesPostaux": ["75001"],
             "population": 15000},
            commune("98411", "Kerguelen", [], 0, dep="984", region="984"),
        ],
        "departements": [{"code": "01", "nom": "Ain"}, {"code": "75", "nom": "Paris"},
                         {"code": "984", "nom": "Terres australes et antarctiques françaises"}],
        "regions": [{"code": "84", "nom": "Auvergne-Rhône-Alpes"}, {"code": "11", "nom": "Île-de-France"},
                    {"code": "984", "nom": "Terres australes et antarctiques françaises"}],
        "epci": [{"code": "200000001", "membres": [{"code": "01001"}, {"code": "01003"}]}],
        "codes_postaux": [{"codePostal": "01150", "codeCommune": "01001"}],
        "cities500": [
            city500("Alpha", 46.0, 5.0, 1100),
            city500("Epsilon", 46.05, 5.05, 3000),  # a town far bigger than the village: a homonym
            city500("Zeta", 46.1, 5.1, 800),
            city500("St-Eta", 46.02, 5.02, 650),  # only in the region-wide extract
            city500("Paris", 48.85341, 2.3488, 2_100_000, admin1="11"),
            city500("Paris 01 Louvre", 48.8592, 2.3417, 15114, admin1="11"),
        ],
        "cities1000": [city1000("Alpha", 46.0001, 5.0001), city1000("Zeta", 46.1, 5.1),
                       city1000("Paris", 48.85341, 2.3488, admin2="Paris")],
    }


def test_each_commune_gets_the_best_coordinates_its_sources_allow(sources):
    rows = {r["insee"]: r for r in build_rows(sources)}
    assert "98411" not in rows  # uninhabited district without postal code
    assert rows["01001"]["precision"] == "geonames"
    assert (rows["01001"]["lat"], rows["01001"]["lon"]) == (46.0, 5.0)  # cities500's point
    assert rows["01001"]["postcodes"] == ["01100", "01150"]  # codes-postaux adds one
    assert rows["01006"]["precision"] == "geonames-chef-lieu"
    assert rows["01007"]["precision"] == "geonames"  # "St-Eta" is "Saint-Éta"
    assert rows["01002"]["precision"] == "postcode-neighbour"
    assert (rows["01002"]["lat"], rows["01002"]["lon"]) == (46.0, 5.0)
    assert rows["01003"]["precision"] == "epci-neighbour"
    assert rows["01004"]["precision"] == "department"
    assert rows["01005"]["precision"] == "department"  # the big homonym was refused
    assert rows["75101"]["precision"] == "geonames" and rows["75101"]["parent"] == "75056"
    assert haversine_km(rows["75101"]["lat"], rows["75101"]["lon"], 48.8592, 2.3417) < 0.01


def test_written_file_loads_into_the_gazetteer(sources, tmp_path):
    path = tmp_path / "communes.csv.gz"
    write_csv(build_rows(sources), path)
    first = path.read_bytes()
    write_csv(build_rows(sources), path)
    assert path.read_bytes() == first  # byte-identical rebuilds
    gaz = Gazetteer.load(path)
    assert len(gaz) == 9
    assert gaz.locate("Paris 1er").insee == "75101"
    assert gaz.locate("01150").insee == "01001"
    assert gaz.locate("saint eta").insee == "01007"


def test_names_fold_the_way_geonames_and_insee_spell_them():
    assert norm("Saint-Étienne") == norm("St Etienne") == "saint etienne"
    assert norm("L'Haÿ-les-Roses") == "l hay les roses"
    assert norm("Œuilly") == "oeuilly"
