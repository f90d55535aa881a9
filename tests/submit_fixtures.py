"""Fixtures for the submission and moderation tests: a loopback address service speaking the BAN
protocol, a loopback SMTP server, staff accounts, and helpers that fill and post the real forms."""
from __future__ import annotations

import html
import re
import socketserver
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from opengen.db import db
from opengen.places.lookup import EXTENSION as GEOCODER_EXTENSION
from opengen.submissions.moderation import create_admin

from .conftest import csrf_token
from .fakeban import FakeBAN, feature

# Venues the submission tests use, as the BAN would return them (real INSEE codes).
FEATURES = [
    feature("55 Rue de Vincennes 93100 Montreuil", 48.85743, 2.43812, "housenumber", postcode="93100",
            citycode="93048", city="Montreuil", context="93, Seine-Saint-Denis, Île-de-France"),
    feature("1 Rue de la Paix 75002 Paris", 48.86898, 2.33144, "housenumber", postcode="75002",
            citycode="75102", city="Paris", context="75, Paris, Île-de-France"),
    feature("1 Rue de la République 93200 Saint-Denis", 48.93620, 2.35740, "housenumber",
            postcode="93200", citycode="93066", city="Saint-Denis",
            context="93, Seine-Saint-Denis, Île-de-France"),
    feature("10 Rue Victor Hugo 69002 Lyon", 45.75601, 4.83012, "housenumber", postcode="69002",
            citycode="69382", city="Lyon", context="69, Rhône, Auvergne-Rhône-Alpes"),
    feature("2 Rue de la Victoire 97110 Pointe-à-Pitre", 16.24100, -61.53300, "housenumber",
            postcode="97110", citycode="97120", city="Pointe-à-Pitre", context="971, Guadeloupe"),
]


def use_geocoder(app, **settings) -> None:
    """Point the app's geocoder at other settings (it is rebuilt on next use)."""
    app.config.update(settings)
    app.extensions.pop(GEOCODER_EXTENSION, None)


@pytest.fixture
def fake_ban(app):
    """The app's geocoder pointed at a loopback BAN server."""
    with FakeBAN(FEATURES) as ban:
        use_geocoder(app, GEOCODER="ban", GEOCODER_BAN_DOMAIN=ban.domain, GEOCODER_BAN_SCHEME="http")
        yield ban
    app.extensions.pop(GEOCODER_EXTENSION, None)


@pytest.fixture
def ban_down(app):
    """The app's geocoder pointed at a loopback BAN server that is down (connections refused)."""
    ban = FakeBAN(FEATURES).start()
    ban.go_down()
    use_geocoder(app, GEOCODER="ban", GEOCODER_BAN_DOMAIN=ban.domain, GEOCODER_BAN_SCHEME="http",
                 GEOCODER_TIMEOUT=1.0)
    yield ban
    app.extensions.pop(GEOCODER_EXTENSION, None)


class SmtpSink:
    """A loopback SMTP server that keeps every message it receives."""

    def __init__(self):
        self.messages: list[dict] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.reply("220 sink ready")
                mail_from, rcpt, data = None, [], None
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.decode("utf-8", "replace").strip()
                    verb = command.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 sink")
                    elif verb == "MAIL":
                        mail_from = command[10:]
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        rcpt.append(command[8:])
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        lines = []
                        while True:
                            chunk = self.rfile.readline()
                            if chunk in (b".\r\n", b".\n", b""):
                                break
                            lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        data = b"".join(lines).decode("utf-8", "replace")
                        sink.messages.append({"from": mail_from, "to": rcpt, "data": data})
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 OK")

            def reply(self, text):
                self.wfile.write((text + "\r\n").encode())

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp_sink(app):
    """A loopback SMTP server configured as the app's MAIL_SERVER."""
    sink = SmtpSink()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
    yield sink
    sink.close()


ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture
def make_admin(ctx):
    def make(email: str = "moderatrice@gen.example.org", password: str = ADMIN_PASSWORD):
        admin = create_admin(email, password)
        db.session.commit()
        return admin
    return make


def login(client, email: str = "moderatrice@gen.example.org", password: str = ADMIN_PASSWORD):
    """Log a staff member in through the real login form; return the response."""
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    return client.post("/admin/login", data={"csrf_token": token, "email": email, "password": password})


def valid_form(**overrides) -> MultiDict:
    """A complete, valid submission as a school would post it (two one-hour slots in the grid)."""
    data = MultiDict({
        "school_name": "Simplon Montreuil", "contact_email": "contact@simplon.example.org",
        "title": "Atelier : crée ta première page web",
        "description": "Une heure pour écrire ta première page web, sans prérequis.",
        "kind": "workshop", "format": "onsite", "venue_name": "Campus Simplon",
        "address": "55 rue de Vincennes", "postcode": "93100", "city": "Montreuil", "capacity": "12",
        "registration_url": "https://inscription.example.org/1",
    })
    data.setlist("families", ["web-development"])
    data.setlist("grid", ["2021-11-29T09", "2021-11-30T14"])
    for key, value in overrides.items():
        if isinstance(value, list):
            data.setlist(key, value)
        elif value is None:
            data.poplist(key)
        else:
            data[key] = value
    return data


def hidden_inputs(page: str) -> MultiDict:
    """Every hidden input of a page, as a browser would post them back."""
    pairs = re.findall(r'<input type="hidden" name="([^"]+)" (?:id="[^"]*" )?value="([^"]*)"', page)
    return MultiDict([(name, html.unescape(value)) for name, value in pairs])


def replace_values(data: MultiDict, values: dict) -> MultiDict:
    """Set each key to one value (MultiDict.update would add a second one)."""
    for key, value in values.items():
        data[key] = value
    return data


def preview(client, data: MultiDict):
    """Post the form (first step) with a real CSRF token; return the response."""
    data = MultiDict(data)
    data["csrf_token"] = csrf_token(client.get("/submit").get_data(as_text=True))
    data["preview"] = "Vérifier"
    return client.post("/submit", data=data)


def confirm(client, confirmation_page: str, pin: tuple[float, float] | None = None):
    """Post the confirmation step back, optionally with the pin moved; return the response."""
    data = hidden_inputs(confirmation_page)
    data["csrf_token"] = csrf_token(confirmation_page)
    if pin is not None:
        data["pin_lat"], data["pin_lon"] = str(pin[0]), str(pin[1])
    data["confirm"] = "Confirmer"
    return client.post("/submit", data=data)


def submit(client, data: MultiDict | None = None, pin=None) -> str:
    """Fill, check and confirm a submission; return the edit link's path."""
    first = preview(client, data if data is not None else valid_form())
    assert first.status_code == 200, re.findall(r'class="field-error"[^>]*>([^<]*)', first.get_data(as_text=True))
    second = confirm(client, first.get_data(as_text=True), pin)
    assert second.status_code == 303, second.get_data(as_text=True)[:2000]
    done = client.get("/submit/merci").get_data(as_text=True)
    link = re.search(r'id="edit-link" class="link-box" type="text" readonly value="([^"]+)"', done).group(1)
    return urlsplit(link).path


def field_error(page: str, field_id: str) -> str:
    """Return the error shown next to a field ('' if none)."""
    match = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', page)
    return html.unescape(match.group(1)) if match else ""


# Paris wall time a week before the test edition (Open Gen 2021): its submission window is open
# and its sessions are still to come. Without it the real clock (years later) finds the 2021
# edition over, so it takes no proposals and its sessions are archives.
BEFORE_THE_WEEK = "2021-11-20T10:00"


@pytest.fixture
def submissions_open(app):
    """Freeze the site's clock before the test edition's week, while it takes proposals."""
    app.config["FROZEN_NOW"] = BEFORE_THE_WEEK
    yield app
    app.config["FROZEN_NOW"] = None
