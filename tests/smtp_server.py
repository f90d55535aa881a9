"""A real SMTP server on loopback (aiosmtpd), configured as the app's MAIL_SERVER: it keeps what it
accepts, can refuse for a while (4xx), answer slowly, or be down (its port closed)."""
from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content()


class Handler:
    def __init__(self):
        self.received: list[Received] = []
        self.refusing = False
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refusing:
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    """Return a loopback port nobody listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """aiosmtpd in a background thread on a loopback port."""

    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[Received]:
        """The messages received for one address, in order."""
        return [r for r in self.received if address in r.rcpt_tos]

    def refuse(self, refusing: bool = True) -> None:
        self.handler.refusing = refusing

    def slow_down(self, seconds: float) -> None:
        self.handler.delay = seconds

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server(app):
    """A loopback SMTP server configured as the app's MAIL_SERVER."""
    server = SmtpServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    yield server
    server.stop()
