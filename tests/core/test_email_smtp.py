"""Email goes out through a real SMTP server (aiosmtpd on loopback), not a mock."""

from __future__ import annotations

from email import message_from_bytes
from typing import Any

from amity.core.emails import send_email
from tests.mail import Inbox


def test_send_email_task_delivers_over_smtp(smtp_server: Inbox, db: Any) -> None:
    send_email.call(to=["buyer@example.com"], subject="Your invitation", text="Hello there")

    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["buyer@example.com"]
    message = message_from_bytes(envelope.content)
    assert message["Subject"] == "Your invitation"
    assert "Hello there" in message.get_payload(decode=True).decode()
