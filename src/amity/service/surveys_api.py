"""The satisfaction-survey API: /api/v1/surveys (answers, with filters) and /api/v1/surveys/summary (CSAT figures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate, sort_ordering
from amity.service import surveys

router = Router(tags=["surveys"])
SURVEY_SORTS = {"-answered_at": ("-answered_at", "-id"), "answered_at": ("answered_at", "id")}


class SurveyFilterIn(Schema):
    agent_id: int | None = None
    kind_id: int | None = None
    score: int | None = Field(None, ge=1, le=5)
    answered_from: dt.date | None = None
    answered_to: dt.date | None = None
    sort: str | None = None


class SurveyOut(Schema):
    id: int
    case_id: int
    case_number: str = Field(..., alias="case.number")
    agent_id: int | None
    kind_id: int | None
    score: int | None
    comment: str
    sent_at: dt.datetime | None
    answered_at: dt.datetime | None


class GroupOut(Schema):
    answers: int
    satisfied: int
    average: float | None
    csat: float | None = Field(None, description="Share of answers scoring 4 or 5, in percent.")


class AgentGroupOut(GroupOut):
    agent_id: int | None
    agent__full_name: str | None = Field(None, serialization_alias="agent_name")


class KindGroupOut(GroupOut):
    kind_id: int | None
    kind__name: str | None = Field(None, serialization_alias="kind_name")


class MonthGroupOut(GroupOut):
    month: str


class SummaryOut(Schema):
    sent: int
    overall: GroupOut
    by_agent: list[AgentGroupOut]
    by_kind: list[KindGroupOut]
    by_month: list[MonthGroupOut]


@router.get("/surveys", response=page_of(SurveyOut), summary="Answered satisfaction surveys, newest first")
def list_surveys(request: HttpRequest, page: Query[PageParams], filters: Query[SurveyFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=SURVEY_SORTS, default="-answered_at")
    criteria = surveys.SurveyFilter(**filters.model_dump(exclude={"sort"}))
    return paginate(
        surveys.surveys(actor=actor, workspace=workspace, filters=criteria), ordering=ordering, cursor=page.cursor, limit=page.limit
    )


@router.get("/surveys/summary", response=SummaryOut, summary="CSAT overall, per agent, per case kind and per month")
def survey_summary(request: HttpRequest, filters: Query[SurveyFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    criteria = surveys.SurveyFilter(**filters.model_dump(exclude={"sort"}))
    return surveys.survey_summary(actor=actor, workspace=workspace, filters=criteria)


@router.get("/surveys/{survey_id}", response=SurveyOut)
def get_survey(request: HttpRequest, survey_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return surveys.survey_get(actor=actor, workspace=workspace, pk=survey_id)
