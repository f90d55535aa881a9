"""A confirmed submission sent again (a retry after a lost answer, a double click, at the same
moment) is saved once, and every send shows the same confirmation with the same edit link."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from urllib.parse import urlsplit

import requests
from sqlalchemy import func, select

from opengen.db import db
from opengen.models import Event, Submission

from .conftest import csrf_token
from .submit_fixtures import confirm, hidden_inputs, preview, valid_form

LINK = re.compile(r'id="edit-link" class="link-box" type="text" readonly value="([^"]+)"')
SENDS = 8


def counts() -> tuple[int, int]:
    db.session.rollback()  # see what other connections committed
    return (db.session.scalar(select(func.count()).select_from(Submission)),
            db.session.scalar(select(func.count()).select_from(Event)))


def edit_link(client) -> str:
    done = client.get("/submit/merci").get_data(as_text=True)
    return urlsplit(unescape(LINK.search(done).group(1))).path


def test_a_confirmed_form_sent_twice_is_saved_once_and_shows_the_same_link(ctx, client, fake_ban, smtp_sink):
    page = preview(client, valid_form()).get_data(as_text=True)
    first = confirm(client, page)
    assert first.status_code == 303
    link = edit_link(client)
    again = confirm(client, page)  # the browser resends the same confirmation
    assert again.status_code == 303
    assert edit_link(client) == link
    assert counts() == (1, 2)
    assert client.get(link).status_code == 200
    assert len(smtp_sink.messages) == 1  # the e-mail went with the first save only


def test_a_lost_answer_then_a_retry_from_the_same_page_finds_the_first_save(ctx, app, client, fake_ban):
    page = preview(client, valid_form()).get_data(as_text=True)
    data = hidden_inputs(page)
    data["csrf_token"], data["confirm"] = csrf_token(page), "Confirmer"
    cookie = client.get_cookie("session").value
    assert client.post("/submit", data=data).status_code == 303
    first_link = edit_link(client)
    # The school never got that answer: its browser still has the cookie it had before.
    retry = app.test_client()
    retry.set_cookie("session", cookie)
    assert retry.post("/submit", data=data).status_code == 303
    assert edit_link(retry) == first_link
    assert counts() == (1, 2)


def test_two_confirmations_of_two_checks_are_two_submissions(ctx, client, fake_ban):
    for _ in range(2):
        page = preview(client, valid_form(title="Atelier répété")).get_data(as_text=True)
        assert confirm(client, page).status_code == 303
    assert counts() == (2, 4)


def test_a_forged_or_foreign_one_time_token_saves_normally_and_opens_nothing(ctx, client, fake_ban):
    page = preview(client, valid_form()).get_data(as_text=True)
    data = hidden_inputs(page)
    data["csrf_token"], data["confirm"] = csrf_token(page), "Confirmer"
    for forged in ("1", "x" * 300, data["once_token"][:-2] + "AA"):
        data["once_token"] = forged
        assert client.post("/submit", data=data).status_code == 303
        edit_link(client)
    assert counts() == (3, 6)


def test_the_same_confirmation_sent_at_the_same_moment_is_saved_once(app, ctx, live_server, fake_ban):
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/submit", timeout=30).text
    data = list(valid_form().items(multi=True)) + [("csrf_token", csrf_token(page)), ("preview", "Vérifier")]
    confirmation = browser.post(f"{live_server.url}/submit", data=data, timeout=30)
    assert confirmation.status_code == 200
    sent = list(hidden_inputs(confirmation.text).items(multi=True))
    sent += [("csrf_token", csrf_token(confirmation.text)), ("confirm", "Confirmer")]
    cookies = browser.cookies.get_dict()

    def send(_n: int) -> tuple[int, str]:
        with requests.Session() as same_browser:
            same_browser.cookies.update(cookies)
            done = same_browser.post(f"{live_server.url}/submit", data=sent, timeout=60)
            match = LINK.search(done.text)
            return done.status_code, unescape(match.group(1)) if match else done.text[:500]

    with ThreadPoolExecutor(max_workers=SENDS) as pool:
        answers = list(pool.map(send, range(SENDS)))
    assert {status for status, _ in answers} == {200}, answers
    assert len({link for _, link in answers}) == 1, answers
    assert counts() == (1, 2)
