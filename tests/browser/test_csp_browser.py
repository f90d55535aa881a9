"""In Chromium, under the site's Content-Security-Policy: the pages load without one violation,
folium's nonced inline script builds the map and the markers arrive; script slipped into school
text does not run, and an inline handler that escaped escaping would be blocked by the policy.

Under this policy Playwright's `wait_for_function` needs a function ("() => ..."): a bare
expression is eval'd again on every poll, which the policy refuses (EvalError) once the
condition is not met at once."""
from __future__ import annotations

import pytest

from opengen.db import db

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'

# Record every violation the page reports, from the first script on.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def _watched(page) -> list[str]:
    """Watch the page for CSP violations: reported by the events and by the console."""
    console: list[str] = []
    page.add_init_script(WATCH_VIOLATIONS)
    page.on("console", lambda message: console.append(message.text)
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text else None)
    return console


def _violations(page, console: list[str]) -> list[str]:
    return page.evaluate("window.__cspViolations") + console


def test_the_pages_load_without_any_violation_and_the_markers_arrive(page, make_event):
    event = make_event(title="Atelier " + PAYLOAD, description="Découvrir " + PAYLOAD, families=["data"])
    make_event(families=["data"])
    db.session.commit()
    console = _watched(page)
    base = page.base_url

    for path in ("/", "/familles/data"):
        page.goto(base + path)
        page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=15000)
        assert page.evaluate("document.body.dataset.markersLoaded") == "2", path
        page.wait_for_selector(".leaflet-marker-pane .event-marker, .leaflet-marker-pane .marker-cluster")
        assert not _violations(page, console), (path, _violations(page, console))

    page.goto(f"{base}/events/{event.id}")
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")  # the nonced map script ran
    assert PAYLOAD in page.locator("h1").inner_text()  # shown as text
    assert not _violations(page, console)

    for path, ready in (("/submit", "form"), ("/programme", "main h1"), ("/broadcasts", "main h1"),
                        ("/admin/login", "#email")):
        page.goto(base + path)
        page.wait_for_selector(ready)
        page.wait_for_load_state("load")
        assert not _violations(page, console), (path, _violations(page, console))
    assert page.evaluate("window.__xss") is None and not page.log.dialogs and not page.log.errors


def test_an_inline_handler_that_slipped_through_would_be_blocked(page, make_event):
    make_event(families=["data"])
    db.session.commit()
    console = _watched(page)
    page.goto(page.base_url + "/")
    page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=15000)
    assert_accessible(page)
    assert not _violations(page, console)
    # As if escaping had failed: markup with an inline handler and an inline script lands in the page.
    page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend', '<img alt="" src="data:," onerror="window.__xss=1">');
        const script = document.createElement('script');
        script.textContent = 'window.__xss = 2';
        document.body.appendChild(script);
    }""")
    page.wait_for_function("() => window.__cspViolations.length >= 1", timeout=5000)
    assert page.evaluate("window.__xss") is None
    assert any("script-src" in v for v in _violations(page, console))
