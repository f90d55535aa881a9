"""The shared look in real Chromium, on the main pages of a 320 px phone: nothing wider than the
screen, thumb-sized controls, a visible focus ring for keyboard users, no serious axe finding; and
the home page read at 200% zoom.

The tap-target rule (WCAG 2.5.8, made stricter): every visible a, button, input, select, textarea
and summary is at least 44x44 CSS px, except
- a link inside a sentence (an inline link whose block also holds text of its own), whose size is
  the line's;
- a checkbox or radio button inside its label or with a label of at least 44 px high (the label is
  the target);
- what the map library draws inside the map (h-map owns it).
"""
from __future__ import annotations

import pytest

from opengen.db import db

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PHONE_320 = dict(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
PAGES = ["/", "/?q=Lyon&radius_km=25", "session", "/proposer", "/broadcasts", "/editions", "/programme",
         "/api/docs", "/integrer", "/confidentialite", "/admin/login", "/familles"]

TOO_SMALL = """() => {
  const visible = (node) => {
    const box = node.getBoundingClientRect(), style = getComputedStyle(node);
    return node.offsetParent !== null && style.visibility !== 'hidden' && box.width > 1 && box.height > 1
      && box.right > 0 && box.left < document.documentElement.clientWidth;
  };
  const inSentence = (link) => {
    if (getComputedStyle(link).display !== 'inline') return false;
    let block = link.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    const own = block.textContent.replace(/\\s+/g, ' ').trim();
    const links = [...block.querySelectorAll('a')].map((a) => a.textContent.replace(/\\s+/g, ' ').trim()).join('');
    return own.replace(/\\s/g, '').length > links.replace(/\\s/g, '').length;
  };
  const labelledBigEnough = (input) => [...(input.labels || [])].some((label) => label.getBoundingClientRect().height >= 44)
    || !!input.closest('label');
  return [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter(visible)
    .filter((node) => !node.closest('.leaflet-container'))
    .filter((node) => !(node.tagName === 'A' && inSentence(node)))
    .filter((node) => !(['checkbox', 'radio'].includes(node.type) && labelledBigEnough(node)))
    .filter((node) => { const box = node.getBoundingClientRect(); return box.width < 43.5 || box.height < 43.5; })
    .map((node) => { const box = node.getBoundingClientRect();
      return `${node.tagName.toLowerCase()}${node.id ? '#' + node.id : ''}${node.className ? '.' + String(node.className).split(' ').join('.') : ''}`
        + ` "${(node.textContent || node.value || node.name || '').trim().slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`; });
}"""

FOCUS_RING = """() => {
  const node = document.activeElement;
  if (!node || node === document.body) return null;
  const style = getComputedStyle(node);
  return {tag: node.tagName, text: (node.textContent || '').trim().slice(0, 30), visible: node.matches(':focus-visible'),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor};
}"""

WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def look_world(make_event, make_venue, make_broadcast):
    """A session in Lyon, one in Saint-Denis, a morning broadcast; return the Lyon session's id."""
    lyon = make_venue(city="Lyon", postcode="69003", lat=45.7597, lon=4.8422, department="Rhône",
                      region="Auvergne-Rhône-Alpes", insee_code="69383")
    event = make_event(title="Atelier : crée ta première page web", venue=lyon, school=lyon.school,
                       start=paris(2021, 11, 30, 10), families=["web-development", "data"])
    make_event(title="Découvrir le métier de technicienne réseau", start=paris(2021, 12, 1, 14))
    make_broadcast(start=paris(2021, 11, 30, 9), families=["data"], title="Les métiers de la donnée")
    db.session.commit()
    return event.id


def _phone(browser, live_server, locale: str):
    context = browser.new_context(locale=locale, timezone_id="Europe/Paris", **PHONE_320)
    page = context.new_page()
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    page.base_url = live_server.url
    return context, page


@pytest.fixture
def phone(browser, live_server):
    context, page = _phone(browser, live_server, "fr-FR")
    yield page
    context.close()


def open_(page, path: str, session_id: int) -> None:
    page.goto(page.base_url + (f"/events/{session_id}" if path == "session" else path))
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("path", PAGES)
def test_each_main_page_fits_a_320px_phone_with_thumb_sized_controls(phone, look_world, path):
    open_(phone, path, look_world)
    assert phone.locator("main h1").count() == 1, "the page has its title"
    assert phone.evaluate(WIDER_THAN_SCREEN) <= 0, "the page scrolls sideways"
    too_small = phone.evaluate(TOO_SMALL)
    assert not too_small, "under 44x44 px:\n" + "\n".join(too_small)
    assert_accessible(phone)


@pytest.mark.parametrize("path", PAGES)
def test_keyboard_focus_is_always_shown_by_a_ring(phone, look_world, path):
    open_(phone, path, look_world)
    seen = []
    for press in range(12):
        phone.keyboard.press("Tab")
        if press == 0:  # the skip link comes first and shows itself, thumb-sized
            box = phone.evaluate("() => document.activeElement.classList.contains('skip-link')"
                                 " && document.activeElement.getBoundingClientRect().toJSON()")
            assert box and box["x"] >= 0 and box["height"] >= 44, box
        focused = phone.evaluate(FOCUS_RING)
        if focused is None:
            continue
        seen.append(focused)
        assert focused["visible"] and focused["style"] != "none" and focused["width"] >= 2, focused
    assert len(seen) >= 6, "the keyboard reaches the page's controls"


def test_at_200_percent_zoom_the_home_page_and_its_results_fit(browser, live_server, look_world):
    # A 1366x768 laptop zoomed to 200% lays the page out in 683x384 CSS pixels.
    context = browser.new_context(locale="fr-FR", viewport={"width": 683, "height": 384}, device_scale_factor=2)
    page = context.new_page()
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    try:
        for path in ("/", "/?q=Lyon&radius_km=25", f"/events/{look_world}"):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate(WIDER_THAN_SCREEN) <= 0, path
            # No text is cut by a fixed height: every control's content fits inside it.
            cut = page.evaluate("""() => [...document.querySelectorAll('button, .button, input, select, .main-nav a')]
              .filter((n) => n.offsetParent !== null && n.scrollHeight > n.clientHeight + 1 && n.tagName !== 'SELECT')
              .map((n) => n.outerHTML.slice(0, 80))""")
            assert cut == [], path
    finally:
        context.close()


def test_buttons_read_as_primary_secondary_and_danger(phone, look_world):
    """Filled blue for the main action, outlined for the others, red for destructive ones."""
    open_(phone, "/", look_world)
    styles = phone.evaluate("""() => {
      const make = (cls) => { const b = document.createElement('button'); b.className = cls; b.textContent = 'x';
                              document.querySelector('main').append(b); const s = getComputedStyle(b);
                              return [s.backgroundColor, s.color, s.borderTopColor, b.getBoundingClientRect().height]; };
      return {primary: make(''), secondary: make('secondary'), danger: make('danger'),
              outlinedDanger: make('secondary danger')};
    }""")
    blue, white, red = "rgb(0, 0, 145)", "rgb(255, 255, 255)", "rgb(206, 5, 0)"
    assert styles["primary"][:3] == [blue, white, blue]
    assert styles["secondary"][:3] == [white, blue, blue]
    assert styles["danger"][:3] == [red, white, red]
    assert styles["outlinedDanger"][:3] == [white, red, red]
    assert all(style[3] >= 44 for style in styles.values())


@pytest.fixture
def english_phone(browser, live_server):
    """The same phone, whose browser asks for English (Accept-Language: en-GB)."""
    context, page = _phone(browser, live_server, "en-GB")
    yield page
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_each_main_page_in_english_fits_a_320px_phone_and_passes_axe(english_phone, look_world, path):
    open_(english_phone, path, look_world)
    assert english_phone.evaluate("() => document.documentElement.lang") == "en"
    assert english_phone.evaluate(WIDER_THAN_SCREEN) <= 0, "the page scrolls sideways"
    too_small = english_phone.evaluate(TOO_SMALL)
    assert not too_small, "under 44x44 px:\n" + "\n".join(too_small)
    assert_accessible(english_phone)
