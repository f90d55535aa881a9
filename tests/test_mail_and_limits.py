"""The edit link by e-mail (a loopback SMTP server, or the log without one) and the rate limits."""
from __future__ import annotations

import email
import email.policy
import logging
import re

import pytest
from flask import g
from sqlalchemy import func, select

from opengen.db import db
from opengen.models import Event, Submission

from .conftest import csrf_token
from .submit_fixtures import confirm, preview, submit, valid_form

# The real clock is years past the test edition: freeze it while that edition takes proposals.
pytestmark = pytest.mark.usefixtures("submissions_open")


def test_the_edit_link_is_mailed_when_an_smtp_server_is_configured(client, fake_ban, smtp_sink):
    path = submit(client)
    assert len(smtp_sink.messages) == 1
    message = smtp_sink.messages[0]
    assert message["to"] == ["<contact@simplon.example.org>"]
    parsed = email.message_from_string(message["data"], policy=email.policy.default)
    assert parsed["Subject"] == "Open Gen : votre lien pour modifier vos sessions"
    assert parsed["To"] == "contact@simplon.example.org"
    body = parsed.get_content()
    assert path in body and "Simplon Montreuil" in body


def test_the_thank_you_page_says_the_link_was_mailed(client, fake_ban, smtp_sink):
    first = preview(client, valid_form())
    confirm(client, first.get_data(as_text=True))
    assert "Nous l’avons envoyé par e-mail à contact@simplon.example.org." in client.get("/submit/merci").get_data(
        as_text=True)


def test_without_smtp_server_the_mail_is_logged_and_the_link_still_shown(client, fake_ban, caplog):
    with caplog.at_level(logging.INFO, logger="opengen"):
        path = submit(client)
    assert any(path in record.getMessage() for record in caplog.records)


def test_an_unreachable_smtp_server_does_not_lose_the_submission(ctx, app, client, fake_ban, caplog):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    path = submit(client)
    assert client.get(path).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Event)) == 2
    assert any("could not be sent" in record.getMessage() for record in caplog.records)


@pytest.fixture
def limits_on(app):
    """Turn the rate limits on for this test's app (TEST_CONFIG turns them off), with given limits."""
    from opengen.limits import limiter

    def turn_on(**limits):
        app.config.update(RATELIMIT_ENABLED=True, **limits)
        limiter.init_app(app)
        limiter.reset()
    yield turn_on
    limiter.reset()


def test_submissions_are_rate_limited_per_client_with_a_clear_message(ctx, app, client, fake_ban, limits_on):
    limits_on(SUBMIT_RATE_LIMIT="2 per hour", PREVIEW_RATE_LIMIT="100 per hour")
    submit(client, valid_form(grid=["2021-11-29T09"]))
    submit(client, valid_form(grid=["2021-11-29T10"]))
    # A third one is refused, with a clear message and the form still holding what was typed.
    response = preview(client, valid_form(grid=["2021-11-29T11"], description="Ma troisième session, gardée."))
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Trop de propositions envoyées depuis votre connexion" in body
    assert "Ma troisième session, gardée." in body and 'value="2021-11-29T11" id="grid-2021-11-29T11" checked' in body
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 2
    # Another client is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    g.pop("csrf_token", None)  # the test's app context outlives requests; Flask-WTF caches the token in g
    assert re.match("/submit/edit/", submit(other, valid_form(grid=["2021-11-29T12"])))


def test_previews_are_rate_limited_too(client, limits_on):
    limits_on(PREVIEW_RATE_LIMIT="3 per hour")
    for _ in range(3):
        assert preview(client, valid_form(title="")).status_code == 422
    response = preview(client, valid_form(title=""))
    assert response.status_code == 429 and "Trop de propositions" in response.get_data(as_text=True)


def test_login_attempts_are_rate_limited(client, limits_on):
    limits_on(LOGIN_RATE_LIMIT="2 per 5 minutes")
    for expected in (422, 422, 429):
        token = csrf_token(client.get("/admin/login").get_data(as_text=True))
        response = client.post("/admin/login", data={"csrf_token": token, "email": "x@example.org",
                                                     "password": "nope-nope-nope"})
        assert response.status_code == expected
    assert "Trop de demandes" in response.get_data(as_text=True)


def test_csv_imports_are_rate_limited(client, fake_ban, limits_on):
    import io

    from .test_imports import csv_bytes

    limits_on(SUBMIT_RATE_LIMIT="1 per hour")
    for expected in (200, 429):
        token = csrf_token(client.get("/submit/import").get_data(as_text=True))
        response = client.post("/submit/import", content_type="multipart/form-data", data={
            "csrf_token": token, "file": (io.BytesIO(csv_bytes([{"debut": "10:00"}])), "s.csv")})
        assert response.status_code == expected
    assert "Trop d’envois depuis votre connexion" in response.get_data(as_text=True)


def test_behind_a_proxy_clients_are_told_apart_by_their_forwarded_address(database_url):
    from opengen import create_app
    from opengen.limits import limiter

    from .conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                      "LOGIN_RATE_LIMIT": "1 per hour", "PROXY_COUNT": 1})
    limiter.reset()
    client = app.test_client()
    with app.app_context():
        for forwarded, expected in (("198.51.100.1", 422), ("198.51.100.2", 422), ("198.51.100.1", 429)):
            headers = {"X-Forwarded-For": forwarded}
            token = csrf_token(client.get("/admin/login", headers=headers).get_data(as_text=True))
            response = client.post("/admin/login", headers=headers, data={
                "csrf_token": token, "email": "x@example.org", "password": "nope-nope-nope"})
            assert response.status_code == expected
        db.session.remove()
        db.engine.dispose()
    limiter.reset()
