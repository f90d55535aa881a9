"""The offline gazetteer of French communes shipped in opengen/data: look-up by name, postal
code, INSEE code or position. No Flask."""
from __future__ import annotations

import csv
import difflib
import functools
import gzip
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .distance import haversine_km
from .names import (
    DEPARTMENT_CODE,
    MAX_PLACE_CHARS,
    ORDINAL,
    PARENTHESISED_DEPARTMENT,
    POSTCODE_OR_INSEE,
    ROMAN,
    fold,
    is_qualifier,
    is_street,
    name_key,
    typo_distance,
)
from .place import Place
from .prefixes import TypingLookups

DATA_FILE = Path(__file__).parent.parent / "data" / "communes.csv.gz"
# GeoNames-located communes are "municipality"; those placed among their neighbours are not.
EXACT_COORDINATES = ("geonames", "geonames-chef-lieu")
MAX_ALTERNATIVES = 8
CITIES_WITH_ARRONDISSEMENTS = {"paris": ("75", 20), "lyon": ("69", 9), "marseille": ("13", 16)}
# How far from the nearest commune's point a place may lie and still count as French: Guiana's
# communes are vast, and the Pacific collectivities spread theirs over many islands.
IN_FRANCE_KM = 30.0
IN_FRANCE_KM_SPARSE = 150.0
SPARSE_DEPARTMENTS = ("973", "986", "987", "988")
# How suggestions and choices write a commune: "Saint-Denis (93)", unique in the gazetteer.
CHOSEN = re.compile(r"(.+?)\s*\(\s*(\d{2,3}|2[abAB])\s*\)")


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

class Gazetteer(TypingLookups):
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
        text = query[:MAX_PLACE_CHARS * 2]
        deps: set[str] = set()
        parenthesised = PARENTHESISED_DEPARTMENT.search(text)
        if parenthesised:
            deps = self._department_codes(parenthesised.group(1))
            text = text[:parenthesised.start()] + " " + text[parenthesised.end():]
        tokens = fold(text).split()
        if not tokens:
            return []
        codes = [i for i, t in enumerate(tokens) if POSTCODE_OR_INSEE.fullmatch(t)]
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

    def chosen(self, query: str) -> Commune | None:
        """The one commune a "Name (department)" query names, as suggestions and choices write it."""
        m = CHOSEN.fullmatch(query.strip()) if isinstance(query, str) else None
        if m is None:
            return None
        deps = self._department_codes(m.group(2))
        found = [c for c in self.by_key.get(name_key(m.group(1)), []) if c.dep in deps]
        return found[0] if len(found) == 1 else None

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
    """The shipped gazetteer, opened once per process from its prepared file (see prepared.py)."""
    from .prepared import open_prepared  # prepared.py builds on this module

    return open_prepared()

