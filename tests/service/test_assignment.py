"""Case routing: round-robin, least-loaded, skills, kinds and languages; agents' profiles; the rules' API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact
from amity.service import services
from amity.service.models import AgentProfile, Case, CaseAssignmentRule, Queue
from amity.service.services.assignment import detect_language
from tests.factories import member


@pytest.fixture
def admin(workspace: Workspace) -> User:
    return member(workspace, Role.ADMIN, email="ada@acme.test", full_name="Ada Admin")


@pytest.fixture
def desk(workspace: Workspace, admin: User) -> list[User]:
    """Three support agents who work the Support queue, by id."""
    people = [member(workspace, Role.SUPPORT, email=f"agent{n}@acme.test", full_name=f"Agent {n}") for n in (1, 2, 3)]
    support = Queue.objects.get(workspace=workspace, is_default=True) if Queue.objects.filter(workspace=workspace).exists() else None
    if support is None:
        services.service_setup(workspace=workspace)
        support = Queue.objects.get(workspace=workspace, is_default=True)
    support.members.set(people)
    return people


def _open(workspace: Workspace, subject: str = "Help", **data: Any) -> Case:
    return services.case_open(actor=None, workspace=workspace, data={"subject": subject, "requester_email": "x@example.com", **data})


def _rule(admin: User, workspace: Workspace, **data: Any) -> CaseAssignmentRule:
    return services.case_assignment_rule_save(actor=admin, workspace=workspace, data={"name": "Rule", **data})


def test_round_robin_hands_cases_to_the_queues_agents_in_turn(admin: User, workspace: Workspace, desk: list[User]) -> None:
    _rule(admin, workspace, method="round_robin")

    assignees = [_open(workspace).assignee for _ in range(4)]

    assert assignees == [desk[0], desk[1], desk[2], desk[0]]


def test_round_robin_skips_whoever_is_away_or_at_their_limit(admin: User, workspace: Workspace, desk: list[User]) -> None:
    _rule(admin, workspace, method="round_robin")
    services.agent_profile_save(actor=desk[0], workspace=workspace, user_id=desk[0].pk, data={"available": False})
    services.agent_profile_save(actor=admin, workspace=workspace, user_id=desk[1].pk, data={"max_open_cases": 1})

    assignees = [_open(workspace).assignee for _ in range(3)]

    assert assignees == [desk[1], desk[2], desk[2]]  # agent 2 is full after one case; agent 1 is away


def test_least_loaded_gives_the_case_to_whoever_has_fewest_open_cases(admin: User, workspace: Workspace, desk: list[User]) -> None:
    for person, open_cases in zip(desk, (3, 0, 2), strict=True):
        for _ in range(open_cases):
            _open(workspace, assignee_id=person.pk)
    resolved = _open(workspace, assignee_id=desk[2].pk)
    services.case_change_status(actor=desk[2], case=resolved, status="resolved")  # resolved cases are no load
    _rule(admin, workspace, method="least_loaded")

    assert [_open(workspace).assignee for _ in range(2)] == [desk[1], desk[1]]


def test_least_loaded_takes_turns_among_equally_loaded_agents(admin: User, workspace: Workspace, desk: list[User]) -> None:
    _rule(admin, workspace, method="least_loaded")

    assert {_open(workspace).assignee for _ in range(3)} == set(desk)


def test_a_kind_rule_routes_returns_to_the_returns_queue_and_its_skilled_agents(
    admin: User, workspace: Workspace, desk: list[User]
) -> None:
    returns = services.queue_save(actor=admin, workspace=workspace, name="Returns", member_ids=[desk[0].pk, desk[1].pk])
    services.agent_profile_save(actor=admin, workspace=workspace, user_id=desk[1].pk, data={"skills": ["Returns", "billing"]})
    _rule(admin, workspace, name="Returns", kinds=["product_return"], route_to_queue_id=returns.pk, required_skill="returns")
    _rule(admin, workspace, name="Everything else", method="round_robin")

    a_return = _open(workspace, kind="product_return")
    a_question = _open(workspace, kind="information_request")

    assert (a_return.queue, a_return.assignee) == (returns, desk[1])
    assert a_question.queue.is_default and a_question.assignee == desk[0]
    entry = AuditEntry.objects.get(object_id=str(a_return.pk), object_type="service.case", action=AuditEntry.Action.CREATE)
    assert entry.changes["assignment_rule"] == [None, "Returns"]


def test_a_language_rule_sends_german_mail_to_an_agent_who_speaks_german(admin: User, workspace: Workspace, desk: list[User]) -> None:
    services.agent_profile_save(actor=admin, workspace=workspace, user_id=desk[2].pk, data={"languages": ["de", "en"]})
    _rule(admin, workspace, name="German", languages=["de"], match_language=True, method="round_robin")

    german = _open(workspace, "Bestellung beschädigt", description="Meine Bestellung ist leider beschädigt angekommen. Was nun?")
    english = _open(workspace, "Broken order", description="My order arrived broken, what can I do about it?")

    assert (german.language, german.assignee) == ("de", desk[2])
    assert (english.language, english.assignee) == ("en", None)  # no rule for English: it waits in the queue


def test_the_contacts_language_comes_before_a_guess(admin: User, workspace: Workspace, customer: Contact, agent: User) -> None:
    customer.language = "fr-CA"
    customer.save()

    case = services.case_open(
        actor=agent,
        workspace=workspace,
        data={"subject": "Order", "contact_id": customer.pk, "description": "Hello there, my order is late."},
    )

    assert case.language == "fr"


def test_short_or_unclear_text_gets_no_language() -> None:
    assert detect_language("Order 123") == ""
    assert detect_language("Hi") == ""
    assert detect_language("Ma commande est arrivée cassée, je voudrais la renvoyer") == "fr"


def test_a_rule_without_a_free_agent_passes_the_case_to_the_next_rule(admin: User, workspace: Workspace, desk: list[User]) -> None:
    services.agent_profile_save(actor=desk[0], workspace=workspace, user_id=desk[0].pk, data={"available": False})
    _rule(admin, workspace, name="Only agent 1", method="agent", agent_id=desk[0].pk)
    _rule(admin, workspace, name="Agent 3's pool", agent_ids=[desk[2].pk])

    assert _open(workspace).assignee == desk[2]


def test_an_assignee_given_on_opening_is_kept(admin: User, workspace: Workspace, desk: list[User]) -> None:
    _rule(admin, workspace, method="agent", agent_id=desk[0].pk)

    assert _open(workspace, assignee_id=desk[1].pk).assignee == desk[1]


def test_without_rules_a_case_waits_unassigned(workspace: Workspace, desk: list[User]) -> None:
    assert _open(workspace).assignee is None


def test_bad_rules_name_every_field_and_save_nothing(admin: User, workspace: Workspace, other_workspace: Workspace) -> None:
    stranger = member(other_workspace, Role.SUPPORT)
    services.service_setup(workspace=workspace)

    with pytest.raises(ValidationError) as error:
        _rule(
            admin,
            workspace,
            name=" ",
            kinds=["nope"],
            priorities=["asap"],
            languages=["german!"],
            method="agent",
            agent_ids=[stranger.pk],
            queue_id=999_999,
        )

    assert set(error.value.message_dict) == {"name", "kinds", "priorities", "languages", "agent_ids", "queue_id", "agent_id"}
    assert not CaseAssignmentRule.objects.exists()


def test_an_agent_marks_themselves_away_but_cannot_change_their_skills(workspace: Workspace, desk: list[User]) -> None:
    services.agent_profile_save(actor=desk[0], workspace=workspace, user_id=desk[0].pk, data={"available": False})

    with pytest.raises(PermissionDenied):
        services.agent_profile_save(actor=desk[0], workspace=workspace, user_id=desk[0].pk, data={"skills": ["all"]})
    with pytest.raises(PermissionDenied):
        services.agent_profile_save(actor=desk[0], workspace=workspace, user_id=desk[1].pk, data={"available": False})
    assert AgentProfile.objects.get(user=desk[0]).available is False


# --- The API --------------------------------------------------------------------------------------------------------


def test_the_api_adds_changes_lists_and_removes_rules(api_as: Any, admin: User, workspace: Workspace, desk: list[User]) -> None:
    api = api_as(admin, workspace)

    created = api.post(
        "/api/v1/case-assignment-rules", {"name": "Billing", "kinds": ["complaint"], "method": "least_loaded", "agent_ids": [desk[0].pk]}
    )
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    changed = api.patch(f"/api/v1/case-assignment-rules/{rule_id}", {"priorities": ["urgent"], "agent_ids": [desk[1].pk, desk[2].pk]})
    assert changed.status_code == 200, changed.content
    assert changed.json()["priorities"] == ["urgent"] and changed.json()["agent_ids"] == sorted([desk[1].pk, desk[2].pk])
    assert changed.json()["kinds"] == ["complaint"]  # left out: unchanged
    assert [rule["name"] for rule in api.get("/api/v1/case-assignment-rules").json()] == ["Billing"]

    assert api.delete(f"/api/v1/case-assignment-rules/{rule_id}").status_code == 204
    assert not CaseAssignmentRule.objects.exists()


def test_the_api_refuses_a_bad_rule_naming_the_field(api_as: Any, admin: User, workspace: Workspace) -> None:
    response = api_as(admin, workspace).post("/api/v1/case-assignment-rules", {"name": "X", "method": "lottery"})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["method"]


def test_agents_list_their_profiles_and_open_cases(api_as: Any, admin: User, workspace: Workspace, desk: list[User]) -> None:
    _open(workspace, assignee_id=desk[0].pk)
    api = api_as(admin, workspace)

    patched = api.patch(f"/api/v1/agents/{desk[0].pk}", {"skills": ["billing"], "languages": ["de"], "max_open_cases": 5})
    assert patched.status_code == 200, patched.content
    agents = {agent["email"]: agent for agent in api.get("/api/v1/agents").json()}

    assert agents["agent1@acme.test"] | {"user_id": 0} == {
        "user_id": 0,
        "name": "Agent 1",
        "email": "agent1@acme.test",
        "skills": ["billing"],
        "languages": ["de"],
        "available": True,
        "max_open_cases": 5,
        "open_cases": 1,
    }
    assert agents["agent2@acme.test"]["available"] is True and agents["agent2@acme.test"]["open_cases"] == 0


def test_a_support_agent_may_not_write_rules(api_as: Any, workspace: Workspace, desk: list[User]) -> None:
    response = api_as(desk[0], workspace).post("/api/v1/case-assignment-rules", {"name": "Mine"})

    assert response.status_code == 403
    assert api_as(desk[0], workspace).patch(f"/api/v1/agents/{desk[0].pk}", {"available": False}).status_code == 200
