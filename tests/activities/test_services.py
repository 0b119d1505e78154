"""Services of interactions, notes and tasks: sanitizing, mentions, permissions, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from amity.activities import services
from amity.activities.models import Interaction, Note, Task
from amity.core.models import AuditEntry, Notification


def test_logging_an_interaction_removes_scripts_and_event_handlers_and_is_audited(rep, workspace, contact, account):
    interaction = services.interaction_log(
        actor=rep,
        workspace=workspace,
        channel="phone",
        direction="in",
        duration_seconds=300,
        subject=" Renewal call ",
        body='<p onclick="steal()">Talked <b>pricing</b><script>alert(1)</script> <a href="javascript:x()">x</a></p>',
        contacts=[contact],
        accounts=[account],
    )

    interaction.refresh_from_db()
    assert interaction.subject == "Renewal call"
    assert interaction.body == '<p>Talked <b>pricing</b> <a rel="noopener noreferrer nofollow">x</a></p>'
    assert list(interaction.contacts.all()) == [contact]
    entry = AuditEntry.objects.get(object_type="activities.interaction")
    assert entry.action == "create"
    assert entry.changes["channel"] == [None, "phone"]
    assert entry.changes["contacts"] == [None, [contact.pk]]


def test_an_interaction_must_concern_someone_and_use_a_known_channel(rep, workspace, contact):
    with pytest.raises(ValidationError) as no_links:
        services.interaction_log(actor=rep, workspace=workspace, channel="phone")
    with pytest.raises(ValidationError) as bad_channel:
        services.interaction_log(actor=rep, workspace=workspace, channel="pigeon", contacts=[contact])

    assert "contact_ids" in no_links.value.message_dict
    assert "channel" in bad_channel.value.message_dict
    assert Interaction.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="activities.interaction").count() == 0


def test_a_viewer_cannot_log_or_write(viewer, workspace, contact):
    with pytest.raises(PermissionDenied):
        services.interaction_log(actor=viewer, workspace=workspace, channel="email", contacts=[contact])
    with pytest.raises(PermissionDenied):
        services.note_create(actor=viewer, workspace=workspace, body="Hi", contact=contact)
    with pytest.raises(PermissionDenied):
        services.task_create(actor=viewer, workspace=workspace, title="Call back", contact=contact)

    assert (Interaction.objects.count(), Note.objects.count(), Task.objects.count()) == (0, 0, 0)


def test_only_the_author_or_a_manager_changes_an_entry(rep, colleague, manager, workspace, contact):
    note = services.note_create(actor=rep, workspace=workspace, body="First impressions", contact=contact)

    with pytest.raises(PermissionDenied):
        services.note_update(actor=colleague, workspace=workspace, note=note, body="Rewritten by someone else")
    services.note_update(actor=manager, workspace=workspace, note=note, body="Clarified by the manager")

    note.refresh_from_db()
    assert note.body == "Clarified by the manager"
    assert AuditEntry.objects.filter(object_type="activities.note", action="update").count() == 1


def test_mentions_notify_each_member_once_and_ignore_strangers(rep, colleague, manager, workspace, contact, other_workspace):
    from tests.factories import member

    stranger = member(other_workspace, "sales", email="stranger@globex.test")
    body = (
        f"Ask @[{colleague.full_name}](user:{colleague.pk}) and @manager@acme.test, "
        f"again @[{colleague.full_name}](user:{colleague.pk}), not @stranger@globex.test nor @[X](user:{stranger.pk}); "
        f"and me @rep@acme.test."
    )

    note = services.note_create(actor=rep, workspace=workspace, body=body, contact=contact)

    assert sorted(user.email for user in note.mentions.all()) == ["colleague@acme.test", "manager@acme.test", "rep@acme.test"]
    notified = sorted(Notification.objects.values_list("recipient__email", "kind"))
    assert notified == [("colleague@acme.test", "mention"), ("manager@acme.test", "mention")]
    assert Notification.objects.get(recipient=colleague).url == f"/w/{note.workspace.slug}/contacts/{note.contact_id}/"

    services.note_update(actor=rep, workspace=workspace, note=note, body=body + " Also @viewer@acme.test")
    assert Notification.objects.count() == 2, "the people already mentioned are not told again; viewer is no member here"


def test_a_newly_mentioned_member_is_notified_on_edit(rep, colleague, viewer, workspace, contact):
    note = services.note_create(actor=rep, workspace=workspace, body="Plain note", contact=contact)

    services.note_update(actor=rep, workspace=workspace, note=note, body="Plain note, cc @viewer@acme.test")

    assert list(Notification.objects.values_list("recipient__email", flat=True)) == ["viewer@acme.test"]


def test_a_note_needs_text_and_a_record(rep, workspace, contact):
    with pytest.raises(ValidationError) as empty:
        services.note_create(actor=rep, workspace=workspace, body="<script>alert(1)</script>", contact=contact)
    with pytest.raises(ValidationError) as orphan:
        services.note_create(actor=rep, workspace=workspace, body="Hello")

    assert "body" in empty.value.message_dict
    assert "contact_id" in orphan.value.message_dict
    assert Note.objects.count() == 0


def test_a_note_cannot_point_at_another_workspaces_contact(rep, workspace, other_contact):
    with pytest.raises(ValidationError) as error:
        services.note_create(actor=rep, workspace=workspace, body="Sneaky", contact=other_contact)

    assert "contact_ids" in error.value.message_dict
    assert Note.objects.count() == 0


def test_task_lifecycle_is_audited_and_a_moved_reminder_goes_out_again(rep, colleague, workspace, contact):
    due = timezone.now() + timedelta(days=2)
    task = services.task_create(
        actor=rep, workspace=workspace, title="Send quote", due_at=due, priority="high", assignee=colleague, contact=contact,
        reminder_at=due - timedelta(hours=1),
    )  # fmt: skip
    Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
    task.refresh_from_db()

    services.task_update(actor=rep, workspace=workspace, task=task, reminder_at=due - timedelta(hours=2))
    assert task.reminded_at is None
    services.task_complete(actor=colleague, workspace=workspace, task=task)
    assert (task.status, task.completed_at is not None) == ("done", True)
    services.task_reopen(actor=colleague, workspace=workspace, task=task)
    assert (task.status, task.completed_at) == ("open", None)

    actions = list(AuditEntry.objects.filter(object_type="activities.task").order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update", "update", "update"]


def test_a_task_reminder_must_come_before_it_is_due_and_go_to_a_member(rep, workspace, other_workspace):
    from tests.factories import member

    due = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as late:
        services.task_create(actor=rep, workspace=workspace, title="X", due_at=due, reminder_at=due + timedelta(minutes=1))
    with pytest.raises(ValidationError) as outsider:
        services.task_create(actor=rep, workspace=workspace, title="X", assignee=member(other_workspace, "sales"))

    assert "reminder_at" in late.value.message_dict
    assert "assignee_id" in outsider.value.message_dict
    assert Task.objects.count() == 0
