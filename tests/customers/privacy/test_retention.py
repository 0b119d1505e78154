"""Retention rules: a preview of what would go, the worker applying enabled rules daily, each action by its existing service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.activities.models import Interaction
from amity.core.models import AuditEntry, User, Workspace
from amity.customers.models import Contact, Erasure, RetentionRule, RetentionRun
from amity.customers.privacy import retention
from amity.customers.privacy.erasure import ERASED
from amity.sales.models import Lead
from amity.service.models import Case, CaseMessage
from tests.factories import contact_with

pytestmark = pytest.mark.django_db


def _age(model: Any, pk: int, *, months: int) -> None:
    """Make a record look untouched for this many months (updated_at is set on every save, so by update())."""
    model.objects.filter(pk=pk).update(updated_at=timezone.now() - timedelta(days=31 * months))


def _lead(workspace: Workspace, name: str, *, months: int, status: str = "new") -> Lead:
    lead = Lead.objects.create(workspace=workspace, first_name=name, last_name="Old", email=f"{name.lower()}@example.com", status=status)
    _age(Lead, lead.pk, months=months)
    return lead


def _rule(api: Any, **body: Any) -> dict[str, Any]:
    response = api.post("/api/v1/retention-rules", body)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_the_preview_shows_what_the_run_then_lets_go(api: Any, workspace: Workspace, admin: User) -> None:
    old = [_lead(workspace, name, months=30) for name in ("Ann", "Bob", "Cy")]
    recent = _lead(workspace, "Dee", months=6)
    qualified = _lead(workspace, "Eve", months=30, status="qualified")
    rule = _rule(api, object_type="lead", untouched_months=24, status="new", action="delete")

    preview = api.get(f"/api/v1/retention-rules/{rule['id']}/preview").json()
    run = retention.run_retention_now(retention._new_run(RetentionRule.objects.get(pk=rule["id"]), triggered_by="test").pk)

    assert preview["count"] == 3 and [row["id"] for row in preview["first"]] == [lead.pk for lead in old]
    assert (run.status, run.matched, run.processed, run.progress) == ("done", 3, 3, 1.0)
    assert set(Lead.objects.filter(deleted_at__isnull=False).values_list("pk", flat=True)) == {lead.pk for lead in old}
    assert Lead.objects.get(pk=recent.pk).deleted_at is None and Lead.objects.get(pk=qualified.pk).deleted_at is None
    assert AuditEntry.objects.filter(object_type="sales.lead", action="delete").count() == 3
    assert AuditEntry.objects.get(object_type="customers.retentionrule", action="update").changes["records_let_go"] == [None, 3]
    assert api.get(f"/api/v1/retention-rules/{rule['id']}/preview").json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"object_type": "case", "untouched_months": 12, "action": "delete"}, "action"),
        ({"object_type": "lead", "untouched_months": 12, "action": "delete", "status": "sleepy"}, "status"),
        ({"object_type": "lead", "untouched_months": 0, "action": "delete"}, "untouched_months"),
        ({"object_type": "invoice", "untouched_months": 12, "action": "delete"}, "object_type"),
    ],
)
def test_a_bad_rule_is_refused_by_field_and_nothing_is_kept(api: Any, body: dict[str, Any], field: str) -> None:
    response = api.post("/api/v1/retention-rules", body)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not RetentionRule.objects.exists() and not AuditEntry.objects.filter(object_type="customers.retentionrule").exists()


def test_rules_are_changed_and_removed_with_an_audit_entry(api: Any) -> None:
    rule = _rule(api, object_type="interaction", untouched_months=36, action="anonymise")
    assert rule["enabled"] is False and rule["description"] == "Anonymise interactions untouched for 36 months"

    switched = api.patch(f"/api/v1/retention-rules/{rule['id']}", {"enabled": True})
    refused = api.patch(f"/api/v1/retention-rules/{rule['id']}", {"action": "erase"})
    removed = api.delete(f"/api/v1/retention-rules/{rule['id']}")

    assert switched.json()["enabled"] is True and refused.status_code == 422 and removed.status_code == 204
    actions = list(AuditEntry.objects.filter(object_type="customers.retentionrule").order_by("id").values_list("action", "changes"))
    assert [action for action, _ in actions] == ["create", "update", "delete"]
    assert actions[1][1] == {"enabled": [False, True]}


def test_an_erase_rule_erases_each_old_contact_like_a_request_does(api: Any, workspace: Workspace) -> None:
    old, recent = contact_with(workspace, "Olive", "Oldfield"), contact_with(workspace, "Nina", "Newman")
    _age(Contact, old.pk, months=40)
    rule = RetentionRule.objects.get(pk=_rule(api, object_type="contact", untouched_months=36, action="erase")["id"])

    run = retention.run_retention_now(retention._new_run(rule, triggered_by="test").pk)

    assert run.processed == 1
    assert Contact.objects.get(pk=old.pk).last_name == "person" and Contact.objects.get(pk=recent.pk).last_name == "Newman"
    assert Erasure.objects.get().contact_id == old.pk and Erasure.objects.get().status == "done"


def test_anonymising_cases_keeps_them_and_removes_the_text_once(api: Any, workspace: Workspace) -> None:
    contact = contact_with(workspace, "Carl", "Case")
    case_id = api.post("/api/v1/cases", {"subject": "Carl's chair squeaks", "description": "Left leg", "contact_id": contact.pk}).json()[
        "id"
    ]
    CaseMessage.objects.create(workspace=workspace, case_id=case_id, kind="inbound", body="Carl here, it squeaks", from_address="c@x.test")
    _age(Case, case_id, months=30)
    rule = RetentionRule.objects.get(pk=_rule(api, object_type="case", untouched_months=24, action="anonymise")["id"])

    first = retention.run_retention_now(retention._new_run(rule, triggered_by="test").pk)
    second = retention.run_retention_now(retention._new_run(rule, triggered_by="test").pk)

    case = Case.objects.get(pk=case_id)
    assert (case.subject, case.description) == (ERASED, "") and first.processed == 1 and second.matched == 0
    assert set(CaseMessage.objects.filter(case_id=case_id).values_list("body", flat=True)) == {ERASED}
    assert Contact.objects.get(pk=contact.pk).last_name == "Case", "the person stays: only the case's text goes"


def test_interactions_can_be_deleted_in_batches_with_progress(api: Any, workspace: Workspace, monkeypatch: Any) -> None:
    contact = contact_with(workspace, "Ian", "Talk")
    for number in range(5):
        created = api.post("/api/v1/interactions", {"channel": "phone", "subject": f"Call {number}", "contact_ids": [contact.pk]}).json()
        _age(Interaction, created["id"], months=13)
    rule = RetentionRule.objects.get(pk=_rule(api, object_type="interaction", untouched_months=12, action="delete")["id"])
    monkeypatch.setattr(retention, "BATCH", 2)
    seen: list[tuple[int, float]] = []

    run = retention.run_retention_now(
        retention._new_run(rule, triggered_by="test").pk, on_progress=lambda r: seen.append((r.processed, r.progress))
    )

    assert run.processed == 5 and not Interaction.objects.exists()
    assert seen == [(2, 0.4), (4, 0.8), (5, 0.99)]


def test_the_worker_applies_enabled_rules_once_a_day(api: Any, workspace: Workspace, settings: Any) -> None:
    from amity.customers.privacy.tasks import apply_retention_rules

    settings.RETENTION_SECONDS = 86400
    _lead(workspace, "Ann", months=30)
    _rule(api, object_type="lead", untouched_months=24, action="delete")  # off: never applied
    _rule(api, object_type="lead", untouched_months=24, action="anonymise", enabled=True)
    now = timezone.now()

    assert apply_retention_rules.call() == 1
    assert retention.apply_due_rules(now=now + timedelta(hours=1)) == []
    again = retention.apply_due_rules(now=now + timedelta(days=1, minutes=1))

    assert len(again) == 1 and again[0].matched == 0
    assert RetentionRun.objects.filter(triggered_by_label="schedule").count() == 2
    assert Lead.objects.get().first_name == "Erased" and Lead.objects.get().deleted_at is not None


def test_run_now_goes_to_the_background_and_runs_are_listed(
    api: Any, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    _lead(workspace, "Ann", months=30)
    rule = _rule(api, object_type="lead", untouched_months=24, action="delete")

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"/api/v1/retention-rules/{rule['id']}/run", {})

    assert started.status_code == 202 and started.json()["status"] == "queued"
    run = api.get(f"/api/v1/retention-runs/{started.json()['id']}").json()
    assert (run["status"], run["processed"], run["triggered_by_label"]) == ("done", 1, "admin@acme.test")
    assert [item["id"] for item in api.get("/api/v1/retention-runs").json()["items"]] == [run["id"]]


def test_the_runs_list_takes_the_same_queries_for_two_or_many(api: Any, workspace: Workspace) -> None:
    rule = RetentionRule.objects.create(workspace=workspace, object_type="lead", untouched_months=24, action="delete")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/retention-runs?limit=50").status_code == 200
        return len(captured.captured_queries)

    RetentionRun.objects.bulk_create(RetentionRun(workspace=workspace, rule=rule, rule_label="r") for _ in range(2))
    queries()
    few = queries()
    RetentionRun.objects.bulk_create(RetentionRun(workspace=workspace, rule=rule, rule_label="r") for _ in range(40))
    assert queries() == few
