"""Place suggestions as a visitor types: the time of one answer from the prepared gazetteer, in
process and over HTTP next to /healthz (the same server, the same connection, side by side).

Texts: 300 communes drawn at random (seed 7, weighted by nothing: villages are most of them), each
typed letter by letter from its second letter (what the combobox sends when the visitor pauses at
every letter, the worst case), their postal codes digit by digit, and one typo of each name (a
letter dropped, doubled, swapped or replaced) typed whole: the fuzzy path. Also the homonym check
and the "did you mean" of the search page.

Run: .venv/bin/python bench/suggest.py [communes]
"""
from __future__ import annotations

import http.client
import random
import statistics
import sys
import time

from _common import app_with_events, percentile, served

from opengen.places.gazetteer import default_gazetteer
from opengen.places.names import fold
from opengen.places.suggest import did_you_mean, homonyms, suggest


def typo(rng: random.Random, name: str) -> str:
    """One slip in a name: a letter dropped, doubled, swapped with the next, or replaced."""
    i = rng.randrange(1, max(2, len(name) - 1))
    kind = rng.choice("drop double swap replace".split())
    if kind == "drop":
        return name[:i] + name[i + 1:]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    if kind == "swap" and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + rng.choice("aeioulnrst") + name[i + 1:]


def texts(count: int) -> dict[str, list[str]]:
    rng = random.Random(7)
    gazetteer = default_gazetteer()
    communes = rng.sample(gazetteer.communes, count)
    prefixes = [c.name[:n] for c in communes for n in range(2, len(c.name) + 1)]
    postcodes = [c.postcodes[0][:n] for c in communes if c.postcodes for n in range(2, 6)]
    typos = [typo(rng, c.name) for c in communes if len(fold(c.name)) >= 5]
    TYPO_TARGETS.extend(c.insee for c in communes if len(fold(c.name)) >= 5)
    return {"name prefixes": prefixes, "postcode prefixes": postcodes, "typos (whole name)": typos}


TYPO_TARGETS: list[str] = []  # the commune each typo was made from


def typo_recall(items: list[str]) -> None:
    """How often the commune a typo was made from is suggested, and first."""
    gazetteer = default_gazetteer()
    first = listed = 0
    for text, insee in zip(items, TYPO_TARGETS):
        found = [s.insee for s in suggest(gazetteer, text)]
        first += found[:1] == [insee]
        listed += insee in found
    print(f"  typos: the commune meant is suggested for {listed / len(items):.0%} of them, "
          f"first for {first / len(items):.0%} (homonyms of it count as misses)")


def in_process(kinds: dict[str, list[str]]) -> None:
    gazetteer = default_gazetteer()
    print("in process, one suggest() call (ms):")
    print(f"  {'texts':<22}{'n':>6}{'p50':>8}{'p99':>8}{'max':>8}{'found':>8}")
    for kind, items in kinds.items():
        times, found = [], 0
        for text in items:
            started = time.perf_counter()
            found += bool(suggest(gazetteer, text))
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {kind:<22}{len(items):>6}{percentile(times, 50):>8.2f}{percentile(times, 99):>8.2f}"
              f"{max(times):>8.2f}{found / len(items):>8.0%}")
    for label, call in (("homonyms()", lambda t: homonyms(gazetteer, t)),
                        ("did_you_mean()", lambda t: did_you_mean(gazetteer, t, 3))):
        items = kinds["typos (whole name)"]
        times = []
        for text in items:
            started = time.perf_counter()
            call(text)
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {label + ' on typos':<22}{len(items):>6}{percentile(times, 50):>8.2f}"
              f"{percentile(times, 99):>8.2f}{max(times):>8.2f}")
    typo_recall(kinds["typos (whole name)"])


def over_http(kinds: dict[str, list[str]]) -> None:
    from urllib.parse import quote

    app = app_with_events(100)
    texts_all = [t for items in kinds.values() for t in items]
    with served(app) as base:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port))

        def get(path: str) -> float:
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, (path, response.status)
            return (time.perf_counter() - started) * 1000

        get("/healthz")
        get("/api/places/suggest?q=ly")
        suggest_ms, health_ms = [], []
        for text in texts_all:  # interleaved: both see the same machine load
            suggest_ms.append(get("/api/places/suggest?q=" + quote(text)))
            health_ms.append(get("/healthz"))
        connection.close()
    print(f"over HTTP (werkzeug, one keep-alive connection), {len(texts_all)} texts, ms:")
    print(f"  {'':<22}{'p50':>8}{'p99':>8}{'max':>8}")
    for label, values in (("/api/places/suggest", suggest_ms), ("/healthz", health_ms)):
        print(f"  {label:<22}{percentile(values, 50):>8.2f}{percentile(values, 99):>8.2f}{max(values):>8.2f}")
    print(f"  suggest / healthz at p50: {statistics.median(suggest_ms) / statistics.median(health_ms):.2f}x")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    started = time.perf_counter()
    default_gazetteer()
    print(f"gazetteer opened in {(time.perf_counter() - started) * 1000:.0f} ms")
    kinds = texts(count)
    in_process(kinds)
    over_http(kinds)
