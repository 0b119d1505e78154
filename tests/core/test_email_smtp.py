"""Email goes out through a real SMTP server (aiosmtpd on loopback), not a mock."""

from __future__ import annotations

import socket
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from amity.core.emails import send_email


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield inbox
    controller.stop()


def test_send_email_task_delivers_over_smtp(smtp_server: Inbox, db: Any) -> None:
    send_email.call(to=["buyer@example.com"], subject="Your invitation", text="Hello there")

    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["buyer@example.com"]
    message = message_from_bytes(envelope.content)
    assert message["Subject"] == "Your invitation"
    assert "Hello there" in message.get_payload(decode=True).decode()
