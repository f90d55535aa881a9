"""The GEN team edits the morning broadcast programme in the admin pages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from opengen.db import db
from opengen.models import Edition, ModerationLog

from .broadcast_fixtures import move_edition, stored
from .conftest import csrf_token, paris
from .submit_fixtures import login

NEW_PAGES = ["/admin/broadcasts", "/admin/broadcasts/new", "/admin/broadcasts/1", "/admin/broadcasts/1/delete",
             "/admin/numbers",
             "/admin/numbers/sessions.csv"]
NEW_POSTS = ["/admin/broadcasts/propose", "/admin/broadcasts/new", "/admin/broadcasts/1",
             "/admin/broadcasts/1/delete"]


@pytest.fixture
def staff(client, make_admin):
    """A logged-in staff member's client."""
    make_admin()
    assert login(client).status_code == 303
    return client


def edit_form(client, url: str, **overrides) -> MultiDict:
    """The form as the page shows it (with its CSRF token), with some fields changed."""
    html = client.get(url).get_data(as_text=True)
    data = MultiDict({"csrf_token": csrf_token(html)})
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html):
        if name != "csrf_token" and not name.startswith("families") and name != "is_fixed":
            data[name] = _unescape(value)
    for name in ("title", "description"):
        match = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>(?:([^<]*)</textarea>)?', html)
        if name == "description" and match:
            data[name] = _unescape(match.group(1) or "")
    for tag in re.findall(r"<input[^>]*>", html):
        if " checked" in tag and 'name="families"' in tag:
            data.add("families", re.search(r'value="([^"]+)"', tag).group(1))
        if " checked" in tag and 'name="is_fixed"' in tag:
            data["is_fixed"] = "y"
    for key, value in overrides.items():
        if isinstance(value, list):
            data.setlist(key, value)
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&#39;", "'")
            .replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.parametrize("url", NEW_PAGES)
def test_a_visitor_is_sent_to_the_login_page(client, make_broadcast, url):
    make_broadcast()
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


@pytest.mark.parametrize("url", NEW_POSTS)
def test_a_visitor_cannot_change_the_programme(client, make_broadcast, url):
    show = make_broadcast(title="Émission d’origine")
    db.session.commit()
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "title": "Piratée", "day": "2021-11-29",
                                      "start": "10:00", "end": "11:00", "families": "data"})
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert [b.title for b in stored()] == ["Émission d’origine"] and stored()[0].sequence == show.sequence


@pytest.mark.parametrize("url", NEW_POSTS)
def test_a_post_without_csrf_token_is_refused(staff, make_broadcast, url):
    make_broadcast(title="Émission d’origine")
    db.session.commit()
    response = staff.post(url, data={"title": "Sans jeton", "day": "2021-11-29", "start": "10:00",
                                     "end": "11:00", "families": "data"})
    assert response.status_code == 400
    assert [(b.title, b.sequence) for b in stored()] == [("Émission d’origine", 0)]
    assert db.session.scalars(select(ModerationLog)).all() == []


def test_the_list_shows_paris_times_families_links_replay_and_guests(staff, make_broadcast):
    make_broadcast(start=paris(2021, 11, 30, 10), families=["data", "ai"], title="Data et IA",
                   replay_url="https://replay.example.org/1", guests=[{"name": "Sarah", "role": "data analyst"}])
    make_broadcast(start=paris(2021, 11, 29, 9, 30), families=["cloud"], title="Le cloud", is_fixed=False)
    db.session.commit()
    html = staff.get("/admin/broadcasts").get_data(as_text=True)
    assert html.index("Le cloud") < html.index("Data et IA")
    assert "Lundi 29 novembre, 9 h 30 – 10 h 30" in html and "Mardi 30 novembre, 10 h 00 – 11 h 00" in html
    assert "Data" in html and "Intelligence artificielle" in html and "Cloud" in html
    assert "https://replay.example.org/1" in html and "Sarah (data analyst)" in html
    assert "https://www.youtube.com/@gen-test" in html
    assert html.count(">Fixé<") == 1 and html.count(">Libre<") == 1
    assert "Proposer un programme" in html and 'href="/admin/broadcasts"' in staff.get("/admin/").get_data(as_text=True)


def test_staff_edits_a_broadcast_and_the_public_sees_it(staff, make_broadcast):
    show = make_broadcast(title="Ancien titre", families=["data"])
    db.session.commit()
    url = f"/admin/broadcasts/{show.id}"
    data = edit_form(staff, url, title="Nouveau titre", start="09:15", end="10:45",
                     families=["data", "cloud"], description="Une émission revue.")
    data["links-0-platform"], data["links-0-url"] = "Twitch", "https://www.twitch.tv/opengen"
    data["guests-0-name"], data["guests-0-role"] = "Moussa", "administrateur cloud"
    data["replay_url"] = "https://replay.example.org/2"
    response = staff.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    [saved] = stored()
    assert saved.title == "Nouveau titre" and saved.sequence == 1 and saved.description == "Une émission revue."
    assert saved.start_at == paris(2021, 11, 29, 9, 15) and saved.end_at == paris(2021, 11, 29, 10, 45)
    assert [f.slug for f in saved.families] == ["cloud", "data"]
    assert {"platform": "Twitch", "url": "https://www.twitch.tv/opengen"} in saved.links
    assert saved.guests == [{"name": "Moussa", "role": "administrateur cloud"}]
    assert saved.replay_url == "https://replay.example.org/2"
    assert "Nouveau titre" in staff.get("/broadcasts").get_data(as_text=True)
    api = staff.get("/api/broadcasts").get_json()
    found = [b for b in (api.get("broadcasts") if isinstance(api, dict) else api) if b["id"] == saved.id]
    assert found[0]["title"] == "Nouveau titre" and found[0]["sequence"] == 1
    ics = staff.get("/broadcasts.ics").get_data(as_text=True)
    assert "SUMMARY:Nouveau titre" in ics and "SEQUENCE:1" in ics
    [entry] = db.session.scalars(select(ModerationLog)).all()
    assert (entry.action, entry.actor, entry.event_id) == ("broadcast_edit", "moderatrice@gen.example.org", None)
    assert "Nouveau titre" in entry.reason
    assert "Émission modifiée" in staff.get("/admin/history").get_data(as_text=True)


def test_an_unchanged_form_bumps_nothing(staff, make_broadcast):
    show = make_broadcast(title="Stable")
    db.session.commit()
    response = staff.post(f"/admin/broadcasts/{show.id}", data=edit_form(staff, f"/admin/broadcasts/{show.id}"))
    assert response.status_code == 303
    assert stored()[0].sequence == 0 and db.session.scalars(select(ModerationLog)).all() == []


BAD_INPUTS = [
    ({"start": "25:00"}, "start", "Heure invalide"),
    ({"start": "abc"}, "start", "Heure invalide"),
    ({"day": "2021-02-30"}, "day", "Date invalide"),
    ({"day": ""}, "day", "Choisissez le jour"),
    ({"day": "0001-01-01"}, "day", "du lundi 29 novembre au samedi 4 décembre"),
    ({"day": "2021-12-05"}, "day", "Choisissez un jour de l’édition"),
    ({"end": "09:00"}, "end", "finir après son début"),
    ({"families": []}, "families", "au moins une famille"),
    ({"families": ["data", "astrologie"]}, "families", "Famille de métiers inconnue"),
    ({"title": ""}, "title", "Donnez un titre"),
    ({"title": "   \t "}, "title", "Donnez un titre"),
    ({"start": "00:00", "end": "23:00"}, "end", "plus de 12 heures"),
    ({"families": ["data", "data"]}, "families", "figure deux fois"),
    ({"title": "x" * 201}, "title", "200 caractères au plus"),
    ({"description": "x" * 5001}, "description", "5000 caractères au plus"),
    ({"replay_url": "javascript:alert(1)"}, "replay_url", "commençant par https://"),
    ({"replay_url": "ftp://example.org/x"}, "replay_url", "commençant par https://"),
    ({"links-0-platform": "YouTube", "links-0-url": "javascript:alert(1)"}, "links-0-url",
     "commençant par https://"),
    ({"links-0-platform": "", "links-0-url": "https://example.org/live"}, "links-0-platform",
     "Nommez la plateforme"),
    ({"links-0-platform": "P" * 41, "links-0-url": "https://example.org/live"}, "links-0-platform",
     "40 caractères au plus"),
    ({"guests-0-name": "", "guests-0-role": "rôle sans nom"}, "guests-0-name", "nom de cet invité"),
    ({"guests-0-name": "N" * 121}, "guests-0-name", "120 caractères au plus"),
    ({"guests-0-name": "Inès", "guests-0-role": "r" * 201}, "guests-0-role", "200 caractères au plus"),
    ({"replay_url": "https://example.org/" + "a" * 500}, "replay_url", "500 caractères au plus"),
    ({"links-0-platform": "YouTube", "links-0-url": "JaVaScRiPt:alert(1)//https://x.org"}, "links-0-url",
     "commençant par https://"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUTS)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(staff, make_broadcast, changes, field, message):
    show = make_broadcast(title="Intacte")
    db.session.commit()
    url = f"/admin/broadcasts/{show.id}"
    data = edit_form(staff, url, **{"title": "Titre gardé", **changes})
    response = staff.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1), html
    if "title" not in changes:
        assert 'value="Titre gardé"' in html  # input kept
    assert [(b.title, b.sequence) for b in stored()] == [("Intacte", 0)]
    assert db.session.scalars(select(ModerationLog)).all() == []


def test_a_time_skipped_by_the_spring_change_is_refused(staff, make_broadcast):
    move_edition(paris(2022, 3, 26, 12).date(), paris(2022, 4, 1, 12).date())
    show = make_broadcast(start=paris(2022, 3, 28, 10), title="Printemps")
    db.session.commit()
    url = f"/admin/broadcasts/{show.id}"
    response = staff.post(url, data=edit_form(staff, url, day="2022-03-27", start="02:30", end="03:30"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "n’existe pas" in html and 'id="start-error"' in html
    assert [(b.title, b.sequence) for b in stored()] == [("Printemps", 0)]


def test_a_time_repeated_by_the_autumn_change_is_refused(staff, make_broadcast):
    move_edition(paris(2021, 10, 30, 12).date(), paris(2021, 11, 5, 12).date())
    show = make_broadcast(start=paris(2021, 11, 2, 10), title="Automne")
    db.session.commit()
    url = f"/admin/broadcasts/{show.id}"
    response = staff.post(url, data=edit_form(staff, url, day="2021-10-31", start="01:00", end="02:30"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "existe deux fois" in html and 'id="end-error"' in html
    accepted = staff.post(url, data=edit_form(staff, url, day="2021-10-31", start="03:00", end="04:00"))
    assert accepted.status_code == 303
    assert [(b.start_at, b.sequence) for b in stored()] == [(paris(2021, 10, 31, 3), 1)]


SCRIPT = '<script>alert("x")</script>'


def test_script_in_every_text_field_is_stored_as_text_and_shown_escaped(staff, make_broadcast):
    show = make_broadcast(title="Avant")
    db.session.commit()
    url = f"/admin/broadcasts/{show.id}"
    data = edit_form(staff, url, title=SCRIPT, description=SCRIPT,
                     replay_url='https://example.org/?q="><script>alert(1)</script>')
    data.update({"links-0-platform": SCRIPT, "links-0-url": "https://example.org/live",
                 "guests-0-name": SCRIPT, "guests-0-role": SCRIPT})
    assert staff.post(url, data=data).status_code == 303
    for page in ("/admin/broadcasts", url, "/broadcasts", "/admin/history"):
        html = staff.get(page).get_data(as_text=True)
        assert SCRIPT not in html and "<script>alert(1)" not in html and "&lt;script&gt;" in html, page
    # A refused form shows the typed script escaped too.
    refused = staff.post(url, data=edit_form(staff, url, title=SCRIPT, end="01:00")).get_data(as_text=True)
    assert SCRIPT not in refused and "&lt;script&gt;" in refused


def test_staff_adds_and_deletes_a_broadcast(staff, make_broadcast):
    html = staff.get("/admin/broadcasts/new").get_data(as_text=True)
    response = staff.post("/admin/broadcasts/new", data={
        "csrf_token": csrf_token(html), "title": "Émission spéciale", "description": "", "day": "2021-12-01",
        "start": "11:00", "end": "12:00", "families": ["cybersecurity"], "is_fixed": "y",
        "links-0-platform": "YouTube", "links-0-url": "https://www.youtube.com/@gen",
        "replay_url": "https://replay.example.org/3"})
    assert response.status_code == 303, response.get_data(as_text=True)
    [added] = stored()
    assert (added.title, added.is_fixed, added.replay_url) == ("Émission spéciale", True, "https://replay.example.org/3")
    assert added.start_at == paris(2021, 12, 1, 11)
    listing = staff.get("/admin/broadcasts").get_data(as_text=True)
    delete = staff.post(f"/admin/broadcasts/{added.id}/delete", data={"csrf_token": csrf_token(listing)})
    assert delete.status_code == 303 and stored() == []
    assert db.session.scalars(select(ModerationLog.action).order_by(ModerationLog.id)).all() == [
        "broadcast_add", "broadcast_delete"]
    assert staff.get(f"/admin/broadcasts/{added.id}").status_code == 404


def test_adding_with_bad_input_saves_nothing(staff):
    html = staff.get("/admin/broadcasts/new").get_data(as_text=True)
    response = staff.post("/admin/broadcasts/new", data={
        "csrf_token": csrf_token(html), "title": "Sans famille", "day": "2021-12-01", "start": "11:00",
        "end": "12:00"})
    assert response.status_code == 422 and "au moins une famille" in response.get_data(as_text=True)
    assert 'value="Sans famille"' in response.get_data(as_text=True)
    assert stored() == []


def test_propose_a_programme_keeps_the_fixed_slot(staff, make_broadcast):
    make_broadcast(start=paris(2021, 12, 2, 14), families=["data"], title="Fixée par l’équipe", is_fixed=True)
    db.session.commit()
    html = staff.get("/admin/broadcasts").get_data(as_text=True)
    response = staff.post("/admin/broadcasts/propose", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 303
    shows = stored()
    assert sorted(f.slug for b in shows for f in b.families) == sorted(
        ["web-development", "networks-maintenance", "cybersecurity", "cloud", "data", "ai", "web-design",
         "digital-marketing", "project-management"])
    fixed = [b for b in shows if b.is_fixed]
    assert [(b.title, b.start_at) for b in fixed] == [("Fixée par l’équipe", paris(2021, 12, 2, 14))]
    assert db.session.scalars(select(ModerationLog.action)).all() == ["broadcast_schedule"]


def test_an_impossible_programme_shows_the_french_reason(staff, make_broadcast):
    # Six mornings of two families hold twelve; fixing one family twice leaves the rest impossible.
    for day in range(29, 31):
        make_broadcast(start=paris(2021, 11, day, 10), families=["data"], title=f"Data {day}", is_fixed=True)
    db.session.commit()
    html = staff.get("/admin/broadcasts").get_data(as_text=True)
    response = staff.post("/admin/broadcasts/propose", data={"csrf_token": csrf_token(html)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'role="alert"' in body
    message = re.search(r'id="programme-error">([^<]+)<', body).group(1)
    assert message.startswith("Impossible : la famille « Data » est fixée deux fois") and "Traceback" not in body
    assert [b.title for b in stored()] == ["Data 29", "Data 30"]
    assert db.session.scalars(select(ModerationLog)).all() == []


def test_unknown_broadcast_is_404(staff):
    assert staff.get("/admin/broadcasts/999").status_code == 404
    assert staff.get("/admin/broadcasts/99999999999999999999").status_code == 404


def test_pages_without_any_edition_say_so(staff):
    db.session.execute(delete(Edition))
    db.session.commit()
    assert "Aucune édition n’existe encore." in staff.get("/admin/broadcasts").get_data(as_text=True)
    assert "Aucune édition n’existe encore." in staff.get("/admin/numbers").get_data(as_text=True)
    assert staff.get("/admin/broadcasts/new").status_code == 404
    assert staff.get("/admin/numbers/sessions.csv").status_code == 404


def test_the_add_form_starts_on_the_first_day_fixed_with_blank_rows(staff, make_broadcast):
    make_broadcast()
    db.session.commit()
    html = staff.get("/admin/broadcasts/new").get_data(as_text=True)
    assert 'value="2021-11-29"' in html and 'name="links-1-url"' in html and 'name="guests-1-name"' in html
    assert re.search(r'<input checked[^>]*name="is_fixed"', html)


def test_an_automatic_title_follows_new_families_unless_staff_changed_it(staff, make_broadcast):
    show = make_broadcast(families=["data"])
    db.session.commit()
    automatic = show.title
    url = f"/admin/broadcasts/{show.id}"
    assert staff.post(url, data=edit_form(staff, url, families=["cloud"])).status_code == 303
    [saved] = stored()
    assert saved.title != automatic and "cloud" in saved.title.lower() and "cloud" in saved.description.lower()
    assert staff.post(url, data=edit_form(staff, url, title="Titre choisi", families=["ai"])).status_code == 303
    assert staff.post(url, data=edit_form(staff, url, families=["data"])).status_code == 303
    assert stored()[0].title == "Titre choisi"


def test_deleting_a_broadcast_asks_first_on_a_page_that_needs_no_javascript(staff, make_broadcast):
    show = make_broadcast(start=paris(2021, 11, 30, 10), families=["data"], title="Émission à garder ?")
    db.session.commit()
    listing = staff.get("/admin/broadcasts").get_data(as_text=True)
    # The list only links to the question: no form there deletes anything.
    assert f'action="/admin/broadcasts/{show.id}/delete"' not in listing
    assert f'href="/admin/broadcasts/{show.id}/delete"' in listing
    edit_page = staff.get(f"/admin/broadcasts/{show.id}").get_data(as_text=True)
    assert f'action="/admin/broadcasts/{show.id}/delete"' not in edit_page
    question = staff.get(f"/admin/broadcasts/{show.id}/delete")
    page = question.get_data(as_text=True)
    assert question.status_code == 200 and [b.title for b in stored()] == ["Émission à garder ?"]
    assert "Supprimer « Émission à garder ? » ?" in page and "Mardi 30 novembre, 10 h 00" in page
    assert f'<form method="post" action="/admin/broadcasts/{show.id}/delete"' in page
    assert re.search(r'<button type="submit" class="danger" id="confirm-delete">', page)
    assert 'href="/admin/broadcasts" id="keep-broadcast"' in page
    answer = staff.post(f"/admin/broadcasts/{show.id}/delete", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 303 and stored() == []


def test_the_delete_question_needs_an_existing_broadcast(staff):
    assert staff.get("/admin/broadcasts/999999/delete").status_code == 404
    assert staff.post("/admin/broadcasts/999999/delete").status_code in (400, 404)
