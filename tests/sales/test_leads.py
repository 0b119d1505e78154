"""Leads through the API and the services: capture, validation, lists, scoring, assignment, conversion, timeline, rules."""

from __future__ import annotations

import threading
from email import message_from_bytes
from typing import Any

import pytest
from django.db import connection, transaction

from amity.activities import services as activity_services
from amity.activities.models import Interaction, Note, Task
from amity.core.models import AuditEntry, FieldDefinition, Notification
from amity.core.permissions import SENSITIVE_FIELDS, ObjectType, Role
from amity.customers.models import AccountContact, ConsentEvent, Contact
from amity.sales import services
from amity.sales.models import Lead, LeadAssignmentRule, LeadRescore, LeadScoringRule, Opportunity
from amity.sales.services.lead_assignment import choose_owner
from tests.factories import TeamFactory, account_with, contact_with, member

ADA = {"first_name": "Ada", "last_name": "Byron", "email": " Ada@Example.COM ", "company": "Analytical Engines"}


def _lead(client: Any, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/leads", {**ADA, **fields})
    assert response.status_code == 201, response.content
    return response.json()


# --- Capture and validation ---------------------------------------------------------------------------------


def test_a_lead_from_the_api_is_normalized_owned_by_its_creator_and_audited(rep_api, rep, workspace):
    body = _lead(rep_api, phone="030 1234567", country="de", website="https://www.Engines.example/about", tags=["fair", "fair"])

    assert (body["email"], body["phone"], body["country"], body["website"]) == (
        "ada@example.com",
        "+49301234567",
        "DE",
        "engines.example",
    )
    assert (body["status"], body["owner_id"], body["owner_name"], body["tags"], body["score"]) == ("new", rep.pk, "Rita Rep", ["fair"], 0)
    entry = AuditEntry.objects.get(object_type="sales.lead", object_id=str(body["id"]))
    assert (entry.action, entry.door, entry.changes["email"]) == ("create", "api", [None, "ada@example.com"])


def test_bad_input_names_every_field_and_changes_nothing(rep_api):
    response = rep_api.post(
        "/api/v1/leads",
        {"first_name": "", "last_name": "", "email": "not-an-email", "company": "", "phone": "12", "country": "XX", "status": "converted"},
    )

    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"email", "phone", "country", "status"} <= fields
    assert Lead.objects.count() == 0


def test_a_lead_needs_a_name_an_email_or_a_company(rep_api):
    response = rep_api.post("/api/v1/leads", {"title": "CTO"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "last_name"


def test_external_ids_are_unique_per_workspace(rep_api, api_as, other_workspace):
    _lead(rep_api, external_id="crm-1")
    assert rep_api.post("/api/v1/leads", {**ADA, "external_id": "crm-1"}).status_code == 422
    other = api_as(member(other_workspace, Role.SALES, email="o@globex.test"), other_workspace)
    assert other.post("/api/v1/leads", {**ADA, "external_id": "crm-1"}).status_code == 201


def test_custom_fields_are_checked_on_leads(rep_api, workspace):
    FieldDefinition.objects.create(workspace=workspace, object_type="lead", key="budget", label="Budget", type="number")
    assert rep_api.post("/api/v1/leads", {**ADA, "custom": {"budget": "lots"}}).status_code == 422
    body = _lead(rep_api, custom={"budget": "25000"})
    assert body["custom"] == {"budget": "25000"}
    assert [item["id"] for item in rep_api.get("/api/v1/leads", {"custom.budget": "25000"}).json()["items"]] == [body["id"]]


def test_a_converted_status_cannot_be_set_and_a_converted_lead_cannot_be_edited(rep_api, rep, workspace):
    body = _lead(rep_api)
    assert rep_api.patch(f"/api/v1/leads/{body['id']}", {"status": "converted"}).status_code == 422
    rep_api.post(f"/api/v1/leads/{body['id']}/convert", {})
    response = rep_api.patch(f"/api/v1/leads/{body['id']}", {"first_name": "Augusta"})
    assert response.status_code == 422
    assert Lead.objects.get(pk=body["id"]).first_name == "Ada"


def test_bin_and_restore(rep_api, admin, api_as, workspace):
    body = _lead(rep_api)
    owner_api = api_as(admin, workspace)
    assert owner_api.delete(f"/api/v1/leads/{body['id']}").status_code == 204
    assert owner_api.get(f"/api/v1/leads/{body['id']}").status_code == 404
    assert [item["id"] for item in owner_api.get("/api/v1/leads", {"deleted": "true"}).json()["items"]] == [body["id"]]
    assert owner_api.post(f"/api/v1/leads/{body['id']}/restore").json()["deleted_at"] is None


# --- Lists ------------------------------------------------------------------------------------------------------


def test_filters_and_sorts(rep_api, rep, workspace):
    hot = _lead(rep_api, email="hot@example.com", rating="hot", status="qualified", source="Fair")
    cold = _lead(rep_api, email="cold@example.com", last_name="Zed", rating="cold", source="Web")
    Lead.objects.filter(pk=hot["id"]).update(score=80)
    Lead.objects.filter(pk=cold["id"]).update(score=5)

    def ids(**params: Any) -> list[int]:
        response = rep_api.get("/api/v1/leads", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids(rating="hot") == [hot["id"]]
    assert ids(status="qualified") == [hot["id"]]
    assert ids(score_min=50) == [hot["id"]]
    assert ids(score_max=50) == [cold["id"]]
    assert ids(owner_id=rep.pk, sort="-score") == [hot["id"], cold["id"]]
    assert ids(sort="score") == [cold["id"], hot["id"]]
    assert ids(source="fair") == [hot["id"]]
    assert ids(q="zed") == [cold["id"]]
    assert rep_api.get("/api/v1/leads", {"sort": "password"}).status_code == 422
    assert rep_api.get("/api/v1/leads", {"status": "sleepy"}).status_code == 422


def test_reps_see_their_teams_leads_and_not_others(api_as, workspace, rep, colleague):
    stranger = member(workspace, Role.SALES, email="stranger@acme.test")
    team = TeamFactory(workspace=workspace, name="North")
    team.members.add(rep, colleague)
    mine = services.lead_create(actor=rep, workspace=workspace, data={"last_name": "Mine"})
    theirs = services.lead_create(actor=colleague, workspace=workspace, data={"last_name": "Colleague's"})
    hidden = services.lead_create(actor=stranger, workspace=workspace, data={"last_name": "Stranger's"})

    client = api_as(rep, workspace)
    assert sorted(item["id"] for item in client.get("/api/v1/leads").json()["items"]) == sorted([mine.pk, theirs.pk])
    assert client.get(f"/api/v1/leads/{hidden.pk}").status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_the_lead_list_costs_the_same_queries_at_any_size(rows, rep_api, rep, workspace, django_assert_max_num_queries):
    for number in range(rows):
        services.lead_create(actor=rep, workspace=workspace, data={"last_name": f"L{number}", "tags": ["a", "b"]})
    with django_assert_max_num_queries(6):
        page = rep_api.get("/api/v1/leads", {"limit": 100, "sort": "-score"}).json()
    assert len(page["items"]) == rows


def test_keyset_pages_walk_every_lead_once(rep_api, rep, workspace):
    made = [services.lead_create(actor=rep, workspace=workspace, data={"last_name": f"L{number}"}).pk for number in range(7)]
    seen, cursor = [], None
    while True:
        page = rep_api.get("/api/v1/leads", {"limit": 3, "sort": "last_name", **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == made


def test_bulk_create_is_all_or_nothing(rep_api):
    response = rep_api.post("/api/v1/leads/bulk", {"items": [{"last_name": "Fine"}, {"last_name": "Bad", "email": "nope"}]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items.1.email"
    assert Lead.objects.count() == 0
    assert len(rep_api.post("/api/v1/leads/bulk", {"items": [{"last_name": "A"}, {"company": "B"}]}).json()["items"]) == 2


# --- Scoring ------------------------------------------------------------------------------------------------------


def test_field_and_engagement_rules_score_a_lead_and_follow_its_history(admin, rep, workspace, django_capture_on_commit_callbacks):
    FieldDefinition.objects.create(workspace=workspace, object_type="lead", key="employees", label="Employees", type="number")
    rules = [
        {"name": "Chief", "kind": "field", "field": "title", "operator": "starts_with", "value": "chief", "points": 20},
        {"name": "Big", "kind": "field", "field": "custom.employees", "operator": "gt", "value": "500", "points": 15},
        {"name": "Free mail", "kind": "field", "field": "email_domain", "operator": "in", "value": "gmail.com, yahoo.com", "points": -10},
        {"name": "Inbound email", "kind": "engagement", "channel": "email", "direction": "in", "points": 5, "max_times": 2},
        {"name": "Meeting", "kind": "engagement", "channel": "meeting", "points": 10},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for rule in rules:
            services.scoring_rule_create(actor=admin, workspace=workspace, data=rule)
    lead = services.lead_create(
        actor=rep,
        workspace=workspace,
        data={"last_name": "Lovelace", "title": "Chief Engineer", "email": "ada@gmail.com", "custom": {"employees": 900}},
    )
    assert lead.score == 20 + 15 - 10

    for _ in range(3):
        activity_services.interaction_log(actor=rep, workspace=workspace, channel="email", direction="in", lead=lead)
    meeting = activity_services.interaction_log(actor=rep, workspace=workspace, channel="meeting", lead=lead)
    lead.refresh_from_db()
    assert lead.score == 25 + 2 * 5 + 10  # three inbound emails, counted at most twice

    activity_services.interaction_delete(actor=rep, workspace=workspace, interaction=meeting)
    services.lead_update(actor=rep, lead=lead, data={"email": "ada@engines.example"})
    lead.refresh_from_db()
    assert lead.score == 35 + 10


def test_changing_a_rule_rescores_every_lead_in_the_background_with_progress(
    admin, rep, workspace, api_as, django_capture_on_commit_callbacks
):
    leads = [
        services.lead_create(actor=rep, workspace=workspace, data={"last_name": f"L{n}", "country": "DE" if n % 2 else "FR"})
        for n in range(5)
    ]
    client = api_as(admin, workspace)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/lead-scoring-rules",
            {"name": "Germany", "kind": "field", "field": "country", "operator": "equals", "value": "DE", "points": 30},
        )
    assert response.status_code == 201, response.content
    run = LeadRescore.objects.get(workspace=workspace)
    assert (run.status, run.total, run.done, run.changed, run.percent) == ("done", 5, 5, 2, 100)
    assert sorted(Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("score", flat=True)) == [0, 0, 0, 30, 30]
    assert client.get(f"/api/v1/lead-rescores/{run.pk}").json()["status"] == "done"

    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/api/v1/lead-scoring-rules/{response.json()['id']}", {"active": False})
    assert set(Lead.objects.values_list("score", flat=True)) == {0}


def test_bad_scoring_rules_are_refused(api_as, admin, workspace):
    client = api_as(admin, workspace)
    response = client.post(
        "/api/v1/lead-scoring-rules", {"name": "X", "kind": "field", "field": "custom.nothing", "operator": "gt", "value": "a", "points": 1}
    )
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"field", "value"}
    bad_channel = client.post("/api/v1/lead-scoring-rules", {"name": "X", "kind": "engagement", "channel": "pigeon", "points": 1})
    assert bad_channel.status_code == 422
    assert LeadScoringRule.objects.count() == 0


def test_a_role_kept_from_a_field_may_not_write_rules_on_it(api_as, manager, workspace, monkeypatch):
    """No role that sets rules is kept from a lead field today, so the rule is patched: the leads' scores would tell it."""
    monkeypatch.setitem(SENSITIVE_FIELDS, ObjectType.LEAD, {**SENSITIVE_FIELDS[ObjectType.LEAD], "phone": frozenset({Role.MANAGER})})
    client = api_as(manager, workspace)
    on_phone = {"field": "phone", "operator": "starts_with", "value": "+4930"}

    scoring = client.post("/api/v1/lead-scoring-rules", {"name": "Berlin", "kind": "field", "points": 5, **on_phone})
    assignment = client.post("/api/v1/lead-assignment-rules", {"name": "Berlin", "assign_to_id": manager.pk, **on_phone})
    allowed = client.post(
        "/api/v1/lead-scoring-rules",
        {"name": "Acme", "kind": "field", "field": "company", "operator": "contains", "value": "Acme", "points": 5},
    )
    moved = client.patch(f"/api/v1/lead-scoring-rules/{allowed.json()['id']}", on_phone)

    assert (scoring.status_code, assignment.status_code, moved.status_code) == (403, 403, 403)
    assert "phone" in scoring.json()["detail"]
    assert list(LeadScoringRule.objects.values_list("field", flat=True)) == ["company"] and not LeadAssignmentRule.objects.exists()


# --- Assignment -----------------------------------------------------------------------------------------------------


def test_round_robin_is_fair_within_a_team(admin, workspace):
    team = TeamFactory(workspace=workspace, name="Inside sales")
    people = [member(workspace, Role.SALES, email=f"rr{n}@acme.test") for n in range(3)]
    team.members.add(*people)
    services.assignment_rule_create(actor=admin, workspace=workspace, data={"name": "Everyone", "team_id": team.pk})

    owners = [services.lead_create(actor=admin, workspace=workspace, data={"last_name": f"L{n}"}).owner_id for n in range(9)]

    assert sorted(owners) == sorted([person.pk for person in people] * 3)
    assert owners[:3] == [person.pk for person in sorted(people, key=lambda person: person.pk)]


def test_territory_then_field_rules_first_match_wins_and_the_assignee_is_told(
    admin,
    workspace,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    berlin = member(workspace, Role.SALES, email="berlin@acme.test", full_name="Bea Berlin")
    partners = member(workspace, Role.SALES, email="partners@acme.test", full_name="Pat Partner")
    services.assignment_rule_create(
        actor=admin,
        workspace=workspace,
        data={"name": "Berlin", "countries": ["de"], "postcode_prefixes": ["10", "12"], "assign_to_id": berlin.pk},
    )
    services.assignment_rule_create(
        actor=admin,
        workspace=workspace,
        data={"name": "Partners", "field": "source", "operator": "equals", "value": "Partner", "assign_to_id": partners.pk},
    )

    with django_capture_on_commit_callbacks(execute=True):
        in_berlin = services.lead_create(
            actor=admin, workspace=workspace, data={"last_name": "A", "country": "DE", "postcode": "10115", "source": "Partner"}
        )
    munich = services.lead_create(
        actor=admin, workspace=workspace, data={"last_name": "B", "country": "DE", "postcode": "80331", "source": "Partner"}
    )
    nobody = services.lead_create(actor=admin, workspace=workspace, data={"last_name": "C", "country": "FR"})
    chosen = services.lead_create(
        actor=admin, workspace=workspace, data={"last_name": "D", "country": "DE", "postcode": "10115", "owner_id": admin.pk}
    )

    assert (in_berlin.owner_id, munich.owner_id, nobody.owner_id, chosen.owner_id) == (berlin.pk, partners.pk, admin.pk, admin.pk)
    note = Notification.objects.get(recipient=berlin)
    assert (note.kind, note.title, note.url) == ("lead_assigned", "New lead for you: A", f"/w/acme/leads/{in_berlin.pk}/")
    assert "Berlin" in note.body
    assert [envelope.rcpt_tos for envelope in smtp_server.messages] == [["berlin@acme.test"]]
    assert message_from_bytes(smtp_server.messages[0].content)["Subject"] == "New lead for you: A"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_round_robin_under_concurrency_never_gives_two_leads_the_same_turn(workspace, admin):
    team = TeamFactory(workspace=workspace, name="Inside")
    people = [member(workspace, Role.SALES, email=f"c{n}@acme.test") for n in range(4)]
    team.members.add(*people)
    rule = LeadAssignmentRule.objects.create(workspace=workspace, name="All", team=team)
    owners: list[int] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        with transaction.atomic():
            lead = Lead(workspace=workspace, last_name="x")
            owner, _ = choose_owner(lead)
            owners.append(owner.pk if owner else 0)
        connection.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rule.refresh_from_db()
    assert rule.turn == 8
    assert sorted(owners) == sorted([person.pk for person in people] * 2)


def test_an_assignment_rule_gives_to_one_person_or_a_team(api_as, admin, workspace):
    client = api_as(admin, workspace)
    response = client.post("/api/v1/lead-assignment-rules", {"name": "Nobody"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "assign_to_id"


# --- Timeline ----------------------------------------------------------------------------------------------------------


def test_logging_on_a_lead_marks_it_contacted_and_shows_on_its_timeline(rep_api, rep, workspace):
    lead = _lead(rep_api)
    first = rep_api.post("/api/v1/interactions", {"channel": "phone", "lead_id": lead["id"], "subject": "Intro call"})
    assert first.status_code == 201, first.content
    assert rep_api.post("/api/v1/notes", {"body": "Keen on a pilot", "lead_id": lead["id"]}).status_code == 201
    assert rep_api.post("/api/v1/tasks", {"title": "Send the deck", "lead_id": lead["id"]}).status_code == 201

    body = rep_api.get(f"/api/v1/leads/{lead['id']}").json()
    assert (body["status"], body["first_contacted_at"] is not None) == ("contacted", True)
    kinds = [item["kind"] for item in rep_api.get(f"/api/v1/leads/{lead['id']}/timeline").json()["items"]]
    assert {"interaction", "note", "task", "change"} <= set(kinds)
    assert [item["id"] for item in rep_api.get("/api/v1/interactions", {"lead_id": lead["id"]}).json()["items"]] == [first.json()["id"]]


def test_another_workspaces_lead_cannot_be_linked(rep_api, other_workspace):
    theirs = Lead.objects.create(workspace=other_workspace, last_name="Theirs")
    response = rep_api.post("/api/v1/notes", {"body": "Hi", "lead_id": theirs.pk})
    assert response.status_code == 422
    assert Note.objects.count() == 0


# --- Conversion ---------------------------------------------------------------------------------------------------------


def test_conversion_matches_the_contact_by_email_and_the_account_by_domain(rep_api, rep, workspace):
    account = account_with(workspace, "Engines Ltd", domains=("engines.example",))
    contact = contact_with(workspace, "Ada", "Lovelace", emails=("ada@engines.example",))
    lead = _lead(rep_api, email="ADA@engines.example", company="Analytical Engines", marketing_consent=True)

    preview = rep_api.get(f"/api/v1/leads/{lead['id']}/convert").json()
    assert preview["contact"]["id"] == contact.pk
    assert (preview["account"]["id"], preview["account"]["matched_by"]) == (account.pk, "domain")

    response = rep_api.post(f"/api/v1/leads/{lead['id']}/convert", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["contact_id"], body["contact_created"], body["account_id"], body["account_created"], body["opportunity_id"]) == (
        contact.pk, False, account.pk, False, None,
    )  # fmt: skip
    assert AccountContact.objects.filter(contact=contact, account=account).exists()
    assert (body["lead"]["status"], body["lead"]["converted_contact_id"]) == ("converted", contact.pk)
    consent = ConsentEvent.objects.get(contact=contact)
    assert (consent.channel, consent.status) == ("email", "granted")
    assert Contact.objects.count() == 1


def test_conversion_creates_contact_account_and_deal_and_carries_the_history(rep_api, rep, workspace, pipeline):
    account_with(workspace, "Other Engines")
    lead = _lead(rep_api, title="CTO", phone="+442079460958")
    call = rep_api.post("/api/v1/interactions", {"channel": "phone", "lead_id": lead["id"]}).json()
    rep_api.post("/api/v1/notes", {"body": "Budget approved", "lead_id": lead["id"]})
    rep_api.post("/api/v1/tasks", {"title": "Book the demo", "lead_id": lead["id"]})

    response = rep_api.post(
        f"/api/v1/leads/{lead['id']}/convert",
        {
            "create_opportunity": True,
            "opportunity": {"name": "Engines pilot", "amount": "12000", "currency": "GBP", "expected_close_date": "2027-01-31"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["contact_created"] and body["account_created"] and body["moved"] == {"interactions": 1, "notes": 1, "tasks": 1}
    contact = Contact.objects.get(pk=body["contact_id"])
    assert (contact.full_name, contact.primary_email, contact.primary_phone, contact.title) == (
        "Ada Byron", "ada@example.com", "+442079460958", "CTO",
    )  # fmt: skip
    deal = Opportunity.objects.get(pk=body["opportunity_id"])
    assert (deal.name, str(deal.amount), deal.currency, deal.account_id, deal.owner_id) == (
        "Engines pilot",
        "12000.00",
        "GBP",
        body["account_id"],
        rep.pk,
    )
    assert list(deal.contacts.values_list("pk", flat=True)) == [contact.pk]
    interaction = Interaction.objects.get(pk=call["id"])
    assert list(interaction.contacts.values_list("pk", flat=True)) == [contact.pk]
    assert (interaction.opportunity_id, interaction.lead_id) == (deal.pk, lead["id"])
    assert Note.objects.get().contact_id == contact.pk and Task.objects.get().opportunity_id == deal.pk
    contact_timeline = rep_api.get(f"/api/v1/contacts/{contact.pk}/timeline").json()["items"]
    assert {"interaction", "note", "task"} <= {item["kind"] for item in contact_timeline}
    entry = AuditEntry.objects.filter(object_type="sales.lead", object_id=str(lead["id"])).latest("id")
    assert entry.changes["status"] == ["contacted", "converted"] and entry.changes["converted_opportunity"] == [None, deal.pk]


def test_converting_twice_is_refused(rep_api):
    lead = _lead(rep_api)
    assert rep_api.post(f"/api/v1/leads/{lead['id']}/convert", {}).status_code == 200
    again = rep_api.post(f"/api/v1/leads/{lead['id']}/convert", {})
    assert again.status_code == 422
    assert "converted" in again.json()["errors"][0]["message"]
    assert Contact.objects.count() == 1


def test_the_account_is_matched_by_exact_company_name_when_no_domain_matches(rep_api, workspace):
    account = account_with(workspace, "Analytical Engines")
    lead = _lead(rep_api, email="ada@gmail.example")
    body = rep_api.post(f"/api/v1/leads/{lead['id']}/convert", {}).json()
    assert (body["account_id"], body["account_created"]) == (account.pk, False)


def test_a_bad_deal_on_conversion_changes_nothing(rep_api, pipeline):
    lead = _lead(rep_api)
    response = rep_api.post(f"/api/v1/leads/{lead['id']}/convert", {"create_opportunity": True, "opportunity": {"currency": "EURO"}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "opportunity.currency"
    assert (Contact.objects.count(), Opportunity.objects.count(), Lead.objects.get().status) == (0, 0, "new")


def test_converting_with_another_workspaces_contact_is_a_404(rep_api, other_workspace):
    theirs = contact_with(other_workspace, "Zed", "Other", emails=("zed@example.com",))
    lead = _lead(rep_api)
    assert rep_api.post(f"/api/v1/leads/{lead['id']}/convert", {"contact_id": theirs.pk}).status_code == 404
    assert Lead.objects.get().status == "new"
