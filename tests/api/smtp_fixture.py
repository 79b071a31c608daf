"""``smtp_server``: a real SMTP server (aiosmtpd) on 127.0.0.1, for tests that read back the
e-mail the app really sent (chalicelib/mailer.py talks SMTP to it when ``USINE_SMTP`` is set).

    def test_x(smtp_server, ...):
        ...                                   # something sends one e-mail
        (message,) = smtp_server.wait_for(1)  # an email.message.EmailMessage
        assert message["To"] == "..."

Imported by conftest.py, so every API test may ask for it.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest

FROM = "hub@usine.test"


@dataclass
class Received:
    """What the server was given: the SMTP envelope and the message parsed."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


class _Handler:
    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        with self.server.lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                                 raw, parsed))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    mail_from: str = FROM
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message received so far, parsed (``email.policy.default``)."""
        with self.lock:
            return [r.message for r in self.received]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """The first ``count`` messages, once that many arrived; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages
            if len(messages) >= count:
                return messages[:count]
            if time.monotonic() > deadline:
                pytest.fail(f"{len(messages)} e-mail(s) received within {timeout} s, "
                            f"expected {count}")
            time.sleep(0.02)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch):
    """A started aiosmtpd ``Controller`` on a free port of 127.0.0.1; the app's
    ``USINE_SMTP`` and ``USINE_MAIL_FROM`` point at it for the test."""
    from aiosmtpd.controller import Controller

    host = "127.0.0.1"
    server = SmtpServer(host, free_port(host))
    controller = Controller(_Handler(server), hostname=host, port=server.port,
                            ready_timeout=5.0)
    controller.start()
    monkeypatch.setenv("USINE_SMTP", f"{host}:{server.port}")
    monkeypatch.setenv("USINE_MAIL_FROM", server.mail_from)
    try:
        yield server
    finally:
        controller.stop()
