"""What the gazetteer answers as a visitor types: communes by the start of their name or postal
code, and name keys close to a typo. Kept in memory here; the prepared gazetteer answers the same
from its file (prepared.py). No Flask."""
from __future__ import annotations

import bisect
import functools
import heapq
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Callable

from .names import trigrams, typing_keys

if TYPE_CHECKING:
    from .gazetteer import Commune

KEY_END = "\x7f"  # sorts after every character of a key or postal code: a prefix's range ends there
# Typos are looked up by the rarest letter triples of the text, as long as the names holding them
# stay within this many ("sai", "ain", "lle" are in 4,000 names each), and by at least MIN_PIECES.
POSTINGS_BUDGET = 4000
MIN_PIECES = 4


def rare_pieces(key: str, count: Callable[[str], int]) -> list[str]:
    """The letter triples of a key that typos are looked up by: the rarest first, within the budget."""
    kept: list[str] = []
    total = 0
    for piece in sorted(trigrams(key), key=lambda t: (count(t), t)):
        n = count(piece)
        if len(kept) >= MIN_PIECES and total + n > POSTINGS_BUDGET:
            break
        kept.append(piece)
        total += n
    return kept


class TypingLookups:
    """Mixed into Gazetteer, which gives `communes`, `by_key` and `by_insee`."""

    def prefixed(self, prefix: str, limit: int) -> list[Commune]:
        """Communes whose name, or a later word of it, starts with a key prefix: whole names
        first, then the most populous."""
        keys, rows = self._typing_index
        lo, hi = bisect.bisect_left(keys, prefix), bisect.bisect_left(keys, prefix + KEY_END)
        return self._distinct(heapq.nsmallest(limit * 2, rows[lo:hi]), limit)

    def postcode_prefixed(self, prefix: str, limit: int) -> list[Commune]:
        """Communes with a postal code starting with these digits, the most populous first."""
        codes, rows = self._postcode_index
        lo, hi = bisect.bisect_left(codes, prefix), bisect.bisect_left(codes, prefix + KEY_END)
        return self._distinct(heapq.nsmallest(limit * 4, rows[lo:hi]), limit)

    def similar_keys(self, key: str, limit: int) -> list[str]:
        """The name keys sharing the most three-letter pieces with a key, for typo matching."""
        postings = self._trigram_index
        pieces = rare_pieces(key, lambda t: len(postings.get(t, ())))
        shared = Counter(k for tri in pieces for k in postings.get(tri, ()))
        return [k for k, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]

    def _distinct(self, rows: list[tuple], limit: int) -> list[Commune]:
        out: dict[str, Commune] = {}
        for *_, insee in rows:
            out.setdefault(insee, self.by_insee[insee])
        return list(out.values())[:limit]

    @functools.cached_property
    def _typing_index(self) -> tuple[list[str], list[tuple]]:
        entries = sorted((key, n > 0, -c.population, c.insee)
                         for c in self.communes for n, key in enumerate(typing_keys(c.name)))
        return [e[0] for e in entries], [e[1:] for e in entries]

    @functools.cached_property
    def _postcode_index(self) -> tuple[list[str], list[tuple]]:
        entries = sorted((pc, -c.population, c.insee) for c in self.communes for pc in c.postcodes)
        return [e[0] for e in entries], [e[1:] for e in entries]

    @functools.cached_property
    def _trigram_index(self) -> dict[str, list[str]]:
        postings: dict[str, list[str]] = defaultdict(list)
        for key in self.by_key:
            for tri in trigrams(key):
                postings[tri].append(key)
        return postings
