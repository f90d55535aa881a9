"""GEN staff: accounts, login, the queue, approve or reject, history, edit links; only published shows."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from opengen.db import db
from opengen.models import AdminUser, Event, EventStatus, ModerationLog, Submission

from .conftest import csrf_token
from .submit_fixtures import login, submit, valid_form

# The real clock is years past the test edition: freeze it while that edition takes proposals.
pytestmark = pytest.mark.usefixtures("submissions_open")

ADMIN_PAGES = ["/admin/", "/admin/history", "/admin/submissions/1"]
ADMIN_POSTS = ["/admin/submissions/1/approve", "/admin/submissions/1/reject", "/admin/submissions/1/revoke-link",
               "/admin/submissions/1/new-link", "/admin/logout"]


def post_button(client, page_url: str, action_url: str, **extra):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(action_url, data={"csrf_token": token, **extra})


def test_create_admin_stores_a_hashed_password(ctx, runner):
    result = runner.invoke(args=["create-admin", "Equipe@GEN.example.org"],
                           input="un mot de passe long\nun mot de passe long\n")
    assert result.exit_code == 0, result.output
    admin = db.session.scalars(select(AdminUser)).one()
    assert admin.email == "equipe@gen.example.org"
    assert "un mot de passe long" not in admin.password_hash and admin.password_hash.startswith(("scrypt:", "pbkdf2:"))
    short = runner.invoke(args=["create-admin", "b@gen.example.org", "--password", "court"])
    assert short.exit_code == 2 and "12 caractères" in short.output
    assert runner.invoke(args=["create-admin", "pas-un-email", "--password", "x" * 20]).exit_code == 2


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_visitor_is_sent_to_the_login_page(client, url, make_event):
    make_event()
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ADMIN_POSTS)
def test_a_visitor_cannot_moderate(ctx, client, fake_ban, url):
    submit(client)
    token = csrf_token(client.get("/submit").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "reason": "spam"})
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert {e.status for e in db.session.scalars(select(Event))} == {EventStatus.pending}
    assert db.session.scalars(select(ModerationLog.action)).all() == ["submitted"]


def test_a_school_edit_link_does_not_open_moderation(client, fake_ban):
    path = submit(client)
    client.get(path)
    assert client.get("/admin/").status_code == 302


def test_wrong_credentials_are_refused_alike(client, make_admin):
    make_admin()
    for email, password in (("moderatrice@gen.example.org", "mauvais mot de passe"),
                            ("inconnu@gen.example.org", "correct horse battery")):
        response = login(client, email, password)
        assert response.status_code == 422
        assert "E-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_an_inactive_account_cannot_log_in(client, make_admin):
    admin = make_admin()
    admin.is_active = False
    db.session.commit()
    assert login(client).status_code == 422


def test_login_without_csrf_is_refused(client, make_admin):
    make_admin()
    response = client.post("/admin/login", data={"email": "moderatrice@gen.example.org",
                                                 "password": "correct horse battery"})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_login_redirects_only_to_admin_pages(client, make_admin):
    make_admin()
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    response = client.post("/admin/login?next=https://evil.example.org/", data={
        "csrf_token": token, "email": "moderatrice@gen.example.org", "password": "correct horse battery"})
    assert response.headers["Location"] == "/admin/"


def test_approve_publishes_and_the_map_list_and_api_show_it(client, fake_ban, make_admin):
    submit(client)
    submission = db.session.scalars(select(Submission)).one()
    assert client.get("/api/events").get_json()["count"] == 0
    assert "crée ta première page web" not in client.get("/").get_data(as_text=True)
    make_admin()
    login(client)
    queue = client.get("/admin/").get_data(as_text=True)
    assert "1 proposition en attente" in queue and "Simplon Montreuil : Atelier" in queue
    assert '"lat": 48.85743' in queue.replace("&#34;", '"')
    page_url = f"/admin/submissions/{submission.id}"
    assert "Campus Simplon" in client.get(page_url).get_data(as_text=True)
    assert post_button(client, page_url, f"{page_url}/approve").status_code == 303
    statuses = {e.status for e in db.session.scalars(select(Event))}
    assert statuses == {EventStatus.published}
    assert client.get("/api/events").get_json()["count"] == 2
    assert len(client.get("/api/events/markers").get_json()["markers"]) == 2
    assert "crée ta première page web" in client.get("/").get_data(as_text=True)
    assert "Aucune proposition en attente." in client.get("/admin/").get_data(as_text=True)
    history = client.get("/admin/history").get_data(as_text=True)
    assert history.count("Validée") == 2 and "moderatrice@gen.example.org" in history


def test_reject_needs_a_reason_and_keeps_it_hidden_from_the_public(client, fake_ban, make_admin, smtp_sink):
    submit(client)
    submission = db.session.scalars(select(Submission)).one()
    make_admin()
    login(client)
    page_url = f"/admin/submissions/{submission.id}"
    response = post_button(client, page_url, f"{page_url}/reject", reason="")
    assert response.status_code == 422 and "Indiquez le motif" in response.get_data(as_text=True)
    assert post_button(client, page_url, f"{page_url}/reject", reason="Hors sujet : pas une formation GEN.").status_code == 303
    events = db.session.scalars(select(Event)).all()
    assert {e.status for e in events} == {EventStatus.rejected}
    assert {e.rejection_reason for e in events} == {"Hors sujet : pas une formation GEN."}
    assert client.get(f"/events/{events[0].id}").status_code == 404
    assert client.get("/api/events").get_json()["count"] == 0
    assert any("Hors sujet" in m["data"] for m in smtp_sink.messages)
    log = db.session.scalars(select(ModerationLog).where(ModerationLog.action == "rejected")).all()
    assert len(log) == 2 and log[0].admin.email == "moderatrice@gen.example.org"


def test_moderation_without_csrf_changes_nothing(client, fake_ban, make_admin):
    submit(client)
    submission = db.session.scalars(select(Submission)).one()
    make_admin()
    login(client)
    assert client.post(f"/admin/submissions/{submission.id}/approve").status_code == 400
    assert {e.status for e in db.session.scalars(select(Event))} == {EventStatus.pending}


def test_staff_revoke_and_reissue_the_school_link(client, fake_ban, make_admin, smtp_sink):
    path = submit(client)
    submission = db.session.scalars(select(Submission)).one()
    make_admin()
    login(client)
    page_url = f"/admin/submissions/{submission.id}"
    post_button(client, page_url, f"{page_url}/revoke-link")
    assert client.get(path).status_code == 404
    response = post_button(client, page_url, f"{page_url}/new-link")
    assert response.status_code == 303
    page = client.get(page_url).get_data(as_text=True)
    new_path = "/submit/edit/" + page.split('id="new-link" class="link-box" readonly value="')[1].split('"')[0].rsplit("/", 1)[1]
    assert client.get(new_path).status_code == 200 and client.get(path).status_code == 404
    assert "Nouveau lien de modification (affiché une seule fois)" not in client.get(page_url).get_data(as_text=True)
    assert any(new_path in m["data"] for m in smtp_sink.messages)
    actions = db.session.scalars(select(ModerationLog.action).order_by(ModerationLog.id)).all()
    assert actions[-2:] == ["link_revoked", "link_reissued"]


def test_logout_ends_the_session(client, make_admin):
    make_admin()
    login(client)
    assert client.get("/admin/").status_code == 200
    post_button(client, "/admin/", "/admin/logout")
    assert client.get("/admin/").status_code == 302


def test_a_published_session_edited_by_the_school_is_listed_for_review(client, fake_ban, make_admin):
    path = submit(client)
    make_admin()
    login(client)
    submission = db.session.scalars(select(Submission)).one()
    post_button(client, f"/admin/submissions/{submission.id}", f"/admin/submissions/{submission.id}/approve")
    event = db.session.scalars(select(Event).order_by(Event.start_at)).first()
    url = f"{path}/events/{event.id}"
    page = client.get(url).get_data(as_text=True)
    client.post(url, data={"csrf_token": csrf_token(page), "title": "Titre changé après validation",
                           "description": "Une heure pour écrire ta première page web.", "kind": "workshop",
                           "families": ["web-development"], "format": "onsite", "day": "2021-11-29",
                           "start": "09:00"})
    queue = client.get("/admin/").get_data(as_text=True)
    assert "Sessions publiées modifiées récemment" in queue and "Titre changé après validation" in queue
    # Staff can still take it down.
    post_button(client, f"/admin/submissions/{submission.id}", f"/admin/submissions/{submission.id}/reject",
                reason="Modification non conforme.")
    db.session.expire_all()
    assert event.status == EventStatus.rejected and event.sequence == 2


def test_script_from_schools_is_inert_on_moderation_pages(client, make_admin):
    xss = '<script>alert("admin")</script><img src=x onerror=alert(1)>'
    submit(client, valid_form(school_name="École " + xss, title="Atelier " + xss, description="Texte " + xss,
                              venue_name="Lieu " + xss, accessibility=xss,
                              registration_url="https://example.org/?q=<script>"))
    make_admin()
    login(client)
    submission = db.session.scalars(select(Submission)).one()
    for url in ("/admin/", f"/admin/submissions/{submission.id}", "/admin/history"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
    assert "&lt;script&gt;alert(&#34;admin&#34;)&lt;/script&gt;" in client.get(
        f"/admin/submissions/{submission.id}").get_data(as_text=True)


def test_pending_sessions_entered_without_the_form_do_not_break_the_queue(client, make_admin, make_event):
    make_event(status=EventStatus.pending)
    make_admin()
    login(client)
    response = client.get("/admin/")
    assert response.status_code == 200 and "Aucune proposition en attente." in response.get_data(as_text=True)


def staff_open_a_new_submission(client, make_admin, data=None) -> str:
    """A school submits, a staff member logs in: return the submission's staff page address."""
    submit(client, data)
    submission = db.session.scalars(select(Submission)).one()
    make_admin()
    login(client)
    return f"/admin/submissions/{submission.id}"


def test_approve_and_reject_do_not_look_alike(client, fake_ban, make_admin):
    page = client.get(staff_open_a_new_submission(client, make_admin)).get_data(as_text=True)
    approve = re.search(r'<input[^>]*id="approve"[^>]*>', page).group(0)
    reject = re.search(r'<input[^>]*id="reject"[^>]*>', page).group(0)
    # How the two classes look (filled blue, filled red) is checked in Chromium on computed styles:
    # tests/browser/test_admin_browser.py and test_look_browser.py.
    assert 'class="primary"' in approve and 'class="danger"' in reject


@pytest.mark.parametrize("count, expected", [
    (0, "Aucune session en attente dans cette proposition : rien n’a été publié."),
    (1, "1 session publiée."),
    (2, "2 sessions publiées."),
])
def test_the_approval_message_counts_in_french(client, fake_ban, make_admin, count, expected):
    grid = ["2021-11-29T09", "2021-11-30T14"][:max(count, 1)]
    page_url = staff_open_a_new_submission(client, make_admin, valid_form(grid=grid))
    if count == 0:
        post_button(client, page_url, f"{page_url}/approve")
    post_button(client, page_url, f"{page_url}/approve")
    assert expected in html.unescape(client.get("/admin/").get_data(as_text=True))


def test_a_new_link_without_smtp_says_the_mail_was_printed_on_the_console(client, fake_ban, make_admin, capsys):
    page_url = staff_open_a_new_submission(client, make_admin)
    capsys.readouterr()
    post_button(client, page_url, f"{page_url}/new-link")
    page = html.unescape(client.get(page_url).get_data(as_text=True))
    assert ("Aucun serveur d’e-mail n’est configuré : le message pour contact@simplon.example.org a été écrit "
            "dans la console du serveur, pas envoyé.") in page
    link = re.search(r'id="new-link" class="link-box" readonly value="([^"]+)"', page).group(1)
    printed = capsys.readouterr().out
    assert "To: contact@simplon.example.org" in printed and link in printed
