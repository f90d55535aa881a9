"""In Chromium on a 360x740 touch phone: a school's whole journey, form, errors, pin, confirmation, edit
link, edit, venue and cancel, with no sideways scroll, every tap landing on its control, thumb-sized
targets and axe-core at 0 serious or critical in each state."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import assert_accessible, logged_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("submissions_open")]

WIDTH, HEIGHT = 360, 740
# Every control a school taps on these pages; a checkbox or radio counts with its label.
CONTROLS = ("button:visible, a.button:visible, summary:visible, .hour-chip:visible, .choice-list li:visible, "
            ".form-check:visible, .error-links a:visible, input[type=text]:visible, input[type=email]:visible, "
            "input[type=url]:visible, input[type=date]:visible, input[type=time]:visible, "
            "input[type=number]:visible, textarea:visible")


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": WIDTH, "height": HEIGHT},
                                  has_touch=True, is_mobile=True, device_scale_factor=2)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    yield logged_page(context, live_server.url)
    context.close()


def assert_fits(page) -> None:
    """The page lays out within the phone's width: no sideways scroll."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} lays out at {width} px"


def assert_thumb_sized(page) -> None:
    """Every visible control is at least 44 x 44 px."""
    small = page.locator(CONTROLS).evaluate_all(
        """nodes => nodes.map(n => [n.id || n.className || n.tagName, n.getBoundingClientRect()])
                      .filter(([, r]) => r.height < 44 || r.width < 44)
                      .map(([name, r]) => `${name}: ${Math.round(r.width)}x${Math.round(r.height)}`)""")
    assert small == [], small


def tap(page, selector: str) -> None:
    """Tap the middle of a control with a finger, after checking that the control is what lies there."""
    target = page.locator(selector)
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    hit = target.evaluate(
        """(node, [x, y]) => {
             const hit = document.elementFromPoint(x, y);
             const labels = Array.from(node.labels || []);
             return node === hit || node.contains(hit) || labels.some(label => label.contains(hit))
                    ? '' : (hit ? hit.outerHTML.slice(0, 120) : 'nothing');
           }""", [x, y])
    assert hit == "", f"a tap on {selector} lands on {hit}"
    page.touchscreen.tap(x, y)


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def check_state(page) -> None:
    # After a tap that navigates, the awaited element can be in the page before its stylesheet
    # is applied (seen under load): sizes are measured once the page has loaded.
    page.wait_for_load_state("load")
    assert_fits(page)
    assert_thumb_sized(page)
    assert_accessible(page)
    assert page.log.errors == [] and page.log.dialogs == []


def test_a_school_goes_through_the_whole_journey_on_a_phone(phone, fake_ban):
    page = phone
    page.goto(f"{page.base_url}/proposer")
    check_state(page)
    # The week: one day open at a time, and the "Autre horaire" fields inside the screen.
    assert page.locator("details.grid-day[open]").count() == 1
    for field in ("#slots-0-day", "#slots-0-start", "#slots-0-end"):
        box = page.locator(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (field, box)

    # An empty form: the tap lands on the button, the summary takes the focus and lists each error.
    tap(page, "#preview")
    page.wait_for_selector("#error-summary")
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    check_state(page)
    links = page.locator("#error-summary a")
    assert links.count() >= 5
    for target in ("school_name", "families", "grid"):
        tap(page, f"#error-summary a[href='#{target}']")
        page.wait_for_function(f"() => document.activeElement.id === '{target}'")
        assert page.locator(f"#{target}").is_visible()
        page.evaluate("() => window.scrollTo(0, 0)")

    # Filled as a school would, with a postal code no commune has: told so, next to the field.
    page.fill("#school_name", "École du Code")
    page.fill("#contact_email", "contact@ecole.example.org")
    page.fill("#title", "Atelier : ton premier site")
    page.fill("#description", "Une heure pour créer ton premier site, sans prérequis.")
    tap(page, "#kind-0")
    tap(page, "#families-0")
    page.fill("#venue_name", "Campus du Code")
    page.fill("#address", "55 rue de Vincennes")
    page.fill("#postcode", "99999")
    page.fill("#city", "Montreuil")
    tap(page, "#grid-2021-11-29T14")
    assert page.locator("#grid-day-2021-11-29 .grid-day-count").inner_text() == "1 créneau coché"
    tap(page, "#grid-day-2021-12-01 > summary")
    tap(page, "#grid-2021-12-01T10")
    tap(page, "#preview")
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    assert page.locator("#error-summary a").count() == 1
    assert "Aucune commune n’a le code postal 99999" in page.locator("#postcode-error").inner_text()
    assert page.input_value("#title") == "Atelier : ton premier site"  # input kept
    assert page.is_checked("#grid-2021-12-01T10") and page.is_visible("#grid-2021-12-01T10")
    check_state(page)
    tap(page, "#error-summary a[href='#postcode']")
    page.wait_for_function("() => document.activeElement.id === 'postcode'")
    page.fill("#postcode", "93100")
    tap(page, "#preview")

    # The confirmation with its pin, moved by a thumb.
    page.wait_for_selector(".leaflet-marker-icon")
    check_state(page)
    before = page.input_value("#pin_lat")
    tap(page, "[data-nudge=north]")
    assert float(page.input_value("#pin_lat")) > float(before)
    tap(page, "#confirm")

    # The edit link: where it went, the only way back in, copied with one tap.
    page.wait_for_selector("#edit-link")
    check_state(page)
    link = page.input_value("#edit-link")
    sent_to = page.locator("#link-sent-to").inner_text()
    assert "contact@ecole.example.org" in sent_to and "console du serveur" in sent_to  # no SMTP in tests
    assert "seul moyen" in page.locator("#only-way").inner_text()
    tap(page, "#copy-link")
    page.wait_for_function("() => document.getElementById('copy-status').textContent.length > 0")
    assert "copié" in page.locator("#copy-status").inner_text()
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    # Where the clipboard is refused, the link is selected for the school to copy.
    page.evaluate("() => Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    tap(page, "#copy-link")
    page.wait_for_function("() => document.getElementById('copy-status').textContent.includes('sélectionné')")
    assert page.evaluate("""() => { const f = document.getElementById('edit-link');
                              return document.activeElement === f && f.selectionStart === 0
                                     && f.selectionEnd === f.value.length; }""")

    # The management page, through the link.
    page.goto(link)
    check_state(page)
    assert page.locator("h1").inner_text() == "Les sessions d’École du Code"
    first = page.locator(".manage-item").first
    event_id = first.get_attribute("data-event-id")
    path = urlsplit(link).path
    tap(page, f"a[href='{path}/events/{event_id}']")

    # Edit: a refused change focuses the summary, whose link focuses the field; then saved.
    page.wait_for_selector("#save")
    check_state(page)
    page.fill("#title", "")
    tap(page, "#save")
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    check_state(page)
    tap(page, "#error-summary a[href='#title']")
    page.wait_for_function("() => document.activeElement.id === 'title'")
    page.fill("#title", "Atelier : ton premier site web")
    tap(page, "#save")
    page.wait_for_selector(".flash-success")
    check_state(page)
    assert "Atelier : ton premier site web" in page.locator(".manage-list").inner_text()

    # The venue: its address and pin page fits too, and a bad postcode is explained there as well.
    tap(page, ".venue-card a")
    page.wait_for_selector(".leaflet-marker-icon")
    check_state(page)
    page.fill("#postcode", "99999")
    tap(page, "#save")
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    assert "Aucune commune n’a le code postal 99999" in page.locator("#postcode-error").inner_text()
    check_state(page)
    tap(page, "p.breadcrumb a")
    page.wait_for_selector(".manage-list")

    # Cancel it: not yet published, it is withdrawn, and its status reads once.
    tap(page, f"a[href='{path}/events/{event_id}/cancel']")
    page.wait_for_selector("#confirm")
    check_state(page)
    tap(page, "#confirm")
    page.wait_for_selector(".flash-success")
    check_state(page)
    item = page.locator(f".manage-item[data-event-id='{event_id}']").inner_text()
    assert item.count("Retirée par l’école avant publication") == 1, item
