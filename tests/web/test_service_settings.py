"""Settings → Case routing, Service desk and Service levels: add, edit, errors, roles, and another workspace's rows."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.service import services
from amity.service.models import (
    AgentProfile,
    BusinessCalendar,
    CannedResponse,
    CaseAssignmentRule,
    CaseKind,
    Macro,
    Mailbox,
    Queue,
    SlaPolicy,
)
from tests.factories import member
from tests.web.conftest import snapshot

PAGES = ["case-routing", "service-desk", "service-levels", "replies"]


@pytest.fixture
def admin(workspace: Workspace) -> User:
    return member(workspace, Role.ADMIN, email="ada@acme.test", full_name="Ada Admin")


@pytest.fixture
def agents(workspace: Workspace) -> list[User]:
    return [member(workspace, Role.SUPPORT, email=f"agent{n}@acme.test", full_name=f"Agent {n}") for n in (1, 2)]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_for_an_admin_and_is_in_the_settings_nav(client_as: Any, admin: User, page: str) -> None:
    response = client_as(admin).get(f"/w/acme/settings/{page}/")

    assert response.status_code == 200
    assert f'href="/w/acme/settings/{page}/"' in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_another_workspaces_page_is_a_404_and_changes_nothing(
    client_as: Any, admin: User, workspace: Workspace, other_workspace: Workspace, page: str
) -> None:
    member(other_workspace, Role.OWNER)
    before = snapshot(workspace, other_workspace)
    client = client_as(admin)

    assert client.get(f"/w/globex/settings/{page}/").status_code == 404
    assert client.post(f"/w/globex/settings/{page}/", {"section": "queue", "name": "Hacked"}).status_code == 404
    assert snapshot(workspace, other_workspace) == before


def test_an_admin_adds_a_routing_rule_and_edits_it(client_as: Any, admin: User, workspace: Workspace, agents: list[User]) -> None:
    client = client_as(admin)
    client.get("/w/acme/settings/case-routing/")

    added = client.post(
        "/w/acme/settings/case-routing/",
        {
            "section": "rule",
            "name": "Returns",
            "kinds": ["product_return"],
            "method": "least_loaded",
            "agent_ids": [agents[1].pk],
            "languages": "de, fr",
        },
    )
    assert added.status_code == 302
    rule = CaseAssignmentRule.objects.get()
    assert (rule.kinds, rule.method, rule.languages, list(rule.agents.all())) == (
        ["product_return"],
        "least_loaded",
        ["de", "fr"],
        [agents[1]],
    )

    page = client.get(f"/w/acme/settings/case-routing/?edit=rule-{rule.pk}").content.decode()
    assert "Change “Returns”" in page and 'value="de, fr"' in page
    client.post("/w/acme/settings/case-routing/", {"section": "rule", "pk": rule.pk, "name": "Returns desk", "method": "round_robin"})
    rule.refresh_from_db()
    assert (rule.name, rule.method, rule.kinds, list(rule.agents.all())) == ("Returns desk", "round_robin", [], [])


def test_a_bad_rule_shows_the_error_at_its_field_and_saves_nothing(client_as: Any, admin: User, workspace: Workspace) -> None:
    response = client_as(admin).post("/w/acme/settings/case-routing/", {"section": "rule", "name": "One agent", "method": "agent"})

    assert response.status_code == 422
    assert "Say which agent gets the cases." in response.content.decode()
    assert not CaseAssignmentRule.objects.exists()


def test_rules_move_switch_off_and_go(client_as: Any, admin: User, workspace: Workspace) -> None:
    first, second = (
        services.case_assignment_rule_save(actor=admin, workspace=workspace, data={"name": name}) for name in ("First", "Second")
    )
    client = client_as(admin)

    client.post(f"/w/acme/settings/case-routing/{second.pk}/", {"action": "up"})
    client.post(f"/w/acme/settings/case-routing/{first.pk}/", {"action": "toggle"})
    assert [(rule.name, rule.active) for rule in CaseAssignmentRule.objects.order_by("position")] == [("Second", True), ("First", False)]
    client.post(f"/w/acme/settings/case-routing/{first.pk}/", {"action": "delete"})
    assert list(CaseAssignmentRule.objects.values_list("name", flat=True)) == ["Second"]


def test_an_admin_sets_an_agents_skills_languages_and_limit(client_as: Any, admin: User, agents: list[User]) -> None:
    prefix = f"agent-{agents[0].pk}"
    client_as(admin).post(
        f"/w/acme/settings/case-routing/agents/{agents[0].pk}/",
        {f"{prefix}-skills": "Billing, returns", f"{prefix}-languages": "de", f"{prefix}-max_open_cases": "8"},
    )

    profile = AgentProfile.objects.get(user=agents[0])
    assert (profile.skills, profile.languages, profile.max_open_cases, profile.available) == (["billing", "returns"], ["de"], 8, False)


def test_a_support_agent_reads_the_routing_but_cannot_change_it(
    client_as: Any, admin: User, workspace: Workspace, agents: list[User]
) -> None:
    services.case_assignment_rule_save(actor=admin, workspace=workspace, data={"name": "Everything"})
    client = client_as(agents[0])

    page = client.get("/w/acme/settings/case-routing/")
    assert page.status_code == 200 and "Everything" in page.content.decode() and "Add a rule" not in page.content.decode()
    assert client.post("/w/acme/settings/case-routing/", {"section": "rule", "name": "Mine"}).status_code == 403
    assert CaseAssignmentRule.objects.count() == 1


def test_queues_and_kinds_are_added_and_edited(client_as: Any, admin: User, workspace: Workspace, agents: list[User]) -> None:
    client = client_as(admin)
    client.get("/w/acme/settings/service-desk/")

    client.post(
        "/w/acme/settings/service-desk/",
        {"section": "queue", "name": "Billing", "email_address": "billing@acme.test", "member_ids": [agents[0].pk]},
    )
    billing = Queue.objects.get(name="Billing")
    assert billing.email_address == "billing@acme.test" and list(billing.members.all()) == [agents[0]]
    client.post("/w/acme/settings/service-desk/", {"section": "kind", "name": "Warranty claim", "is_return": "on", "active": "on"})
    kind = CaseKind.objects.get(name="Warranty claim")
    assert kind.key == "warranty_claim" and kind.is_return

    page = client.get(f"/w/acme/settings/service-desk/?edit=kind-{kind.pk}").content.decode()
    assert "Change “Warranty claim”" in page
    clash = client.post("/w/acme/settings/service-desk/", {"section": "queue", "pk": billing.pk, "name": "Support"})
    assert clash.status_code == 422 and "There is already a queue" in clash.content.decode()


def test_policies_and_calendars_are_added_with_errors_at_their_fields(client_as: Any, admin: User, workspace: Workspace) -> None:
    client = client_as(admin)

    bad = client.post(
        "/w/acme/settings/service-levels/",
        {"section": "calendar", "name": "Office", "time_zone": "Mars/Olympus", "hours_mon": "17:00-09:00"},
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "Use a time zone name such as Europe/Berlin." in html and "a period must end after it starts" in html
    assert not BusinessCalendar.objects.exists()

    client.post(
        "/w/acme/settings/service-levels/",
        {
            "section": "calendar",
            "name": "Office",
            "time_zone": "Europe/Berlin",
            "holiday_country": "de",
            "hours_mon": "09:00-12:30, 13:30-17:00",
            "is_default": "on",
        },
    )
    calendar = BusinessCalendar.objects.get()
    assert calendar.hours == {"mon": [["09:00", "12:30"], ["13:30", "17:00"]]} and calendar.holiday_country == "DE"
    client.post(
        "/w/acme/settings/service-levels/",
        {
            "section": "policy",
            "name": "Urgent",
            "position": "0",
            "priority": "urgent",
            "first_response_minutes": "60",
            "warn_before_minutes": "15",
            "active": "on",
        },
    )
    policy = SlaPolicy.objects.get()
    assert (policy.priority, policy.first_response_minutes, policy.calendar) == ("urgent", 60, calendar)
    assert "1 h" in client.get("/w/acme/settings/service-levels/").content.decode()

    tier_two = services.queue_save(actor=admin, workspace=workspace, name="Tier two")
    client.post(
        "/w/acme/settings/service-levels/",
        {
            "section": "policy",
            "pk": str(policy.pk),
            "name": "Urgent",
            "position": "0",
            "priority": "urgent",
            "first_response_minutes": "60",
            "warn_before_minutes": "15",
            "breach_queue_id": str(tier_two.pk),
            "breach_assignee": "route",
            "active": "on",
        },
    )
    policy.refresh_from_db()
    assert (policy.breach_queue, policy.breach_assignee) == (tier_two, "route")
    page = client.get("/w/acme/settings/service-levels/").content.decode()
    assert "Move to Tier two; give it to another free agent, by the routing rules" in page


def test_the_service_report_shows_figures_charts_and_tables(client_as: Any, agent: User, workspace: Workspace) -> None:
    services.case_open(
        actor=agent, workspace=workspace, data={"subject": "Help", "requester_email": "x@example.com", "assignee_id": agent.pk}
    )
    client = client_as(agent)

    page = client.get("/w/acme/cases/report/?days=90")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-kpi="opened">1<' in html and 'data-chart="chart-volume"' in html and 'id="chart-backlog"' in html
    assert "Sam Agent" in html and "By queue" in html
    assert client.get("/w/acme/cases/report/?start=2026-05-01&end=2026-01-01").status_code == 200  # the error is said, the default shown
    assert "Start on or before the end day." in client.get("/w/acme/cases/report/?start=2026-05-01&end=2026-01-01").content.decode()


def test_the_service_report_of_another_workspace_is_a_404(client_as: Any, agent: User, other_workspace: Workspace) -> None:
    assert client_as(agent).get("/w/globex/cases/report/").status_code == 404


def test_a_mailbox_is_connected_and_its_password_kept_when_left_empty(client_as: Any, admin: User, workspace: Workspace) -> None:
    client = client_as(admin)
    base = {
        "section": "mailbox",
        "host": "imap.acme.test",
        "port": "993",
        "use_ssl": "on",
        "username": "help@acme.test",
        "folder": "INBOX",
        "active": "on",
    }

    missing = client.post("/w/acme/settings/service-desk/", base)
    assert missing.status_code == 422 and "Give the mailbox&#x27;s password." in missing.content.decode()
    assert not Mailbox.objects.exists()
    client.post("/w/acme/settings/service-desk/", {**base, "password": "s3cret"})
    mailbox = Mailbox.objects.get()
    page = client.get(f"/w/acme/settings/service-desk/?edit=mailbox-{mailbox.pk}").content.decode()
    assert "s3cret" not in page and "help@acme.test" in page
    client.post("/w/acme/settings/service-desk/", {**base, "pk": mailbox.pk, "folder": "Support", "password": ""})
    mailbox.refresh_from_db()
    assert (mailbox.folder, mailbox.password) == ("Support", "s3cret")


def test_canned_responses_and_macros_are_added_with_their_errors(
    client_as: Any, admin: User, workspace: Workspace, agents: list[User]
) -> None:
    client = client_as(admin)

    typo = client.post("/w/acme/settings/replies/", {"section": "response", "name": "Thanks", "body": "Hi {custmer_name}"})
    assert typo.status_code == 422 and "Unknown placeholder {custmer_name}" in typo.content.decode()
    client.post("/w/acme/settings/replies/", {"section": "response", "name": "Thanks", "body": "Hi {customer_first_name}, thanks!"})
    thanks = CannedResponse.objects.get()
    client.post(
        "/w/acme/settings/replies/",
        {
            "section": "macro",
            "name": "Thank and resolve",
            "status": "resolved",
            "reply_id": thanks.pk,
            "add_tags": "Done, thanked",
            "assign_to_me": "on",
        },
    )
    macro = Macro.objects.get()
    assert (macro.status, macro.reply, macro.add_tags, macro.assign_to_me) == ("resolved", thanks, ["done", "thanked"], True)
    assert "reply “Thanks”" in client.get("/w/acme/settings/replies/").content.decode()
