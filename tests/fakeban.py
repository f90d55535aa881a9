"""A loopback stand-in for the Base Adresse Nationale API, for tests.

`FakeBAN` answers `/search?q=&limit=` and `/reverse?lat=&lon=` in the BAN's GeoJSON format
(a FeatureCollection whose features have a Point geometry [lon, lat] and properties label,
score, type, postcode, citycode, city, context...). A `/search` carrying `format=json` is
answered the way Nominatim does instead, so the same server can stand for either service.

It can be told to fail: `server.mode = 429 | 500 | 503 | 400 | "hang" | "garbage"`, or
`server.go_down()` to stop listening (connections are then refused). Every request is recorded
in `server.requests` as (monotonic time, path, params). `record_timeouts(geocoder)` records the
time-out of each call the geocoder makes to its online service, which bounds how long it waits.

    with FakeBAN() as ban:
        geocoder = Geocoder("ban", ban_domain=ban.domain, ban_scheme="http")
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def feature(label: str, lat: float, lon: float, kind: str, *, postcode: str, citycode: str,
            city: str, context: str, name: str | None = None, housenumber: str | None = None,
            street: str | None = None, country_code: str = "fr") -> dict:
    """A BAN feature as the real API shapes it (country_code is for the Nominatim answers)."""
    props = {"label": label, "score": 0.0, "id": f"{citycode}_{abs(hash(label)) % 10**6:06d}",
             "type": kind, "name": name or label.split(f" {postcode}")[0], "postcode": postcode,
             "citycode": citycode, "x": 0.0, "y": 0.0, "city": city, "context": context,
             "importance": 0.5}
    if housenumber:
        props["housenumber"] = housenumber
    if street:
        props["street"] = street
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": props, "_country_code": country_code}


# Real places with their true coordinates, as the BAN would return them.
DEFAULT_FEATURES = [
    feature("8 Boulevard du Port 80000 Amiens", 49.897442, 2.290084, "housenumber",
            postcode="80000", citycode="80021", city="Amiens", context="80, Somme, Hauts-de-France",
            name="8 Boulevard du Port", housenumber="8", street="Boulevard du Port"),
    feature("Rue de Rivoli 75001 Paris", 48.860611, 2.337644, "street", postcode="75001",
            citycode="75101", city="Paris", context="75, Paris, Île-de-France", name="Rue de Rivoli"),
    feature("Saint-Denis", -20.882057, 55.450675, "municipality", postcode="97400",
            citycode="97411", city="Saint-Denis", context="974, La Réunion"),
    feature("Saint-Denis", 48.936181, 2.357443, "municipality", postcode="93200",
            citycode="93066", city="Saint-Denis", context="93, Seine-Saint-Denis, Île-de-France"),
    feature("Lyon", 45.758, 4.835, "municipality", postcode="69001", citycode="69123",
            city="Lyon", context="69, Rhône, Auvergne-Rhône-Alpes"),
    feature("La Défense 92800 Puteaux", 48.8918, 2.2384, "locality", postcode="92800",
            citycode="92062", city="Puteaux", context="92, Hauts-de-Seine, Île-de-France",
            name="La Défense"),
    # What a misbehaving service might send: a point in Germany with no French commune code.
    feature("Unter den Linden 10117 Berlin", 52.5170, 13.3889, "street", postcode="10117",
            citycode="", city="Berlin", context="Berlin", name="Unter den Linden", country_code="de"),
]


def _words(text: str) -> set[str]:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return set(re.findall(r"[a-z0-9]+", text))


def record_timeouts(geocoder) -> list[float]:
    """Record in the returned list the time-out given to each call to the geocoder's online service."""
    timeouts: list[float] = []
    for name in ("geocode", "reverse"):
        def spy(*args, _call=getattr(geocoder.service, name), **kwargs):
            timeouts.append(kwargs["timeout"])
            return _call(*args, **kwargs)

        setattr(geocoder.service, name, spy)
    return timeouts


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        fake.requests.append((time.monotonic(), url.path, params))
        mode = fake.mode
        if mode == "hang":
            fake._release.wait(fake.hang_s)
            self.close_connection = True
            return
        if isinstance(mode, int):
            headers = {"Retry-After": str(fake.retry_after)} if mode == 429 and fake.retry_after else {}
            self._send(mode, {"code": mode, "message": "fake failure"}, headers)
            return
        if mode == "garbage":
            self._send_raw(200, b"<html>maintenance</html>", "text/html")
            return
        if url.path == "/search" and "format" in params:
            self._send(200, fake.nominatim(params.get("q", ""), int(params.get("limit", 10))))
        elif url.path == "/search":
            q = params.get("q", "")
            if len(q.strip()) < 3:
                self._send(400, {"code": 400, "message": "q must contain between 3 and 200 chars"})
                return
            self._send(200, fake.search(q, int(params.get("limit", 5))))
        elif url.path == "/reverse":
            try:
                lat, lon = float(params["lat"]), float(params["lon"])
            except (KeyError, ValueError):
                self._send(400, {"code": 400, "message": "lat/lon required"})
                return
            self._send(200, fake.reverse(lat, lon))
        else:
            self._send(404, {"code": 404, "message": "not found"})

    def _send(self, status: int, body: object, headers: dict | None = None) -> None:
        self._send_raw(status, json.dumps(body).encode(), "application/json", headers)

    def _send_raw(self, status: int, data: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeBAN


class FakeBAN:
    """Loopback BAN (and Nominatim) server; see the module docstring."""

    def __init__(self, features: list[dict] | None = None, hang_s: float = 10.0) -> None:
        self.features = list(DEFAULT_FEATURES if features is None else features)
        self.mode: int | str = "ok"
        self.retry_after = 0
        self.hang_s = hang_s
        self.requests: list[tuple[float, str, dict]] = []
        self._release = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def domain(self) -> str:
        """host:port to give the geocoder."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> FakeBAN:
        """Listen on a free loopback port (the same one again after go_down, if possible)."""
        self._release.clear()
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def go_down(self) -> None:
        """Stop listening: later connections to the port are refused."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakeBAN:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.go_down()

    # -- answers --

    def _ranked(self, query: str) -> list[tuple[float, dict]]:
        wanted = _words(query)
        ranked = []
        for f in self.features:
            p = f["properties"]
            have = _words(" ".join([p["label"], p["city"], p["postcode"], p["context"]]))
            if wanted and wanted <= have:
                ranked.append((round(0.5 + 0.5 * len(wanted) / len(have), 4), f))
        ranked.sort(key=lambda sf: -sf[0])
        return ranked

    def _public(self, f: dict, score: float) -> dict:
        out = json.loads(json.dumps({k: v for k, v in f.items() if not k.startswith("_")}))
        out["properties"]["score"] = score
        return out

    def search(self, query: str, limit: int) -> dict:
        """BAN /search answer."""
        found = [self._public(f, s) for s, f in self._ranked(query)[:limit]]
        return {"type": "FeatureCollection", "version": "draft", "features": found,
                "attribution": "BAN", "licence": "ETALAB-2.0", "query": query, "limit": limit}

    def reverse(self, lat: float, lon: float) -> dict:
        """BAN /reverse answer: the nearest known feature within 5 km."""
        def km(f: dict) -> float:
            flon, flat = f["geometry"]["coordinates"]
            return 111.2 * math.hypot(flat - lat, (flon - lon) * math.cos(math.radians(lat)))

        near = sorted((f for f in self.features if km(f) < 5), key=km)[:1]
        return {"type": "FeatureCollection", "version": "draft",
                "features": [self._public(f, 0.99) for f in near], "attribution": "BAN",
                "licence": "ETALAB-2.0", "limit": 1}

    def nominatim(self, query: str, limit: int) -> list[dict]:
        """Nominatim /search?format=json answer built from the same features (it ignores
        countrycodes on purpose, so that the geocoder's own check is what is tested)."""
        out = []
        for _, f in self._ranked(query)[:limit]:
            p = f["properties"]
            lon, lat = f["geometry"]["coordinates"]
            kind = {"housenumber": "building", "street": "road", "municipality": "city"}.get(p["type"], "suburb")
            address = {"postcode": p["postcode"], "city": p["city"], "country_code": f["_country_code"]}
            if p.get("housenumber"):
                address["house_number"] = p["housenumber"]
            out.append({"place_id": abs(hash(p["label"])) % 10**8, "lat": str(lat), "lon": str(lon),
                        "display_name": f"{p['label']}, France", "addresstype": kind, "type": kind,
                        "class": "place", "importance": 0.5, "address": address})
        return out
