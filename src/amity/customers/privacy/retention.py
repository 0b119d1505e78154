"""Retention rules: records untouched for long enough are let go on a schedule (deleted, erased or anonymised).

A rule is off until switched on, after its preview. The worker applies the enabled rules once a day
(`apply_due_rules`), in batches, keeping a `RetentionRun` with its progress and counts. What each action
does is the existing service's: leads and contacts go to the bin, interactions are deleted, a contact is
erased like an erasure on request, and anonymising writes the rows over as the erasure's `SCRUBS` say.
The worker acts as the member who last saved the rule, so their role must still allow it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from amity.core import audit
from amity.core.access import require
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Contact, RetentionRule, RetentionRun
from amity.customers.privacy import erasure
from amity.customers.privacy.selectors import TARGETS, retention_candidates

BATCH = 200
RULE_FIELDS = ("object_type", "untouched_months", "status", "action", "enabled")
MAX_MONTHS = 1200
Kind = RetentionRule.ObjectType
Do = RetentionRule.RuleAction
ACTIONS: dict[str, tuple[str, ...]] = {
    Kind.LEAD: (Do.DELETE, Do.ANONYMISE),
    Kind.CONTACT: (Do.DELETE, Do.ERASE),
    Kind.CASE: (Do.ANONYMISE,),  # a case is the company's record of its service: it stays, without the person
    Kind.INTERACTION: (Do.DELETE, Do.ANONYMISE),
}


# --- The rules --------------------------------------------------------------------------------------------


def status_choices(object_type: str) -> list[str]:
    """The values a rule's status filter may take for this kind of record."""
    target = TARGETS[object_type]
    field = target.model._meta.get_field(target.status_field)
    return [value for value, _ in getattr(field, "choices", None) or []]


def _apply_data(rule: RetentionRule, data: Mapping[str, Any]) -> None:
    """Copy the given fields onto the rule; every problem is named by its field, and then nothing is kept."""
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name] if data[name] is not None else "")
    rule.status = str(rule.status or "").strip()
    errors: dict[str, str] = {}
    if rule.object_type not in ACTIONS:
        errors["object_type"] = f"Choose one of {', '.join(ACTIONS)}."
    else:
        if rule.action not in ACTIONS[rule.object_type]:
            errors["action"] = f"For {rule.get_object_type_display().lower()}, choose {' or '.join(ACTIONS[rule.object_type])}."
        if rule.status and rule.status not in status_choices(rule.object_type):
            errors["status"] = f"Choose one of {', '.join(status_choices(rule.object_type))}, or none for any."
    if not isinstance(rule.untouched_months, int) or not 1 <= rule.untouched_months <= MAX_MONTHS:
        errors["untouched_months"] = f"A whole number of months from 1 to {MAX_MONTHS}."
    if not isinstance(rule.enabled, bool):
        errors["enabled"] = "true or false."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def retention_rule_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> RetentionRule:
    """Add a retention rule (off unless `enabled` is given); the worker applies it as this member."""
    require(actor, workspace, Action.ADD, ObjectType.RETENTION_RULE)
    rule = RetentionRule(workspace=workspace, created_by=actor, updated_by=actor, enabled=False)
    _apply_data(rule, data)
    rule.save()
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=rule, changes=_changes({}, rule))
    return rule


@transaction.atomic
def retention_rule_update(*, actor: User, rule: RetentionRule, data: Mapping[str, Any]) -> RetentionRule:
    """Change a retention rule (e.g. switch it on after its preview); from now on the worker applies it as this member."""
    require(actor, rule.workspace, Action.CHANGE, ObjectType.RETENTION_RULE)
    before = audit.snapshot(rule, RULE_FIELDS)
    _apply_data(rule, data)
    rule.updated_by = actor
    rule.save()
    changes = _changes(before, rule)
    if changes:
        audit.record(actor=actor, workspace=rule.workspace, action=AuditEntry.Action.UPDATE, obj=rule, changes=changes)
    return rule


@transaction.atomic
def retention_rule_delete(*, actor: User, rule: RetentionRule) -> None:
    """Remove a retention rule; its past runs stay, with the rule's wording."""
    require(actor, rule.workspace, Action.DELETE, ObjectType.RETENTION_RULE)
    audit.record(
        actor=actor,
        workspace=rule.workspace,
        action=AuditEntry.Action.DELETE,
        obj=rule,
        changes=_changes(audit.snapshot(rule, RULE_FIELDS), None),
    )
    rule.delete()


def _changes(before: dict[str, Any], rule: RetentionRule | None) -> dict[str, list[Any]]:
    after = audit.snapshot(rule, RULE_FIELDS) if rule is not None else dict.fromkeys(before)
    return audit.diff(before or dict.fromkeys(after), after)


# --- Running them -----------------------------------------------------------------------------------------


@transaction.atomic
def retention_run_request(*, actor: User, rule: RetentionRule) -> RetentionRun:
    """Apply a rule now, in the background (enabled or not: the member asked); the run shows its progress."""
    from amity.customers.privacy.tasks import run_retention  # the task module imports this one

    run = retention_run_start(actor=actor, rule=rule)
    transaction.on_commit(partial(run_retention.enqueue, run.pk))
    return run


def retention_run_start(*, actor: User, rule: RetentionRule) -> RetentionRun:
    """A queued run of the rule, asked for by this member, for `run_retention_now` to carry out."""
    require(actor, rule.workspace, Action.CHANGE, ObjectType.RETENTION_RULE)
    return _new_run(rule, triggered_by=actor.email)


def _new_run(rule: RetentionRule, *, triggered_by: str) -> RetentionRun:
    return RetentionRun.objects.create(workspace=rule.workspace, rule=rule, rule_label=str(rule), triggered_by_label=triggered_by)


def apply_due_rules(*, now: Any = None) -> list[RetentionRun]:
    """Apply every enabled rule not applied in the last interval; each rule is claimed first, so two workers never both run it."""
    now = now or timezone.now()
    due_before = now - timedelta(seconds=settings.RETENTION_SECONDS)
    runs = []
    for rule in RetentionRule.objects.filter(enabled=True).filter(Q(last_run_at__isnull=True) | Q(last_run_at__lt=due_before)):
        claimed = (
            RetentionRule.objects.filter(pk=rule.pk, enabled=True)
            .filter(Q(last_run_at__isnull=True) | Q(last_run_at__lt=due_before))
            .update(last_run_at=now)
        )
        if claimed:
            runs.append(run_retention_now(_new_run(rule, triggered_by="schedule").pk))
    return runs


def run_retention_now(run_id: int, *, on_progress: Callable[[RetentionRun], None] | None = None) -> RetentionRun:
    """Carry out one run: let the rule's records go batch by batch, keeping the run's progress, and audit the result."""
    run = RetentionRun.objects.select_related("rule__workspace", "rule__updated_by", "rule__created_by").get(pk=run_id)
    rule = run.rule
    if run.status == RetentionRun.Status.DONE or rule is None:
        return run
    actor = rule.updated_by or rule.created_by
    if actor is None:
        return _finish(run, status=RetentionRun.Status.FAILED, error="Nobody who saved this rule is left; save it again to apply it.")
    candidates = retention_candidates(rule)  # the moment is fixed now: what becomes old during the run waits for the next
    matched = candidates.count()
    RetentionRun.objects.filter(pk=run.pk).update(status=RetentionRun.Status.RUNNING, started_at=timezone.now(), matched=matched)
    processed, last_pk = run.processed, 0
    while True:
        batch = list(candidates.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        last_pk = batch[-1].pk  # before acting: a deleted row forgets its id
        with transaction.atomic():
            LET_GO[rule.action](actor, rule, batch)
        processed += len(batch)
        RetentionRun.objects.filter(pk=run.pk).update(processed=processed, progress=round(min(processed / max(matched, 1), 0.99), 3))
        if on_progress:
            on_progress(RetentionRun.objects.get(pk=run.pk))
    with transaction.atomic():
        audit.record(
            actor=actor,
            workspace=rule.workspace,
            action=AuditEntry.Action.UPDATE,
            obj=rule,
            changes={"retention_run": [None, run.pk], "records_let_go": [None, processed]},
        )
        return _finish(run, status=RetentionRun.Status.DONE)


def _finish(run: RetentionRun, *, status: str, error: str = "") -> RetentionRun:
    values: dict[str, Any] = {"status": status, "finished_at": timezone.now(), "error": error[:1000]}
    if status == RetentionRun.Status.DONE:
        values["progress"] = 1.0
    RetentionRun.objects.filter(pk=run.pk).update(**values)
    run.refresh_from_db()
    return run


def mark_run_failed(run_id: int, *, error: BaseException, **_: Any) -> None:
    RetentionRun.objects.filter(pk=run_id).update(status=RetentionRun.Status.FAILED, error=str(error)[:1000], finished_at=timezone.now())


# --- What each action does, by the services that already do it ---------------------------------------------


def _delete(actor: User, rule: RetentionRule, rows: list[Any]) -> None:
    from amity.activities.services import interaction_delete
    from amity.customers.services import bulk_soft_delete
    from amity.sales.services.leads import lead_bulk_delete

    if rule.object_type == Kind.LEAD:
        lead_bulk_delete(actor=actor, leads=rows)
    elif rule.object_type == Kind.CONTACT:
        bulk_soft_delete(actor=actor, records=rows)
    else:
        for interaction in rows:
            interaction_delete(actor=actor, workspace=rule.workspace, interaction=interaction)


def _erase(actor: User, rule: RetentionRule, rows: list[Contact]) -> None:
    for contact in rows:
        erasure.run_erasure(erasure.erasure_record(actor=actor, workspace=rule.workspace, contact=contact).pk)


def _ids(model_path: str, **lookup: Any) -> list[int]:
    from django.apps import apps

    model: type[models.Model] = apps.get_model(model_path)
    return list(model._default_manager.filter(**lookup).values_list("pk", flat=True))


def _anonymise(actor: User, rule: RetentionRule, rows: list[Any]) -> None:
    """Write the rows over as an erasure would (with what hangs off them: a lead's form submissions, a case's messages and files)."""
    require(actor, rule.workspace, Action.ADD, ObjectType.PRIVACY_REQUEST)
    ids = [row.pk for row in rows]
    chosen: dict[str, list[int]] = {"interactions": ids}
    if rule.object_type == Kind.LEAD:
        chosen = {"leads": ids, "web_form_submissions": _ids("sales.WebFormSubmission", lead_id__in=ids)}
    elif rule.object_type == Kind.CASE:
        chosen = {
            "cases": ids,
            "case_messages": _ids("service.CaseMessage", case_id__in=ids),
            "case_attachments": _ids("service.CaseAttachment", message__case_id__in=ids),
        }
    erasure.anonymise(workspace=rule.workspace, chosen=chosen)


LET_GO: dict[str, Callable[[User, RetentionRule, list[Any]], None]] = {Do.DELETE: _delete, Do.ERASE: _erase, Do.ANONYMISE: _anonymise}
