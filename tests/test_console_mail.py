"""Without an SMTP server, the app served as `make run` serves it (gunicorn) prints each e-mail on its
console, readable: a newcomer sees the edit link a staff member sends again."""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "un mot de passe assez long"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


@pytest.mark.skipif(not (BIN / "gunicorn").exists(), reason="gunicorn is not installed")
def test_gunicorn_prints_a_mail_on_its_console_when_no_smtp_server_is_set(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}", "SECRET_KEY": "console-mail-test",
           "GEOCODER": "offline", "PYTHONPATH": str(ROOT)}
    env.pop("MAIL_SERVER", None)
    flask = [str(BIN / "flask"), "--app", "app"]
    subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    subprocess.run([*flask, "create-admin", "moderatrice@gen.example.org", "--password", PASSWORD], cwd=ROOT,
                   env=env, check=True, capture_output=True, timeout=60)
    subprocess.run([sys.executable, "-c", (
        "from opengen import create_app\n"
        "from opengen.db import db\n"
        "from opengen.submissions.operations import start_submission\n"
        "with create_app().app_context():\n"
        "    start_submission('École du Code', 'contact@ecole.example.org')\n"
        "    db.session.commit()\n")], cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)

    port = _free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:app"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        for _ in range(100):
            try:
                login = browser.open(f"{base}/admin/login", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")

        def post(path: str, **fields) -> str:
            data = urllib.parse.urlencode(fields).encode()
            return browser.open(f"{base}{path}", data=data, timeout=10).read().decode()

        post("/admin/login", csrf_token=_csrf(login), email="moderatrice@gen.example.org", password=PASSWORD)
        page = browser.open(f"{base}/admin/submissions/1", timeout=10).read().decode()
        answer = post("/admin/submissions/1/new-link", csrf_token=_csrf(page))
        assert "écrit dans la console du serveur" in answer
        link = re.search(r'id="new-link" class="link-box" readonly value="([^"]+)"', answer).group(1)
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert "To: contact@ecole.example.org" in out, (out, err)
    assert "Subject: Open Gen : votre lien pour modifier vos sessions" in out
    assert "Merci pour votre proposition de sessions Open Gen pour École du Code." in out
    assert link in out
