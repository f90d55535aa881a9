"""In Chromium: a school submits and drags its pin, staff approve, the session shows on the map at the
corrected place, the school edits then cancels it through its link. School-written script never runs."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from opengen.db import db
from opengen.models import Event, EventStatus, Venue

from ..submit_fixtures import ADMIN_PASSWORD
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("submissions_open")]

PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def assert_inert(page) -> None:
    """No school-written script ran on this page."""
    assert page.evaluate("window.__xss") is None
    assert page.log.dialogs == [] and page.log.errors == []


def test_a_school_submits_staff_approve_and_the_school_edits_then_cancels(page, fake_ban, make_admin):
    make_admin()
    base = page.base_url

    # The form: fill it as a school would, with script in the text fields.
    page.goto(f"{base}/proposer")
    assert_accessible(page)
    page.fill("#school_name", "École du Code " + PAYLOAD)
    page.fill("#contact_email", "contact@ecole.example.org")
    page.fill("#title", "Atelier : ton premier site " + PAYLOAD)
    page.fill("#description", "Une heure pour créer ton premier site.\n" + PAYLOAD)
    page.check("#kind-0")
    page.check("#families-0")
    page.fill("#venue_name", "Campus du Code")
    page.fill("#address", "55 rue de Vincennes")
    page.fill("#postcode", "93100")
    page.fill("#city", "Montreuil")
    page.check("#grid-2021-11-29T14")
    page.check("#grid-2021-12-01T10")
    page.click("#preview")
    page.wait_for_selector("#summary-heading")
    assert page.log.errors == [], page.log.errors

    # The confirmation: the pin at the address found; drag it to the building.
    page.wait_for_selector(".leaflet-marker-icon")
    assert "Vérifiez votre proposition" in page.content()
    assert_accessible(page)
    assert_inert(page)
    start = (float(page.input_value("#pin_lat")), float(page.input_value("#pin_lon")))
    assert start == (48.85743, 2.43812)
    box = page.locator(".leaflet-marker-icon").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 25, steps=8)
    page.mouse.up()
    page.wait_for_function("() => document.getElementById('pin-status').textContent.length > 0")
    moved = (float(page.input_value("#pin_lat")), float(page.input_value("#pin_lon")))
    assert moved != start and moved[0] < start[0] and moved[1] > start[1]  # south-east, as dragged
    page.click("#confirm")

    # The edit link, shown once.
    page.wait_for_selector("#edit-link")
    assert_accessible(page)
    link = page.input_value("#edit-link")
    assert "/submit/edit/" in link
    venue = db.session.scalars(select(Venue)).one()
    assert (venue.lat, venue.lon, venue.pin_corrected) == (moved[0], moved[1], True)

    # Staff log in, find it in the queue with its pin, approve it.
    page.goto(f"{base}/admin/")
    page.wait_for_selector("#email")
    assert "/admin/login" in page.url
    assert_accessible(page)
    page.fill("#email", "moderatrice@gen.example.org")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login")
    page.wait_for_selector(".queue-item")
    assert_accessible(page)
    assert_inert(page)
    assert page.locator(".leaflet-interactive").count() == 1
    page.click(".queue-item h3 a")
    page.wait_for_selector("#approve")
    assert_accessible(page)
    assert_inert(page)
    page.click("#approve")
    page.wait_for_selector(".flash-success")
    db.session.rollback()  # end the test's read transaction: SQLite shows it a snapshot
    assert {e.status for e in db.session.scalars(select(Event))} == {EventStatus.published}

    # The map shows both sessions at the corrected position.
    page.goto(base + "/")
    page.wait_for_function("() => document.body.dataset.markersLoaded === '2'")
    # One marker for the one address, standing for both sessions.
    points = page.evaluate("window.opengenMap.cluster.getLayers().map(m => [+m.getLatLng().lat.toFixed(5), "
                           "+m.getLatLng().lng.toFixed(5), m.sessionCount || 1])")
    assert points == [[round(moved[0], 5), round(moved[1], 5), 2]]
    assert_inert(page)

    # The school edits one session through its link ...
    page.goto(link)
    assert_accessible(page)
    assert_inert(page)
    page.locator(".manage-item").first.locator("a.button", has_text="Modifier").click()
    page.wait_for_selector("#save")
    assert_accessible(page)
    page.fill("#title", "Atelier : ton premier site web")
    page.fill("#start", "15:00")
    page.fill("#end", "")
    page.click("#save")
    page.wait_for_selector(".flash-success")
    assert "Atelier : ton premier site web" in page.content()
    db.session.rollback()
    first = db.session.scalars(select(Event).order_by(Event.start_at)).first()
    assert first.title == "Atelier : ton premier site web" and first.sequence == 1

    # ... then cancels it: it stays on the public page, marked cancelled.
    page.locator(".manage-item").first.locator("a.button", has_text="Annuler").click()
    page.wait_for_selector("#confirm")
    assert_accessible(page)
    page.click("#confirm")
    page.wait_for_selector(".status-cancelled")
    db.session.rollback()
    assert first.status == EventStatus.cancelled and first.sequence == 2
    page.goto(f"{base}/events/{first.id}")
    assert "Cette session est annulée" in page.content()
    assert_inert(page)
    assert page.log.hosts <= {page.base_url.split("//")[1], "tiles.invalid"}
