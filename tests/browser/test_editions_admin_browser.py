"""In Chromium: staff create an edition with the keyboard only and see it listed; the editions pages
and the numbers page are accessible, and the numbers fit a 320 px wide phone (tables scroll inside)."""
from __future__ import annotations

from datetime import date

import pytest

from opengen.db import db
from opengen.editions import EditionDraft, create
from opengen.models import EventKind

from ..conftest import paris
from ..submit_fixtures import ADMIN_PASSWORD
from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching the selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def type_date(page, selector: str, day: date) -> None:
    """Tab to a date input and type the day in it, in the order its segments come.

    Chromium orders the segments by its own language (not the page's locale): try day-month-year,
    then month-day-year, going back to the first segment with Shift+Tab.
    """
    tab_to(page, selector)
    parts = {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": str(day.year)}
    for order in ("dmy", "mdy"):
        page.keyboard.type("".join(parts[c] for c in order))
        if page.input_value(selector) == day.isoformat():
            return
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
    raise AssertionError(f"could not type {day} in {selector}: {page.input_value(selector)}")


def log_in(page) -> None:
    page.goto(f"{page.base_url}/admin/login")
    page.fill("#email", "moderatrice@gen.example.org")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{page.base_url}/admin/")


def test_staff_create_an_edition_with_the_keyboard(app, page, make_admin, make_event):
    app.config["FROZEN_NOW"] = "2021-11-28T12:00"
    make_admin()
    make_event()
    db.session.commit()
    log_in(page)

    page.goto(f"{page.base_url}/admin/editions")
    assert page.locator("h1").inner_text() == "Éditions"
    assert_accessible(page)
    tab_to(page, "a[href='/admin/editions/nouvelle']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{page.base_url}/admin/editions/nouvelle")
    assert page.input_value("#starts_on") == "2022-11-28"  # the next Open Gen week is proposed
    assert_accessible(page)

    tab_to(page, "#name")
    page.keyboard.press("Control+A")
    page.keyboard.type("Open Gen 2022 <img src=x onerror=\"window.__xss=1\">")
    tab_to(page, "#ends_on")
    type_date(page, "#ends_on", date(2022, 11, 20))  # before the first day
    tab_to(page, "#save")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ends_on-error")
    assert page.locator("#ends_on-error").inner_text() == "La fin doit suivre le début."
    assert page.input_value("#name").startswith("Open Gen 2022 <img")
    assert page.input_value("#ends_on") == "2022-11-20"
    assert_accessible(page)

    type_date(page, "#ends_on", date(2022, 12, 3))
    type_date(page, "#published_on", date(2022, 11, 1))
    tab_to(page, "#save")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{page.base_url}/admin/editions")
    row = page.locator("#edition-2022")
    assert "Open Gen 2022 <img" in row.inner_text() and "Brouillon" in row.inner_text()
    assert "01/11/2022" in row.inner_text()
    assert [page.locator("tbody tr").nth(i).get_attribute("id") for i in range(2)] == ["edition-2022",
                                                                                        "edition-2021"]
    assert_accessible(page)
    assert page.evaluate("window.__xss") is None and page.log.dialogs == [] and page.log.errors == []


def test_the_numbers_fit_a_phone(app, page, make_admin, make_event, make_venue):
    make_admin()
    new = create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28), ends_on=date(2022, 12, 3)))
    for year in (2017, 2018, 2019, 2020):
        create(EditionDraft(name=f"Open Gen {year}", starts_on=date(year, 11, 20), ends_on=date(year, 11, 25)))
    make_event(venue=make_venue(region="Provence-Alpes-Côte d’Azur"), kind=EventKind.career_talk)
    make_event(edition=new, start=paris(2022, 11, 28, 10), families=["data", "cloud"])
    db.session.commit()
    log_in(page)
    page.set_viewport_size({"width": 320, "height": 800})

    page.goto(f"{page.base_url}/admin/numbers")
    assert page.locator("#compare thead th").count() == 1 + 6  # every edition, newest first
    assert page.locator("#compare thead th").nth(1).inner_text() == "Open Gen 2022"
    fits = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert page.evaluate(fits)
    # The wide table scrolls inside its wrapper, which the keyboard can reach.
    wrapper = page.locator(".table-scroll:has(#compare)")
    assert wrapper.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert wrapper.get_attribute("tabindex") == "0"
    assert_accessible(page)

    # Switching edition with the selector, keyboard only.
    tab_to(page, "#edition")
    page.keyboard.press("ArrowDown")  # 2022 (current) to 2021
    tab_to(page, ".edition-picker button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/numbers?edition=2021")
    assert page.locator("main h2").first.inner_text() == "Open Gen 2021"
    assert page.evaluate(fits)
    assert_accessible(page)

    page.goto(f"{page.base_url}/admin/numbers?edition=abc")
    assert "Édition invalide" in page.locator("#edition-error").inner_text()
    assert page.evaluate(fits)
    assert_accessible(page)

    page.goto(f"{page.base_url}/admin/editions")
    assert page.evaluate(fits)
    assert_accessible(page)
    assert page.log.errors == []
