"""The registry behind the cross-workspace harness (tests/core/test_tenancy_api.py).

For every path parameter of the API (`team_id`, `member_id`, …) a maker builds such a record
in a given workspace; for every write endpoint a sample body that passes validation. The
harness walks the OpenAPI spec; an endpoint whose parameter or body is not registered here
fails the harness with a message that says what to add. Later apps register their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from amity.core.models import AuditEntry, Invitation, Membership, TaskFailure, Workspace
from amity.core.permissions import Role
from tests.factories import TeamFactory, member, token_for

# Every record another workspace owns carries this in its text, so a leak shows in any response body.
MARKER = "zz-other-workspace"

Maker = Callable[[Workspace], models.Model]


def _member(workspace: Workspace) -> models.Model:
    user = member(workspace, Role.SALES, email=f"{MARKER}-{workspace.pk}-{Membership.objects.count()}@example.com")
    return Membership.objects.get(workspace=workspace, user=user)


def _invitation(workspace: Workspace) -> models.Model:
    from datetime import timedelta

    from django.utils import timezone

    return Invitation.objects.create(
        workspace=workspace, email=f"{MARKER}@example.com", role=Role.SALES, expires_at=timezone.now() + timedelta(days=3)
    )


def _team(workspace: Workspace) -> models.Model:
    return TeamFactory(workspace=workspace, name=f"{MARKER} team")


def _token(workspace: Workspace) -> models.Model:
    user = member(workspace, Role.SALES, email=f"{MARKER}-token-{workspace.pk}@example.com")
    return token_for(user, workspace, name=f"{MARKER} token")[0]


def _audit_entry(workspace: Workspace) -> models.Model:
    return AuditEntry.objects.create(
        workspace=workspace, actor_label=MARKER, door="web", action="update", object_type="core.team", object_id="1", object_repr=MARKER
    )


def _task_failure(workspace: Workspace) -> models.Model:
    return TaskFailure.objects.create(workspace=workspace, task_name=MARKER, attempt=1, max_attempts=5, error=MARKER)


def _contact(workspace: Workspace) -> models.Model:
    from tests.factories import ContactFactory

    return ContactFactory(workspace=workspace, first_name=MARKER, last_name="Contact")


def _account(workspace: Workspace) -> models.Model:
    from tests.factories import AccountFactory

    return AccountFactory(workspace=workspace, name=f"{MARKER} account")


def _interaction(workspace: Workspace) -> models.Model:
    from amity.activities.models import Interaction

    interaction = Interaction.objects.create(workspace=workspace, channel="phone", subject=f"{MARKER} call", body=MARKER)
    interaction.contacts.add(_contact(workspace))
    return interaction


def _note(workspace: Workspace) -> models.Model:
    from amity.activities.models import Note

    return Note.objects.create(workspace=workspace, body=MARKER, contact=_contact(workspace))


def _task(workspace: Workspace) -> models.Model:
    from datetime import timedelta

    from django.utils import timezone

    from amity.activities.models import Task

    assignee = member(workspace, Role.SALES, email=f"{MARKER}-task-{workspace.pk}-{Task.objects.count()}@example.com")
    return Task.objects.create(
        workspace=workspace,
        title=f"{MARKER} task",
        due_at=timezone.now() + timedelta(days=1),
        assignee=assignee,
        contact=_contact(workspace),
    )


def _notification(workspace: Workspace) -> models.Model:
    from amity.core.models import Notification

    recipient = member(workspace, Role.SALES, email=f"{MARKER}-notified-{workspace.pk}-{Notification.objects.count()}@example.com")
    return Notification.objects.create(workspace=workspace, recipient=recipient, kind="mention", title=MARKER, body=MARKER)


MAKERS: dict[str, Maker] = {
    "member_id": _member,
    "invitation_id": _invitation,
    "team_id": _team,
    "token_id": _token,
    "entry_id": _audit_entry,
    "contact_id": _contact,
    "account_id": _account,
    "interaction_id": _interaction,
    "note_id": _note,
    "task_id": _task,
    "notification_id": _notification,
}

# Records listed by endpoints without a path parameter; made in the other workspace to catch leaks in lists.
LIST_ONLY_MAKERS: list[Maker] = [_task_failure]

# A body that passes validation for each write endpoint, so that the harness reaches the lookup.
SAMPLE_BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/v1/members/{member_id}"): {"role": "viewer"},
    ("PATCH", "/api/v1/teams/{team_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/interactions/{interaction_id}"): {"subject": "Renamed"},
    ("PATCH", "/api/v1/notes/{note_id}"): {"body": "Rewritten"},
    ("PATCH", "/api/v1/tasks/{task_id}"): {"title": "Renamed"},
    ("POST", "/api/v1/tasks/{task_id}/complete"): {},
    ("POST", "/api/v1/tasks/{task_id}/cancel"): {},
    ("POST", "/api/v1/tasks/{task_id}/reopen"): {},
    ("POST", "/api/v1/notifications/{notification_id}/read"): {},
}
