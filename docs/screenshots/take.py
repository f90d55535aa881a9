"""Take the README's screenshots: seed a demo database, serve it, photograph the main pages in
headless Chromium on a phone (360x740, touch) and a laptop (1366x768).

    .venv/bin/python docs/screenshots/take.py        # writes docs/screenshots/*.png

Deterministic: the clock is frozen on the week before the 2021 demo edition, the demo programme
is seeded with fixed seeds, map tiles are answered locally with a plain grey tile (no internet),
animations are reduced. Only the viewport is photographed (what a visitor sees first), and the
PNGs are reduced to a 256-colour palette to keep the repository small.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402
from PIL import Image  # noqa: E402  (Pillow comes with reportlab, in requirements.txt)
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from sqlalchemy import select, update  # noqa: E402

from opengen import clock, create_app  # noqa: E402
from opengen.db import db, upgrade_schema  # noqa: E402
from opengen.demo import seed  # noqa: E402
from opengen.models import Event, Submission, Venue  # noqa: E402
from opengen.submissions.imports import example_csv, import_file  # noqa: E402
from opengen.submissions.moderation import create_admin  # noqa: E402

OUT = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
STAFF = ("equipe@gen.example.org", "capture-d-ecran-2021")
PHONE = dict(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=1)
LAPTOP = dict(viewport={"width": 1366, "height": 768}, device_scale_factor=1)
# Pending proposals for the staff queue: (school, title, address, postcode, town, start).
PROPOSALS = [
    ("Simplon Montreuil", "Atelier : crée ta première page web", "55 rue de Vincennes", "93100", "Montreuil", "14:00"),
    ("Wild Code School Lyon", "Découvrir le métier de développeur", "10 rue Victor Hugo", "69002", "Lyon", "10:00"),
    ("Ada Tech School Lille", "Une heure dans la peau d’une technicienne réseau", "1 place du Théâtre",
     "59000", "Lille", "16:00"),
]


def grey_tile() -> bytes:
    """Return a 256x256 light-grey PNG, answered for every map tile."""
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (226, 229, 234)).save(out, "PNG")
    return out.getvalue()


def compile_catalogues() -> None:
    """Compile each English/other .po into its .mo when missing or older (as `make compile-translations`)."""
    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalogue = read_po(source, locale=po.parts[-3])
            with mo.open("wb") as target:
                write_mo(target, catalogue)


def proposals_csv(day: str) -> bytes:
    """Return a CSV of pending proposals, in the columns of the import's own model file."""
    header, example = list(csv.reader(io.StringIO(example_csv()), delimiter=";"))[:2]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for school, title, address, postcode, town, start in PROPOSALS:
        row = dict(zip(header, example))
        row.update(ecole=school, titre=title, lieu=f"Campus {school}", adresse=address, code_postal=postcode,
                   ville=town, jour=day, debut=start, fin=f"{int(start[:2]) + 1:02d}:00")
        writer.writerow([row[column] for column in header])
    return out.getvalue().encode("utf-8")


def build_app(path: Path):
    """Return an app on a fresh SQLite file holding the demo week, pending proposals and a staff account."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "screenshots",
                      "GEOCODER": "offline", "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png",
                      "FROZEN_NOW": "2021-11-22T10:00", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade_schema()
        seed()
        create_admin(*STAFF)
        db.session.commit()
    with app.test_request_context():
        report = import_file(proposals_csv("29/11/2021"), client_key="screenshots")
        if report.rejected or report.file_error:
            raise SystemExit(f"proposals refused: {report.file_error or report.rejected}")
        # Rows are stamped with the real time; the pictures show the frozen one, whatever the day.
        db.session.execute(update(Submission).values(created_at=clock.now()))
        db.session.commit()
    return app


def save(page, name: str) -> None:
    """Photograph the viewport into docs/screenshots/<name>.png, as a 256-colour PNG."""
    page.evaluate("() => document.fonts.ready")
    page.wait_for_timeout(300)  # let Leaflet place the markers of the last move
    image = Image.open(io.BytesIO(page.screenshot(animations="disabled", caret="hide")))
    image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        OUT / f"{name}.png", optimize=True)
    print(f"  {name}.png", flush=True)


def wait_for_map(page) -> None:
    """Wait until the home page's map has drawn its markers or clusters."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-marker-icon').length > 0")


def photograph(browser, base: str, size: str, profile: dict, session_id: int) -> None:
    """Take every screen at one size."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", reduced_motion="reduce",
                                  **profile)
    tile = grey_tile()
    context.route("http://tiles.invalid/**", lambda route: route.fulfill(status=200, body=tile,
                                                                         content_type="image/png"))
    context.set_default_timeout(90000)  # two cores shared with others: be patient
    page = context.new_page()

    page.goto(f"{base}/")
    wait_for_map(page)
    save(page, f"{size}-home")

    page.goto(f"{base}/?q=Lyon&radius_km=25")
    wait_for_map(page)
    save(page, f"{size}-search")

    if size == "phone":
        page.click(".view-switch button:last-child")
        page.wait_for_function("() => document.querySelector('.home-layout').dataset.view === 'map'")
        page.locator(".view-switch").scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, document.querySelector('.view-switch').getBoundingClientRect().top)")
        page.wait_for_timeout(500)
        save(page, f"{size}-search-map")

    page.goto(f"{base}/events/{session_id}")
    page.wait_for_load_state("networkidle")
    save(page, f"{size}-session")

    page.goto(f"{base}/proposer")
    page.wait_for_load_state("networkidle")
    save(page, f"{size}-submit")

    page.goto(f"{base}/admin/login")
    page.fill("#email", STAFF[0])
    page.fill("#password", STAFF[1])
    page.click("#login")
    page.goto(f"{base}/admin/")
    page.wait_for_load_state("networkidle")
    # The list of proposals, under their map: the part staff work in.
    page.evaluate("() => window.scrollTo(0, document.querySelector('#queue-heading').offsetTop - 16)")
    save(page, f"{size}-staff-queue")

    page.goto(f"{base}/langue/en?next=/")
    wait_for_map(page)
    save(page, f"{size}-home-english")
    context.close()


def main() -> None:
    """Seed, serve, photograph."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("phone", "laptop"), action="append",
                        help="only these sizes (default: both)")
    sizes = parser.parse_args().size or ["phone", "laptop"]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    compile_catalogues()
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder) / "screenshots.db")
        with app.app_context():
            session_id = db.session.scalar(select(Event.id).join(Venue).where(Venue.city == "Lyon", Event.is_demo)
                                           .order_by(Event.start_at, Event.id).limit(1))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                launch = dict(headless=True, args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                   "--font-render-hinting=none"])
                if os.path.exists(CHROMIUM):
                    launch["executable_path"] = CHROMIUM
                browser = playwright.chromium.launch(**launch)
                for size in sizes:
                    print(f"{size}:", flush=True)
                    photograph(browser, base, size, PHONE if size == "phone" else LAPTOP, session_id)
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
