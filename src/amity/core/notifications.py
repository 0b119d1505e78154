"""Notifications: the kinds a person can hear about, their choices per kind, in-app delivery and the email digest.

Every message to one person goes through `notify` (or `notify_many` for a batch): it reads the
person's preference for the kind, keeps a row for the app, the digest or both, and asks the worker
to mail it at once when the person wants mail immediately. The worker's `send_due_digests` sends
hourly and daily digests (and whatever an immediate send missed); a digest claims its rows with a
conditional UPDATE in the transaction that queues the email, so no alert is mailed twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from amity.core import audit
from amity.core.access import require
from amity.core.emails import send_email
from amity.core.errors import FieldErrors
from amity.core.models import Notification, NotificationPreference, User, Workspace
from amity.core.permissions import Action, ObjectType


@dataclass(frozen=True)
class NotificationKind:
    """Something a person can be told about, with how they hear of it until they choose."""

    kind: str
    label: str
    in_app: bool = True
    email: bool = True
    icon: str = "bell"


KINDS: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> NotificationKind:
    """Add a kind to Profile → Notifications and the API (apps call this when they start)."""
    KINDS[kind.kind] = kind
    return kind


register_kind(NotificationKind("mention", "Someone mentions me in a note", email=False, icon="at"))
register_kind(NotificationKind("task_reminder", "A reminder of one of my tasks", icon="alarm"))

Digest = NotificationPreference.Digest
DIGEST_GAPS = {Digest.HOURLY: timedelta(hours=1), Digest.DAILY: timedelta(days=1)}
# A digest lists at most this many; the rest wait for the next one, so an email stays readable.
DIGEST_LIMIT = 50


# --- Preferences ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool


def channels_for(preference: NotificationPreference | None, kind: str) -> Channels:
    """How this person hears about `kind`: their choice, else the kind's default; email is off when they want no mail."""
    default = KINDS.get(kind) or NotificationKind(kind, kind)
    chosen = (preference.channels if preference else {}).get(kind, {})
    email = bool(chosen.get("email", default.email))
    if preference is not None and preference.digest == Digest.NEVER:
        email = False
    return Channels(in_app=bool(chosen.get("in_app", default.in_app)), email=email)


def preference_of(*, user: User, workspace: Workspace) -> NotificationPreference:
    """The person's preferences in this workspace (the defaults, unsaved, until they change one)."""
    found = NotificationPreference.objects.filter(workspace=workspace, user=user).first()
    return found or NotificationPreference(workspace=workspace, user=user)


def preference_rows(preference: NotificationPreference) -> list[dict[str, Any]]:
    """Every kind with its label and the person's current choice, in registration order."""
    rows = []
    for kind in KINDS.values():
        chosen = preference.channels.get(kind.kind, {})
        rows.append(
            {
                "kind": kind.kind,
                "label": kind.label,
                "in_app": bool(chosen.get("in_app", kind.in_app)),
                "email": bool(chosen.get("email", kind.email)),
            }
        )
    return rows


@transaction.atomic
def preference_update(
    *, actor: User, workspace: Workspace, digest: str | None = None, kinds: Sequence[Mapping[str, Any]] = ()
) -> NotificationPreference:
    """Change how I hear about things here: the digest frequency and, per kind, in the app and by email."""
    require(actor, workspace, Action.CHANGE, ObjectType.NOTIFICATION)
    preference = preference_of(user=actor, workspace=workspace)
    errors = FieldErrors()
    if digest is not None and digest not in Digest.values:
        errors["digest"] = f"Choose one of: {', '.join(Digest.values)}."
    channels = dict(preference.channels)
    for index, row in enumerate(kinds):
        kind = row.get("kind")
        if kind not in KINDS:
            errors[f"kinds.{index}.kind"] = f"Unknown kind {kind!r}; choose one of: {', '.join(KINDS)}."
            continue
        current = next(item for item in preference_rows(preference) if item["kind"] == kind)
        channels[kind] = {"in_app": bool(row.get("in_app", current["in_app"])), "email": bool(row.get("email", current["email"]))}
    errors.raise_if_any()
    before = {"digest": preference.digest, "channels": preference.channels}
    preference.digest = digest or preference.digest
    preference.channels = channels
    preference.save()
    if preference.digest == Digest.NEVER:  # what waited for a digest will not be mailed now
        Notification.objects.filter(workspace=workspace, recipient=actor, email_pending=True).update(email_pending=False)
    changes = {field: [value, getattr(preference, field)] for field, value in before.items() if value != getattr(preference, field)}
    if changes:
        audit.record(actor=actor, workspace=workspace, action="update", obj=preference, changes=changes)
    return preference


# --- Delivery ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One notification to build: who, what, and where to go to see it."""

    recipient_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""


def notify(*, workspace: Workspace, recipient: User, kind: str, title: str, body: str = "", url: str = "") -> Notification | None:
    """Tell one person something, in the app and/or by email as they chose; None when they want neither."""
    made = notify_many(workspace=workspace, messages=[Message(recipient.pk, kind, title, body, url)])
    return made[0] if made else None


def notify_many(*, workspace: Workspace, messages: Iterable[Message]) -> list[Notification]:
    """Tell many people many things with three queries whatever their number (preferences, insert, nothing else).

    Rows wait in the digest (`email_pending`) for people who want mail; people who want it at
    once get their digest queued when the transaction commits.
    """
    messages = list(messages)
    if not messages:
        return []
    recipients = {message.recipient_id for message in messages}
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(workspace=workspace, user_id__in=recipients)}
    active = set(User.objects.filter(pk__in=recipients, is_active=True).values_list("pk", flat=True))
    rows, immediate = [], set()
    for message in messages:
        channels = channels_for(preferences.get(message.recipient_id), message.kind)
        email = channels.email and message.recipient_id in active
        if not channels.in_app and not email:
            continue
        rows.append(
            Notification(
                workspace=workspace,
                recipient_id=message.recipient_id,
                kind=message.kind,
                title=message.title[:200],
                body=message.body,
                url=message.url[:500],
                in_app=channels.in_app,
                email_pending=email,
            )
        )
        preference = preferences.get(message.recipient_id)
        if email and (preference is None or preference.digest == Digest.IMMEDIATE):
            immediate.add(message.recipient_id)
    created = Notification.objects.bulk_create(rows)
    if immediate:
        transaction.on_commit(_digest_enqueuer(workspace.pk, sorted(immediate)))
    return created


def _digest_enqueuer(workspace_id: int, user_ids: list[int]) -> Any:
    """One task for everyone this batch told who wants mail at once (not one per person)."""
    from amity.core.tasks import send_notification_digests

    return lambda: send_notification_digests.enqueue(workspace_id=workspace_id, user_ids=user_ids)


def absolute(url: str) -> str:
    """A link that works from an email: the site's address in front of a path."""
    return f"{settings.BASE_URL.rstrip('/')}{url}" if url.startswith("/") else url or settings.BASE_URL


def _digest_text(workspace: Workspace, notifications: Sequence[Notification]) -> tuple[str, str]:
    if len(notifications) == 1:
        only = notifications[0]
        text = f"{only.body}\n\n{absolute(only.url)}\n" if only.body else f"{absolute(only.url)}\n"
        return only.title, text
    lines = [f"{len(notifications)} new notifications in {workspace.name}:", ""]
    for notification in notifications:
        lines.append(f"- {notification.title}")
        if notification.body:
            lines.append(f"  {notification.body[:300]}")
        lines.append(f"  {absolute(notification.url)}")
        lines.append("")
    lines.append(f"Choose what you hear about: {absolute(f'/w/{workspace.slug}/settings/notifications/')}")
    return f"{len(notifications)} new notifications in {workspace.name}", "\n".join(lines) + "\n"


@transaction.atomic
def send_digest(*, workspace_id: int, user_id: int, now: datetime | None = None) -> int:
    """Mail one person the notifications waiting for their digest, in one email; returns how many it lists.

    The rows are claimed (email_pending → false) in the transaction that queues the email, so a
    second worker finds nothing to send, and a crash before the commit leaves them for the next run.
    """
    now = now or timezone.now()
    user = User.objects.filter(pk=user_id, is_active=True, memberships__workspace_id=workspace_id).first()
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if user is None or workspace is None:
        return 0
    ids = list(
        Notification.objects.filter(workspace_id=workspace_id, recipient_id=user_id, email_pending=True)
        .order_by("id")
        .values_list("pk", flat=True)[:DIGEST_LIMIT]
    )
    claimed = Notification.objects.filter(pk__in=ids, email_pending=True).update(email_pending=False, emailed_at=now)
    if not claimed:
        return 0
    notifications = list(Notification.objects.filter(pk__in=ids, emailed_at=now).order_by("id"))
    NotificationPreference.objects.update_or_create(workspace_id=workspace_id, user_id=user_id, defaults={"last_digest_at": now})
    subject, text = _digest_text(workspace, notifications)
    address = user.email
    transaction.on_commit(lambda: send_email.enqueue(to=[address], subject=subject, text=text, workspace_id=workspace_id))
    return len(notifications)


def due_digests(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """(workspace, person) pairs whose digest is due now: two queries, whatever the number of people."""
    now = now or timezone.now()
    waiting = list(
        Notification.objects.filter(email_pending=True)
        .values_list("workspace_id", "recipient_id")
        .distinct()
        .order_by("workspace_id", "recipient_id")
    )
    if not waiting:
        return []
    preferences = {
        (p.workspace_id, p.user_id): p
        for p in NotificationPreference.objects.filter(
            user_id__in={user for _, user in waiting}, workspace_id__in={ws for ws, _ in waiting}
        )
    }
    due = []
    for pair in waiting:
        preference = preferences.get(pair)
        digest = preference.digest if preference else Digest.IMMEDIATE
        last = preference.last_digest_at if preference else None
        gap = DIGEST_GAPS.get(Digest(digest))
        if digest == Digest.NEVER:
            continue
        if gap is None or last is None or last <= now - gap:
            due.append(pair)
    return due


def send_due_digests(*, now: datetime | None = None) -> int:
    """Send every digest that is due; returns how many notifications went out."""
    return sum(send_digest(workspace_id=workspace_id, user_id=user_id, now=now) for workspace_id, user_id in due_digests(now=now))
