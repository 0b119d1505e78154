"""Reading a workspace's support mailbox over IMAP: every message after the last one read goes through the email intake.

Progress is kept per mailbox (the last UID read, and the folder's UIDVALIDITY: when the server renumbers the
folder we start over, and the intake's Message-ID check keeps that from duplicating anything). Each message is
taken in its own transaction, so one bad message never loses the others; a failing server is recorded on the
mailbox and tried again at the next round.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re

from django.utils import timezone

from amity.service.intake import email_intake
from amity.service.models import Mailbox

log = logging.getLogger("amity.service")
TIMEOUT_SECONDS = 30
BATCH = 200  # messages per round and mailbox; the rest wait for the next round


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.use_ssl:
        return imaplib.IMAP4_SSL(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
    return imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)


def _uid_validity(client: imaplib.IMAP4, folder: str) -> int:
    status, data = client.status(f'"{folder}"', "(UIDVALIDITY)")
    match = re.search(rb"UIDVALIDITY (\d+)", data[0] or b"") if status == "OK" and data else None
    return int(match.group(1)) if match else 0


def _new_uids(client: imaplib.IMAP4, mailbox: Mailbox) -> list[int]:
    validity = _uid_validity(client, mailbox.folder)
    if validity != mailbox.uid_validity:  # the server renumbered the folder: read it again from the start
        mailbox.uid_validity, mailbox.last_uid = validity, 0
    client.select(f'"{mailbox.folder}"')
    status, data = client.uid("SEARCH", f"UID {mailbox.last_uid + 1}:*")
    uids = sorted(int(uid) for uid in (data[0] or b"").split()) if status == "OK" else []
    return [uid for uid in uids if uid > mailbox.last_uid][:BATCH]  # "N:*" also answers the last UID when none is newer


def _take(client: imaplib.IMAP4, mailbox: Mailbox, uid: int) -> bool:
    """Take one message in (its own transaction) and remember it as read; False when the server gave no message."""
    status, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
    taken = status == "OK" and isinstance(raw, bytes)
    if taken:
        email_intake(workspace=mailbox.workspace, raw=raw, queue=mailbox.queue)  # type: ignore[arg-type]
        client.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
    mailbox.last_uid = uid
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid, uid_validity=mailbox.uid_validity)
    return taken


def fetch_mailbox(mailbox: Mailbox) -> int:
    """Take in what arrived since the last round; returns how many messages were read."""
    read = 0
    try:
        client = _connect(mailbox)
        try:
            client.login(mailbox.username, mailbox.password)
            read = sum(_take(client, mailbox, uid) for uid in _new_uids(client, mailbox))
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()
        mailbox.last_error = ""
    except (imaplib.IMAP4.error, OSError) as error:
        mailbox.last_error = f"{type(error).__name__}: {error}"[:2000]
        log.warning("Mailbox %s could not be read: %s", mailbox, error)
    mailbox.last_checked_at = timezone.now()
    mailbox.save(update_fields=["last_uid", "uid_validity", "last_checked_at", "last_error"])
    return read


def fetch_all() -> int:
    return sum(fetch_mailbox(mailbox) for mailbox in Mailbox.objects.filter(active=True).select_related("workspace", "queue"))
