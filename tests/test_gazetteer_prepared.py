"""The gazetteer prepared once into a shared SQLite file: built once, safe to build concurrently,
rebuilt when the CSV changes, and answering exactly as the in-memory reference."""

import csv
import gzip
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from opengen.places import prepared
from opengen.places.gazetteer import DATA_FILE, Gazetteer, default_gazetteer
from opengen.places.prepared import PreparedGazetteer, ensure_prepared, open_prepared

from .test_gazetteer import INVENTED_PLACES, REAL_QUERIES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def reference() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> PreparedGazetteer:
    return PreparedGazetteer(ensure_prepared(tmp_path_factory.mktemp("gazetteer")))


@pytest.fixture
def builds(monkeypatch) -> list[Path]:
    """Record each build of a prepared file."""
    done: list[Path] = []
    real = prepared.build

    def counting(reference, path, fingerprint):
        done.append(path)
        real(reference, path, fingerprint)
    monkeypatch.setattr(prepared, "build", counting)
    return done


def small_csv(path: Path, rows: int) -> Path:
    """A CSV of the shipped file's first rows, a different file with a different hash."""
    with gzip.open(DATA_FILE, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        lines = [next(reader) for _ in range(rows + 1)]
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(lines)
    return path


def sample_queries(reference: Gazetteer, count: int) -> list[str]:
    """Queries people type about real communes: names, codes, departments, typos, addresses."""
    rng = random.Random(13)
    queries = [q for q, *_ in REAL_QUERIES] + list(INVENTED_PLACES)
    communes = rng.sample(reference.communes, count)
    shapes = [
        lambda c: c.name,
        lambda c: c.name.lower().replace("-", " "),
        lambda c: f"{c.postcodes[0]} {c.name}",
        lambda c: f"{c.name} {c.postcodes[-1]}",
        lambda c: c.postcodes[0],
        lambda c: c.insee,
        lambda c: f"{c.name} ({c.dep})",
        lambda c: f"{c.name}, {c.dep_name}",
        lambda c: f"12 rue de la Paix {c.postcodes[0]} {c.name} Cedex",
        lambda c: c.name[:-1] + ("e" if c.name[-1] != "e" else "a"),  # a typo
        lambda c: c.name[:3],
    ]
    queries += [rng.choice(shapes)(c) for c in communes]
    return queries[:count]


def test_answers_equal_the_in_memory_reference(reference, shared):
    queries = sample_queries(reference, 2000)
    assert len(queries) == 2000
    for query in queries:
        assert shared.locate(query) == reference.locate(query), query
        assert shared.search(query, limit=20) == reference.search(query, limit=20), query
    rng = random.Random(7)
    for _ in range(300):
        lat, lon = rng.uniform(-25.0, 55.0), rng.uniform(-65.0, 60.0)
        assert shared.nearest(lat, lon) == reference.nearest(lat, lon)
        assert shared.in_france(lat, lon) == reference.in_france(lat, lon)
    assert len(shared) == len(reference) and shared.communes == reference.communes
    assert shared.commune("2a004") == reference.commune("2a004") is not None
    assert shared.by_key.get("saintdenis", []) == reference.by_key["saintdenis"]
    assert shared.by_key.get("zzyzx", []) == [] and "zzyzx" not in shared.by_key
    assert shared.by_postcode["01400"] == reference.by_postcode["01400"]
    assert shared.arrondissements == reference.arrondissements and shared.children == reference.children
    assert shared.departments == reference.departments
    assert shared.deps_by_name_key == dict(reference.deps_by_name_key)


def test_the_default_gazetteer_is_the_prepared_one():
    assert isinstance(default_gazetteer(), PreparedGazetteer)


def test_the_prepared_file_is_built_once_then_reused(tmp_path, builds):
    first = ensure_prepared(tmp_path)
    again = ensure_prepared(tmp_path)
    assert first == again and builds == [first]
    assert first.name.startswith("gazetteer-") and first.suffix == ".sqlite"
    assert [p.name for p in tmp_path.glob("*.tmp")] == []
    assert PreparedGazetteer(again).locate("Saint-Denis (974)").insee == "97411"


def test_a_stale_file_is_rebuilt(tmp_path, builds):
    source = small_csv(tmp_path / "small.csv.gz", 50)
    old = ensure_prepared(tmp_path, source)
    assert len(PreparedGazetteer(old)) == 50
    with gzip.open(source, "at", encoding="utf-8", newline="") as f:  # the CSV changes
        f.write("99999,Nouvelle-Commune,99990,01,Ain,Auvergne-Rhône-Alpes,1,46.0,5.0,geonames,\n")
    new = ensure_prepared(tmp_path, source)
    assert new != old and not old.exists() and builds == [old, new]
    assert PreparedGazetteer(new).locate("Nouvelle-Commune").insee == "99999"


def test_a_file_with_another_hash_inside_is_rebuilt(tmp_path, builds):
    source = small_csv(tmp_path / "small.csv.gz", 20)
    path = ensure_prepared(tmp_path, source)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = 'another' WHERE name = 'csv_hash'")
    conn.close()
    assert ensure_prepared(tmp_path, source) == path and builds == [path, path]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE name = 'csv_hash'").fetchone()[0] != "another"
    conn.close()


def test_a_half_written_file_is_never_used(tmp_path, builds):
    source = small_csv(tmp_path / "small.csv.gz", 20)
    path = prepared.prepared_path(tmp_path, source)
    path.write_bytes(b"SQLite format 3\x00 truncated")
    assert ensure_prepared(tmp_path, source) == path and builds == [path]
    assert len(PreparedGazetteer(path)) == 20


CHILD = """
import os, sys
from pathlib import Path
from opengen.places.prepared import PreparedGazetteer, ensure_prepared
path = ensure_prepared(Path(sys.argv[1]))
print(os.stat(path).st_ino, PreparedGazetteer(path).locate("Paris 13e").insee)
"""


def test_two_processes_building_at_once_share_one_file(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE,
                                 text=True, env=env) for _ in range(2)]
    outputs = [child.communicate(timeout=120)[0].split() for child in children]
    assert all(child.returncode == 0 for child in children)
    assert outputs[0] == outputs[1] and outputs[0][1] == "75113"  # one inode: built once
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".lock"] == [f"{Path(prepared.prepared_path(tmp_path)).name}"]


def test_an_unwritable_directory_falls_back_to_parsing(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    gazetteer = open_prepared(blocker / "sub")
    assert type(gazetteer) is Gazetteer and gazetteer.locate("Lyon 3e").insee == "69383"


def test_a_forked_process_opens_its_own_connection(shared):
    assert shared.locate("Marseille 1er").insee == "13201"
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        os._exit(0 if shared.locate("Marseille 2e").insee == "13202" else 1)
    assert os.waitpid(pid, 0)[1] == 0
    assert shared.nearest(43.3, 5.37) is not None
