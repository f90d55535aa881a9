"""The personal programme in real Chromium: stars kept in the browser, warnings, the download."""
from __future__ import annotations

from urllib.parse import urlsplit

import icalendar
import pytest

from opengen.db import db
from opengen.models import EventStatus

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def _star(page, event_id: int) -> None:
    button = page.locator(f'button[data-star="{event_id}"]').first
    button.click()
    assert button.get_attribute("aria-pressed") == "true"


def _local_hosts(page) -> set[str]:
    return {host for host in page.log.hosts if host} - {urlsplit(page.base_url).netloc, "tiles.invalid"}


def test_star_three_sessions_see_the_clash_and_download_the_programme(page, make_event, make_venue):
    venue = make_venue()
    code = make_event(title="Atelier code", venue=venue, start=paris(2021, 11, 29, 10))
    data = make_event(title="Atelier data", venue=venue, start=paris(2021, 11, 29, 10, 30))
    talk = make_event(title="Métier : technicien réseaux", start=paris(2021, 11, 30, 14))
    make_event(title="Atelier non choisi", start=paris(2021, 12, 1, 9))
    db.session.commit()

    page.goto(page.base_url + "/")
    page.wait_for_selector(f'button[data-star="{code.id}"]:not([hidden])')
    for session in (code, data, talk):
        _star(page, session.id)
    assert page.evaluate("JSON.parse(localStorage.getItem('opengen.stars'))") == [code.id, data.id, talk.id]

    page.get_by_role("link", name="Mon programme").click()
    page.wait_for_url("**/programme?ids=*")
    warnings = page.locator(".warnings")
    assert "« Atelier code » et « Atelier data » se chevauchent." in warnings.inner_text()
    assert page.locator(".programme-item").count() == 3
    assert "estimés à 30 km/h" in page.inner_text(".travel-note")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.click("#programme-download")
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), "rb") as file:
        calendar = icalendar.Calendar.from_ical(file.read())
    assert {str(e["UID"]) for e in calendar.walk("VEVENT")} == {code.uid, data.uid, talk.uid}

    # Removing a clashing session from the programme page updates it: no warning left.
    page.locator(f'button[data-star="{data.id}"]').click()
    page.wait_for_function("() => document.querySelectorAll('.programme-item').length === 2")
    assert page.locator(".warnings").count() == 0
    assert page.evaluate("JSON.parse(localStorage.getItem('opengen.stars'))") == [code.id, talk.id]
    assert _local_hosts(page) == set()  # the Google and Outlook links are never followed
    assert not page.log.errors and not page.log.dialogs


def test_the_event_page_with_its_calendar_buttons_passes_axe(page, make_event):
    session = make_event(title="Atelier cybersécurité", start=paris(2021, 12, 2, 14))
    cancelled = make_event(title="Atelier annulé", status=EventStatus.cancelled)
    db.session.commit()
    page.goto(f"{page.base_url}/events/{session.id}")
    page.wait_for_selector(f'button[data-star="{session.id}"]:not([hidden])')
    assert page.get_by_role("link", name="Télécharger pour mon agenda (.ics)").get_attribute("href") == \
        f"/events/{session.id}.ics"
    assert page.get_by_role("link", name="Ajouter à Google Agenda").is_visible()
    assert page.get_by_role("link", name="Ajouter à Outlook").is_visible()
    assert_accessible(page)
    _star(page, session.id)
    page.goto(f"{page.base_url}/events/{cancelled.id}")
    _star(page, cancelled.id)
    page.goto(f"{page.base_url}/programme")
    page.wait_for_url("**/programme?ids=*")
    cancelled_item = page.locator(f'.programme-item[data-event-id="{cancelled.id}"]')
    assert "Annulée" in cancelled_item.inner_text()
    assert page.locator(".warnings").count() == 0
    assert_accessible(page)


def test_a_programme_received_by_link_works_without_javascript(browser, live_server, make_event):
    first = make_event(title="Atelier un", start=paris(2021, 11, 29, 10))
    second = make_event(title="Atelier deux", start=paris(2021, 11, 29, 10, 15))
    db.session.commit()
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/programme?ids={first.id},{second.id}")
        assert page.locator(".programme-item").count() == 2
        assert "se chevauchent" in page.inner_text(".warnings")
        assert page.locator("button[data-star]:visible").count() == 0  # stars need JavaScript
        assert page.locator("#programme-download").get_attribute("href") == \
            f"/programme.ics?ids={first.id},{second.id}"
    finally:
        context.close()


def test_an_empty_programme_page_passes_axe(page):
    page.goto(page.base_url + "/programme")
    assert "Votre programme est vide." in page.inner_text("main")
    assert_accessible(page)


def test_a_clash_shows_once_and_one_tap_drops_either_session(page, make_event, make_venue):
    venue = make_venue()
    code = make_event(title="Atelier code", venue=venue, start=paris(2021, 11, 29, 10))
    data = make_event(title="Atelier data", venue=venue, start=paris(2021, 11, 29, 10, 30))
    talk = make_event(title="Métier : technicien réseaux", start=paris(2021, 11, 30, 14))
    db.session.commit()
    page.goto(page.base_url + "/programme")
    page.evaluate(f"() => localStorage.setItem('opengen.stars', '[{code.id}, {data.id}, {talk.id}]')")
    page.goto(page.base_url + "/programme")
    page.wait_for_url("**/programme?ids=*")
    main = page.locator("main").inner_text()
    assert main.count("« Atelier code » et « Atelier data » se chevauchent.") == 1
    assert_accessible(page)

    page.get_by_role("link", name="Retirer « Atelier data »").click()
    page.wait_for_function("() => document.querySelectorAll('.programme-item').length === 2")
    assert page.evaluate("JSON.parse(localStorage.getItem('opengen.stars'))") == [code.id, talk.id]
    assert page.locator(".warnings").count() == 0
    assert not page.log.errors and not page.log.dialogs


def test_dropping_a_clashing_session_from_a_received_list_leaves_the_browser_stars_alone(page, make_event,
                                                                                         make_venue):
    venue = make_venue()
    code = make_event(title="Atelier code", venue=venue, start=paris(2021, 11, 29, 10))
    data = make_event(title="Atelier data", venue=venue, start=paris(2021, 11, 29, 10, 30))
    db.session.commit()
    page.goto(f"{page.base_url}/programme?ids={code.id},{data.id}")  # a counsellor's list, not starred here
    page.get_by_role("link", name="Retirer « Atelier code »").click()
    page.wait_for_url(f"**/programme?ids={data.id}")
    assert page.locator(".programme-item").count() == 1 and page.locator(".warnings").count() == 0
    assert page.evaluate("localStorage.getItem('opengen.stars')") is None


def test_the_star_announcements_come_from_the_page_in_french(page, make_event):
    event = make_event(title="Atelier annoncé")
    db.session.commit()
    page.goto(page.base_url + "/")
    page.wait_for_selector(f'button[data-star="{event.id}"]:not([hidden])')
    page.locator(f'button[data-star="{event.id}"]').first.click()
    page.wait_for_function("() => Array.from(document.querySelectorAll('body > p[role=status]'))"
                           ".some(p => p.textContent === 'Session ajoutée à votre programme.')")
    page.locator(f'button[data-star="{event.id}"]').first.click()
    page.wait_for_function("() => Array.from(document.querySelectorAll('body > p[role=status]'))"
                           ".some(p => p.textContent === 'Session retirée de votre programme.')")
    assert not page.log.errors
