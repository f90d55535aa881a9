"""Reminders by e-mail through a real SMTP server on loopback: confirmation first, the day-before
reminder exactly once (two runs at once too), change and cancellation messages, one-click
unsubscribe, bad input, an SMTP server that is down, and the purge after the edition."""
from __future__ import annotations

import re
import threading
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from opengen.db import db, utcnow
from opengen.models import Edition, Event, EventStatus, ReminderMessage, ReminderSubscription
from opengen.reminders.sending import send_due

from .conftest import csrf_token, paris
from .smtp_server import free_port
from .submit_fixtures import login, submit
from .test_submit_links import edit_data, events_of

ADDRESS = "lea.martin@exemple.fr"


@pytest.fixture
def frozen(app):
    """The day before the test edition's first day, at noon in Paris."""
    app.config["FROZEN_NOW"] = "2021-11-28T12:00"
    return app


def ask(client, event_id: int, address: str = ADDRESS, **extra):
    """Fill the reminder form of a session's page and post it."""
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    return client.post(f"/reminders/events/{event_id}", data={"csrf_token": csrf_token(page), "email": address,
                                                               **extra})


def send(runner) -> str:
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def link(received, kind: str) -> str:
    """The path of the confirmation or unsubscribe link in a received mail."""
    match = re.search(rf"https?://\S+/reminders/{kind}/\S+", received.body)
    assert match, received.body
    return urlsplit(match.group(0)).path


def confirm(client, received) -> None:
    path = link(received, "confirm")
    page = client.get(path)
    assert page.status_code == 200 and "Confirmer mon adresse" in page.get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 303


def subscribed(client, runner, smtp_server, event_id: int, address: str = ADDRESS) -> None:
    """Ask, receive the confirmation mail, confirm."""
    assert ask(client, event_id, address).status_code == 303
    send(runner)
    confirm(client, smtp_server.to(address)[-1])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- asking and confirming ---------------------------------------------------------------------

def test_the_session_page_offers_the_form_with_a_privacy_link(ctx, client, frozen, make_event):
    event = make_event()
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'action="/reminders/events/%d"' % event.id in page and 'type="email"' in page
    assert 'href="/confidentialite"' in page.split('id="reminder-heading"')[1]
    assert 'href="/confidentialite"' in page.split('<footer')[1]
    notice = client.get("/confidentialite").get_data(as_text=True)
    for words in ("Votre adresse e-mail", "Combien de temps", "Se désinscrire", "À qui écrire", "opengen@localhost"):
        assert words in notice


def test_no_form_on_an_ended_or_cancelled_session(ctx, client, app, make_event):
    app.config["FROZEN_NOW"] = "2021-11-29T12:00"
    ended = make_event(start=paris(2021, 11, 29, 10))
    cancelled = make_event(start=paris(2021, 11, 30, 10), status=EventStatus.cancelled)
    coming = make_event(start=paris(2021, 11, 30, 10))
    db.session.commit()
    assert 'id="reminder-heading"' not in client.get(f"/events/{ended.id}").get_data(as_text=True)
    assert 'id="reminder-heading"' not in client.get(f"/events/{cancelled.id}").get_data(as_text=True)
    assert 'id="reminder-heading"' in client.get(f"/events/{coming.id}").get_data(as_text=True)


def test_confirmation_mail_then_link_then_nothing_more_until_the_day_before(
        ctx, client, runner, frozen, smtp_server, make_event):
    event = make_event(title="Atelier <b>données</b>", start=paris(2021, 11, 30, 14))
    db.session.commit()
    response = ask(client, event.id, "  Lea.Martin@Exemple.fr ")
    assert response.status_code == 303
    sent_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "vérifiez votre boîte mail" in sent_page
    assert smtp_server.received == []  # never from inside the request
    assert "1 e-mail(s) envoyé(s)" in send(runner)
    [mail] = smtp_server.received
    assert mail.rcpt_tos == [ADDRESS]
    assert mail.message["Subject"] == "Open Gen : confirmez votre rappel pour « Atelier <b>données</b> »"
    assert "mardi 30 novembre, de 14 h 00 à 15 h 00" in mail.body and "Campus test" in mail.body
    # Only hashes are stored.
    subscription = db.session.scalars(select(ReminderSubscription)).one()
    token = link(mail, "confirm").rsplit("/", 1)[1]
    assert subscription.confirm_hash and token not in subscription.confirm_hash
    confirm(client, mail)
    db.session.expire_all()
    assert subscription.confirmed_at is not None and subscription.confirm_hash is None
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "C’est confirmé" in page
    # The link is one-use.
    used = client.get(link(mail, "confirm"))
    assert used.status_code == 404 and "Ce lien de confirmation n’est plus valide" in used.get_data(as_text=True)
    # The session is the day after tomorrow: nothing yet.
    assert "0 e-mail(s) envoyé(s)" in send(runner)
    assert len(smtp_server.received) == 1


def test_nothing_is_sent_to_an_unconfirmed_address(ctx, client, runner, app, frozen, smtp_server, fake_ban):
    path = submit(client)
    event = events_of(path)[0]
    event.status, event.published_at = EventStatus.published, utcnow()
    db.session.commit()
    assert ask(client, event.id).status_code == 303
    send(runner)
    assert len(smtp_server.to(ADDRESS)) == 1  # the confirmation only
    url = f"{path}/events/{event.id}"
    page = client.get(url).get_data(as_text=True)
    assert client.post(url, data=edit_data(page, start="11:00")).status_code == 303
    app.config["FROZEN_NOW"] = "2021-11-28T18:00"
    send(runner)
    assert len(smtp_server.to(ADDRESS)) == 1
    assert count(ReminderMessage) == 1


def test_asking_twice_neither_duplicates_nor_tells_what_was_known(ctx, client, runner, frozen, smtp_server,
                                                                  make_event):
    event = make_event()
    other = make_event()
    db.session.commit()
    first = ask(client, event.id)
    again = ask(client, event.id, ADDRESS.upper())
    fresh = ask(client, event.id, "autre@exemple.fr")
    assert first.status_code == again.status_code == fresh.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == fresh.headers["Location"]
    send(runner)
    assert len(smtp_server.to(ADDRESS)) == 1 and len(smtp_server.to("autre@exemple.fr")) == 1
    confirm(client, smtp_server.to(ADDRESS)[0])
    known = ask(client, event.id)
    assert known.status_code == 303 and known.headers["Location"] == first.headers["Location"]
    assert client.get(known.headers["Location"]).get_data(as_text=True) == \
        client.get(first.headers["Location"]).get_data(as_text=True)
    assert ask(client, other.id).status_code == 303  # another session is another subscription
    assert count(ReminderSubscription) == 3


# --- the day before ------------------------------------------------------------------------------

def test_the_day_before_reminder_is_sent_once(ctx, client, runner, frozen, smtp_server, make_event):
    event = make_event(title="Découvrir la cybersécurité", registration_url="https://inscription.example.org/7")
    later = make_event(start=paris(2021, 12, 1, 10))
    db.session.commit()
    subscribed(client, runner, smtp_server, later.id)
    subscribed(client, runner, smtp_server, event.id)
    output = send(runner)
    assert "1 rappel(s) de la veille préparé(s), 1 e-mail(s) envoyé(s)" in output
    reminder = smtp_server.to(ADDRESS)[-1]
    assert reminder.message["Subject"] == "Rappel : « Découvrir la cybersécurité », c’est demain"
    assert "lundi 29 novembre, de 10 h 00 à 11 h 00" in reminder.body
    assert "Campus test, 1 rue de la République, 93200 Saint-Denis" in reminder.body
    assert f"http://localhost:5000/events/{event.id}" in reminder.body
    assert "https://inscription.example.org/7" in reminder.body
    assert "0 e-mail(s) envoyé(s)" in send(runner)
    assert len(smtp_server.to(ADDRESS)) == 3


@pytest.mark.parametrize("hour, sent", [("08:00", 0), ("09:30", 1), ("23:59", 1)])
def test_the_day_before_reminder_waits_for_the_morning_of_the_day_before(
        ctx, client, runner, app, smtp_server, make_event, hour, sent):
    app.config["FROZEN_NOW"] = "2021-11-28T07:00"
    event = make_event()
    db.session.commit()
    subscribed(client, runner, smtp_server, event.id)
    app.config["FROZEN_NOW"] = f"2021-11-28T{hour}"
    assert f"{sent} e-mail(s) envoyé(s)" in send(runner)


def test_too_late_for_the_day_before_nothing_is_sent(ctx, client, runner, app, smtp_server, make_event):
    app.config["FROZEN_NOW"] = "2021-11-28T12:00"
    event = make_event(start=paris(2021, 11, 29, 16))
    db.session.commit()
    subscribed(client, runner, smtp_server, event.id)
    smtp_server.refuse()
    assert runner.invoke(args=["send-reminders"]).exit_code == 1
    smtp_server.refuse(False)
    app.config["FROZEN_NOW"] = "2021-11-29T08:00"  # the session's day: « demain » would be wrong
    assert "0 e-mail(s) envoyé(s)" in send(runner)
    assert len(smtp_server.to(ADDRESS)) == 1


def _run_concurrently(app, runs: int = 2):
    barrier = threading.Barrier(runs)
    reports, errors = [], []

    def run():
        try:
            with app.app_context(), app.test_request_context(base_url="http://localhost:5000"):
                barrier.wait()
                reports.append(send_due())
                db.session.remove()
        except Exception as error:  # reported below, with the thread's traceback lost otherwise
            errors.append(error)
    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return reports


def test_two_runs_at_once_send_each_reminder_exactly_once(ctx, app, frozen, smtp_server, make_event):
    event = make_event()
    db.session.flush()
    addresses = [f"visiteur{n}@exemple.fr" for n in range(30)]
    db.session.add_all(ReminderSubscription(event_id=event.id, email=a, confirmed_at=utcnow(), announced={})
                       for a in addresses)
    db.session.commit()
    app.config["REMINDER_BATCH"] = 3
    smtp_server.slow_down(0.02)
    reports = _run_concurrently(app)
    assert sorted(r for m in smtp_server.received for r in m.rcpt_tos) == sorted(addresses)
    assert sum(r.sent for r in reports) == 30 and all(r.sent > 0 for r in reports), reports
    assert sum(r.planned for r in reports) == 30
    assert count(ReminderMessage) == 30
    # A third run finds nothing left to do.
    assert _run_concurrently(app, 1)[0].sent == 0


# --- changes and cancellations -------------------------------------------------------------------

@pytest.fixture
def published(ctx, client, fake_ban):
    """A school's submission, published; return its edit link path and its session of Tuesday 30 at 14:00
    (not tomorrow: no day-before reminder in the way)."""
    path = submit(client)
    event = events_of(path)[1]
    for each in events_of(path):
        each.status, each.published_at = EventStatus.published, utcnow()
    db.session.commit()
    return path, event


def test_a_change_of_time_is_told_once(client, runner, app, frozen, smtp_server, published):
    path, event = published
    subscribed(client, runner, smtp_server, event.id)
    url = f"{path}/events/{event.id}"
    page = client.get(url).get_data(as_text=True)
    assert client.post(url, data=edit_data(page, day="2021-12-01", start="16:00")).status_code == 303
    assert len(smtp_server.to(ADDRESS)) == 1  # not from the school's request
    send(runner)
    change = smtp_server.to(ADDRESS)[-1]
    assert change.message["Subject"] == "Nouvel horaire : « Atelier : crée ta première page web »"
    assert "Avant : mardi 30 novembre, de 14 h 00 à 15 h 00" in change.body
    assert "Désormais : mercredi 1 décembre, de 16 h 00 à 17 h 00" in change.body
    # An edit that does not touch time or place says nothing more.
    page = client.get(url).get_data(as_text=True)
    client.post(url, data=edit_data(page, day="2021-12-01", start="16:00", title="Nouveau titre"))
    assert "0 e-mail(s) envoyé(s)" in send(runner)


def test_a_change_undone_before_the_next_run_says_nothing(client, runner, frozen, smtp_server, published):
    path, event = published
    subscribed(client, runner, smtp_server, event.id)
    url = f"{path}/events/{event.id}"
    for start in ("15:00", "14:00"):
        page = client.get(url).get_data(as_text=True)
        assert client.post(url, data=edit_data(page, day="2021-11-30", start=start)).status_code == 303
    output = send(runner)
    assert "0 e-mail(s) envoyé(s)" in output
    assert len(smtp_server.to(ADDRESS)) == 1


def test_a_change_of_place_is_told(client, runner, frozen, smtp_server, published):
    path, event = published
    subscribed(client, runner, smtp_server, event.id)
    venue_id = event.venue_id
    url = f"{path}/venues/{venue_id}"
    page = client.get(url).get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "venue_name": "Campus Simplon", "address": "1 rue de la République",
            "postcode": "93200", "city": "Saint-Denis", "pin_lat": "", "pin_lon": ""}
    assert client.post(url, data=form).status_code == 303
    send(runner)
    change = smtp_server.to(ADDRESS)[-1]
    assert change.message["Subject"] == "Nouveau lieu : « Atelier : crée ta première page web »"
    assert "Avant : Campus Simplon, 55 Rue de Vincennes" in change.body or \
        "Avant : Campus Simplon, 55 rue de Vincennes" in change.body
    assert "Désormais : Campus Simplon, 1 rue de la République, 93200 Saint-Denis" in change.body
    # Moving the pin alone is no change of place for a visitor.
    page = client.get(url).get_data(as_text=True)
    form.update(csrf_token=csrf_token(page), pin_lat="48.9363", pin_lon="2.3575")
    assert client.post(url, data=form).status_code == 303
    assert "0 e-mail(s) envoyé(s)" in send(runner)


def test_a_cancellation_by_the_school_is_told_and_nothing_else_follows(client, runner, frozen, smtp_server,
                                                                       published):
    path, event = published
    subscribed(client, runner, smtp_server, event.id)
    url = f"{path}/events/{event.id}/cancel"
    page = client.get(url).get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token(page), "confirm": "1"}).status_code == 303
    output = send(runner)
    assert "1 e-mail(s) envoyé(s)" in output and "0 rappel(s) de la veille" in output
    cancelled = smtp_server.to(ADDRESS)[-1]
    assert cancelled.message["Subject"] == "Annulée : « Atelier : crée ta première page web »"
    assert "est annulée : elle n’aura pas lieu" in cancelled.body and "mardi 30 novembre" in cancelled.body
    assert "0 e-mail(s) envoyé(s)" in send(runner)


def test_a_session_the_staff_take_off_the_programme_is_told(client, runner, frozen, smtp_server, published,
                                                            make_admin):
    path, event = published
    subscribed(client, runner, smtp_server, event.id)
    make_admin()
    login(client)
    page = client.get(f"/admin/submissions/{event.submission_id}").get_data(as_text=True)
    response = client.post(f"/admin/submissions/{event.submission_id}/reject",
                           data={"csrf_token": csrf_token(page), "reason": "Hors sujet"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    send(runner)
    assert smtp_server.to(ADDRESS)[-1].message["Subject"].startswith("Annulée : ")


# --- unsubscribing ---------------------------------------------------------------------------------

def test_every_mail_has_one_click_unsubscribe_headers_and_a_link(ctx, client, runner, frozen, smtp_server,
                                                                 make_event):
    event = make_event()
    db.session.commit()
    subscribed(client, runner, smtp_server, event.id)
    send(runner)
    assert len(smtp_server.received) == 2
    for mail in smtp_server.received:
        path = link(mail, "unsubscribe")
        assert mail.message["List-Unsubscribe"] == f"<http://localhost:5000{path}>"
        assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link(smtp_server.received[0], "unsubscribe") != link(smtp_server.received[1], "unsubscribe")


def test_unsubscribe_by_the_link_and_its_button(ctx, client, runner, frozen, smtp_server, make_event):
    event = make_event()
    db.session.commit()
    subscribed(client, runner, smtp_server, event.id)
    path = link(smtp_server.received[0], "unsubscribe")
    page = client.get(path)
    assert page.status_code == 200 and "Ne plus recevoir de message" in page.get_data(as_text=True)
    assert count(ReminderSubscription) == 1  # opening the page alone changes nothing
    # Without the form's token, nothing happens.
    assert client.post(path, data={}).status_code == 422 and count(ReminderSubscription) == 1
    done = client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert done.status_code == 200 and "votre adresse est effacée" in done.get_data(as_text=True)
    assert count(ReminderSubscription) == count(ReminderMessage) == 0
    assert "0 rappel(s) de la veille" in send(runner)
    again = client.get(path)
    assert again.status_code == 404 and "déjà désinscrit" in again.get_data(as_text=True)


def test_one_click_unsubscribe_needs_no_page_and_no_csrf(ctx, client, runner, frozen, smtp_server, make_event):
    event = make_event()
    db.session.commit()
    subscribed(client, runner, smtp_server, event.id)
    path = link(smtp_server.received[0], "unsubscribe")
    response = client.post(path, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert count(ReminderSubscription) == 0
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert send(runner) and len(smtp_server.received) == 1


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("address, message", [
    ("", "Indiquez votre adresse e-mail."),
    ("pas-une-adresse", "Cette adresse e-mail n’est pas valide"),
    ("a@" + "b" * 260 + ".fr", "254 caractères au plus."),
])
def test_a_bad_address_is_refused_next_to_the_field(ctx, client, frozen, make_event, address, message):
    event = make_event()
    db.session.commit()
    response = ask(client, event.id, address)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page.split('id="email-error"')[1].split("</p>")[0]
    assert f'value="{address}"' in page or not address
    assert count(ReminderSubscription) == 0


def test_without_csrf_the_form_comes_back_with_the_address_kept(ctx, client, frozen, make_event):
    event = make_event()
    db.session.commit()
    response = client.post(f"/reminders/events/{event.id}", data={"email": ADDRESS})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Le formulaire a expiré" in page and f'value="{ADDRESS}"' in page
    assert count(ReminderSubscription) == 0


def test_an_ended_session_cannot_be_asked_for(ctx, client, app, make_event):
    app.config["FROZEN_NOW"] = "2021-11-29T11:00"  # it ended right now
    event = make_event()
    db.session.commit()
    page = client.get("/confidentialite").get_data(as_text=True)
    response = client.post(f"/reminders/events/{event.id}", data={"csrf_token": csrf_token(
        client.get(f"/reminders/events/{event.id}").get_data(as_text=True)), "email": ADDRESS})
    assert response.status_code == 422 and page
    assert "Cette session est terminée" in response.get_data(as_text=True)
    assert count(ReminderSubscription) == 0


@pytest.mark.parametrize("path", ["/reminders/confirm/inconnu", "/reminders/unsubscribe/inconnu",
                                  "/reminders/confirm/" + "x" * 300, "/reminders/unsubscribe/é"])
def test_unknown_tokens_get_a_french_page(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "plus valide" in response.get_data(as_text=True)
    assert client.post(path, data={}).status_code in (404, 422)


def test_unknown_or_unpublished_sessions_are_404(ctx, client, make_event):
    pending = make_event(status=EventStatus.pending)
    db.session.commit()
    assert client.post(f"/reminders/events/{pending.id}", data={"email": ADDRESS}).status_code == 404
    assert client.post("/reminders/events/999999", data={"email": ADDRESS}).status_code == 404


def test_asking_is_rate_limited_per_client(ctx, app, client, frozen, make_event):
    from opengen.limits import limiter

    event = make_event()
    db.session.commit()
    app.config.update(RATELIMIT_ENABLED=True, REMINDER_RATE_LIMIT="2 per hour")
    limiter.init_app(app)
    limiter.reset()
    try:
        assert [ask(client, event.id, f"v{n}@exemple.fr").status_code for n in range(3)] == [303, 303, 429]
        page = ask(client, event.id, "patient@exemple.fr").get_data(as_text=True)
        assert "Trop de demandes" in page
    finally:
        limiter.reset()


# --- SMTP down, and the purge ---------------------------------------------------------------------

def test_a_refusing_or_closed_smtp_server_loses_nothing(ctx, client, runner, app, frozen, smtp_server,
                                                        make_event):
    event = make_event()
    db.session.commit()
    subscribed(client, runner, smtp_server, event.id)
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 1 and "1 refusé(s)" in result.output
    # Refused with a temporary error by the real server later on.
    app.config.update(MAIL_PORT=port, FROZEN_NOW="2021-11-28T12:06")
    smtp_server.refuse()
    assert runner.invoke(args=["send-reminders"]).exit_code == 1
    smtp_server.refuse(False)
    assert "0 e-mail(s) envoyé(s)" in send(runner)  # a refused mail waits a little before its next try
    app.config["FROZEN_NOW"] = "2021-11-28T12:30"
    assert "1 e-mail(s) envoyé(s)" in send(runner)
    assert [m.message["Subject"][:7] for m in smtp_server.to(ADDRESS)] == ["Open Ge", "Rappel "]
    assert "0 e-mail(s) envoyé(s)" in send(runner)


def test_without_smtp_server_the_command_sends_nothing_and_says_why(ctx, client, runner, frozen, make_event):
    event = make_event()
    db.session.commit()
    assert ask(client, event.id).status_code == 303
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 1 and "MAIL_SERVER n’est pas configuré" in result.output
    assert db.session.scalars(select(ReminderMessage.sent_at)).one() is None


def test_addresses_are_deleted_after_the_edition(ctx, client, runner, app, frozen, smtp_server, make_event):
    event = make_event()
    db.session.commit()
    subscribed(client, runner, smtp_server, event.id)
    never_confirmed = make_event(start=paris(2021, 12, 3, 10))
    db.session.commit()
    assert ask(client, never_confirmed.id, "jamais@exemple.fr").status_code == 303
    edition = db.session.get(Edition, event.edition_id)
    assert edition.ends_on == date(2021, 12, 4)
    app.config["FROZEN_NOW"] = "2021-12-04T23:00"
    assert "0 adresse(s) effacée(s)" in send(runner)
    app.config["FROZEN_NOW"] = "2021-12-05T08:00"
    assert "2 adresse(s) effacée(s)" in send(runner)
    assert count(ReminderSubscription) == count(ReminderMessage) == 0


def test_an_address_never_confirmed_is_forgotten_after_a_week(ctx, client, runner, app, smtp_server, make_event):
    app.config["FROZEN_NOW"] = "2021-11-20T12:00"
    event = make_event()
    db.session.commit()
    assert ask(client, event.id).status_code == 303
    app.config["FROZEN_NOW"] = "2021-11-27T11:00"
    assert "0 adresse(s) effacée(s)" in send(runner)
    app.config["FROZEN_NOW"] = "2021-11-27T13:00"
    assert "1 adresse(s) effacée(s)" in send(runner)
    assert db.session.get(Event, event.id) is not None


def test_mails_speak_the_language_the_visitor_asked_in(ctx, client, runner, frozen, smtp_server, make_event):
    english = make_event(title="Atelier données", start=paris(2021, 11, 30, 14))
    french = make_event(title="Atelier réseaux", start=paris(2021, 11, 30, 16))
    db.session.commit()
    client.set_cookie("langue", "en")
    assert ask(client, english.id, "ada@example.org").status_code == 303
    client.delete_cookie("langue")
    assert ask(client, french.id, "lea@exemple.fr").status_code == 303
    send(runner)
    mails = {mail.rcpt_tos[0]: mail for mail in smtp_server.received}
    assert mails["ada@example.org"].message["Subject"] == "Open Gen: confirm your reminder for “Atelier données”"
    assert "Tuesday 30 November" in mails["ada@example.org"].body
    assert mails["lea@exemple.fr"].message["Subject"].startswith("Open Gen : confirmez votre rappel")
    assert "mardi 30 novembre" in mails["lea@exemple.fr"].body
