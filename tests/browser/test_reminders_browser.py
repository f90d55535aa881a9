"""Reminders in real Chromium: leave an address on a session's page (a phone's width), confirm it from
the mail a real SMTP server received, then unsubscribe from the next mail; axe checks every page."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from opengen.db import db
from opengen.models import ReminderSubscription
from opengen.reminders.sending import send_due

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

ADDRESS = "camille@exemple.fr"


def _send(app, base_url: str):
    with app.test_request_context(base_url=base_url):
        report = send_due()
    db.session.remove()
    return report


def _link(body: str, kind: str) -> str:
    return urlsplit(re.search(rf"https?://\S+/reminders/{kind}/\S+", body).group(0)).path


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_subscribe_confirm_and_unsubscribe_in_chromium(app, page, make_event, smtp_server):
    app.config["FROZEN_NOW"] = "2021-11-28T12:00"
    event = make_event(title="Atelier : ta première appli", start=paris(2021, 11, 29, 14))
    db.session.commit()
    event_id = event.id
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{page.base_url}/events/{event_id}")
    form = page.locator("form.reminder-form")
    # A bad address first: the message sits next to the field and the address is kept.
    page.get_by_label("Votre adresse e-mail").fill("camille-exemple.fr")
    form.get_by_role("button", name="Me prévenir").click()
    page.wait_for_selector("#email-error")
    assert "n’est pas valide" in page.inner_text("#email-error")
    assert page.get_by_label("Votre adresse e-mail").input_value() == "camille-exemple.fr"
    assert page.get_by_label("Votre adresse e-mail").get_attribute("aria-invalid") == "true"
    _fits(page, 320)
    assert_accessible(page)

    page.get_by_label("Votre adresse e-mail").fill(ADDRESS)
    page.get_by_role("button", name="Me prévenir").click()
    page.wait_for_selector("text=Plus qu’une étape")
    assert_accessible(page)
    assert smtp_server.received == []

    assert _send(app, page.base_url).sent == 1
    confirmation = smtp_server.to(ADDRESS)[0]
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(page.base_url + _link(confirmation.body, "confirm"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer mon adresse").click()
    page.wait_for_selector("text=C’est confirmé")
    assert urlsplit(page.url).path == f"/events/{event_id}"
    assert_accessible(page)
    assert db.session.scalars(select(ReminderSubscription.confirmed_at)).one() is not None

    report = _send(app, page.base_url)
    assert (report.planned, report.sent) == (1, 1)
    reminder = smtp_server.to(ADDRESS)[1]
    assert "lundi 29 novembre, de 14 h 00 à 15 h 00" in reminder.body
    page.goto(page.base_url + _link(reminder.body, "unsubscribe"))
    assert_accessible(page)
    page.get_by_role("button", name="Ne plus recevoir de message pour cette session").click()
    page.wait_for_selector("text=C’est fait")
    assert_accessible(page)
    db.session.remove()
    assert db.session.scalars(select(ReminderSubscription)).first() is None

    page.get_by_role("link", name="Vos données personnelles").click()
    page.wait_for_selector("h1:has-text('Vos données personnelles')")
    assert_accessible(page)
    assert not page.log.errors
