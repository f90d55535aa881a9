"""Editions in real Chromium: the current week with what is still to come first, an archive to
read, the list of editions; each page accessible and fitting a 320 px screen."""
from __future__ import annotations

from datetime import date

import pytest

from opengen import editions
from opengen.db import db
from opengen.editions import EditionDraft

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def week_of_2022(app, make_event):
    app.config["FROZEN_NOW"] = "2022-11-30T12:00"
    edition = editions.create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28),
                                           ends_on=date(2022, 12, 3)))
    make_event(title="Atelier de 2021", start=paris(2021, 11, 29, 10))
    make_event(title="Atelier terminé lundi", start=paris(2022, 11, 28, 10), edition=edition)
    make_event(title="Atelier de cet après-midi", start=paris(2022, 11, 30, 15), edition=edition)
    db.session.commit()
    return edition


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_current_week_the_archive_and_the_list_of_editions(page, week_of_2022):
    page.goto(page.base_url + "/")
    page.wait_for_function("() => document.body.dataset.markersLoaded === '2'")
    titles = page.locator(".list-section .event-title").all_inner_texts()
    assert titles == ["Atelier de cet après-midi", "Atelier terminé lundi"]
    assert page.locator(".list-section .status-ended").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Les éditions").first.click()
    page.wait_for_selector(".edition-list")
    assert page.locator(".edition-card h2").all_inner_texts()[0].startswith("Open Gen 2022")
    assert_accessible(page)

    page.get_by_role("link", name="Open Gen 2021").click()
    page.wait_for_function("() => document.body.dataset.markersLoaded === '1'")
    assert "Archive." in page.locator(".edition-archive").inner_text()
    assert page.locator("#around-me").count() == 0
    assert page.locator(".list-section .event-title").all_inner_texts() == ["Atelier de 2021"]
    assert_accessible(page)

    # A filter on the archive stays in the archive.
    page.select_option("#filter-kind", "workshop")
    page.get_by_role("button", name="Afficher les sessions").click()
    page.wait_for_load_state()
    assert "/editions/2021" in page.url
    assert page.locator(".list-section .event-title").all_inner_texts() == ["Atelier de 2021"]


def test_an_ended_session_page_and_the_archive_fit_a_phone(page, week_of_2022):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/editions", "/editions/2021", "/"):
        page.goto(page.base_url + path)
        _fits(page)
    page.goto(page.base_url + "/editions/2021")
    page.locator(".list-section .event-title a").first.click()
    page.wait_for_selector(".status-ended")
    assert page.get_by_role("link", name="Voir l’édition 2022").count() + page.get_by_role(
        "link", name="Voir les sessions de l’édition 2022").count() >= 1
    assert page.locator(".calendar-actions").count() == 0
    _fits(page)
    assert_accessible(page)
