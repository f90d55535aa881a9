"""A counsellor's list in real Chromium: star sessions, share the list, print it on A4, and open
the shared link on another device."""
from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from opengen.db import db
from opengen.models import EventStatus

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

A4_POINTS = (595, 842)


def _star(page, event_id: int) -> None:
    button = page.locator(f'button[data-star="{event_id}"]').first
    button.click()
    assert button.get_attribute("aria-pressed") == "true"


def _pdf_pages(page) -> list[tuple[tuple[int, int], str]]:
    """Print the current page to PDF as Chromium does for A4; return each page's size and text."""
    document = pdfium.PdfDocument(page.pdf(format="A4", prefer_css_page_size=True))
    pages = []
    for sheet in document:
        width, height = sheet.get_size()
        pages.append(((round(width), round(height)), sheet.get_textpage().get_text_range()))
    return pages


def _flat(text: str) -> str:
    return " ".join(text.split())


def _decode(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


def _fits(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow}px wide at {width}px"


def _tab_to(page, element_id: str, limit: int = 80) -> None:
    """Reach an element with the Tab key alone."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the keyboard")


@pytest.fixture
def picks(make_event, make_venue, make_school):
    school = make_school(name="Simplon Saint-Denis")
    venue = make_venue(school=school, name="Campus Pleyel", address="12 rue Ampère")
    lyon = make_venue(name="La Cité", address="3 quai Perrache", city="Lyon", postcode="69002",
                      lat=45.7578, lon=4.8320)
    sessions = [
        make_event(title="Atelier code", venue=venue, school=school, start=paris(2021, 11, 29, 10),
                   accessibility="Ascenseur au fond de la cour."),
        make_event(title="Atelier data", venue=venue, school=school, start=paris(2021, 11, 29, 10, 30)),
        make_event(title="Métiers du réseau", venue=lyon, school=lyon.school, start=paris(2021, 11, 30, 14)),
    ]
    make_event(title="Atelier non choisi", start=paris(2021, 12, 1, 9))
    db.session.commit()
    return sessions


def test_a_counsellor_stars_sessions_shares_the_list_and_prints_it_on_a4(app, page, picks):
    app.config["FROZEN_NOW"] = "2021-11-28T12:00"
    page.goto(page.base_url + "/")
    page.wait_for_selector(f'button[data-star="{picks[0].id}"]:not([hidden])')
    for session in picks:
        _star(page, session.id)
    page.get_by_role("link", name="Mon programme").click()
    page.wait_for_url("**/programme?ids=*")
    ids = ",".join(str(s.id) for s in picks)
    url = f"{page.base_url}/programme?ids={ids}"
    assert page.input_value("#share-url") == url
    assert page.locator("#keep-offer").is_hidden()  # the counsellor's own stars: nothing to keep
    assert _decode(page.locator(".share-qr svg").screenshot()) == url
    assert page.get_attribute("#share-mail", "href").startswith("mailto:?subject=Des%20sessions%20Open%20Gen")
    assert_accessible(page)

    # Keyboard only: the copy button, the e-mail, the print page, the « Pour » field.
    page.locator("#share-heading").evaluate("h => h.scrollIntoView()")
    page.focus("#share-url")
    for element_id in ("share-mail", "share-print", "share-pour"):
        _tab_to(page, element_id)
    page.keyboard.type("Karim")
    page.log.hosts.clear()  # the map of the home page asked for tiles; the print page must not
    page.keyboard.press("Enter")
    page.wait_for_url("**/programme/imprimer?*")
    assert page.locator(".sheet-note").inner_text() == "Pour : Karim"
    assert page.locator(".sheet-item").count() == 3
    assert page.locator(".sheet-map svg circle").count() == 3
    assert _decode(page.locator(".sheet-qr svg").screenshot()) == url
    assert page.locator("button[data-print]").is_visible()
    assert_accessible(page)

    pages = _pdf_pages(page)
    assert [size for size, _text in pages] == [A4_POINTS]  # three sessions fit on one A4 page
    text = _flat(pages[0][1])
    for expected in ("Sessions Open Gen à découvrir", "Pour : Karim", "Atelier code", "Atelier data",
                     "Métiers du réseau", "12 rue Ampère", "Ascenseur au fond de la cour.",
                     "« Atelier code » et « Atelier data » se chevauchent.",
                     "Imprimée le 28 novembre 2021 à 12 h 00", "48,9362° N, 2,3574° E"):
        assert expected in text, expected
    assert url.replace("http://", "") in text.replace("http://", "")
    for screen_only in ("Imprimer cette page", "Mettre à jour la mention", "Retour à la liste",
                        "Aller au contenu", "Open Gen est la semaine"):
        assert screen_only not in text, screen_only
    hosts = {host for host in page.log.hosts if host} - {urlsplit(page.base_url).netloc}
    assert hosts == set()  # the maps are drawn in the page: no tile, no outside request
    assert not page.log.errors and not page.log.dialogs


def test_a_long_list_prints_each_session_whole_on_one_page(page, make_event, make_venue):
    venue = make_venue(name="Campus", address="1 rue de la République")
    ids = []
    for n in range(12):
        event = make_event(title=f"Session numéro {n + 1:02d}", venue=venue,
                           start=paris(2021, 11, 29, 8) + timedelta(hours=n % 10, days=n // 10),
                           accessibility="Accès par la cour, ascenseur, boucle magnétique. " * 3)
        ids.append(event.id)
    cancelled = make_event(title="Session annulée", status=EventStatus.cancelled, start=paris(2021, 12, 1, 9))
    db.session.commit()
    page.goto(f"{page.base_url}/programme/imprimer?ids={','.join(map(str, ids + [cancelled.id]))}")
    pages = _pdf_pages(page)
    assert len(pages) >= 3 and all(size == A4_POINTS for size, _text in pages)
    texts = [_flat(text) for _size, text in pages]
    for n, event_id in enumerate(ids):
        title = f"Session numéro {n + 1:02d}"
        where = [i for i, text in enumerate(texts) if title in text]
        assert len(where) == 1, title
        # The block's last line (its page address) is on the same page as its title.
        assert f"/events/{event_id}" in texts[where[0]], title
    cancelled_page = next(text for text in texts if "Session annulée" in text)
    assert "Annulée : cette session n’aura pas lieu." in cancelled_page


def test_the_pages_fit_a_phone_320_pixels_wide(browser, live_server, picks):
    context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        ids = ",".join(str(s.id) for s in picks)
        for path in (f"/programme?ids={ids}", f"/programme/imprimer?ids={ids}&pour=Karim"):
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            _fits(page, 320)
    finally:
        context.close()


def test_a_shared_link_opened_elsewhere_offers_to_keep_it_without_losing_own_stars(
        browser, live_server, picks, make_event):
    mine = make_event(title="Ma session à moi", start=paris(2021, 12, 3, 15))
    db.session.commit()
    ids = ",".join(str(s.id) for s in picks)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        page.evaluate(f"localStorage.setItem('opengen.stars', JSON.stringify([{mine.id}]))")
        page.goto(f"{live_server.url}/programme?ids={ids}")
        assert page.url.endswith(f"/programme?ids={ids}")  # the link's list, not this browser's
        assert page.locator(".programme-item").count() == 3
        offer = page.locator("#keep-offer")
        offer.wait_for(state="visible")
        assert page.evaluate("JSON.parse(localStorage.getItem('opengen.stars'))") == [mine.id]
        assert_accessible(page)

        page.focus("#keep-button")
        page.keyboard.press("Enter")
        assert offer.is_hidden()
        assert page.evaluate("document.activeElement.id") == "keep-done"
        assert page.evaluate("JSON.parse(localStorage.getItem('opengen.stars'))") == \
            [mine.id] + [s.id for s in picks]
        assert page.locator('.programme-item button[data-star][aria-pressed="true"]').count() == 3
        assert_accessible(page)

        page.get_by_role("link", name="Voir tout mon programme").click()
        page.wait_for_url("**/programme?ids=*")
        assert page.locator(".programme-item").count() == 4
        assert page.locator("#keep-offer").is_hidden()
    finally:
        context.close()


def test_without_javascript_the_link_is_a_field_to_select(browser, live_server, picks):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        ids = ",".join(str(s.id) for s in picks)
        page.goto(f"{live_server.url}/programme?ids={ids}")
        assert page.input_value("#share-url") == f"{live_server.url}/programme?ids={ids}"
        assert page.locator("button[data-copy='share-url']").is_hidden()
        assert page.locator("#keep-offer").is_hidden()
        page.fill("#share-pour", "Léa")
        page.click("form.print-form button[type=submit]")
        page.wait_for_url("**/programme/imprimer?*")
        assert page.locator(".sheet-note").inner_text() == "Pour : Léa"
        assert page.locator("button[data-print]").is_hidden()
    finally:
        context.close()
