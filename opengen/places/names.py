"""Place text as the geocoders compare it: folded words, name keys, typos, postal and department codes. No Flask."""
from __future__ import annotations

import re
import unicodedata

MAX_PLACE_CHARS = 200  # the longest place text searched for: the BAN refuses longer queries
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
ROMAN = {r: i for i, r in enumerate(
    "i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split(), start=1)}
ORDINAL = re.compile(r"(\d{1,2}|[ivx]{1,5})(e|er|ere|eme|ieme|em|me)?")
# A French postal code: two digits of department (01 to 98, Corsica's 20, three overseas), three more.
POSTCODE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")
# In folded text: a postal code or an INSEE code (Corsica's are 2a..., 2b...), a department code.
POSTCODE_OR_INSEE = re.compile(r"\d{5}|2[ab]\d{3}")
DEPARTMENT_CODE = re.compile(r"\d{2}|2a|2b|97[1-8]|98[6-8]")
# In the typed text: "Saint-Denis (93)", "Ajaccio (2A)".
PARENTHESISED_DEPARTMENT = re.compile(r"\(\s*(\d{2,3}|2[abAB])\s*\)")


def ascii_words(text: str) -> list[str]:
    """Lowercase ASCII words of a text, accents and punctuation dropped ("L'Église" -> ["l", "eglise"])."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", ascii_text.lower())


def fold(text: str) -> str:
    """Lowercase ASCII words of a place text, with St/Ste spelled out ("St-Étienne" -> "saint etienne")."""
    return " ".join(ABBREVIATIONS.get(w, w) for w in ascii_words(text.translate(LIGATURES)))


def name_key(text: str) -> str:
    """Key under which names match whatever their spaces, hyphens and apostrophes."""
    return fold(text).replace(" ", "")


def cache_key(query: str) -> str:
    """Normalised form of a query, for caching its answer."""
    return fold(query)[:MAX_PLACE_CHARS]


def department_of(postcode: str | None) -> str | None:
    """Return the department part of a postcode (three digits overseas, Corsica as 20)."""
    if not postcode or not POSTCODE.match(postcode):
        return None
    return postcode[:3] if postcode.startswith("97") or postcode.startswith("98") else postcode[:2]


def is_qualifier(word: str) -> bool:
    """Tell whether a folded word qualifies a town: a number ("12", "12bis", "3e"), "XIIIe", "cedex"..."""
    if word[0].isdigit() or word in QUALIFIER_WORDS:
        return True
    ordinal = ORDINAL.fullmatch(word)
    return bool(ordinal and ordinal.group(2) and ordinal.group(1) in ROMAN)


def is_street(words: list[str]) -> bool:
    """Tell whether folded words hold a street: a street-type word, then its name, whole."""
    return bool(words) and words[-1] not in LINKING_WORDS and any(w in STREET_WORDS for w in words[:-1])


def typo_distance(a: str, b: str, most: int | None = None) -> int:
    """Edits (insert, delete, replace, swap two neighbours) turning a into b; past `most`, some
    number above it (the count stops early)."""
    if most is not None and abs(len(a) - len(b)) > most:
        return most + 1
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            best = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, before[j - 2] + 1)
            current.append(best)
        if most is not None and min(current) > most and (before is None or min(row) > most):
            return most + 1  # every later row is at least as far (a swap reaches back one row)
        before, row = row, current
    return row[-1]



def typing_keys(name: str) -> list[str]:
    """Keys under which a name is found as it is typed: the whole name key, then the key from each
    later word that is neither a linking word nor a number ("Villiers-Saint-Denis" -> villierssaintdenis,
    saintdenis, denis; "Lyon 3e Arrondissement" -> lyon3earrondissement)."""
    words = fold(name).split()
    keys = ["".join(words)]
    for i in range(1, len(words)):
        if words[i] not in LINKING_WORDS and not is_qualifier(words[i]):
            keys.append("".join(words[i:]))
    return list(dict.fromkeys(keys))


def trigrams(key: str) -> set[str]:
    """The three-letter pieces of a name key, its start marked ("^ma", "mar", "ars"...), for typo matching."""
    marked = "^" + key
    return {marked[i:i + 3] for i in range(max(1, len(marked) - 2))}
