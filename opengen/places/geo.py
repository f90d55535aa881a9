"""Geocoding and distances for Open Gen, without Flask.

`Geocoder.geocode(query)` answers from a cache, then from an online service (the Base Adresse
Nationale by default, Nominatim as an option, through geopy), then from the offline gazetteer of
French communes shipped in opengen/data. A short time-out, a rate limiter and a circuit breaker
(opengen.breaker) keep a slow or failing service from slowing the app down.
"""

from __future__ import annotations

import csv
import difflib
import functools
import gzip
import logging
import math
import re
import threading
import unicodedata
from collections import OrderedDict, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol

from geopy.adapters import URLLibAdapter
from geopy.exc import GeocoderQueryError, GeocoderRateLimited
from geopy.geocoders import BANFrance, Nominatim

from ..breaker import CircuitBreaker, RateLimiter, make_state
from .distance import haversine_km

log = logging.getLogger(__name__)

DATA_FILE = Path(__file__).parent.parent / "data" / "communes.csv.gz"
KINDS = ("ban", "nominatim", "offline")
# Metropolitan France, the overseas departments and the inhabited collectivities.
FRENCH_COUNTRY_CODES = ("fr", "gp", "mq", "gf", "re", "yt", "pm", "bl", "mf", "wf", "pf", "nc")
BAN_PRECISION = {"housenumber": "housenumber", "street": "street", "locality": "locality",
                 "municipality": "municipality"}
# GeoNames-located communes are "municipality"; those placed among their neighbours are not.
EXACT_COORDINATES = ("geonames", "geonames-chef-lieu")
MAX_QUERY_CHARS = 200  # the BAN refuses longer queries
MIN_ONLINE_QUERY_CHARS = 3  # ...and shorter ones
MAX_ALTERNATIVES = 8
STREET_WORDS = frozenset(
    "rue avenue av bd boulevard place pl chemin ch allee impasse imp route rte quai cours "
    "square passage voie lieu lieudit residence res hameau sentier ruelle parvis esplanade "
    "promenade rond point zone za zi zac cite lotissement domaine faubourg montee traverse".split())
# Words a street's name does not end with: "rue de" + "Lyon" is the rue de Lyon, not Lyon.
LINKING_WORDS = frozenset("au aux d de des du en et l la le les lez sous sur".split())
# Words that qualify a town rather than name another place: "Lyon Cedex 03", "3e arrondissement de Lyon".
QUALIFIER_WORDS = frozenset("bis ter quater arrondissement arr arrt ardt arrdt cedex france de d du".split())
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
CITIES_WITH_ARRONDISSEMENTS = {"paris": ("75", 20), "lyon": ("69", 9), "marseille": ("13", 16)}
ROMAN = {r: i for i, r in enumerate(
    "i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split(), start=1)}
ORDINAL = re.compile(r"(\d{1,2}|[ivx]{1,5})(e|er|ere|eme|ieme|em|me)?")
DEPARTMENT_CODE = re.compile(r"\d{2}|2a|2b|97[1-8]|98[6-8]")
PARENTHESISED_DEPARTMENT = re.compile(r"\(\s*(\d{2,3}|2[abAB])\s*\)")
# How far from the nearest commune's point a place may lie and still count as French: Guiana's
# communes are vast, and the Pacific collectivities spread theirs over many islands.
IN_FRANCE_KM = 30.0
IN_FRANCE_KM_SPARSE = 150.0
SPARSE_DEPARTMENTS = ("973", "986", "987", "988")


# --- text -----------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Lowercase ASCII words of a place text, with St/Ste spelled out ("St-Étienne" -> "saint etienne")."""
    text = unicodedata.normalize("NFKD", text.translate(LIGATURES)).encode("ascii", "ignore").decode()
    return " ".join(ABBREVIATIONS.get(w, w) for w in re.findall(r"[a-z0-9]+", text.lower()))


def name_key(text: str) -> str:
    """Key under which names match whatever their spaces, hyphens and apostrophes."""
    return fold(text).replace(" ", "")


def cache_key(query: str) -> str:
    """Normalised form of a query, for caching its answer."""
    return fold(query)[:MAX_QUERY_CHARS]


def is_qualifier(word: str) -> bool:
    """Tell whether a folded word qualifies a town: a number ("12", "12bis", "3e"), "XIIIe", "cedex"..."""
    if word[0].isdigit() or word in QUALIFIER_WORDS:
        return True
    ordinal = ORDINAL.fullmatch(word)
    return bool(ordinal and ordinal.group(2) and ordinal.group(1) in ROMAN)


def is_street(words: list[str]) -> bool:
    """Tell whether folded words hold a street: a street-type word, then its name, whole."""
    return bool(words) and words[-1] not in LINKING_WORDS and any(w in STREET_WORDS for w in words[:-1])


def typo_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) turning a into b."""
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            best = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, before[j - 2] + 1)
            current.append(best)
        before, row = row, current
    return row[-1]


# --- places ---------------------------------------------------------------------------------

@dataclass
class Place:
    """A geocoded place: where it is, what it is called, and how sure we are."""

    lat: float
    lon: float
    label: str
    source: str  # "ban", "nominatim" or "gazetteer"
    precision: str  # "housenumber", "street", "locality", "municipality" or "approximate"
    insee: str | None = None
    postcode: str | None = None
    city: str | None = None
    department: str | None = None  # department code, e.g. "93", "2A", "974"
    region: str | None = None
    alternatives: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-value form, for JSON and caches."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Place:
        """Rebuild a place from to_dict() output."""
        return cls(lat=float(data["lat"]), lon=float(data["lon"]), label=str(data["label"]),
                   source=str(data["source"]), precision=str(data["precision"]),
                   insee=data.get("insee"), postcode=data.get("postcode"), city=data.get("city"),
                   department=data.get("department"), region=data.get("region"),
                   alternatives=list(data.get("alternatives") or []))

    def summary(self) -> dict[str, Any]:
        """Small form used in another place's alternatives."""
        return {"label": self.label, "lat": self.lat, "lon": self.lon, "insee": self.insee,
                "postcode": self.postcode, "department": self.department}


@dataclass(frozen=True, slots=True)
class Commune:
    """One row of the gazetteer: a commune or a municipal arrondissement."""

    insee: str
    name: str
    postcodes: tuple[str, ...]
    dep: str
    dep_name: str
    region: str
    population: int
    lat: float
    lon: float
    precision: str  # how the build located it, see opengen/data/README.md
    parent: str  # for an arrondissement, its city's INSEE code


# --- gazetteer ------------------------------------------------------------------------------

class Gazetteer:
    """Offline look-up of French communes by name, postal code, INSEE code or position."""

    GRID_DEG = 0.5

    def __init__(self, communes: Iterable[Commune]) -> None:
        self.communes = list(communes)
        self.by_insee = {c.insee: c for c in self.communes}
        self.by_postcode: dict[str, list[Commune]] = defaultdict(list)
        self.by_key: dict[str, list[Commune]] = defaultdict(list)
        self.arrondissements: dict[tuple[str, int], Commune] = {}
        self.children: dict[str, list[Commune]] = defaultdict(list)
        self.departments: dict[str, str] = {}
        self.deps_by_name_key: dict[str, set[str]] = defaultdict(set)
        self._grid: dict[tuple[int, int], list[Commune]] = defaultdict(list)
        for c in self.communes:
            for pc in c.postcodes:
                self.by_postcode[pc].append(c)
            self.by_key[name_key(c.name)].append(c)
            if c.dep not in self.departments:
                self.departments[c.dep] = c.dep_name
                for area in (c.dep_name, c.region):  # "La Réunion", also said "Réunion"
                    self.deps_by_name_key[name_key(area)].add(c.dep)
                    self.deps_by_name_key[name_key(re.sub(r"^(la|le|les|l) ", "", fold(area)))].add(c.dep)
            self._grid[self._cell(c.lat, c.lon)].append(c)
            if c.parent:
                self.children[c.parent].append(c)
        for parent, arrondissements in self.children.items():
            city = name_key(self.by_insee[parent].name)
            for a in arrondissements:
                self.arrondissements[(city, int(re.search(r"\d+", a.name).group()))] = a
        for group in self.by_key.values():
            group.sort(key=lambda c: -c.population)
        self._keys_by_initial: dict[str, list[str]] = defaultdict(list)
        for key in self.by_key:
            self._keys_by_initial[key[:1]].append(key)
        self._longest_name = max((len(fold(c.name).split()) for c in self.communes), default=0)

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> Gazetteer:
        """Read the shipped gzip CSV."""
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            return cls(Commune(insee=r["insee"], name=r["name"], postcodes=tuple(r["postcodes"].split()),
                               dep=r["dep"], dep_name=r["dep_name"], region=r["region"],
                               population=int(r["population"]), lat=float(r["lat"]), lon=float(r["lon"]),
                               precision=r["precision"], parent=r["parent"])
                       for r in csv.DictReader(f))

    def __len__(self) -> int:
        return len(self.communes)

    def commune(self, insee: str) -> Commune | None:
        """The commune with this INSEE code."""
        return self.by_insee.get(insee.upper())

    # -- search --

    def search(self, query: str, limit: int = 10) -> list[Place]:
        """Places matching a free-text query, best first."""
        return [self.place(c, pc) for c, pc in self._matches(query)[:limit]]

    def locate(self, query: str) -> Place | None:
        """The best place for a query, with the other candidates as alternatives."""
        matches = self._matches(query)
        if not matches:
            return None
        best = self.place(*matches[0])
        best.alternatives = [self.place(c, pc).summary() for c, pc in matches[1:1 + MAX_ALTERNATIVES]]
        return best

    def place(self, commune: Commune, postcode: str | None = None) -> Place:
        """The Place for a commune, labelled with the postal code asked (or its only one) or
        else its department: "Saint-Denis (93200)", "Saint-Denis (974)"."""
        if postcode not in commune.postcodes:
            postcode = commune.postcodes[0] if len(commune.postcodes) == 1 else None
        exact = commune.precision in EXACT_COORDINATES
        return Place(lat=commune.lat, lon=commune.lon, label=f"{commune.name} ({postcode or commune.dep})",
                     source="gazetteer", precision="municipality" if exact else "approximate",
                     insee=commune.insee, postcode=postcode or next(iter(commune.postcodes), None),
                     city=commune.name, department=commune.dep, region=commune.region)

    def _matches(self, query: str) -> list[tuple[Commune, str | None]]:
        """Ranked (commune, postal code asked) pairs for a query."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, not {type(query).__name__}")
        text = query[:MAX_QUERY_CHARS * 2]
        deps: set[str] = set()
        parenthesised = PARENTHESISED_DEPARTMENT.search(text)
        if parenthesised:
            deps = self._department_codes(parenthesised.group(1))
            text = text[:parenthesised.start()] + " " + text[parenthesised.end():]
        tokens = fold(text).split()
        if not tokens:
            return []
        codes = [i for i, t in enumerate(tokens) if re.fullmatch(r"\d{5}|2[ab]\d{3}", t)]
        code = tokens[codes[-1]] if codes else None
        words = [t for i, t in enumerate(tokens) if i not in codes]

        if not deps and len(words) >= 2 and DEPARTMENT_CODE.fullmatch(words[-1]) \
                and any(w.isalpha() for w in words[:-1]):
            deps = self._department_codes(words[-1])

        by_code = self._by_code(code) if code else []
        by_name = self._by_name(words, tokens, codes, deps, fuzzy=not by_code)
        # "Paris 13" is the 13th arrondissement before it is Paris in the Bouches-du-Rhône.
        arrondissement = self._arrondissement(words) if by_name else None
        if arrondissement is not None and arrondissement.parent in {c.insee for c in by_name}:
            if code is None or code in arrondissement.postcodes:
                return [(arrondissement, code)]
        if by_name and deps:
            by_name = [c for c in by_name if c.dep in deps] or by_name
        if code and by_name:
            both = [c for c in by_name if code in c.postcodes or c.insee == code.upper()]
            ranked = both or by_code + by_name
        elif by_name:
            ranked = by_name
        else:
            ranked = [c for c in by_code if not deps or c.dep in deps] or by_code
        return self._refine(ranked, code)

    def _refine(self, ranked: list[Commune], code: str | None) -> list[tuple[Commune, str | None]]:
        """Swap a city for its arrondissement holding the postal code asked; drop duplicates."""
        out: list[tuple[Commune, str | None]] = []
        seen: set[str] = set()
        for c in ranked:
            if code and c.insee in self.children:
                c = next((a for a in self.children[c.insee] if code in a.postcodes), c)
            if c.insee not in seen:
                seen.add(c.insee)
                out.append((c, code))
        return out

    def _by_code(self, code: str) -> list[Commune]:
        """Communes with this postal code (most populous first), then the one with this INSEE code."""
        found = sorted(self.by_postcode.get(code, []), key=lambda c: -c.population)
        by_insee = self.by_insee.get(code.upper())
        if by_insee is not None and by_insee not in found:
            found.append(by_insee)
        return found

    def _department_codes(self, code: str) -> set[str]:
        """Department codes meant by "93", "2a", "974" or the old Corsican "20"."""
        code = code.upper()
        if code == "20":
            return {"2A", "2B"}
        return {code} if code in self.departments else set()

    def _arrondissement(self, words: list[str]) -> Commune | None:
        """Find "Paris 13e", "Lyon 3", "Marseille 1er", "Paris XIIIe", "13e arrondissement de Paris"."""
        for i, word in enumerate(words):
            if word not in CITIES_WITH_ARRONDISSEMENTS:
                continue
            city_dep, count = CITIES_WITH_ARRONDISSEMENTS[word]
            positions = [i + 1]
            if any(w.startswith("arr") for w in words):
                positions += [j for j in range(len(words)) if j != i]
            for j in positions:
                m = ORDINAL.fullmatch(words[j]) if j < len(words) else None
                if not m:
                    continue
                numeral, suffix = m.groups()
                if numeral.isdigit():
                    number = int(numeral)
                    if not suffix and numeral.zfill(2) == city_dep:
                        return None  # "Marseille 13", "Paris 75": the city in its department
                elif suffix and numeral in ROMAN:
                    number = ROMAN[numeral]
                else:
                    continue  # a bare "v" or "x" is a word, not a number
                if 1 <= number <= count:
                    return self.arrondissements.get((word, number))
        return None

    def _by_name(self, words: list[str], tokens: list[str], codes: list[int],
                 deps: set[str], fuzzy: bool) -> list[Commune]:
        """Communes named by the query with all its other words explained, else by a typo of it."""
        parts = [tokens[codes[-1] + 1:]] if codes else []  # French addresses put the town after the postal code
        parts.append(words)
        for part in parts:
            found = self._named(part)
            if found:
                return found
        alpha = [w for w in words if not w[0].isdigit()]
        if fuzzy and alpha:
            key = "".join(alpha)
            close = difflib.get_close_matches(key, self._keys_by_initial.get(key[:1], []), n=5, cutoff=0.85)
            # A typo is one slip, not another word: "Saint Machin" is no Saint-Aubin, "Champagne
            # Quux" no Champagneux.
            found = [c for k in close if typo_distance(key, k) <= 1 for c in self.by_key[k]]
            return [c for c in found if c.dep in deps] if deps else found
        return []

    def _named(self, words: list[str]) -> list[Commune]:
        """Communes whose whole name the words hold, when every word around it is explained.

        Before the name may come numbers and markers ("12", "3e arrondissement de") or an address
        ("Lycée Jean Moulin, 12 bis rue de la Paix"); after it, markers ("Cedex 03", "France"),
        an address, or its department or region, which then picks among communes of that name.
        Any other word means another place ("Gare de Lyon", "Zzyzx-sur-Mer"): nothing is named.
        A reading without an address goes first ("Saint-Point-Lac, Doubs" is not an address in
        Doubs); then one with an address, where only whole names count ("Magny-Cours Blorp" is
        not Magny, cours Blorp). The town is looked for from the end, as addresses end with it.
        """
        spans = [(start, end) for end in range(len(words), 0, -1)
                 for start in range(max(0, end - self._longest_name), end)
                 if "".join(words[start:end]) in self.by_key]
        whole = [(start, end) for start, end in spans
                 if not any(s <= start and end <= e and e - s > end - start for s, e in spans)]
        for streets, candidates in ((False, spans), (True, whole)):
            for start, end in candidates:
                before = words[:start]
                if not (all(map(is_qualifier, before)) or streets and is_street(before)):
                    continue
                hint = self._area_after(words[end:], streets)
                if hint is not None:
                    found = self.by_key["".join(words[start:end])]
                    return [c for c in found if c.dep in hint] or list(found)
        return []

    def _area_after(self, words: list[str], streets: bool) -> set[str] | None:
        """Departments named by the words after a town (empty if they name none but are
        explained, as markers or, if streets, an address), or None if they are not explained."""
        while words and is_qualifier(words[-1]):
            words = words[:-1]
        if not words or streets and is_street(words):
            return set()
        return self.deps_by_name_key.get("".join(words))

    # -- position --

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return (int(math.floor(lat / self.GRID_DEG)), int(math.floor(lon / self.GRID_DEG)))

    def nearest(self, lat: float, lon: float, max_km: float = 300.0) -> tuple[Commune, float] | None:
        """The commune whose point is nearest, with its distance, if within max_km."""
        ci, cj = self._cell(lat, lon)
        # Narrowest cell width within reach: cells shrink in longitude towards the poles.
        cell_km = self.GRID_DEG * 111.0 * math.cos(math.radians(min(abs(lat) + 5.0, 85.0)))
        best: tuple[Commune, float] | None = None
        for ring in range(int(max_km / cell_km) + 2):
            # Every point of ring r is at least r - 1 whole cells away.
            if best is not None and best[1] <= (ring - 1) * cell_km:
                break
            for i in range(ci - ring, ci + ring + 1):
                for j in range(cj - ring, cj + ring + 1):
                    if max(abs(i - ci), abs(j - cj)) != ring:
                        continue
                    for c in self._grid.get((i, j), ()):
                        d = haversine_km(lat, lon, c.lat, c.lon)
                        if best is None or d < best[1]:
                            best = (c, d)
        return best if best is not None and best[1] <= max_km else None

    def in_france(self, lat: float, lon: float) -> bool:
        """Tell whether a point lies among French communes.

        A coarse check (within 30 km of a commune's point, 150 km in Guiana and the Pacific):
        it refuses Berlin or Madrid, not a point just across a border.
        """
        found = self.nearest(lat, lon, max_km=IN_FRANCE_KM_SPARSE)
        if found is None:
            return False
        commune, km = found
        return km <= (IN_FRANCE_KM_SPARSE if commune.dep in SPARSE_DEPARTMENTS else IN_FRANCE_KM)


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once per process."""
    return Gazetteer.load()


# --- caches ---------------------------------------------------------------------------------

class GeocodeCache(Protocol):
    """What Geocoder needs from a cache (the app passes a database-backed one)."""

    def get(self, key: str) -> dict | None: ...
    def put(self, key: str, value: dict) -> None: ...


class MemoryCache:
    """Bounded in-process cache of geocoding answers."""

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        """The stored answer for key, if any."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: dict) -> None:
        """Store an answer, forgetting the least recently used beyond max_entries."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


# --- geocoder -------------------------------------------------------------------------------

class Geocoder:
    """Turn a place text into a Place: cache, then online service, then offline gazetteer."""

    def __init__(self, kind: str = "ban", *, ban_domain: str = "api-adresse.data.gouv.fr",
                 ban_scheme: str = "https", nominatim_domain: str = "nominatim.openstreetmap.org",
                 nominatim_scheme: str = "https", timeout: float = 2.0, min_interval: float | None = None,
                 breaker_cooldown: float = 60.0, user_agent: str = "opengen (Grande Ecole du Numerique)",
                 redis_url: str | None = None, redis_prefix: str = "opengen:geocoder:",
                 cache: GeocodeCache | None = None, gazetteer: Gazetteer | None = None,
                 min_score: float = 0.35) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown geocoder kind {kind!r}, expected one of {', '.join(KINDS)}")
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 s, got {timeout}")
        if breaker_cooldown < 0:
            raise ValueError(f"breaker_cooldown must be >= 0 s, got {breaker_cooldown}")
        self.kind = kind
        self.timeout = float(timeout)
        self.cache = cache
        self.min_score = min_score
        self._gazetteer = gazetteer
        if min_interval is None:
            # Nominatim's usage policy allows one request a second; the BAN 50 a second.
            min_interval = 1.0 if kind == "nominatim" else 0.05
        if min_interval < 0:
            raise ValueError(f"min_interval must be >= 0 s, got {min_interval}")
        state = make_state(redis_url, f"{redis_prefix}{kind}:")
        self.breaker = CircuitBreaker(state, cooldown_s=breaker_cooldown, probe_ttl_s=2 * self.timeout + 1)
        self.limiter = RateLimiter(state, min_interval_s=min_interval)
        # URLLibAdapter makes one attempt per call; geopy's requests adapter retries twice.
        common = dict(timeout=self.timeout, user_agent=user_agent, adapter_factory=URLLibAdapter)
        if kind == "ban":
            self.service = BANFrance(domain=ban_domain, scheme=ban_scheme, **common)
        elif kind == "nominatim":
            self.service = Nominatim(domain=nominatim_domain, scheme=nominatim_scheme, **common)
        else:
            self.service = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], cache: GeocodeCache | None = None) -> Geocoder:
        """Build from GEOCODER_* settings (a Flask config, os.environ or a dict)."""
        def number(name: str, default: float | None) -> float | None:
            value = settings.get(name)
            return default if value in (None, "") else float(value)

        return cls(
            kind=str(settings.get("GEOCODER", "ban")).lower(),
            ban_domain=settings.get("GEOCODER_BAN_DOMAIN", "api-adresse.data.gouv.fr"),
            ban_scheme=settings.get("GEOCODER_BAN_SCHEME", "https"),
            nominatim_domain=settings.get("GEOCODER_NOMINATIM_DOMAIN", "nominatim.openstreetmap.org"),
            nominatim_scheme=settings.get("GEOCODER_NOMINATIM_SCHEME", "https"),
            timeout=number("GEOCODER_TIMEOUT", 2.0),
            min_interval=number("GEOCODER_MIN_INTERVAL", None),
            breaker_cooldown=number("GEOCODER_BREAKER_COOLDOWN", 60.0),
            user_agent=settings.get("GEOCODER_USER_AGENT") or "opengen (Grande Ecole du Numerique)",
            redis_url=settings.get("GEOCODER_REDIS_URL") or None,
            redis_prefix=settings.get("GEOCODER_REDIS_PREFIX", "opengen:geocoder:"),
            cache=cache,
        )

    @property
    def gazetteer(self) -> Gazetteer:
        """The offline gazetteer (the shipped one unless another was given)."""
        if self._gazetteer is None:
            self._gazetteer = default_gazetteer()
        return self._gazetteer

    def geocode(self, query: str) -> Place | None:
        """The place a text names, or None if it names nothing found anywhere."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, not {type(query).__name__}")
        query = " ".join(query.split())[:MAX_QUERY_CHARS]
        key = cache_key(query)
        if not key:
            return None
        cached = self._cache_get(key)
        if cached is not None:
            return cached
        place = self._geocode_online(query)
        if place is not None:
            self._cache_put(key, place)
            return place
        return self.gazetteer.locate(query)

    def reverse(self, lat: float, lon: float) -> Place | None:
        """The address or commune at a point in France, or None outside France."""
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise ValueError(f"not a coordinate: ({lat}, {lon})")
        found = self._call_online(lambda timeout: self.service.reverse((lat, lon), exactly_one=False,
                                                                        timeout=timeout))
        places = [p for p in (self._to_place(loc.raw) for loc in found or []) if p is not None]
        if places:
            return places[0]
        nearest = self.gazetteer.nearest(lat, lon)
        if nearest is None or not self.gazetteer.in_france(lat, lon):
            return None
        return self.gazetteer.place(nearest[0])

    def is_french(self, place: Place) -> bool:
        """Tell whether a place is in France (mainland, overseas departments, collectivities)."""
        if place.insee and self.gazetteer.commune(place.insee):
            return True
        return self.gazetteer.in_france(place.lat, place.lon)

    # -- online --

    def _geocode_online(self, query: str) -> Place | None:
        """Ask the online service; None when it is off, failing, or finds nothing good."""
        if len(query) < MIN_ONLINE_QUERY_CHARS:
            return None
        if self.kind == "ban":
            found = self._call_online(lambda timeout: self.service.geocode(
                query, limit=5, exactly_one=False, timeout=timeout))
        else:
            found = self._call_online(lambda timeout: self.service.geocode(
                query, limit=5, exactly_one=False, addressdetails=True,
                country_codes=list(FRENCH_COUNTRY_CODES), timeout=timeout))
        places = [p for p in (self._to_place(loc.raw) for loc in found or []) if p is not None]
        if not places:
            return None
        best = places[0]
        if best.precision == "municipality":
            best.alternatives = [p.summary() for p in places[1:]
                                 if p.precision == "municipality" and p.insee != best.insee][:MAX_ALTERNATIVES]
        return best

    def _call_online(self, call) -> list | None:
        """Run one guarded call: breaker, rate limit, time-out; None if skipped or failed."""
        if self.service is None or not self.breaker.allow():
            return None
        waited = self.limiter.acquire(max_wait_s=self.timeout / 2)
        if waited is None:
            log.info("geocoder busy, answering offline")
            return None
        try:
            found = call(self.timeout - waited)
        except GeocoderRateLimited as error:
            log.warning("%s rate-limited us (retry after %s s)", self.kind, error.retry_after)
            self.breaker.record_failure(error.retry_after)
            return None
        except GeocoderQueryError as error:
            # The service is up and refuses this query only (BAN: 400 for odd queries).
            log.info("%s refused the query: %s", self.kind, error)
            self.breaker.record_success()
            return None
        except Exception as error:  # time-outs, 5xx, unreachable, malformed answers
            log.warning("%s failed, answering offline for %s s: %r", self.kind, self.breaker.cooldown_s, error)
            self.breaker.record_failure()
            return None
        self.breaker.record_success()
        return found

    def _to_place(self, raw: Mapping[str, Any]) -> Place | None:
        """A Place from one raw BAN feature or Nominatim result, if it is good and French."""
        try:
            place = self._ban_place(raw) if self.kind == "ban" else self._nominatim_place(raw)
        except (KeyError, IndexError, TypeError, ValueError) as error:
            log.warning("ignoring a malformed %s result: %r", self.kind, error)
            return None
        if place is None or not self.is_french(place):
            return None
        return place

    def _ban_place(self, feature: Mapping[str, Any]) -> Place | None:
        props = feature.get("properties") or {}
        lon, lat = (float(v) for v in feature["geometry"]["coordinates"][:2])
        score = props.get("score")
        if score is not None and float(score) < self.min_score:
            return None
        context = [part.strip() for part in str(props.get("context", "")).split(",")]
        citycode = props.get("citycode")
        commune = self.gazetteer.commune(citycode) if citycode else None
        return Place(lat=lat, lon=lon, label=str(props.get("label") or props.get("name") or ""),
                     source="ban", precision=BAN_PRECISION.get(props.get("type"), "locality"),
                     insee=citycode, postcode=props.get("postcode"), city=props.get("city"),
                     department=commune.dep if commune else (context[0] or None),
                     region=commune.region if commune else (context[-1] if len(context) > 2 else None))

    def _nominatim_place(self, result: Mapping[str, Any]) -> Place | None:
        address = result.get("address") or {}
        if str(address.get("country_code", "")).lower() not in FRENCH_COUNTRY_CODES:
            return None
        kind = result.get("addresstype") or result.get("type") or ""
        if address.get("house_number"):
            precision = "housenumber"
        elif kind in ("road", "street", "residential", "pedestrian", "square"):
            precision = "street"
        elif kind in ("city", "town", "village", "municipality", "administrative"):
            precision = "municipality"
        else:
            precision = "locality"
        city = (address.get("city") or address.get("town") or address.get("village")
                or address.get("municipality"))
        postcode = address.get("postcode")
        commune = self._identify(city, postcode)
        return Place(lat=float(result["lat"]), lon=float(result["lon"]),
                     label=str(result.get("display_name", "")), source="nominatim", precision=precision,
                     insee=commune.insee if commune else None, postcode=postcode, city=city,
                     department=commune.dep if commune else None,
                     region=commune.region if commune else address.get("state"))

    def _identify(self, city: str | None, postcode: str | None) -> Commune | None:
        """The gazetteer commune a city name and postal code designate, if unambiguous."""
        if not city:
            return None
        named = self.gazetteer.by_key.get(name_key(city), [])
        if postcode:
            named = [c for c in named if postcode in c.postcodes] or named
        return named[0] if len(named) == 1 else None

    # -- cache --

    def _cache_get(self, key: str) -> Place | None:
        if self.cache is None:
            return None
        try:
            value = self.cache.get(key)
            return Place.from_dict(value) if value else None
        except Exception as error:  # a broken cache must not break geocoding
            log.warning("geocode cache read failed: %r", error)
            return None

    def _cache_put(self, key: str, place: Place) -> None:
        if self.cache is None:
            return
        try:
            self.cache.put(key, place.to_dict())
        except Exception as error:
            log.warning("geocode cache write failed: %r", error)
