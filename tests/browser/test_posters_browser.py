"""The posters in real Chromium: the session page and the school's link page offer them, and the
links answer with a PDF whose QR code opens the right page."""
from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp

from opengen.db import db
from opengen.models import Submission
from opengen.submissions.links import issue_token

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def _qr_of(pdf: bytes) -> list[str]:
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_the_session_page_links_to_its_poster(page, make_event):
    event = make_event(title="Atelier <b>affiche</b>")
    db.session.commit()

    page.goto(f"{page.base_url}/events/{event.id}")
    link = page.get_by_role("link", name="Imprimer l’affiche de cette session (PDF, A4)")
    assert link.count() == 1
    assert_accessible(page)
    answer = page.request.get(page.base_url + link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert _qr_of(answer.body()) == [f"{page.base_url}/events/{event.id}"]


def test_the_schools_link_page_links_to_the_school_poster(page, make_school, make_event):
    school = make_school(name="École des affiches")
    submission = Submission(school=school, contact_email="ecole@example.org")
    db.session.add(submission)
    db.session.flush()
    make_event(school=school, submission_id=submission.id, title="Atelier affiché")
    token = issue_token(submission)
    db.session.commit()

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{page.base_url}/submit/edit/{token}")
    link = page.get_by_role("link", name="Imprimer l’affiche de toutes nos sessions (PDF, A4)")
    assert link.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
    answer = page.request.get(page.base_url + link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert _qr_of(answer.body()) == [f"{page.base_url}/?school={school.id}"]
