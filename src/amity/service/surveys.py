"""Satisfaction surveys: one email after a case is resolved, five one-click scores, a comment, and the results.

The links carry the survey's random token signed with the site's secret, so answering needs no sign-in and a
guessed or altered link is refused. Clicking records the score; clicking another one changes it (the last click
counts), so a double click or a mail scanner that follows one link never adds a second answer.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from amity.core import audit
from amity.core.access import visible
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.service.mail import sender
from amity.service.models import Case, CaseMessage, Survey

__all__ = ["Survey"]
from amity.service.services.messages import reply_recipient

SCORES = (1, 2, 3, 4, 5)
SCORE_LABELS = {1: "Very poor", 2: "Poor", 3: "OK", 4: "Good", 5: "Excellent"}
_SIGNER = signing.Signer(salt="amity.service.survey")


def survey_link(survey: Survey, score: int | None = None) -> str:
    """The address a customer clicks: with a score it records that score, without it shows the survey."""
    signed = _SIGNER.sign(survey.token)
    path = (
        reverse("survey_answer", kwargs={"signed": signed, "score": score}) if score else reverse("survey_page", kwargs={"signed": signed})
    )
    return f"{settings.BASE_URL}{path}"


def survey_from_link(signed: str) -> Survey:
    """The survey a link belongs to; a forged, altered or unknown link is a 404 like any missing page."""
    from django.http import Http404

    try:
        token = _SIGNER.unsign(signed)
    except signing.BadSignature:
        raise Http404("No such survey.") from None
    survey = Survey.objects.select_related("case", "workspace").filter(token=token).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey


# --- Sending -------------------------------------------------------------------------------------------------------------


def due_cases(*, now: dt.datetime) -> models.QuerySet[Case]:
    """Resolved cases old enough to ask about and not yet asked: not merged away, with a real person who wrote to us."""
    human_message = CaseMessage.objects.filter(case=OuterRef("pk"), kind=CaseMessage.Kind.CUSTOMER, automated=False)
    return (
        Case.objects.filter(
            status__in=(Case.Status.RESOLVED, Case.Status.CLOSED),
            merged_into__isnull=True,
            resolved_at__lte=now - dt.timedelta(minutes=settings.SURVEY_DELAY_MINUTES),
            resolved_at__gte=now - dt.timedelta(days=settings.SURVEY_MAX_AGE_DAYS),
        )
        .filter(Exists(human_message))
        .exclude(Exists(Survey.objects.filter(case=OuterRef("pk"))))
    )


def survey_create(*, case: Case) -> Survey | None:
    """Make the one survey of a case (None when it has one already or nobody to ask); the email goes after commit."""
    email = reply_recipient(case)
    if not email:
        return None
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                workspace_id=case.workspace_id,
                case=case,
                agent_id=case.assignee_id,
                kind_id=case.kind_id,
                email=email,
                token=secrets.token_urlsafe(24)[:32],
            )
            audit.record(
                actor=None, workspace=case.workspace, action=AuditEntry.Action.CREATE, obj=survey, changes={"email": [None, email]}
            )
    except IntegrityError:  # another worker made it first: once per case
        return None
    from amity.service.tasks import send_survey

    transaction.on_commit(lambda: send_survey.enqueue(survey_id=survey.pk))
    return survey


def send_due_surveys(*, now: dt.datetime | None = None) -> int:
    """Create the surveys of every case that is due one (the worker runs this every minute)."""
    cases = due_cases(now=now or timezone.now()).select_related("workspace", "contact")[:500]
    return sum(1 for case in cases if survey_create(case=case) is not None)


def survey_email(survey: Survey) -> EmailMultiAlternatives:
    """The survey email: five one-click scores from "Very poor" to "Excellent"."""
    case = survey.case
    context = {
        "case": case,
        "workspace": survey.workspace,
        "links": [(score, SCORE_LABELS[score], survey_link(survey, score)) for score in SCORES],
    }
    text = render_to_string("web/email/survey.txt", context)
    message = EmailMultiAlternatives(
        subject=f"How did we do? {case.subject} {case.subject_tag}"[:250],
        body=text,
        from_email=sender(case),
        to=[survey.email],
        headers={"Auto-Submitted": "auto-generated", "X-Amity-Case": case.number},
    )
    message.attach_alternative(render_to_string("web/email/survey.html", context), "text/html")
    return message


# --- Answering ------------------------------------------------------------------------------------------------------------


@transaction.atomic
def survey_answer(*, survey: Survey, score: int) -> Survey:
    """Record the customer's score; a later click replaces it."""
    if score not in SCORES:
        raise ValidationError({"score": "Choose a score from 1 to 5."})
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.score == score:
        return survey
    before = survey.score
    survey.score, survey.answered_at = score, timezone.now()
    survey.save(update_fields=["score", "answered_at"])
    audit.record(actor=None, workspace=survey.workspace, action=AuditEntry.Action.UPDATE, obj=survey, changes={"score": [before, score]})
    return survey


@transaction.atomic
def survey_comment(*, survey: Survey, comment: str) -> Survey:
    """Keep what the customer wrote beside their score."""
    comment = comment.strip()
    if len(comment) > 5000:
        raise ValidationError({"comment": "Keep it under 5,000 characters."})
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.comment == comment:
        return survey
    survey.comment = comment
    survey.answered_at = survey.answered_at or timezone.now()
    survey.save(update_fields=["comment", "answered_at"])
    audit.record(actor=None, workspace=survey.workspace, action=AuditEntry.Action.UPDATE, obj=survey, changes={"comment": ["…", "…"]})
    return survey


# --- Results --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyFilter:
    agent_id: int | None = None
    kind_id: int | None = None
    score: int | None = None
    answered_from: dt.date | None = None
    answered_to: dt.date | None = None


def sent_surveys(*, actor: User, workspace: Workspace) -> models.QuerySet[Survey]:
    """Every survey that went out, answered or not, that the actor may read (the satisfaction report counts them)."""
    queryset = visible(Survey.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.SURVEY, owner_field="agent")
    return queryset.filter(sent_at__isnull=False)


def case_survey(*, actor: User, workspace: Workspace, case: Case) -> Survey | None:
    """The survey sent about a case, answered or not; None when none went out or the actor may not read it."""
    try:
        return sent_surveys(actor=actor, workspace=workspace).filter(case=case).select_related("agent").first()
    except PermissionDenied:
        return None


def surveys(*, actor: User, workspace: Workspace, filters: SurveyFilter | None = None) -> models.QuerySet[Survey]:
    """Answered surveys the actor may read, with filters."""
    queryset = visible(Survey.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.SURVEY, owner_field="agent")
    queryset = queryset.filter(score__isnull=False)
    filters = filters or SurveyFilter()
    for field in ("agent_id", "kind_id", "score"):
        if getattr(filters, field) is not None:
            queryset = queryset.filter(**{field: getattr(filters, field)})
    if filters.answered_from:
        queryset = queryset.filter(answered_at__date__gte=filters.answered_from)
    if filters.answered_to:
        queryset = queryset.filter(answered_at__date__lte=filters.answered_to)
    return queryset.select_related("case")


def survey_get(*, actor: User, workspace: Workspace, pk: int) -> Survey:
    return get_scoped_or_404(surveys(actor=actor, workspace=workspace), pk=pk)


def _csat(rows: models.QuerySet[Any]) -> models.QuerySet[Any]:
    # CSAT is the share of 4s and 5s, the usual definition; the average is shown beside it.
    return rows.annotate(answers=Count("id"), satisfied=Count("id", filter=Q(score__gte=4)), average=Avg("score"))


def _shaped(row: dict[str, Any]) -> dict[str, Any]:
    answers = row["answers"]
    return {
        **row,
        "average": round(float(row["average"]), 2) if row["average"] is not None else None,
        "csat": round(100 * row["satisfied"] / answers, 1) if answers else None,
    }


def survey_summary(*, actor: User, workspace: Workspace, filters: SurveyFilter | None = None) -> dict[str, Any]:
    """CSAT overall, per agent, per case kind and per month: four grouped queries whatever the number of answers."""
    answered = surveys(actor=actor, workspace=workspace, filters=filters).order_by()
    sent = visible(Survey.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.SURVEY, owner_field="agent").count()
    overall = _shaped({**answered.aggregate(answers=Count("id"), satisfied=Count("id", filter=Q(score__gte=4)), average=Avg("score"))})
    by_agent = _csat(answered.values("agent_id", "agent__full_name", "agent__email")).order_by("agent__full_name", "agent_id")
    by_kind = _csat(answered.values("kind_id", "kind__name")).order_by("kind__name", "kind_id")
    by_month = _csat(answered.annotate(month=TruncMonth("answered_at")).values("month")).order_by("month")
    return {
        "sent": sent,
        "overall": overall,
        "by_agent": [_shaped(row) for row in by_agent],
        "by_kind": [_shaped(row) for row in by_kind],
        "by_month": [_shaped({**row, "month": row["month"].date().isoformat()[:7]}) for row in by_month],
    }
