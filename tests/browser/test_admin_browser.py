"""In Chromium: staff edit a broadcast's title and see it on /broadcasts; the programme, the edit form
and the numbers pages are accessible; staff-typed script never runs."""
from __future__ import annotations

import pytest

from opengen.db import db
from opengen.models import EventStatus
from opengen.submissions import operations

from ..conftest import paris
from ..submit_fixtures import ADMIN_PASSWORD
from .conftest import assert_accessible, logged_page

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def test_staff_edit_a_broadcast_and_the_public_sees_it(page, make_admin, make_broadcast, make_event):
    make_admin()
    show = make_broadcast(start=paris(2021, 11, 30, 10), families=["data"], title="Titre d’avant")
    make_event(families=["data"], audience=["qpv"])
    make_event(status=EventStatus.pending)
    db.session.commit()
    base = page.base_url

    page.goto(f"{base}/admin/broadcasts")
    assert "/admin/login" in page.url
    page.fill("#email", "moderatrice@gen.example.org")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login")
    page.goto(f"{base}/admin/broadcasts")
    assert page.locator("h1").inner_text() == "Programme des émissions du matin"
    assert_accessible(page)

    page.click(f"a[href='/admin/broadcasts/{show.id}'] >> nth=0")
    page.wait_for_selector("#title")
    assert_accessible(page)
    # A refused form is accessible too, and keeps what was typed.
    page.fill("#title", "Nouveau titre " + PAYLOAD)
    page.fill("#end", "09:00")
    page.click("#save")
    page.wait_for_selector("#end-error")
    assert page.input_value("#title") == "Nouveau titre " + PAYLOAD
    assert_accessible(page)

    page.fill("#end", "11:30")
    page.click("#save")
    page.wait_for_url(f"{base}/admin/broadcasts")
    assert "Nouveau titre " + PAYLOAD in page.locator("table").inner_text()

    page.goto(f"{base}/broadcasts")
    assert "Nouveau titre " + PAYLOAD in page.locator("main").inner_text()
    assert "11 h 30" in page.locator("main").inner_text()

    page.goto(f"{base}/admin/numbers")
    assert page.locator("h1").inner_text() == "Les chiffres"
    assert_accessible(page)
    assert page.evaluate("window.__xss") is None and page.log.dialogs == [] and page.log.errors == []


def _log_in(page) -> None:
    page.goto(f"{page.base_url}/admin/login")
    page.fill("#email", "moderatrice@gen.example.org")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login")
    page.wait_for_url("**/admin/")


def _pending_and_broadcast(make_admin, make_broadcast, make_event):
    """A staff account, a school's pending session (with its submission) and a broadcast, committed."""
    make_admin()
    submitted = operations.start_submission("Simplon Montreuil", "contact@simplon.example.org")
    pending = make_event(status=EventStatus.pending, title="Atelier en attente", school=submitted.submission.school)
    pending.submission_id = submitted.submission.id
    show = make_broadcast(start=paris(2021, 11, 30, 10), families=["data"], title="Émission du mardi")
    db.session.commit()
    return pending, show


def test_approve_and_reject_look_different_and_a_broadcast_is_deleted_only_once_confirmed(
        page, make_admin, make_broadcast, make_event):
    pending, show = _pending_and_broadcast(make_admin, make_broadcast, make_event)
    show_id = show.id
    _log_in(page)

    page.goto(f"{page.base_url}/admin/submissions/{pending.submission_id}")
    page.wait_for_selector("#approve")
    look = "n => { const s = getComputedStyle(n); return [s.backgroundColor, s.color, s.borderTopColor]; }"
    approve, reject = page.locator("#approve").evaluate(look), page.locator("#reject").evaluate(look)
    assert approve[0] != reject[0] and approve[2] != reject[2], (approve, reject)  # fill and edge
    assert_accessible(page)

    page.goto(f"{page.base_url}/admin/broadcasts")
    page.get_by_role("link", name="Supprimer… : Émission du mardi").click()
    page.wait_for_selector("#confirm-delete")
    assert_accessible(page)
    page.click("#keep-broadcast")  # « Non, la garder »: nothing happens
    page.wait_for_url("**/admin/broadcasts")
    assert "Émission du mardi" in page.locator("table").inner_text()
    page.get_by_role("link", name="Supprimer… : Émission du mardi").click()
    page.click("#confirm-delete")
    page.wait_for_selector(".flash-success")
    assert "Émission du mardi" not in page.locator("table").inner_text()
    assert page.log.dialogs == [] and page.log.errors == []
    db.session.rollback()
    db.session.expunge_all()
    assert db.session.get(type(show), show_id) is None


@pytest.mark.usefixtures("submissions_open")
def test_staff_pages_and_the_csv_import_fit_a_320_px_phone(browser, live_server, make_admin, make_broadcast,
                                                          make_event):
    pending, show = _pending_and_broadcast(make_admin, make_broadcast, make_event)
    context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 700}, has_touch=True,
                                  is_mobile=True)
    try:
        page = logged_page(context, live_server.url)
        _log_in(page)
        for path in ("/submit/import", "/admin/", f"/admin/submissions/{pending.submission_id}", "/admin/broadcasts",
                     f"/admin/broadcasts/{show.id}/delete", "/admin/history"):
            page.goto(page.base_url + path)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 320, (path, width)  # wide tables scroll inside their own focusable box
            assert_accessible(page)
    finally:
        context.close()
