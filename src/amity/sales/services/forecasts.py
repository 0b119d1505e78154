"""Quotas and forecast submissions: managers set what reps should win per month; reps call their number and managers override it.

Quotas are one row per rep and month (a quarter's quota is the sum of its months); setting one
again replaces its amount. Forecast submissions are never changed: each call or override is a
new row, so the history stays whole and the latest row is the current number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from amity.core import audit, money
from amity.core.access import require, role_of, team_member_ids
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, Membership, Team, User, Workspace
from amity.core.permissions import Action, ObjectType, Scope, grant_for
from amity.sales.models import ForecastSubmission, Quota
from amity.sales.periods import Period, add_months

BULK_LIMIT = 1000
QUOTA_FIELDS = ["user", "month", "amount", "currency"]


def people_in_reach(*, actor: User, workspace: Workspace, object_type: ObjectType, action: Action) -> set[int]:
    """The members whose quotas or forecasts the actor may act on: everyone, or the people of their teams."""
    role = role_of(actor, workspace)
    grant = grant_for(role, object_type)
    if action not in grant.actions:
        raise PermissionDenied(f"Your role does not allow you to {action} {object_type.replace('_', ' ')}s.")
    members = Membership.objects.filter(workspace=workspace)
    if grant.scope == Scope.TEAM:
        members = members.filter(user__in=team_member_ids(actor, workspace))
    elif grant.scope == Scope.OWN:
        members = members.filter(user=actor)
    return set(members.values_list("user_id", flat=True))


def _month(value: Any, errors: FieldErrors, field: str) -> dt.date | None:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(f"{value}-01" if len(str(value)) == 7 else str(value))
        except ValueError:
            errors[field] = f"{value!r} is not a month: write it as 2026-11."
            return None
    return day.replace(day=1)


# --- Quotas ---------------------------------------------------------------------------------------------------


def _clean_quota(quota: Quota, data: Mapping[str, Any], reach: set[int], errors: FieldErrors, prefix: str = "") -> None:
    if "user_id" in data:
        if data["user_id"] not in reach:
            errors[f"{prefix}user_id"] = f"No member with id {data['user_id']} whose quota you may set."
        else:
            quota.user_id = data["user_id"]
    if "month" in data:
        month = _month(data["month"], errors, f"{prefix}month")
        if month is not None:
            quota.month = month
    if "amount" in data:
        quota.amount = errors.check(money.amount, data["amount"], field=f"{prefix}amount") or Decimal(0)
    if "currency" in data:
        quota.currency = errors.check(money.currency_code, data["currency"], field=f"{prefix}currency") or quota.currency


def _audit_quota(actor: User, quota: Quota, before: dict[str, Any], action: str) -> None:
    changes = audit.diff(before, audit.snapshot(quota, QUOTA_FIELDS))
    if changes or action != AuditEntry.Action.UPDATE:
        audit.record(actor=actor, workspace=quota.workspace, action=action, obj=quota, changes=changes)


def _taken(workspace: Workspace, user_id: int, month: dt.date, pk: int | None) -> bool:
    return Quota.objects.filter(workspace=workspace, user_id=user_id, month=month).exclude(pk=pk or 0).exists()


@transaction.atomic
def quota_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> Quota:
    """Give a rep a quota for a month."""
    reach = people_in_reach(actor=actor, workspace=workspace, object_type=ObjectType.QUOTA, action=Action.ADD)
    quota, errors = Quota(workspace=workspace, set_by=actor), FieldErrors()
    _clean_quota(quota, {"user_id": None, "month": "", "amount": 0, "currency": "", **data}, reach, errors)
    if not errors and _taken(workspace, quota.user_id, quota.month, None):
        errors["month"] = f"This rep has a quota for {quota.month:%B %Y} already; change that one."
    errors.raise_if_any()
    quota.save()
    _audit_quota(actor, quota, {}, AuditEntry.Action.CREATE)
    return quota


@transaction.atomic
def quota_update(*, actor: User, quota: Quota, data: Mapping[str, Any]) -> Quota:
    """Change a quota's amount, currency, month or rep."""
    reach = people_in_reach(actor=actor, workspace=quota.workspace, object_type=ObjectType.QUOTA, action=Action.CHANGE)
    before, errors = audit.snapshot(quota, QUOTA_FIELDS), FieldErrors()
    _clean_quota(quota, data, reach, errors)
    if not errors and _taken(quota.workspace, quota.user_id, quota.month, quota.pk):
        errors["month"] = f"This rep has a quota for {quota.month:%B %Y} already."
    errors.raise_if_any()
    quota.set_by = actor
    quota.save()
    _audit_quota(actor, quota, before, AuditEntry.Action.UPDATE)
    return quota


@transaction.atomic
def quota_delete(*, actor: User, quota: Quota) -> None:
    """Remove a rep's quota for a month."""
    people_in_reach(actor=actor, workspace=quota.workspace, object_type=ObjectType.QUOTA, action=Action.DELETE)
    audit.record(
        actor=actor,
        workspace=quota.workspace,
        action=AuditEntry.Action.DELETE,
        obj=quota,
        changes={name: [value, None] for name, value in audit.snapshot(quota, QUOTA_FIELDS).items()},
    )
    quota.delete()


def _bulk_people(workspace: Workspace, data: Mapping[str, Any], reach: set[int], errors: FieldErrors) -> list[int]:
    people: list[int] = []
    if data.get("team_id") is not None:
        team = Team.objects.filter(workspace=workspace, pk=data["team_id"]).first()
        if team is None:
            errors["team_id"] = f"No team with id {data['team_id']} in this workspace."
        else:
            people.extend(team.members.values_list("pk", flat=True))
    for index, user_id in enumerate(data.get("user_ids") or []):
        if user_id not in reach:
            errors[f"user_ids.{index}"] = f"No member with id {user_id} whose quota you may set."
        people.append(user_id)
    outside = sorted(set(people) - reach)
    if outside and "team_id" not in errors and not any(key.startswith("user_ids") for key in errors):
        errors["team_id"] = f"You may not set the quotas of the members {outside}."
    if not people and not errors:
        errors["user_ids"] = "Name the reps (user_ids) or a team (team_id) whose quotas to set."
    return sorted(set(people))


@transaction.atomic
def quotas_bulk_set(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> list[Quota]:
    """Set the quotas of a team's members (or named reps) for the months of a year: all of them, or none with an error per field.

    `amounts` gives twelve monthly amounts (January first; null leaves a month as it is), or
    `amount` one amount for every month.
    """
    reach = people_in_reach(actor=actor, workspace=workspace, object_type=ObjectType.QUOTA, action=Action.CHANGE)
    errors = FieldErrors()
    people = _bulk_people(workspace, data, reach, errors)
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2200:
        errors["year"] = "Give the year as a number such as 2026."
    currency = errors.check(money.currency_code, data.get("currency"))
    amounts: list[Any] = list(data.get("amounts") or [])
    if data.get("amount") is not None:
        amounts = [data["amount"]] * 12
    if len(amounts) != 12:
        errors["amounts"] = "Give twelve monthly amounts (January to December), or one amount for every month."
    monthly = [
        errors.check(money.amount, value, field=f"amounts.{index}") if value not in (None, "") else None
        for index, value in enumerate(amounts)
    ]
    errors.raise_if_any()
    assert isinstance(year, int) and currency
    months = [add_months(dt.date(year, 1, 1), offset) for offset in range(12)]
    wanted = {(user_id, month): amount for user_id in people for month, amount in zip(months, monthly, strict=True) if amount is not None}
    if len(wanted) > BULK_LIMIT * 12:
        raise ValidationError({"user_ids": f"Set the quotas of at most {BULK_LIMIT} reps at once."})
    existing = {
        (quota.user_id, quota.month): quota for quota in Quota.objects.filter(workspace=workspace, user_id__in=people, month__in=months)
    }
    saved: list[Quota] = []
    for (user_id, month), amount in wanted.items():
        quota = existing.get((user_id, month)) or Quota(workspace=workspace, user_id=user_id, month=month)
        before = audit.snapshot(quota, QUOTA_FIELDS) if quota.pk else {}
        creating = quota.pk is None
        quota.amount, quota.currency, quota.set_by = amount, currency, actor
        quota.save()
        _audit_quota(actor, quota, before, AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE)
        saved.append(quota)
    return saved


# --- Forecast submissions -----------------------------------------------------------------------------------------


@transaction.atomic
def forecast_submit(
    *, actor: User, workspace: Workspace, rep_id: int, period: Period, kind: str, amount: Any, currency: Any, note: str = ""
) -> ForecastSubmission:
    """Record a rep's call for a period (by the rep), or a manager's override beside it (by a manager, admin or owner)."""
    errors = FieldErrors()
    if kind == ForecastSubmission.Kind.CALL:
        require(actor, workspace, Action.ADD, ObjectType.FORECAST)
        if rep_id != actor.pk:
            errors["rep_id"] = "A rep calls their own number; a manager enters an override (kind: override) instead."
    elif kind == ForecastSubmission.Kind.OVERRIDE:
        reach = people_in_reach(actor=actor, workspace=workspace, object_type=ObjectType.FORECAST, action=Action.CHANGE)
        if rep_id not in reach:
            errors["rep_id"] = f"No member with id {rep_id} whose forecast you may override."
    else:
        errors["kind"] = "Choose call (the rep's own number) or override (a manager's)."
    value = errors.check(money.amount, amount, field="amount")
    code = errors.check(money.currency_code, currency)
    text = " ".join(str(note or "").split())
    if len(text) > 500:
        errors["note"] = "Use at most 500 characters."
    errors.raise_if_any()
    assert value is not None and code is not None
    submission = ForecastSubmission.objects.create(
        workspace=workspace,
        rep_id=rep_id,
        kind=kind,
        period_kind=period.kind,
        period_start=period.start,
        amount=value,
        currency=code,
        note=text,
        submitted_by=actor,
    )
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE,
        obj=submission,
        changes={"rep": [None, rep_id], "kind": [None, kind], "period": [None, period.key], "amount": [None, str(value)],
                 "currency": [None, code], "note": [None, text]},
    )  # fmt: skip
    return submission
