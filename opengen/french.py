"""French spelling rules the templates need around names they do not know: elision before a name.

No Flask: plain strings in, plain values out.
"""
from __future__ import annotations

import unicodedata

# Words starting with an aspirated h take no elision: « de Hautes Études », « de Hoche ».
# The common ones in the names of schools, towns and training organisations.
ASPIRATED_H = ("hache", "haie", "hall", "halle", "hameau", "hamac", "hanche", "handi", "hangar", "hardi",
               "haricot", "harpe", "hasard", "haut", "havre", "hennebont", "henn", "hérisson", "héro",
               "hêtre", "hibou", "hockey", "hollande", "hongr", "honte", "hors", "houb", "houille",
               "housse", "hublot", "huit", "hurl", "hutte", "hoche", "hague")
VOWELS = "aeiouœæ"


def _plain(word: str) -> str:
    """Lower-case, without accents (« École » reads « ecole »)."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def elides(name: str) -> bool:
    """Tell whether « de » before this name becomes « d’ » (« d’Ecole 42 », « d’Afpa », « de Simplon »).

    Elision before a vowel or a mute h; not before an aspirated h (« de Haute École »), nor before a
    y sounding as a consonant (« de Yoga Studio », but « d’Ynov »), a digit or punctuation.
    """
    word = _plain(name.strip().lstrip("«»\"'“”‘’ ").split(" ")[0]) if name else ""
    if not word:
        return False
    first = word[0]
    if first in VOWELS:
        return True
    if first == "y":
        return len(word) > 1 and word[1] not in VOWELS
    if first == "h":
        return len(word) > 1 and word[1] in VOWELS + "y" and not word.startswith(
            tuple(_plain(prefix) for prefix in ASPIRATED_H))
    return False
