"""In Chromium, on a phone: a school opens its link a year later, takes up a session of the past
edition for the new one, picks a day and time, and sends it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from opengen.db import db
from opengen.editions import EditionDraft, create
from opengen.models import Event
from opengen.submissions import operations

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def fits(page, width: int = 320) -> None:
    """Nothing sticks out sideways on a phone."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_school_takes_up_a_past_session_for_the_new_edition(app, page, fake_ban, make_venue, make_event):
    submitted = operations.start_submission("Simplon Montreuil", "contact@simplon.example.org")
    venue = make_venue(school=submitted.submission.school, name="Campus Simplon", address="55 rue de Vincennes",
                       postcode="93100", city="Montreuil", lat=48.85743, lon=2.43812)
    old = make_event(title="Atelier <b>web</b> : ta première page", venue=venue, school=venue.school,
                     contact_email="contact@simplon.example.org", start=paris(2021, 11, 30, 14), capacity=12)
    old.submission_id = submitted.submission.id
    create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28), ends_on=date(2022, 12, 3),
                        submissions_open_on=date(2022, 9, 1), submissions_close_on=date(2022, 11, 20)))
    db.session.commit()
    app.config["FROZEN_NOW"] = "2022-10-15T10:00"
    page.set_viewport_size({"width": 320, "height": 800})

    page.goto(f"{page.base_url}/submit/edit/{submitted.token}")
    assert "Open Gen 2021 (archive)" in page.inner_text("main")
    assert "Atelier <b>web</b>" in page.inner_text("main") and page.locator("main b").count() == 0
    assert page.locator(f'a[href*="/submit/edit/"][href$="/events/{old.id}"]').count() == 0  # no edit link
    assert_accessible(page)
    fits(page)
    page.get_by_role("link", name="Reprendre pour l’édition 2022").click()

    page.wait_for_selector("#copied-from")
    assert page.input_value("#title") == "Atelier <b>web</b> : ta première page"
    assert page.input_value("#address") == "55 rue de Vincennes"
    assert page.input_value("#capacity") == "12"
    assert page.locator("input[name=grid]:checked").count() == 0
    assert_accessible(page)
    fits(page)
    page.click("#grid-day-2022-11-29 > summary")  # on a phone the week opens one day at a time
    page.check("#grid-2022-11-29T10")
    page.click("#preview")

    page.wait_for_selector("#summary-heading")
    assert_accessible(page)
    page.click("#confirm")
    page.wait_for_selector("#edit-link")
    assert_accessible(page)
    fits(page)

    db.session.rollback()  # a fresh snapshot: the page wrote through its own connection
    new = db.session.scalars(select(Event).where(Event.id != old.id)).one()
    assert new.edition.year == 2022 and new.start_at == paris(2022, 11, 29, 10)
    assert new.title == old.title and db.session.get(Event, old.id).start_at == paris(2021, 11, 30, 14)
    assert page.log.errors == [] and page.log.dialogs == []
