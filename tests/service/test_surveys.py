"""Satisfaction surveys: sent once after resolution over real SMTP, answered with one click, summed up per agent and kind."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.service import services, surveys
from amity.service.models import Case, Survey
from tests.mail import Inbox


def _resolve(case: Case, agent: User, hours_ago: float = 2) -> Case:
    services.case_change_status(actor=agent, case=case, status="resolved")
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - dt.timedelta(hours=hours_ago), assignee=agent)
    return Case.objects.get(pk=case.pk)


def test_a_resolved_case_gets_one_survey_email_with_five_links(case: Case, agent: User, smtp_server: Inbox, run_on_commit: Any) -> None:
    _resolve(case, agent)
    with run_on_commit():
        assert surveys.send_due_surveys() == 1
    with run_on_commit():
        assert surveys.send_due_surveys() == 0  # once per case

    [email] = smtp_server.parsed()
    assert email["To"] == "peter@initech.test" and email["Subject"].startswith("How did we do? Chair arm came loose")
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert len(re.findall(r"http://\S+/survey/\S+/[1-5]/", text)) == 5
    assert Survey.objects.get(case=case).sent_at is not None


def test_too_early_merged_and_automated_cases_are_not_surveyed(case: Case, agent: User, workspace: Workspace) -> None:
    _resolve(case, agent, hours_ago=0.1)
    assert list(surveys.due_cases(now=timezone.now())) == []
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - dt.timedelta(hours=2))
    assert list(surveys.due_cases(now=timezone.now())) == [case]
    case.messages.update(automated=True)
    assert list(surveys.due_cases(now=timezone.now())) == []


def test_one_click_records_the_score_a_second_click_changes_it_and_a_comment_is_kept(case: Case, agent: User, run_on_commit: Any) -> None:
    _resolve(case, agent)
    survey = surveys.survey_create(case=case)
    assert survey is not None
    browser = Client()

    page = browser.get(surveys.survey_link(survey, 2).removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200 and b"Thank you!" in page.content
    browser.get(surveys.survey_link(survey, 2).removeprefix("http://127.0.0.1:8000"))
    browser.get(surveys.survey_link(survey, 4).removeprefix("http://127.0.0.1:8000"))
    survey.refresh_from_db()
    assert survey.score == 4

    browser.post(surveys.survey_link(survey).removeprefix("http://127.0.0.1:8000"), {"comment": "Quick and friendly."})
    survey.refresh_from_db()
    assert survey.comment == "Quick and friendly."

    forged = surveys.survey_link(survey, 5).replace(survey.token, "x" * len(survey.token))
    assert browser.get(forged.removeprefix("http://127.0.0.1:8000")).status_code == 404
    assert browser.get(f"/survey/{survey.token}:bad/5/").status_code == 404
    survey.refresh_from_db()
    assert survey.score == 4


def test_the_api_lists_answers_and_sums_them_up_per_agent_and_kind(
    api_as: Any, case: Case, agent: User, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    case = _resolve(case, agent)
    survey = surveys.survey_create(case=case)
    assert survey is not None
    surveys.survey_answer(survey=survey, score=5)
    client = api_as(agent, workspace)
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/surveys?score=5").json()
    assert [item["case_number"] for item in page["items"]] == [case.number]
    assert client.get("/api/v1/surveys?score=3").json()["items"] == []
    summary = client.get("/api/v1/surveys/summary").json()
    assert summary["sent"] == 1 and summary["overall"] == {"answers": 1, "satisfied": 1, "average": 5.0, "csat": 100.0}
    assert summary["by_agent"][0]["agent_id"] == agent.pk and summary["by_kind"][0]["csat"] == 100.0
    assert client.get("/api/v1/surveys?score=9").status_code == 422
