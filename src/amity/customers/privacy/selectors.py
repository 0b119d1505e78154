"""Reads of privacy: the erasure log and the retention rules with what they would let go, workspace-scoped."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from amity.core.access import require
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.customers.models import Erasure, RetentionRule, RetentionRun

ERASED = "[erased]"  # what an anonymised row's text reads (the erasure module writes it)


def erasure_list(*, actor: User, workspace: Workspace) -> QuerySet[Erasure]:
    """The workspace's erasures, newest first."""
    require(actor, workspace, Action.VIEW, ObjectType.PRIVACY_REQUEST)
    return Erasure.objects.filter(workspace=workspace)


def erasure_get(*, actor: User, workspace: Workspace, pk: int) -> Erasure:
    """One erasure of the workspace; another workspace's is a 404."""
    return get_scoped_or_404(erasure_list(actor=actor, workspace=workspace), pk=pk)


def latest_erasure_of(*, actor: User, workspace: Workspace, contact_id: int) -> Erasure | None:
    """The person's most recent erasure, if one was ever asked for."""
    return erasure_list(actor=actor, workspace=workspace).filter(contact_id=contact_id).order_by("-created_at", "-id").first()


def erasure_of_contact(*, workspace: Workspace, contact_id: int) -> Erasure | None:
    """The erasure that emptied this contact (done or under way; a failed one does not count), or None.

    Not limited to those who may see privacy requests: whoever may open the erased contact's page is told it was
    erased, and the restore service refuses for everyone.
    """
    erasures = Erasure.objects.filter(workspace=workspace, contact_id=contact_id).exclude(status=Erasure.Status.FAILED)
    return erasures.order_by("-created_at", "-id").first()


def erased_contacts(workspace: Workspace) -> QuerySet[Erasure]:
    """The workspace's erasures that count (done or under way): a contact among theirs cannot come back from the bin."""
    return Erasure.objects.filter(workspace=workspace).exclude(status=Erasure.Status.FAILED)


# --- Retention rules ------------------------------------------------------------------------------------

RETENTION_PREVIEW_ROWS = 10


@dataclass(frozen=True)
class Target:
    """What a retention rule can apply to: the model, the field its status filter reads, and the field an anonymised row shows."""

    model_path: str
    status_field: str
    erased_field: str = ""  # rows already anonymised carry ERASED here (soft-deleted ones drop out by `deleted_at`)

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_path)


TARGETS: dict[str, Target] = {
    RetentionRule.ObjectType.LEAD: Target("sales.Lead", "status"),
    RetentionRule.ObjectType.CONTACT: Target("customers.Contact", "lifecycle_stage"),
    RetentionRule.ObjectType.CASE: Target("service.Case", "status", erased_field="subject"),
    RetentionRule.ObjectType.INTERACTION: Target("activities.Interaction", "channel", erased_field="subject"),
}


def retention_cutoff(rule: RetentionRule, now: datetime) -> datetime:
    """Records changed last before this moment are the rule's to let go: the same day and time, N months back."""
    index = now.year * 12 + now.month - 1 - rule.untouched_months
    year, month = index // 12, index % 12 + 1
    return now.replace(year=year, month=month, day=min(now.day, calendar.monthrange(year, month)[1]))


def retention_candidates(rule: RetentionRule, *, now: datetime | None = None) -> QuerySet[Any]:
    """The records the rule would let go now, oldest id first: the one selector the preview and the run both use."""
    target = TARGETS[rule.object_type]
    model = target.model
    rows = model._default_manager.filter(workspace_id=rule.workspace_id, updated_at__lt=retention_cutoff(rule, now or timezone.now()))
    if rule.status:
        rows = rows.filter(**{target.status_field: rule.status})
    if any(field.name == "deleted_at" for field in model._meta.concrete_fields):
        rows = rows.filter(deleted_at__isnull=True)
    if target.erased_field:
        rows = rows.exclude(**{target.erased_field: ERASED})
    return rows.order_by("pk")


def retention_rule_list(*, actor: User, workspace: Workspace) -> QuerySet[RetentionRule]:
    require(actor, workspace, Action.VIEW, ObjectType.RETENTION_RULE)
    return RetentionRule.objects.filter(workspace=workspace)


def retention_rule_get(*, actor: User, workspace: Workspace, pk: int) -> RetentionRule:
    """One retention rule of the workspace; another workspace's is a 404."""
    return get_scoped_or_404(retention_rule_list(actor=actor, workspace=workspace), pk=pk)


def retention_preview(*, actor: User, workspace: Workspace, rule: RetentionRule) -> tuple[int, list[Any]]:
    """How many records the rule would let go now, and the first few of them."""
    require(actor, workspace, Action.VIEW, ObjectType.RETENTION_RULE)
    rows = retention_candidates(rule)
    return rows.count(), list(rows[:RETENTION_PREVIEW_ROWS])


def retention_run_list(*, actor: User, workspace: Workspace) -> QuerySet[RetentionRun]:
    require(actor, workspace, Action.VIEW, ObjectType.RETENTION_RULE)
    return RetentionRun.objects.filter(workspace=workspace)


def retention_run_get(*, actor: User, workspace: Workspace, pk: int) -> RetentionRun:
    return get_scoped_or_404(retention_run_list(actor=actor, workspace=workspace), pk=pk)
