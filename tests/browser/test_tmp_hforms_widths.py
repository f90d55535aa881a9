import pytest
from opengen.db import db
from opengen.models import EventStatus
from opengen.submissions import operations
from ..conftest import paris
from ..submit_fixtures import ADMIN_PASSWORD
from .conftest import logged_page

def test_widths(browser, live_server, make_admin, make_broadcast, make_event):
    make_admin()
    submitted = operations.start_submission("Simplon Montreuil", "contact@simplon.example.org")
    pending = make_event(status=EventStatus.pending, title="Atelier en attente", school=submitted.submission.school)
    pending.submission_id = submitted.submission.id
    show = make_broadcast(start=paris(2021, 11, 30, 10), families=["data"], title="Émission du mardi")
    db.session.commit()
    context = browser.new_context(viewport={"width": 320, "height": 700}, has_touch=True, is_mobile=True)
    page = logged_page(context, live_server.url)
    page.goto(f"{page.base_url}/admin/login")
    page.fill("#email", "moderatrice@gen.example.org"); page.fill("#password", ADMIN_PASSWORD); page.click("#login")
    page.wait_for_url("**/admin/")
    for path in ["/submit/import", "/admin/", f"/admin/submissions/{pending.submission_id}", "/admin/broadcasts",
                 f"/admin/broadcasts/{show.id}", f"/admin/broadcasts/{show.id}/delete", "/admin/history", f"/submit/edit/{submitted.token}", "/programme"]:
        page.goto(page.base_url + path)
        print(path, page.evaluate("() => document.documentElement.scrollWidth"))
