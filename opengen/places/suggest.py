"""Communes suggested as a visitor types a place, from the shipped gazetteer (so they come when the
address service is down): by the start of a name or of a postal code, then by a typo; the
homonyms a bare name may mean. No Flask."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .gazetteer import Commune, Gazetteer
from .names import MAX_PLACE_CHARS, PARENTHESISED_DEPARTMENT, fold, typo_distance

MAX_SUGGESTIONS = 8
MIN_NAME_CHARS = 2  # one letter names thousands of communes: wait for the second
MIN_TYPO_CHARS = 4  # below this a "typo" is another name
TYPO_CANDIDATES = 100  # name keys sharing the most letter triples, ranked then by edits
# A bare name is asked about when its second commune has at least this share of the first's
# population: "Saint-Denis" (La Réunion 155,634; Seine-Saint-Denis 149,077) asks; "Valence"
# (Drôme 64,458; Tarn-et-Garonne 5,289) takes the Drôme's and lists the others under the results.
HOMONYM_SHARE = 0.1


@dataclass(frozen=True)
class Suggestion:
    """A commune offered to the visitor, with what tells it apart from its homonyms."""

    name: str
    insee: str
    postcodes: tuple[str, ...]
    department: str
    department_name: str
    region: str
    lat: float
    lon: float
    parent: str = ""  # an arrondissement's city

    @classmethod
    def of(cls, commune: Commune) -> Suggestion:
        """The suggestion for a gazetteer commune."""
        return cls(name=commune.name, insee=commune.insee, postcodes=commune.postcodes, department=commune.dep,
                   department_name=commune.dep_name, region=commune.region, lat=commune.lat, lon=commune.lon,
                   parent=commune.parent)

    @property
    def query(self) -> str:
        """What the field receives when it is chosen: one commune, whatever the geocoder ("Saint-Denis (93)")."""
        return f"{self.name} ({self.department})"

    @property
    def label(self) -> str:
        """Name, department and region: "Saint-Denis (93, Seine-Saint-Denis, Île-de-France)",
        "Saint-Denis (974, La Réunion)" where the department is its own region."""
        areas = [self.department, self.department_name]
        if fold(self.region) != fold(self.department_name):
            areas.append(self.region)
        return f"{self.name} ({', '.join(areas)})"

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form."""
        return {"name": self.name, "insee": self.insee, "postcodes": list(self.postcodes),
                "department": self.department, "department_name": self.department_name,
                "region": self.region, "lat": self.lat, "lon": self.lon, "label": self.label,
                "query": self.query}


def _parse(text: str) -> tuple[str, str, set[str]]:
    """Name key, leading postal digits and department codes ("(93)") of a typed text."""
    text = text[:MAX_PLACE_CHARS] if isinstance(text, str) else ""
    deps: set[str] = set()
    parenthesised = PARENTHESISED_DEPARTMENT.search(text)
    if parenthesised:
        code = parenthesised.group(1).upper()
        deps = {"2A", "2B"} if code == "20" else {code}
        text = text[:parenthesised.start()] + " " + text[parenthesised.end():]
    words = fold(text).split()
    digits = ""
    while words and words[0].isdigit() and not digits:
        digits = words.pop(0)
    return "".join(words), digits, deps


def suggest(gazetteer: Gazetteer, text: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Communes a typed text may be heading for: names (or a later word of them) starting with it,
    postal codes starting with its digits, then names one or two slips away; best first."""
    key, digits, deps = _parse(text)
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    if len(digits) > 5 or (not key and len(digits) < 2) or (key and len(key) < MIN_NAME_CHARS):
        return []

    def wanted(c: Commune) -> bool:
        return (not deps or c.dep in deps) and (not digits or any(pc.startswith(digits) for pc in c.postcodes))

    if not key:
        found = [c for c in gazetteer.postcode_prefixed(digits, limit * 4) if wanted(c)]
        # "75013" is Paris's 13th arrondissement before it is Paris.
        within = {c.parent for c in found if c.parent}
        found = [c for c in found if c.insee not in within]
    else:
        narrowed = bool(deps or digits)
        found = [c for c in gazetteer.prefixed(key, limit * 8 if narrowed else limit) if wanted(c)]
        if not found:  # nothing starts so: a typo, "Marsielle", "Montpelier"
            found = [c for c in _typos(gazetteer, key) if wanted(c)]
    return [Suggestion.of(c) for c in found[:limit]]


def did_you_mean(gazetteer: Gazetteer, text: str, limit: int) -> list[Suggestion]:
    """The communes a text that names no place may have meant: as suggest(), a city standing for
    its arrondissements ("Marseil": Marseille, not Marseille 13e, 8e...)."""
    found = suggest(gazetteer, text)
    cities = {s.insee for s in found}
    return [s for s in found if s.parent not in cities][:limit]


def _typos(gazetteer: Gazetteer, key: str) -> list[Commune]:
    """Communes whose name, or its start as far as typed, is one slip away (two past five letters)."""
    if len(key) < MIN_TYPO_CHARS:
        return []
    allowed = 1 if len(key) <= 5 else 2
    ranked = []
    for candidate in gazetteer.similar_keys(key, TYPO_CANDIDATES):
        edits = min(typo_distance(key, candidate, allowed), typo_distance(key, candidate[:len(key)], allowed))
        if edits <= allowed:
            for commune in gazetteer.by_key.get(candidate, []):
                ranked.append((edits, -commune.population, commune.insee, commune))
    return [row[-1] for row in sorted(ranked, key=lambda row: row[:3])]


def homonyms(gazetteer: Gazetteer, text: str) -> list[Suggestion]:
    """The communes a bare name means when several of comparable size bear it ("Saint-Denis"),
    most populous first; empty when the text says which (a department, a postal code) or when
    one of them is far larger than the others."""
    key, digits, deps = _parse(text)
    if digits or deps or not key:
        return []
    found = gazetteer.by_key.get(key, [])
    if len(found) < 2 or found[1].population < HOMONYM_SHARE * found[0].population:
        return []
    return [Suggestion.of(c) for c in found[:MAX_SUGGESTIONS]]
