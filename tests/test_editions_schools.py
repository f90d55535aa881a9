"""Schools across editions: proposals go to the edition taking them, a closed edition's sessions are
kept as read, and a new proposal can start from a session of a past edition (copied, re-dated)."""
from __future__ import annotations

import hashlib
import html
import io
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from opengen.checks import FieldError
from opengen.db import db
from opengen.demo import ensure_edition
from opengen.editions import EditionDraft, create
from opengen.models import Event, EventFormat, Submission, Venue
from opengen.places.venues import Location, VenueDraft
from opengen.submissions import operations, windows
from opengen.submissions.imports import example_csv

from .conftest import csrf_token, paris
from .submit_fixtures import BEFORE_THE_WEEK, confirm, submit, valid_form

AFTER_2021 = "2022-01-15T10:00"  # the 2021 edition is over; nothing takes proposals yet
DURING_2022_WINDOW = "2022-10-15T10:00"


def edition_2022():
    """The next year's edition: proposals from 1 September to 20 November 2022."""
    return create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28), ends_on=date(2022, 12, 3),
                               submissions_open_on=date(2022, 9, 1), submissions_close_on=date(2022, 11, 20),
                               published_on=date(2022, 10, 1)))


def submission_of(path: str) -> Submission:
    token = path.rsplit("/", 1)[1]
    return db.session.scalars(select(Submission).where(
        Submission.token_hash == hashlib.sha256(token.encode()).hexdigest())).one()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


class FormFields(HTMLParser):
    """What a browser would post from a page's form: inputs with values, checked boxes, textareas."""

    def __init__(self):
        super().__init__()
        self.data = MultiDict()
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "textarea" and name:
            self._textarea = name
            self.data.add(name, "")
        elif tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.add(name, attrs.get("value", "y" if attrs.get("type") == "checkbox" else ""))

    def handle_data(self, data):
        if self._textarea:
            values = self.data.getlist(self._textarea)
            values[-1] += data
            self.data.setlist(self._textarea, values)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            values = self.data.getlist(self._textarea)
            # As browsers do, drop the one line break that may follow <textarea>.
            values[-1] = values[-1].removeprefix("\r\n") if values[-1].startswith("\r\n") \
                else values[-1].removeprefix("\n")
            self.data.setlist(self._textarea, values)
            self._textarea = None


def form_fields(page: str) -> MultiDict:
    parser = FormFields()
    parser.feed(page)
    return parser.data


@pytest.fixture
def past_session(app, ctx, client, fake_ban):
    """A school's session proposed to Open Gen 2021 during its window; then the clock moves to the
    2022 window. Yields (edit link path, event)."""
    app.config["FROZEN_NOW"] = BEFORE_THE_WEEK
    data = valid_form(format="both", online_url="https://visio.example.org/atelier", accessibility="Ascenseur.",
                      audience=["women-in-tech", "no-prerequisite"], grid=["2021-11-29T09"])
    data.setlist("families", ["web-development", "data"])
    path = submit(client, data)
    event = submission_of(path).events[0]
    edition_2022()
    db.session.commit()
    app.config["FROZEN_NOW"] = DURING_2022_WINDOW
    yield path, event
    app.config["FROZEN_NOW"] = None


# --- where proposals go ---------------------------------------------------------------------

def test_proposals_go_to_the_edition_taking_them(app, ctx, client, fake_ban):
    edition = edition_2022()
    db.session.commit()
    app.config["FROZEN_NOW"] = DURING_2022_WINDOW
    page = client.get("/proposer").get_data(as_text=True)
    assert 'value="2022-11-28T09"' in page and 'value="2021-11-29T09"' not in page
    # A day of the old week is refused next to the field, input kept.
    old_day = valid_form(grid=[], **{"slots-0-day": "2021-11-30", "slots-0-start": "10:00"})
    old = client.post("/proposer", data={**old_day.to_dict(flat=False), "csrf_token": csrf_token(page),
                                         "preview": "1"})
    assert old.status_code == 422
    assert "du 28/11/2022 au 03/12/2022" in html.unescape(old.get_data(as_text=True))
    path = submit(client, valid_form(grid=["2022-11-28T09", "2022-12-01T14"]))
    events = submission_of(path).events
    assert len(events) == 2 and {e.edition_id for e in events} == {edition.id}
    assert min(e.start_at for e in events) == paris(2022, 11, 28, 9)


def test_the_csv_import_goes_to_the_edition_taking_proposals(app, ctx, client, fake_ban):
    edition = edition_2022()
    db.session.commit()
    app.config["FROZEN_NOW"] = DURING_2022_WINDOW
    page = client.get("/submit/import").get_data(as_text=True)
    body = example_csv(edition)
    assert "28/11/2022" in body
    answer = client.post("/submit/import", data={"csrf_token": csrf_token(page),
                                                 "file": (io.BytesIO(body.encode()), "sessions.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    assert [e.edition_id for e in db.session.scalars(select(Event))] == [edition.id]


def test_with_no_edition_taking_proposals_the_form_says_so_and_refuses(app, ctx, client, fake_ban):
    app.config["FROZEN_NOW"] = BEFORE_THE_WEEK
    token = csrf_token(client.get("/proposer").get_data(as_text=True))
    app.config["FROZEN_NOW"] = AFTER_2021
    page = client.get("/proposer").get_data(as_text=True)
    assert "Les propositions de sessions sont fermées" in html.unescape(page)
    assert "annoncera l’ouverture" in html.unescape(page)
    assert 'name="title"' not in page and 'name="grid"' not in page
    # A form sent while it was open is refused with the same message; nothing is saved.
    data = valid_form(grid=["2021-11-29T09"])
    for step in ("preview", "confirm"):
        answer = client.post("/proposer", data={**data.to_dict(flat=False), "csrf_token": token, step: "1"})
        assert answer.status_code == 403
        assert "Les propositions de sessions sont fermées" in html.unescape(answer.get_data(as_text=True))
    assert count(Event) == count(Submission) == 0
    with pytest.raises(FieldError):
        windows.require_open_edition()


def test_the_closed_message_says_when_the_next_window_opens(app, ctx, client):
    edition_2022()
    db.session.commit()
    app.config["FROZEN_NOW"] = AFTER_2021
    page = html.unescape(client.get("/proposer").get_data(as_text=True))
    assert "Elles ouvriront le jeudi 1 septembre 2022 pour Open Gen 2022" in page
    assert "Elles ouvriront le jeudi 1 septembre 2022" in html.unescape(
        client.get("/submit/import").get_data(as_text=True))


def test_the_csv_import_is_refused_when_no_edition_takes_proposals(app, ctx, client, fake_ban):
    app.config["FROZEN_NOW"] = BEFORE_THE_WEEK
    token = csrf_token(client.get("/submit/import").get_data(as_text=True))
    app.config["FROZEN_NOW"] = AFTER_2021
    answer = client.post("/submit/import", data={"csrf_token": token,
                                                 "file": (io.BytesIO(example_csv().encode()), "s.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 422
    page = html.unescape(answer.get_data(as_text=True))
    assert "Les propositions de sessions sont fermées" in page and 'type="file"' not in page
    assert count(Event) == count(Submission) == 0


# --- a closed edition's sessions are read-only ------------------------------------------------

def test_a_past_editions_sessions_are_shown_as_archive_without_edit_links(client, past_session):
    path, event = past_session
    page = html.unescape(client.get(path).get_data(as_text=True))
    assert "Open Gen 2021 (archive)" in page
    assert f'{path}/events/{event.id}"' not in page and f"{path}/events/{event.id}/cancel" not in page
    assert f"{path}/venues/" not in page
    assert "Reprendre pour l’édition 2022" in page
    assert f'href="{path}/events/{event.id}/reprendre"' in page


def test_a_past_editions_session_refuses_edits_by_url_and_in_the_domain(client, past_session):
    path, event = past_session
    title, sequence, start = event.title, event.sequence, event.start_at
    edit_url = f"{path}/events/{event.id}"
    answer = client.get(edit_url)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(path)
    assert "Les propositions de Open Gen 2021 sont closes" in html.unescape(
        client.get(path).get_data(as_text=True))
    token = csrf_token(client.get("/proposer").get_data(as_text=True))
    posted = client.post(edit_url, data={"csrf_token": token, "title": "Titre changé après coup",
                                         "description": "Une description changée bien après la semaine.",
                                         "kind": "workshop", "families": "data", "format": "onsite",
                                         "day": "2021-11-30", "start": "10:00"})
    assert posted.status_code == 302
    assert client.post(f"{edit_url}/cancel", data={"csrf_token": token, "confirm": "1"}).status_code == 302
    venue_url = f"{path}/venues/{event.venue_id}"
    assert client.post(venue_url, data={"csrf_token": token, "venue_name": "Ailleurs", "address": "1 rue de la Paix",
                                        "postcode": "75002", "city": "Paris"}).status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.title, event.sequence, event.start_at, event.status.value) == (title, sequence, start, "pending")
    assert event.venue.city == "Montreuil"
    details = operations.EventDetails(title="Autre", description="Une autre description assez longue.",
                                      kind=event.kind, families=("data",))
    with pytest.raises(FieldError):
        operations.edit_event(event, details, paris(2021, 11, 30, 10), paris(2021, 11, 30, 11))
    with pytest.raises(FieldError):
        operations.cancel_event(event, "contact@simplon.example.org")
    with pytest.raises(FieldError):
        operations.edit_venue(event.submission, event.venue, VenueDraft("Ailleurs", "1 rue de la Paix", "75002",
                                                                        "Paris"), Location(None))


def test_after_the_window_closes_an_upcoming_session_can_still_be_cancelled(app, ctx, client, fake_ban):
    app.config["FROZEN_NOW"] = BEFORE_THE_WEEK
    path = submit(client, valid_form(grid=["2021-11-30T14"]))
    event = submission_of(path).events[0]
    ensure_edition().submissions_close_on = date(2021, 11, 22)
    db.session.commit()
    app.config["FROZEN_NOW"] = "2021-11-27T10:00"
    page = html.unescape(client.get(path).get_data(as_text=True))
    assert "Open Gen 2021 (archive)" in page
    assert f'{path}/events/{event.id}"' not in page and f"{path}/events/{event.id}/cancel" in page
    assert "Reprendre pour" not in page  # no edition takes proposals
    assert client.get(f"{path}/events/{event.id}").status_code == 302
    cancel_page = client.get(f"{path}/events/{event.id}/cancel")
    assert cancel_page.status_code == 200
    assert client.post(f"{path}/events/{event.id}/cancel", data={
        "csrf_token": csrf_token(cancel_page.get_data(as_text=True)), "confirm": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event.id).cancelled_at is not None


# --- starting a new proposal from a past session --------------------------------------------

def test_the_copy_fills_every_field_but_the_dates(ctx, client, past_session):
    path, event = past_session
    page = client.get(f"{path}/events/{event.id}/reprendre").get_data(as_text=True)
    fields = form_fields(page)
    venue = event.venue
    expected = {"school_name": "Simplon Montreuil", "contact_email": "contact@simplon.example.org",
                "title": event.title, "description": event.description, "kind": "workshop", "format": "both",
                "online_url": "https://visio.example.org/atelier", "capacity": "12",
                "registration_url": "https://inscription.example.org/1", "accessibility": "Ascenseur.",
                "venue_name": "Campus Simplon", "address": "55 rue de Vincennes", "postcode": "93100",
                "city": "Montreuil", "pin_lat": str(venue.lat), "pin_lon": str(venue.lon)}
    assert {key: fields.get(key) for key in expected} == expected
    assert sorted(fields.getlist("families")) == ["data", "web-development"]
    assert sorted(fields.getlist("audience")) == ["no-prerequisite", "women-in-tech"]
    assert fields.getlist("grid") == [] and not any(fields.get(f"slots-{i}-{part}")
                                                    for i in range(3) for part in ("day", "start", "end"))
    assert "choisissez les nouveaux jours et horaires" in html.unescape(page)
    assert 'value="2022-11-28T09"' in page  # the grid is the 2022 week


def test_a_copy_sent_with_new_dates_lands_in_the_new_edition_and_leaves_the_old_one(ctx, client, past_session):
    path, event = past_session
    old_venue = event.venue
    old_venue.lat, old_venue.lon, old_venue.pin_corrected = 48.85770, 2.43850, True  # moved by the school
    db.session.commit()
    before = (event.title, event.edition_id, event.start_at, event.sequence, event.venue_id, event.status)
    fields = form_fields(client.get(f"{path}/events/{event.id}/reprendre").get_data(as_text=True))
    fields.setlist("grid", ["2022-11-29T10"])
    fields["preview"] = "1"
    checked = client.post("/proposer", data=fields)
    assert checked.status_code == 200, checked.get_data(as_text=True)[:1500]
    assert confirm(client, checked.get_data(as_text=True)).status_code == 303
    new = db.session.scalars(select(Event).where(Event.id != event.id)).one()
    assert new.edition.year == 2022 and new.start_at == paris(2022, 11, 29, 10)
    assert (new.title, new.description, new.format, new.capacity) == (
        event.title, event.description, EventFormat.both, 12)
    assert sorted(f.slug for f in new.families) == ["data", "web-development"]
    assert (new.venue_id != old_venue.id and new.venue.lat == 48.85770 and new.venue.lon == 2.43850
            and new.venue.pin_corrected)
    db.session.expire_all()
    old = db.session.get(Event, event.id)
    assert (old.title, old.edition_id, old.start_at, old.sequence, old.venue_id, old.status) == before
    assert count(Venue) == 2


def test_copy_urls_are_guarded(ctx, client, past_session, make_event):
    path, event = past_session
    other = make_event()
    db.session.commit()
    assert client.get(f"{path}/events/{other.id}/reprendre").status_code == 404
    assert client.get(f"{path}/events/999999/reprendre").status_code == 404
    assert client.get(f"{path}/events/99999999999999999999/reprendre").status_code == 404
    assert client.get(f"/submit/edit/not-a-token/events/{event.id}/reprendre").status_code == 404


def test_hostile_text_stays_escaped_in_the_copy(ctx, client, past_session):
    path, event = past_session
    event.title = "<script>alert('titre')</script> Atelier"
    event.description = "</textarea><img src=x onerror=alert(1)> une description"
    event.venue.name = '"><svg onload=alert(2)>'
    db.session.commit()
    page = client.get(f"{path}/events/{event.id}/reprendre").get_data(as_text=True)
    assert "<script>alert(" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(" in page
    fields = form_fields(page)
    assert fields["title"] == event.title and fields["venue_name"] == event.venue.name
    assert fields["description"] == event.description
    manage = client.get(path).get_data(as_text=True)
    assert "<script>alert(" not in manage and "&lt;script&gt;" in manage


def test_the_copy_page_says_so_when_no_edition_takes_proposals(app, client, past_session):
    path, event = past_session
    app.config["FROZEN_NOW"] = "2022-11-25T10:00"  # the 2022 window has closed
    page = html.unescape(client.get(f"{path}/events/{event.id}/reprendre").get_data(as_text=True))
    assert "Les propositions de sessions sont fermées" in page and 'name="title"' not in page
    assert "Reprendre pour" not in html.unescape(client.get(path).get_data(as_text=True))
