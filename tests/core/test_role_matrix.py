"""Each role × each action × each object type gives the expected answer, in the rules and through the API.

The expected table is written out here by hand, independently of amity.core.permissions, so a
change to the rules must be made twice: once on purpose there, once to agree here.
"""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import Membership, Team, Workspace
from amity.core.permissions import Action, ObjectType, Role, can, can_change_entry, visibility
from tests.factories import AccountFactory, ContactFactory, TeamFactory, member

ROLES = ["owner", "admin", "manager", "sales", "marketing", "support", "supply", "viewer"]

# object type, action: which roles may (o a m s k u p v = owner admin manager sales marketing support supply viewer)
EXPECTED = """
workspace     view     o a m s k u p v
workspace     add      o
workspace     change   o a
workspace     delete   o
member        view     o a m s k u p v
member        add      o a
member        change   o a
member        delete   o a
invitation    view     o a
invitation    add      o a
invitation    change   o a
invitation    delete   o a
team          view     o a m s k u p v
team          add      o a
team          change   o a m
team          delete   o a
token         view     o a m s k u p v
token         add      o a m s k u p v
token         change   o a m s k u p v
token         delete   o a m s k u p v
audit_entry   view     o a
audit_entry   add
audit_entry   change
audit_entry   delete
task_failure  view     o a
task_failure  add
task_failure  change
task_failure  delete
account       view     o a m s k u p v
account       add      o a m s k u
account       change   o a m s k u
account       delete   o a
contact       view     o a m s k u p v
contact       add      o a m s k u
contact       change   o a m s k u
contact       delete   o a
custom_field  view     o a m s k u p v
custom_field  add      o a
custom_field  change   o a
custom_field  delete   o a
import        view     o a m s k u
import        add      o a m s k u
import        change   o a m s k u
import        delete   o a
interaction   view     o a m s k u p v
interaction   add      o a m s k u
interaction   change   o a m s k u
interaction   delete   o a m s k u
note          view     o a m s k u p v
note          add      o a m s k u
note          change   o a m s k u
note          delete   o a m s k u
task          view     o a m s k u p v
task          add      o a m s k u
task          change   o a m s k u
task          delete   o a m s k u
notification  view     o a m s k u p v
notification  add
notification  change   o a m s k u p v
notification  delete
saved_view    view     o a m s k u p v
saved_view    add      o a m s k u p v
saved_view    change   o a m s k u p v
saved_view    delete   o a m s k u p v
opportunity   view     o a m s k u v
opportunity   add      o a m s
opportunity   change   o a m s
opportunity   delete   o a m s
pipeline      view     o a m s k u v
pipeline      add      o a m
pipeline      change   o a m
pipeline      delete   o a
product       view     o a m s k u p v
product       add      o a m
product       change   o a m
product       delete   o a
price_book    view     o a m s k u p v
price_book    add      o a m
price_book    change   o a m
price_book    delete   o a
lead          view     o a m s k u v
lead          add      o a m s k
lead          change   o a m s k
lead          delete   o a m s
lead_rule     view     o a m s k v
lead_rule     add      o a m
lead_rule     change   o a m
lead_rule     delete   o a
web_form      view     o a m s k v
web_form      add      o a m k
web_form      change   o a m k
web_form      delete   o a
alert_rule    view     o a
alert_rule    add
alert_rule    change   o a
alert_rule    delete
quote         view     o a m s k u v
quote         add      o a m s
quote         change   o a m s
quote         delete   o a m
order         view     o a m s u p v
order         add      o a m p
order         change   o a m p
order         delete   o a
invoice       view     o a m s u p v
invoice       add      o a m
invoice       change   o a m
invoice       delete   o a
payment       view     o a m s u v
payment       add      o a m
payment       change   o a m
payment       delete   o a
quota         view     o a m s k u v
quota         add      o a m
quota         change   o a m
quota         delete   o a m
forecast      view     o a m s k u v
forecast      add      o a m s
forecast      change   o a m
forecast      delete   o a
exchange_rate view     o a m s k u p v
exchange_rate add      o a
exchange_rate change   o a
exchange_rate delete   o a
case          view     o a m s k u p v
case          add      o a m s k u p
case          change   o a m u p
case          delete
case_kind     view     o a m s k u p v
case_kind     add      o a m
case_kind     change   o a m
case_kind     delete   o a
queue         view     o a m s k u p v
queue         add      o a m
queue         change   o a m
queue         delete   o a
sla_policy    view     o a m s k u p v
sla_policy    add      o a m
sla_policy    change   o a m
sla_policy    delete   o a
article       view     o a m s k u p v
article       add      o a m u
article       change   o a m u
article       delete   o a m
article_publication view o a m
article_publication add o a m
article_publication change o a m
article_publication delete o a m
survey        view     o a m s k u p v
survey        add      o a m
survey        change   o a m
survey        delete   o a m
duplicate     view     o a m s k u p v
duplicate     add      o a m
duplicate     change   o a m s k u
duplicate     delete   o a
dedupe_setting view    o a m s k u p v
dedupe_setting add
dedupe_setting change  o a
dedupe_setting delete
privacy_request view   o a
privacy_request add    o a
privacy_request change o a
privacy_request delete o a
retention_rule view    o a
retention_rule add     o a
retention_rule change  o a
retention_rule delete  o a
"""
LETTER = dict(zip("oamskupv", ROLES, strict=True))


def _table() -> list[tuple[str, str, str, bool]]:
    rows = []
    for line in EXPECTED.strip().splitlines():
        object_type, action, *letters = line.split()
        allowed = {LETTER[letter] for letter in letters}
        rows.extend((role, action, object_type, role in allowed) for role in ROLES)
    return rows


TABLE = _table()


def test_the_table_covers_every_object_type_and_action() -> None:
    covered = {(object_type, action) for _, action, object_type, _ in TABLE}
    assert covered == {(o.value, a.value) for o in ObjectType for a in Action}


@pytest.mark.parametrize(("role", "action", "object_type", "expected"), TABLE)
def test_role_grants(role: str, action: str, object_type: str, expected: bool) -> None:
    assert can(role, Action(action), ObjectType(object_type)) is expected


def test_staff_see_only_their_own_tokens_and_admins_see_all() -> None:
    assert visibility("sales", ObjectType.TOKEN) == "own"
    assert visibility("viewer", ObjectType.TOKEN) == "own"
    assert visibility("admin", ObjectType.TOKEN) == "all"
    assert visibility("sales", ObjectType.AUDIT_ENTRY) == "none"
    assert visibility("sales", ObjectType.IMPORT) == "own"
    assert visibility("manager", ObjectType.IMPORT) == "all"


def test_tasks_are_seen_by_team_below_managers_and_notifications_only_by_their_recipient() -> None:
    assert [visibility(role, ObjectType.TASK) for role in ROLES] == ["all", "all", "all", "team", "team", "team", "team", "team"]
    assert {visibility(role, ObjectType.NOTIFICATION) for role in ROLES} == {"own"}
    assert {visibility(role, ObjectType.INTERACTION) for role in ROLES} == {"all"}
    assert visibility("viewer", ObjectType.SAVED_VIEW) == "own"
    assert visibility("admin", ObjectType.SAVED_VIEW) == "all"


def test_written_entries_are_changed_by_their_author_or_a_moderator_and_tasks_within_their_scope() -> None:
    def who(action: Action, object_type: ObjectType, *, is_author: bool) -> list[bool]:
        return [can_change_entry(role, action, object_type, is_author=is_author) for role in ROLES]

    staff = [True, True, True, True, True, True, False, False]
    for object_type in (ObjectType.INTERACTION, ObjectType.NOTE):
        for action in (Action.CHANGE, Action.DELETE):
            assert who(action, object_type, is_author=True) == staff
            assert who(action, object_type, is_author=False) == [True, True, True, False, False, False, False, False]
    assert who(Action.CHANGE, ObjectType.TASK, is_author=False) == staff  # a task seen (own or team) is a task one may change


def test_leads_are_seen_by_team_for_reps_and_managers_and_by_all_for_marketing() -> None:
    assert [visibility(role, ObjectType.LEAD) for role in ROLES] == ["all", "all", "team", "team", "all", "all", "none", "all"]


def test_the_back_office_is_finance_for_managers_up_and_fulfilment_for_supply() -> None:
    assert [can(role, Action.ADD, ObjectType.QUOTE) for role in ROLES] == [True, True, True, True, False, False, False, False]
    assert [can(role, Action.CHANGE, ObjectType.ORDER) for role in ROLES] == [True, True, True, False, False, False, True, False]
    assert [can(role, Action.ADD, ObjectType.PAYMENT) for role in ROLES] == [True, True, True, False, False, False, False, False]
    assert {visibility(role, ObjectType.INVOICE) for role in ROLES} == {"all", "none"}
    assert visibility("marketing", ObjectType.INVOICE) == "none"


def test_deals_are_seen_by_team_for_reps_and_managers_and_by_all_above() -> None:
    assert [visibility(role, ObjectType.OPPORTUNITY) for role in ROLES] == ["all", "all", "team", "team", "all", "all", "none", "all"]
    assert {visibility(role, ObjectType.PRODUCT) for role in ROLES} == {"all"}


# Through the API: one request per (object type, action), expected status for allowed / refused.
def _requests(workspace: Workspace, actor_id: int) -> dict[tuple[str, str], tuple[str, str, Any]]:
    victim = member(workspace, Role.VIEWER, email="victim@acme.test")
    membership = Membership.objects.get(user=victim, workspace=workspace)
    team = TeamFactory(workspace=workspace, name="Field sales")
    contact = ContactFactory(workspace=workspace)
    account = AccountFactory(workspace=workspace)
    from amity.core.alerts import alert_rules_setup
    from amity.core.models import AlertRule

    alert_rules_setup(workspace=workspace)
    rule = AlertRule.objects.get(workspace=workspace, kind="deal_no_activity")
    stages = [{"name": "Open"}, {"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}]
    return {
        ("case", "view"): ("get", "/api/v1/cases", None),
        ("case", "add"): ("post", "/api/v1/cases", {"subject": "Broken chair", "kind": "service_request", "contact_id": contact.pk}),
        ("case_kind", "add"): ("post", "/api/v1/case-kinds", {"key": "warranty", "name": "Warranty claim"}),
        ("queue", "view"): ("get", "/api/v1/queues", None),
        ("queue", "add"): ("post", "/api/v1/queues", {"name": "Returns"}),
        ("sla_policy", "view"): ("get", "/api/v1/sla-policies", None),
        ("article", "view"): ("get", "/api/v1/kb/articles", None),
        ("article", "add"): ("post", "/api/v1/kb/articles", {"title": "Assembling the Aeron", "body": "Step one."}),
        ("survey", "view"): ("get", "/api/v1/surveys", None),
        ("sla_policy", "add"): ("post", "/api/v1/sla-policies", {"name": "Standard", "first_response_minutes": 240}),
        ("lead", "view"): ("get", "/api/v1/leads", None),
        ("lead", "add"): (
            "post",
            "/api/v1/leads",
            {"first_name": "Ada", "last_name": "Byron", "email": "ada@example.com", "company": "Acme"},
        ),
        ("lead_rule", "view"): ("get", "/api/v1/lead-scoring-rules", None),
        ("lead_rule", "add"): (
            "post",
            "/api/v1/lead-assignment-rules",
            {"name": "Germany", "countries": ["DE"], "assign_to_id": victim.pk},
        ),
        ("web_form", "view"): ("get", "/api/v1/web-forms", None),
        ("web_form", "add"): ("post", "/api/v1/web-forms", {"name": "Contact us"}),
        ("alert_rule", "view"): ("get", "/api/v1/alert-rules", None),
        ("alert_rule", "change"): ("patch", f"/api/v1/alert-rules/{rule.pk}", {"params": {"days": 21}}),
        ("quota", "view"): ("get", "/api/v1/quotas", None),
        ("quota", "add"): ("post", "/api/v1/quotas", {"user_id": actor_id, "month": "2027-01", "amount": "100", "currency": "EUR"}),
        ("forecast", "view"): ("get", "/api/v1/forecasts", None),
        ("forecast", "add"): ("post", "/api/v1/forecasts", {"rep_id": actor_id, "period": "2027-Q1", "amount": "100", "currency": "EUR"}),
        ("forecast", "change"): (
            "post",
            "/api/v1/forecasts",
            {"rep_id": actor_id, "period": "2027-Q1", "kind": "override", "amount": "9", "currency": "EUR"},
        ),
        ("exchange_rate", "view"): ("get", "/api/v1/exchange-rates", None),
        ("exchange_rate", "add"): ("post", "/api/v1/exchange-rates", {"currency": "USD", "rate": "0.92", "valid_from": "2026-12-01"}),
        ("exchange_rate", "change"): ("put", "/api/v1/workspace-currency", {"corporate_currency": "EUR"}),
        ("opportunity", "view"): ("get", "/api/v1/opportunities", None),
        ("opportunity", "add"): ("post", "/api/v1/opportunities", {"name": "Deal", "account_id": account.pk, "currency": "EUR"}),
        ("pipeline", "view"): ("get", "/api/v1/pipelines", None),
        ("pipeline", "add"): ("post", "/api/v1/pipelines", {"name": "Renewals", "stages": stages}),
        ("product", "view"): ("get", "/api/v1/products", None),
        ("product", "add"): ("post", "/api/v1/products", {"sku": "S-1", "name": "Desk", "currency": "EUR", "list_price": "10"}),
        ("price_book", "add"): ("post", "/api/v1/price-books", {"name": "USD list", "currency": "USD"}),
        ("quote", "view"): ("get", "/api/v1/quotes", None),
        ("quote", "add"): ("post", "/api/v1/quotes", {"title": "Chairs", "account_id": account.pk, "currency": "EUR"}),
        ("order", "view"): ("get", "/api/v1/orders", None),
        ("invoice", "view"): ("get", "/api/v1/invoices", None),
        ("payment", "view"): ("get", "/api/v1/payments", None),
        ("interaction", "view"): ("get", "/api/v1/interactions", None),
        ("interaction", "add"): ("post", "/api/v1/interactions", {"channel": "phone", "contact_ids": [contact.pk]}),
        ("note", "add"): ("post", "/api/v1/notes", {"body": "Met at the fair", "contact_id": contact.pk}),
        ("task", "view"): ("get", "/api/v1/tasks", None),
        ("task", "add"): ("post", "/api/v1/tasks", {"title": "Call back", "contact_id": contact.pk}),
        ("contact", "view"): ("get", f"/api/v1/contacts/{contact.pk}/timeline", None),
        ("notification", "view"): ("get", "/api/v1/notifications", None),
        ("member", "view"): ("get", "/api/v1/members", None),
        ("member", "change"): ("patch", f"/api/v1/members/{membership.pk}", {"role": "support"}),
        ("member", "delete"): ("delete", f"/api/v1/members/{membership.pk}", None),
        ("invitation", "add"): ("post", "/api/v1/invitations", {"email": "new@acme.test", "role": "viewer"}),
        ("invitation", "view"): ("get", "/api/v1/invitations", None),
        ("team", "add"): ("post", "/api/v1/teams", {"name": "New team"}),
        ("team", "change"): ("patch", f"/api/v1/teams/{team.pk}", {"name": "Inside sales"}),
        ("team", "delete"): ("delete", f"/api/v1/teams/{team.pk}", None),
        ("audit_entry", "view"): ("get", "/api/v1/audit-log", None),
        ("task_failure", "view"): ("get", "/api/v1/task-failures", None),
        ("token", "add"): ("post", "/api/v1/tokens", {"name": "Another"}),
        ("workspace", "change"): ("patch", "/api/v1/workspaces/current", {"name": "Acme Inc"}),
        ("duplicate", "view"): ("get", "/api/v1/duplicates", None),
        ("duplicate", "add"): ("post", "/api/v1/duplicates/rebuild", {}),
        ("dedupe_setting", "view"): ("get", "/api/v1/duplicate-settings", None),
        ("dedupe_setting", "change"): ("put", "/api/v1/duplicate-settings", {"auto_merge": True, "auto_merge_threshold": 0.97}),
        ("privacy_request", "view"): ("get", "/api/v1/erasures", None),
        ("retention_rule", "view"): ("get", "/api/v1/retention-rules", None),
        ("retention_rule", "add"): ("post", "/api/v1/retention-rules", {"object_type": "lead", "untouched_months": 24, "action": "delete"}),
    }


API_ACTIONS = [
    ("case", "view"),
    ("case", "add"),
    ("case_kind", "add"),
    ("queue", "view"),
    ("queue", "add"),
    ("sla_policy", "view"),
    ("sla_policy", "add"),
    ("lead", "view"),
    ("lead", "add"),
    ("lead_rule", "view"),
    ("lead_rule", "add"),
    ("web_form", "view"),
    ("web_form", "add"),
    ("alert_rule", "view"),
    ("alert_rule", "change"),
    ("quota", "view"),
    ("quota", "add"),
    ("forecast", "view"),
    ("forecast", "add"),
    ("forecast", "change"),
    ("exchange_rate", "view"),
    ("exchange_rate", "add"),
    ("exchange_rate", "change"),
    ("opportunity", "view"),
    ("opportunity", "add"),
    ("pipeline", "view"),
    ("pipeline", "add"),
    ("product", "view"),
    ("product", "add"),
    ("price_book", "add"),
    ("quote", "view"),
    ("quote", "add"),
    ("order", "view"),
    ("invoice", "view"),
    ("payment", "view"),
    ("interaction", "view"),
    ("interaction", "add"),
    ("note", "add"),
    ("task", "view"),
    ("task", "add"),
    ("contact", "view"),
    ("notification", "view"),
    ("member", "view"),
    ("member", "change"),
    ("member", "delete"),
    ("invitation", "add"),
    ("invitation", "view"),
    ("team", "add"),
    ("team", "change"),
    ("team", "delete"),
    ("audit_entry", "view"),
    ("task_failure", "view"),
    ("token", "add"),
    ("workspace", "change"),
    ("duplicate", "view"),
    ("duplicate", "add"),
    ("dedupe_setting", "view"),
    ("dedupe_setting", "change"),
    ("privacy_request", "view"),
    ("retention_rule", "view"),
    ("retention_rule", "add"),
]
API_CASES = [(role, object_type, action) for role in ROLES for object_type, action in API_ACTIONS]
EXPECTED_ALLOWED = {(role, action, object_type) for role, action, object_type, allowed in TABLE if allowed}


@pytest.mark.parametrize(("role", "object_type", "action"), API_CASES)
def test_the_api_enforces_the_matrix(role: str, object_type: str, action: str, api_as: Any, workspace: Workspace, owner: Any) -> None:
    actor = member(workspace, role, email=f"{role}-actor@acme.test")
    method, path, body = _requests(workspace, actor.pk)[(object_type, action)]
    client = api_as(actor, workspace)
    teams_before = Team.objects.count()

    response = getattr(client, method)(path, body) if body is not None else getattr(client, method)(path)

    if (role, action, object_type) in EXPECTED_ALLOWED:
        assert response.status_code in {200, 201, 202, 204}, response.content
    else:
        assert response.status_code == 403, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert Team.objects.count() == teams_before


# Merging two records, and undoing a merge (one, or a whole cluster merge), takes two grants: CHANGE duplicate and
# DELETE of the records' type (merging takes a record out of the lists). Written out by hand, as the table above.
MERGERS = {"owner", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_undoing_a_cluster_merge_follows_the_matrix(role: str, api_as: Any, workspace: Workspace, owner: Any) -> None:
    from amity.customers import cluster_merging
    from amity.customers.models import DuplicateCandidate, Merge
    from tests.factories import contact_with

    records = [contact_with(workspace, "Ada", "Lovelace", emails=("ada@a.example",)) for _ in range(3)]
    for first, second in ((records[0], records[1]), (records[1], records[2])):
        DuplicateCandidate.objects.create(
            workspace=workspace, record_type="contact", left_id=first.pk, right_id=second.pk, score=0.9, reasons=["same email"]
        )
    merges = cluster_merging.merge_cluster(
        actor=owner, workspace=workspace, record_type="contact", survivor_id=records[0].pk, merged_ids=[r.pk for r in records[1:]]
    )
    actor = owner if role == "owner" else member(workspace, role, email=f"{role}-actor@acme.test")

    response = api_as(actor, workspace).post(f"/api/v1/merges/{merges[0].pk}/undo-cluster")

    if role in MERGERS:
        assert response.status_code == 200, response.content
        assert not Merge.objects.filter(undone_at__isnull=True).exists()
    else:
        assert response.status_code == 403, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert not Merge.objects.filter(undone_at__isnull=False).exists()
