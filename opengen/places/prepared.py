"""The gazetteer prepared once into a read-only SQLite file that every process shares: parsing the
CSV costs seconds and ~100 MB per process, opening the file costs milliseconds and pages are
shared through the OS cache. Same answers as the in-memory Gazetteer it is built from. No Flask."""
from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from .gazetteer import DATA_FILE, Commune, Gazetteer
from .names import trigrams, typing_keys
from .prefixes import KEY_END, rare_pieces

log = logging.getLogger(__name__)

SCHEMA_VERSION = "3"  # bump when the tables below change: the file name changes with it
# Where Flask puts an uninstalled package's instance folder; OPENGEN_GAZETTEER_DIR overrides it.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "instance"
COLUMNS = "insee, name, postcodes, dep, dep_name, region, population, lat, lon, precision, parent"
C_COLUMNS = ", ".join("c." + name.strip() for name in COLUMNS.split(","))
SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE commune (id INTEGER PRIMARY KEY, insee TEXT NOT NULL, name TEXT NOT NULL,
    postcodes TEXT NOT NULL, dep TEXT NOT NULL, dep_name TEXT NOT NULL, region TEXT NOT NULL,
    population INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, precision TEXT NOT NULL,
    parent TEXT NOT NULL, name_key TEXT NOT NULL, key_rank INTEGER NOT NULL,
    cell_i INTEGER NOT NULL, cell_j INTEGER NOT NULL);
CREATE TABLE postcode (postcode TEXT NOT NULL, commune_id INTEGER NOT NULL);
CREATE TABLE name_key (name_key TEXT PRIMARY KEY, initial TEXT NOT NULL, first_id INTEGER NOT NULL);
CREATE TABLE department (dep TEXT PRIMARY KEY, dep_name TEXT NOT NULL, position INTEGER NOT NULL);
CREATE TABLE area (name_key TEXT NOT NULL, dep TEXT NOT NULL);
CREATE TABLE arrondissement (city TEXT NOT NULL, number INTEGER NOT NULL, commune_id INTEGER NOT NULL);
CREATE TABLE typing (key TEXT NOT NULL, later INTEGER NOT NULL, population INTEGER NOT NULL,
    commune_id INTEGER NOT NULL, PRIMARY KEY (key, commune_id)) WITHOUT ROWID;
CREATE TABLE trigram (tri TEXT NOT NULL, key_id INTEGER NOT NULL, PRIMARY KEY (tri, key_id)) WITHOUT ROWID;
CREATE TABLE trigram_count (tri TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
"""
INDEXES = """
CREATE UNIQUE INDEX commune_insee ON commune (insee);
CREATE INDEX commune_key ON commune (name_key, key_rank);
CREATE INDEX commune_cell ON commune (cell_i, cell_j, id);
CREATE INDEX commune_parent ON commune (parent, id);
CREATE INDEX postcode_code ON postcode (postcode, commune_id);
CREATE INDEX name_key_initial ON name_key (initial, first_id);
CREATE UNIQUE INDEX name_key_id ON name_key (first_id);
"""


def csv_hash(path: Path = DATA_FILE) -> str:
    """A short fingerprint of the shipped CSV and of this schema."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepared_path(directory: Path, source: Path = DATA_FILE) -> Path:
    """Where the prepared file for this CSV lives in a directory."""
    return directory / f"gazetteer-{csv_hash(source)}.sqlite"


def _fresh(path: Path, fingerprint: str) -> bool:
    """Tell whether a complete prepared file for this fingerprint is at path."""
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE name = 'csv_hash'").fetchone()
        finally:
            conn.close()
        return row is not None and row[0] == fingerprint
    except sqlite3.Error:
        return False


def build(reference: Gazetteer, path: Path, fingerprint: str) -> None:
    """Write the prepared file for a reference gazetteer atomically (temporary file, then rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        conn.executescript(SCHEMA)
        ids = {c.insee: i for i, c in enumerate(reference.communes)}
        ranks = {c.insee: rank for group in reference.by_key.values() for rank, c in enumerate(group)}
        conn.executemany(
            f"INSERT INTO commune (id, {COLUMNS}, name_key, key_rank, cell_i, cell_j)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((ids[c.insee], c.insee, c.name, " ".join(c.postcodes), c.dep, c.dep_name, c.region,
              c.population, c.lat, c.lon, c.precision, c.parent, key, ranks[c.insee],
              *reference._cell(c.lat, c.lon))
             for key, group in reference.by_key.items() for c in group))
        conn.executemany("INSERT INTO postcode VALUES (?, ?)",
                         ((pc, ids[c.insee]) for pc, group in reference.by_postcode.items() for c in group))
        conn.executemany("INSERT INTO name_key VALUES (?, ?, ?)",
                         ((key, key[:1], n) for n, key in enumerate(reference.by_key)))
        conn.executemany("INSERT INTO department VALUES (?, ?, ?)",
                         ((dep, name, n) for n, (dep, name) in enumerate(reference.departments.items())))
        conn.executemany("INSERT INTO area VALUES (?, ?)",
                         ((key, dep) for key, deps in reference.deps_by_name_key.items() for dep in deps))
        conn.executemany("INSERT INTO arrondissement VALUES (?, ?, ?)",
                         ((city, number, ids[c.insee]) for (city, number), c in reference.arrondissements.items()))
        conn.executemany("INSERT OR IGNORE INTO typing VALUES (?, ?, ?, ?)",
                         ((key, int(n > 0), c.population, ids[c.insee])
                          for c in reference.communes for n, key in enumerate(typing_keys(c.name))))
        conn.executemany("INSERT INTO trigram VALUES (?, ?)",
                         ((tri, n) for n, key in enumerate(reference.by_key) for tri in trigrams(key)))
        conn.execute("INSERT INTO trigram_count SELECT tri, count(*) FROM trigram GROUP BY tri")
        conn.executemany("INSERT INTO meta VALUES (?, ?)",
                         [("csv_hash", fingerprint), ("longest_name", str(reference._longest_name))])
        conn.executescript(INDEXES)
        conn.commit()
        conn.execute("VACUUM")
        conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def ensure_prepared(directory: Path, source: Path = DATA_FILE) -> Path:
    """The prepared file for the CSV in a directory, built first if missing or stale; one process
    builds while the others wait on a lock file, and older files are removed."""
    directory.mkdir(parents=True, exist_ok=True)
    fingerprint = csv_hash(source)
    path = directory / f"gazetteer-{fingerprint}.sqlite"
    if _fresh(path, fingerprint):
        return path
    with open(directory / "gazetteer.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not _fresh(path, fingerprint):
                log.info("preparing the gazetteer into %s", path)
                build(Gazetteer.load(source), path, fingerprint)
                for old in directory.glob("gazetteer-*.sqlite"):
                    if old != path:
                        old.unlink(missing_ok=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return path


class _Store:
    """A read-only connection to the prepared file, reopened after a fork, shared by threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pid = -1
        self._conn: sqlite3.Connection | None = None

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """The rows of a query."""
        with self._lock:
            if self._conn is None or self._pid != os.getpid():
                # immutable: a prepared file is replaced by a rename, never changed in place.
                self._conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                             check_same_thread=False)
                self._pid = os.getpid()
            return self._conn.execute(sql, params).fetchall()


def _commune(row: tuple) -> Commune:
    insee, name, postcodes, dep, dep_name, region, population, lat, lon, precision, parent = row
    return Commune(insee=insee, name=name, postcodes=tuple(postcodes.split()), dep=dep, dep_name=dep_name,
                   region=region, population=population, lat=lat, lon=lon, precision=precision, parent=parent)


class _Lookup(Mapping):
    """A read-only mapping answered by a query, with the last answers kept."""

    def __init__(self, store: _Store, sql: str, keys_sql: str, convert=None, size: int = 4096) -> None:
        self._store, self._sql, self._keys_sql = store, sql, keys_sql
        self._convert = convert or (lambda key: (key,))
        self._fetch = functools.lru_cache(maxsize=size)(self._query)

    def _query(self, key):
        return self._store.rows(self._sql, self._convert(key))

    def __getitem__(self, key):
        rows = self._fetch(key)
        if not rows:
            raise KeyError(key)
        return [_commune(r) for r in rows]

    def __contains__(self, key) -> bool:
        return bool(self._fetch(key))

    def __iter__(self) -> Iterator:
        return (row[0] if len(row) == 1 else row for row in self._store.rows(self._keys_sql))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _OneCommune(_Lookup):
    """by_insee: one commune per key."""

    def __getitem__(self, key) -> Commune:
        return super().__getitem__(key)[0]


class PreparedGazetteer(Gazetteer):
    """The Gazetteer answered from its prepared SQLite file: same answers, shared pages."""

    def __init__(self, path: Path) -> None:
        # Not super().__init__(): it would read every commune; the same attributes answer from the file.
        store = self._store = _Store(path)
        select = f"SELECT {COLUMNS} FROM commune"
        self.by_insee = _OneCommune(store, f"{select} WHERE insee = ?", "SELECT insee FROM commune ORDER BY id")
        self.by_postcode = _Lookup(
            store, f"SELECT {C_COLUMNS} FROM postcode p"
            " JOIN commune c ON c.id = p.commune_id WHERE p.postcode = ? ORDER BY p.commune_id",
            "SELECT DISTINCT postcode FROM postcode ORDER BY postcode")
        self.by_key = _Lookup(store, f"{select} WHERE name_key = ? ORDER BY key_rank",
                              "SELECT name_key FROM name_key ORDER BY first_id")
        self._grid = _Lookup(store, f"{select} WHERE cell_i = ? AND cell_j = ? ORDER BY id",
                             "SELECT DISTINCT cell_i, cell_j FROM commune", convert=tuple, size=8192)
        self.departments = dict(store.rows("SELECT dep, dep_name FROM department ORDER BY position"))
        self.deps_by_name_key: dict[str, set[str]] = {}
        for key, dep in store.rows("SELECT name_key, dep FROM area"):
            self.deps_by_name_key.setdefault(key, set()).add(dep)
        self.children: dict[str, list[Commune]] = {}
        for row in store.rows(f"{select} WHERE parent != '' ORDER BY id"):
            self.children.setdefault(row[-1], []).append(_commune(row))
        self.arrondissements = {(city, number): _commune(row) for city, number, *row in store.rows(
            f"SELECT a.city, a.number, {C_COLUMNS}"
            " FROM arrondissement a JOIN commune c ON c.id = a.commune_id")}
        self._longest_name = int(store.rows("SELECT value FROM meta WHERE name = 'longest_name'")[0][0])
        self._keys_by_initial = _KeysByInitial(store)

    @functools.cached_property
    def communes(self) -> list[Commune]:  # type: ignore[override]
        """Every commune, in the CSV's order (read on demand: only tests and builds need it)."""
        return [_commune(r) for r in self._store.rows(f"SELECT {COLUMNS} FROM commune ORDER BY id")]

    def __len__(self) -> int:
        return self._store.rows("SELECT count(*) FROM commune")[0][0]

    def prefixed(self, prefix: str, limit: int) -> list[Commune]:
        """Communes whose name, or a later word of it, starts with a key prefix (see Gazetteer)."""
        return [_commune(r) for r in self._store.rows(
            f"SELECT {C_COLUMNS} FROM (SELECT commune_id, min(later) AS later, population FROM typing"
            " WHERE key >= ? AND key < ? GROUP BY commune_id ORDER BY later, population DESC, commune_id"
            " LIMIT ?) t JOIN commune c ON c.id = t.commune_id ORDER BY t.later, c.population DESC, c.insee",
            (prefix, prefix + KEY_END, limit))]

    def postcode_prefixed(self, prefix: str, limit: int) -> list[Commune]:
        """Communes with a postal code starting with these digits (see Gazetteer)."""
        return [_commune(r) for r in self._store.rows(
            f"SELECT {C_COLUMNS} FROM commune c WHERE c.id IN (SELECT commune_id FROM postcode"
            " WHERE postcode >= ? AND postcode < ?) ORDER BY c.population DESC, c.insee LIMIT ?",
            (prefix, prefix + KEY_END, limit))]

    def similar_keys(self, key: str, limit: int) -> list[str]:
        """The name keys sharing the most three-letter pieces with a key (see Gazetteer)."""
        every = sorted(trigrams(key))
        counts = dict(self._store.rows(
            f"SELECT tri, n FROM trigram_count WHERE tri IN ({', '.join('?' * len(every))})", tuple(every)))
        pieces = rare_pieces(key, lambda t: counts.get(t, 0))
        return [r[0] for r in self._store.rows(
            "SELECT k.name_key FROM (SELECT key_id, count(*) AS shared FROM trigram WHERE tri IN"
            f" ({', '.join('?' * len(pieces))}) GROUP BY key_id) t JOIN name_key k ON k.first_id = t.key_id"
            " ORDER BY t.shared DESC, k.name_key LIMIT ?", (*pieces, limit))]


class _KeysByInitial:
    """The name keys starting with a letter, for typo matching; read once per letter."""

    def __init__(self, store: _Store) -> None:
        self._store = store
        self._kept: dict[str, list[str]] = {}

    def get(self, initial: str, default=None) -> list[str]:
        """The keys starting with this initial, in the reference's order."""
        if initial not in self._kept:
            self._kept[initial] = [r[0] for r in self._store.rows(
                "SELECT name_key FROM name_key WHERE initial = ? ORDER BY first_id", (initial,))]
        return self._kept[initial] or (default if default is not None else [])


def prepared_dir() -> Path:
    """The directory holding the prepared file: OPENGEN_GAZETTEER_DIR, else the instance folder."""
    return Path(os.environ.get("OPENGEN_GAZETTEER_DIR") or DEFAULT_DIR)


def open_prepared(directory: Path | None = None, source: Path = DATA_FILE) -> Gazetteer:
    """The shipped gazetteer from its prepared file (built at first use); parsed in memory if the
    directory cannot be written."""
    try:
        return PreparedGazetteer(ensure_prepared(directory or prepared_dir(), source))
    except OSError as error:
        log.warning("gazetteer not prepared (%r): parsing it in this process", error)
        return Gazetteer.load(source)


if __name__ == "__main__":  # at install: python -m opengen.places.prepared
    print(ensure_prepared(prepared_dir()))
