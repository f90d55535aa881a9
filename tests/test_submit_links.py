"""The secret edit link: what it opens, what it refuses, edits that bump the sequence, cancellations."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from opengen.db import db, utcnow
from opengen.models import Event, EventFormat, EventStatus, ModerationLog, Submission

from .conftest import csrf_token, paris
from .submit_fixtures import field_error, submit, valid_form

# The real clock is years past the test edition: freeze it while that edition takes proposals.
pytestmark = pytest.mark.usefixtures("submissions_open")


def events_of(path: str) -> list[Event]:
    token = path.rsplit("/", 1)[1]
    submission = db.session.scalars(select(Submission).where(
        Submission.token_hash == hashlib.sha256(token.encode()).hexdigest())).one()
    return sorted(submission.events, key=lambda e: e.start_at)


def edit_data(page: str, **changes) -> dict:
    data = {"csrf_token": csrf_token(page), "title": "Atelier : crée ta première page web",
            "description": "Une heure pour écrire ta première page web, sans prérequis.", "kind": "workshop",
            "families": ["web-development"], "format": "onsite", "day": "2021-11-29", "start": "09:00",
            "end": "", "capacity": "12", "registration_url": "https://inscription.example.org/1"}
    data.update(changes)
    return data


def test_the_link_lists_the_sessions_with_their_status(client, fake_ban):
    path = submit(client)
    page = client.get(path).get_data(as_text=True)
    assert "Les sessions de Simplon Montreuil" in page and page.count("En attente de validation") == 2
    assert "Corriger l’adresse ou le repère" in page
    # Each repeated button says, for screen readers, which session it is about.
    named = re.findall(r'>Modifier<span class="visually-hidden"> : ([^<]+)</span>', page)
    assert len(named) == 2 and all(re.search(r", \w+ \d+ \w+ \d+ h \d\d$", label) for label in named), named
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"


def test_an_edit_changes_the_session_and_bumps_its_sequence(ctx, client, fake_ban):
    path = submit(client)
    first, second = events_of(path)
    url = f"{path}/events/{first.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Atelier : crée ta première page web"' in page and 'value="09:00"' in page
    response = client.post(url, data=edit_data(page, title="Atelier web : ta première page", start="10:00",
                                               end="11:30"))
    assert response.status_code == 303
    db.session.expire_all()
    assert first.title == "Atelier web : ta première page" and first.sequence == 1
    assert (first.start_at, first.end_at) == (paris(2021, 11, 29, 10), paris(2021, 11, 29, 11, 30))
    assert second.sequence == 0 and second.title == "Atelier : crée ta première page web"
    # Saving the same values again changes nothing, not even the sequence.
    page = client.get(url).get_data(as_text=True)
    client.post(url, data=edit_data(page, title="Atelier web : ta première page", start="10:00", end="11:30"))
    db.session.expire_all()
    assert first.sequence == 1
    assert db.session.scalars(select(ModerationLog.action).where(ModerationLog.event_id == first.id)).all() == \
        ["edited"]


def test_a_bad_edit_comes_back_with_errors_and_changes_nothing(ctx, client, fake_ban):
    path = submit(client)
    event = events_of(path)[0]
    url = f"{path}/events/{event.id}"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data=edit_data(page, title="", day="2022-01-10", description="Nouveau texte gardé ici."))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(body, "title") == "Donnez un titre à la session."
    assert "Nouveau texte gardé ici." in body
    response = client.post(url, data=edit_data(page, day="2022-01-10"))
    assert "semaine Open Gen" in field_error(response.get_data(as_text=True), "day")
    response = client.post(url, data=edit_data(page, start="18:00", end="17:00"))
    assert field_error(response.get_data(as_text=True), "end").startswith("La fin doit être après le début")
    db.session.expire_all()
    assert event.sequence == 0 and event.start_at == paris(2021, 11, 29, 9)


def test_an_edit_without_csrf_is_refused(ctx, client, fake_ban):
    path = submit(client)
    event = events_of(path)[0]
    data = edit_data("name=\"csrf_token\" value=\"x\"", title="Changé sans jeton")
    data.pop("csrf_token")
    assert client.post(f"{path}/events/{event.id}", data=data).status_code == 422
    db.session.expire_all()
    assert event.title != "Changé sans jeton"


def test_cancelling_a_published_session_keeps_it_marked_cancelled(ctx, client, fake_ban):
    path = submit(client)
    event = events_of(path)[0]
    event.status, event.published_at = EventStatus.published, utcnow()
    db.session.commit()
    url = f"{path}/events/{event.id}/cancel"
    page = client.get(url).get_data(as_text=True)
    assert "Annuler « Atelier : crée ta première page web »" in page
    assert client.post(url, data={"csrf_token": csrf_token(page), "confirm": "1"}).status_code == 303
    db.session.expire_all()
    assert event.status == EventStatus.cancelled and event.sequence == 1 and event.cancelled_at is not None
    assert "Cette session est annulée" in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert client.get(f"/api/events/{event.id}").get_json()["status"] == "cancelled"
    calendar = client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    assert "STATUS:CANCELLED" in calendar and "SEQUENCE:1" in calendar
    # A cancelled session can no longer be edited nor cancelled again.
    assert client.get(f"{path}/events/{event.id}").status_code == 302
    assert client.post(url, data={"csrf_token": csrf_token(page), "confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert event.sequence == 1


def test_cancelling_a_pending_session_withdraws_it_without_ever_showing_it(ctx, client, fake_ban):
    path = submit(client)
    event = events_of(path)[0]
    page = client.get(f"{path}/events/{event.id}/cancel").get_data(as_text=True)
    client.post(f"{path}/events/{event.id}/cancel", data={"csrf_token": csrf_token(page), "confirm": "1"})
    db.session.expire_all()
    assert event.status == EventStatus.rejected and event.cancelled_at is not None
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/events/{event.id}.ics").status_code == 404
    assert event.uid not in client.get("/calendar.ics").get_data(as_text=True)
    assert "Retirée par l’école avant publication" in client.get(path).get_data(as_text=True)


def test_a_forged_or_mangled_token_opens_nothing(ctx, client, fake_ban):
    path = submit(client)
    event = events_of(path)[0]
    token = path.rsplit("/", 1)[1]
    for bad in (token[:-1], token + "A", token.upper(), "A" * len(token), "x" * 5000, "%00", "é" * 43,
                hashlib.sha256(token.encode()).hexdigest()):
        response = client.get(f"/submit/edit/{bad}")
        assert response.status_code == 404, bad
        assert "Ce lien de modification ne fonctionne pas" in response.get_data(as_text=True)
        assert client.get(f"/submit/edit/{bad}/events/{event.id}").status_code == 404


def test_a_revoked_or_replaced_token_stops_working(ctx, client, fake_ban):
    path = submit(client)
    submission = db.session.scalars(select(Submission)).one()
    from opengen.submissions.links import issue_token, revoke_token

    revoke_token(submission)
    db.session.commit()
    assert client.get(path).status_code == 404
    new_token = issue_token(submission)
    db.session.commit()
    assert client.get(path).status_code == 404
    assert client.get(f"/submit/edit/{new_token}").status_code == 200


def test_a_second_school_cannot_touch_the_first_schools_sessions(ctx, client, fake_ban):
    first_path = submit(client)
    second_path = submit(client, valid_form(school_name="École Deux", contact_email="deux@example.org",
                                            grid=["2021-12-01T10"]))
    victim = events_of(first_path)[0]
    venue_id = victim.venue_id
    page = client.get(f"{second_path}").get_data(as_text=True)
    token = csrf_token(client.get(f"{second_path}/events/{events_of(second_path)[0].id}").get_data(as_text=True))
    assert "crée ta première page web" in page  # its own title, same text, but only its own session
    for url in (f"{second_path}/events/{victim.id}", f"{second_path}/events/{victim.id}/cancel",
                f"{second_path}/venues/{venue_id}"):
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": token, "confirm": "1", "title": "Piraté"}).status_code == 404
    db.session.expire_all()
    assert victim.status == EventStatus.pending and victim.title != "Piraté" and victim.sequence == 0


def test_an_unknown_event_id_is_a_404(client, fake_ban):
    path = submit(client)
    assert client.get(f"{path}/events/999999").status_code == 404
    assert client.get(f"{path}/events/abc").status_code == 404


def test_an_online_only_session_cannot_become_on_site_without_a_venue(ctx, client):
    path = submit(client, valid_form(format="online", online_url="https://visio.example.org/a", venue_name="",
                                     address="", postcode="", city=""))
    event = events_of(path)[0]
    url = f"{path}/events/{event.id}"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data=edit_data(page, format="onsite", online_url="https://visio.example.org/a"))
    assert "Cette session n’a pas de lieu" in field_error(response.get_data(as_text=True), "format")
    db.session.expire_all()
    assert event.format == EventFormat.online


@pytest.mark.parametrize("field", ["title", "description", "accessibility"])
def test_script_in_an_edit_stays_text(ctx, client, fake_ban, field):
    path = submit(client)
    event = events_of(path)[0]
    url = f"{path}/events/{event.id}"
    payload = '<script>alert(1)</script> et <b onmouseover=alert(2)>texte</b> assez long'
    page = client.get(url).get_data(as_text=True)
    client.post(url, data=edit_data(page, **{field: payload}))
    html = client.get(path).get_data(as_text=True) + client.get(url).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<b onmouseover" not in html
    db.session.expire_all()
    assert getattr(event, field) == payload
