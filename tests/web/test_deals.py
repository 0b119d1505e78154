"""The deal pages: the board, the list, a deal's page, the new-deal form, the stage move, and the Deals panel."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.catalog import services as catalog_services
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account
from amity.sales import services
from amity.sales.models import LostReason, Opportunity, Pipeline, Stage, StageChange
from amity.sales.selectors.pickers import PICK_LIMIT
from amity.search import services as search_services
from amity.web.deal_forms import period_dates
from tests.factories import AccountFactory, contact_at, member, new_deal

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
JSON = {"Accept": "application/json"}


def stage(pipeline: Pipeline, name: str) -> Stage:
    return pipeline.stages.get(name=name)


@pytest.fixture
def deal(rep: User, initech: Account, pipeline: Pipeline) -> Opportunity:
    return new_deal(rep, initech, "Initech office", amount="12000", stage_id=stage(pipeline, "Qualified").pk)


@pytest.fixture
def globex_deal(other_workspace: Workspace) -> Opportunity:
    outsider = member(other_workspace, Role.OWNER, email="hank@globex.test", full_name="Hank Scorpio")
    services.sales_setup(workspace=other_workspace)
    return new_deal(outsider, AccountFactory(workspace=other_workspace, name="Globex"), "Globex doomsday device")


def unchanged(deal: Opportunity) -> tuple[Any, ...]:
    deal.refresh_from_db()
    return (deal.stage_id, deal.status, deal.lost_reason_id, StageChange.objects.filter(opportunity=deal).count())


# --- The board -------------------------------------------------------------------------------------------------


def test_board_shows_each_stage_with_its_count_totals_and_cards(client_as, rep, initech, pipeline, deal):
    new_deal(rep, initech, "Initech chairs", amount="500.50", currency="USD", stage_id=stage(pipeline, "Qualified").pk)
    new_deal(rep, initech, "Initech late", amount="300", expected_close_date="2020-01-31")

    page = client_as(rep).get("/w/acme/deals/")

    assert page.status_code == 200
    html = page.content.decode()
    titles = re.findall(r'class="amity-board-title" id="stage-\d+">(?:<i[^>]*></i>)?([^<]+)</h2>', html)
    assert titles == ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    qualified = page.context["columns"][1]
    assert qualified.count == 2
    assert [(t.currency, t.amount, t.weighted) for t in qualified.totals] == [
        ("EUR", Decimal("12000.00"), Decimal("3000.00")),
        ("USD", Decimal("500.50"), Decimal("125.13")),
    ]
    assert "€12,000.00" in html and "€3,000.00 weighted" in html and "$500.50" in html
    assert [card.name for card in qualified.cards] == ["Initech office", "Initech chairs"]
    late = re.search(r'<time class="small ms-auto text-nowrap ([^"]+)" datetime="2020-01-31"', html)
    assert late is not None and "text-danger" in late.group(1)
    assert 'class="avatar avatar-xs bg-primary-lt text-primary" title="Rita Rep">RR<' in html


def test_board_reads_a_constant_number_of_queries(client_as, rep, colleague_of, initech, pipeline, django_assert_max_num_queries):
    client = client_as(rep)
    stages = list(pipeline.stages.filter(kind="open"))

    def grow(count: int) -> None:
        for number in range(count):
            owner = rep if number % 2 else colleague_of(rep)
            account = AccountFactory(workspace=initech.workspace, name=f"Account {number}-{Opportunity.objects.count()}")
            new_deal(owner, account, f"Deal {number}", stage_id=stages[number % len(stages)].pk, currency="EUR" if number % 3 else "USD")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/w/acme/deals/").status_code == 200
        return len(captured.captured_queries)

    client.get("/w/acme/deals/")  # the first visit remembers the workspace: one write, once
    grow(4)
    few = count()
    grow(40)
    assert count() == few
    with django_assert_max_num_queries(25):
        client.get("/w/acme/deals/")


@pytest.fixture
def colleague_of(workspace: Workspace) -> Any:
    made: dict[int, User] = {}

    def make(user: User) -> User:
        if user.pk not in made:
            made[user.pk] = member(workspace, Role.SALES, email="carl@acme.test", full_name="Carl Colleague")
        return made[user.pk]

    return make


def test_a_long_column_shows_a_page_of_cards_and_show_more_brings_the_rest(client_as, rep, initech, pipeline):
    for number in range(23):
        new_deal(rep, initech, f"Deal {number:02d}", expected_close_date=f"2030-01-{number + 1:02d}")
    client = client_as(rep)

    first = client.get("/w/acme/deals/")
    column = first.context["columns"][0]
    assert column.count == 23
    assert [card.name for card in column.cards] == [f"Deal {n:02d}" for n in range(20)]
    more = re.search(r'hx-get="(/w/acme/deals/columns/\d+/\?[^"]+)"', first.content.decode())
    assert more is not None

    rest = client.get(more.group(1).replace("&amp;", "&"), headers=HTMX)
    assert rest.status_code == 200
    assert re.findall(r'data-name="([^"]+)"', rest.content.decode()) == ["Deal 20", "Deal 21", "Deal 22"]
    assert "Show more" not in rest.content.decode()


def test_board_filters_by_owner_close_period_and_account(client_as, rep, owner, manager_user, initech, pipeline, workspace):
    other = AccountFactory(workspace=workspace, name="Initrode")
    today = timezone.localdate()
    mine = new_deal(rep, initech, "This month", expected_close_date=today.isoformat())
    new_deal(manager_user, other, "Next year", expected_close_date=(today + dt.timedelta(days=400)).isoformat(), owner_id=manager_user.pk)
    client = client_as(owner)

    def names(query: str) -> list[str]:
        page = client.get(f"/w/acme/deals/?{query}")
        assert page.status_code == 200
        return sorted(card.name for column in page.context["columns"] for card in column.cards)

    assert names("") == ["Next year", "This month"]
    assert names(f"owner_id={rep.pk}") == ["This month"]
    assert names("period=this_month") == [mine.name]
    assert names(f"account={other.pk}") == ["Next year"]
    assert names(f"period=custom&close_after={(today + dt.timedelta(days=300)).isoformat()}") == ["Next year"]


@pytest.fixture
def manager_user(workspace: Workspace) -> User:
    return member(workspace, Role.MANAGER, email="mona@acme.test", full_name="Mona Manager")


def test_period_dates():
    day = dt.date(2026, 11, 23)
    assert period_dates("this_month", day) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert period_dates("this_quarter", day) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_dates("next_quarter", day) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert period_dates("", day) == (None, None)


# --- Moving a deal -----------------------------------------------------------------------------------------------


def test_a_drop_moves_the_deal_through_the_service(client_as, rep, deal, pipeline):
    proposal = stage(pipeline, "Proposal")

    response = client_as(rep).post(f"/w/acme/deals/{deal.pk}/move/", {"stage_id": proposal.pk}, headers=JSON)

    assert response.status_code == 200
    assert response.json() == {"id": deal.pk, "stage_id": proposal.pk, "status": "open"}
    deal.refresh_from_db()
    assert (deal.stage, deal.probability) == (proposal, 50)
    last = StageChange.objects.filter(opportunity=deal).latest("changed_at", "id")
    assert (last.from_stage_name, last.to_stage_name, last.changed_by) == ("Qualified", "Proposal", rep)
    assert AuditEntry.objects.filter(object_id=str(deal.pk), action="update").exists()


def test_a_lost_stage_needs_a_reason(client_as, rep, deal, pipeline, workspace):
    lost = stage(pipeline, "Lost")
    before = unchanged(deal)

    refused = client_as(rep).post(f"/w/acme/deals/{deal.pk}/move/", {"stage_id": lost.pk}, headers=JSON)

    assert refused.status_code == 422
    assert refused.json() == {"error": "Say why the deal was lost: choose a lost reason."}
    assert unchanged(deal) == before

    reason = LostReason.objects.get(workspace=workspace, name="No budget")
    moved = client_as(rep).post(
        f"/w/acme/deals/{deal.pk}/move/", {"stage_id": lost.pk, "lost_reason_id": reason.pk, "lost_note": "Frozen until Q3"}, headers=JSON
    )
    assert moved.status_code == 200
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason, deal.lost_note) == ("lost", reason, "Frozen until Q3")


def test_the_deal_page_buttons_move_and_say_so(client_as, rep, deal, pipeline):
    response = client_as(rep).post(f"/w/acme/deals/{deal.pk}/move/", {"stage_id": stage(pipeline, "Won").pk}, follow=True)

    assert response.redirect_chain == [(f"/w/acme/deals/{deal.pk}/", 302)]
    assert "“Initech office” is now in Won." in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == "won"


def test_a_lost_reason_of_another_workspace_is_not_found(client_as, rep, deal, pipeline, globex_deal):
    foreign_reason = LostReason.objects.filter(workspace=globex_deal.workspace).first()
    before = unchanged(deal)

    response = client_as(rep).post(
        f"/w/acme/deals/{deal.pk}/move/", {"stage_id": stage(pipeline, "Lost").pk, "lost_reason_id": foreign_reason.pk}, headers=JSON
    )

    assert response.status_code == 404
    assert unchanged(deal) == before


# --- Tenancy and roles -------------------------------------------------------------------------------------------


def test_every_deal_url_of_another_workspace_is_a_404_and_changes_nothing(client_as, rep, deal, globex_deal):
    client = client_as(rep)
    foreign_stage = Stage.objects.filter(workspace=globex_deal.workspace, name="Proposal").get()
    theirs = unchanged(globex_deal)
    ours = unchanged(deal)

    assert client.get(f"/w/acme/deals/{globex_deal.pk}/").status_code == 404
    assert client.get(f"/w/acme/deals/columns/{foreign_stage.pk}/").status_code == 404
    assert client.post(f"/w/acme/deals/{globex_deal.pk}/move/", {"stage_id": foreign_stage.pk}, headers=JSON).status_code == 404
    assert client.post(f"/w/acme/deals/{deal.pk}/move/", {"stage_id": foreign_stage.pk}, headers=JSON).status_code == 404
    for path in ("/w/globex/deals/", "/w/globex/deals/list/", "/w/globex/deals/new/", f"/w/globex/deals/{globex_deal.pk}/"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/w/globex/deals/{globex_deal.pk}/move/", {"stage_id": foreign_stage.pk}).status_code == 404
    assert unchanged(globex_deal) == theirs
    assert unchanged(deal) == ours


@pytest.mark.parametrize(
    ("role", "view", "add", "move"),
    [
        (Role.OWNER, 200, 200, 200),
        (Role.MANAGER, 200, 200, 200),
        (Role.SALES, 200, 200, 200),
        (Role.MARKETING, 200, 403, 403),
        (Role.VIEWER, 200, 403, 403),
        (Role.SUPPLY, 403, 403, 403),
    ],
)
def test_what_each_role_may_do(client_as, workspace, deal, pipeline, role, view, add, move):
    user = member(workspace, role, email=f"{role}@acme.test", full_name=f"{role.title()} Person")
    Opportunity.objects.filter(pk=deal.pk).update(owner=user)  # reps and managers see their own (and their team's) deals
    client = client_as(user)
    before = unchanged(deal)

    assert client.get("/w/acme/deals/").status_code == view
    assert client.get("/w/acme/deals/list/").status_code == view
    assert client.get(f"/w/acme/deals/{deal.pk}/").status_code == view
    assert client.get("/w/acme/deals/new/").status_code == add
    nav = client.get("/w/acme/").content.decode()
    assert ('href="/w/acme/deals/"' in nav) == (view == 200)
    moved = client.post(f"/w/acme/deals/{deal.pk}/move/", {"stage_id": stage(pipeline, "Proposal").pk}, headers=JSON)
    assert moved.status_code == move
    if move != 200:
        assert unchanged(deal) == before


def test_a_rep_does_not_see_deals_outside_their_team(client_as, rep, deal, workspace, initech):
    stranger = member(workspace, Role.SALES, email="sam@acme.test", full_name="Sam Stranger")
    client = client_as(stranger)
    assert client.get(f"/w/acme/deals/{deal.pk}/").status_code == 404
    assert client.get("/w/acme/deals/").context["columns"][1].count == 0


# --- List -------------------------------------------------------------------------------------------------------


def test_the_list_sorts_and_loads_more(client_as, rep, initech, pipeline):
    for number in range(55):
        new_deal(rep, initech, f"Deal {number:02d}", amount=str(100 + number))
    client = client_as(rep)

    page = client.get("/w/acme/deals/list/?sort=-amount")
    assert page.status_code == 200
    names = re.findall(r'class="fw-medium" href="/w/acme/deals/\d+/">([^<]+)<', page.content.decode())
    assert names[:2] == ["Deal 54", "Deal 53"] and len(names) == 50
    more = re.search(r'hx-get="([^"]+)" hx-target="#load-more-row"', page.content.decode())
    assert more is not None
    rest = client.get("/w/acme/deals/list/" + more.group(1).replace("&amp;", "&"), headers=HTMX)
    rest_names = re.findall(r'class="fw-medium" href="/w/acme/deals/\d+/">([^<]+)<', rest.content.decode())
    assert rest_names == [f"Deal {n:02d}" for n in range(4, -1, -1)]


def test_the_list_reads_a_constant_number_of_queries(client_as, rep, initech, pipeline):
    client = client_as(rep)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/w/acme/deals/list/").status_code == 200
        return len(captured.captured_queries)

    client.get("/w/acme/")  # the first visit remembers the workspace: one write, once
    for number in range(3):
        new_deal(rep, AccountFactory(workspace=initech.workspace, name=f"A{number}"), f"Deal {number}")
    few = count()
    for number in range(30):
        new_deal(rep, AccountFactory(workspace=initech.workspace, name=f"B{number}"), f"More {number}")
    assert count() == few


# --- A deal's page and the new-deal form -----------------------------------------------------------------------------


def test_the_deal_page_shows_path_lines_people_history_and_timeline(client_as, rep, owner, deal, pipeline, initech, workspace):
    desk = catalog_services.product_create(
        actor=owner,
        workspace=workspace,
        data={"sku": "DSK-1", "name": "Standing desk", "currency": "EUR", "list_price": "649.00", "tax_rate": "19"},
    )
    services.opportunity_set_line_items(actor=rep, opportunity=deal, items=[{"product_id": desk.pk, "quantity": 2}])
    peter = contact_at(initech, first_name="Peter", last_name="Gibbons")
    services.opportunity_set_contacts(
        actor=rep, opportunity=deal, contacts=[{"contact_id": peter.pk, "role": "champion", "is_primary": True}]
    )
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Proposal"))

    page = client_as(rep).get(f"/w/acme/deals/{deal.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<li class="current"[^>]*aria-current="step">\s*<span>Proposal</span>', html)
    assert re.search(r'<button type="submit" title="Move to Negotiation">Negotiation</button>', html)
    assert "€1,298.00" in html and "€1,544.62" in html  # 2 × 649 net, plus 19% tax
    assert "Peter Gibbons" in html and "Champion · primary" in html
    assert [stay.change.to_stage_name for stay in page.context["history"].stays] == ["Qualified", "Proposal"]
    assert 'id="entry-stage_change-' in html or 'data-kind="stage_change"' in html


def test_a_deals_field_changes_are_on_its_page_and_its_accounts_in_words(client_as, rep, owner, workspace, deal, initech):
    carl = member(workspace, Role.SALES, email="carl@acme.test", full_name="Carl Colleague")
    services.opportunity_update(
        actor=rep, opportunity=deal, data={"amount": "15000", "owner_id": carl.pk, "expected_close_date": dt.date(2027, 3, 31)}
    )
    client = client_as(owner)  # who sees the deal now it is Carl's

    for path in (f"/w/acme/deals/{deal.pk}/", f"/w/acme/accounts/{initech.pk}/"):
        html = client.get(path).content.decode()
        entry = re.search(
            r'<li class="amity-timeline-entry[^"]*" id="entry-deal_change-\d+" data-kind="deal_change">(.*?)</li>\n', html, re.S
        )
        assert entry is not None, path
        text = re.sub(r"<[^>]+>", "", entry.group(1))
        assert "Deal change" in text and "Changed Initech office" in text
        assert "Amount: €12,000.00 → €15,000.00" in text
        assert "Owner: Rita Rep → Carl Colleague" in text
        assert "Close date:" in text and "→ 31 Mar 2027" in text


def test_the_deal_page_runs_a_constant_number_of_queries(client_as, rep, deal, pipeline):
    client = client_as(rep)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/w/acme/deals/{deal.pk}/").status_code == 200
        return len(captured.captured_queries)

    few = count()
    for name in ("Proposal", "Negotiation", "Qualified", "Proposal", "Negotiation"):
        services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, name))
    assert count() == few


def test_new_deal_from_an_account_page(client_as, rep, initech, pipeline):
    client = client_as(rep)
    form = client.get(f"/w/acme/deals/new/?account={initech.pk}").content.decode()
    assert 'value="Initech"' in form and f'name="account_id" id="id_account_id" value="{initech.pk}"' in form  # the picker, filled in

    response = client.post(
        "/w/acme/deals/new/",
        {
            "name": "Initech printers", "account_id": initech.pk, "pipeline_id": pipeline.pk, "stage_id": stage(pipeline, "Proposal").pk,
            "amount": "4200.50", "currency": "usd", "expected_close_date": "2031-03-31", "owner_id": rep.pk,
        },
    )  # fmt: skip

    deal = Opportunity.objects.get(name="Initech printers")
    assert response.status_code == 302 and response["Location"] == f"/w/acme/deals/{deal.pk}/"
    assert (deal.account, deal.stage.name, deal.amount, deal.currency, deal.owner) == (initech, "Proposal", Decimal("4200.50"), "USD", rep)


def test_new_deal_names_the_bad_field_and_saves_nothing(client_as, rep, pipeline, initech, other_workspace):
    response = client_as(rep).post(
        "/w/acme/deals/new/",
        {
            "name": "Nowhere", "account_id": "", "pipeline_id": pipeline.pk, "stage_id": stage(pipeline, "New").pk,
            "amount": "10", "currency": "EUR", "expected_close_date": "2031-03-31",
        },
    )  # fmt: skip
    assert response.status_code == 422
    assert response.context["form"].errors["account_id"] == ["Choose an account."]
    stranger = AccountFactory(workspace=other_workspace, name="Globex")
    response = client_as(rep).post(
        "/w/acme/deals/new/",
        {
            "name": "Elsewhere", "account_id": stranger.pk, "pipeline_id": pipeline.pk, "stage_id": stage(pipeline, "New").pk,
            "amount": "10", "currency": "EUR", "expected_close_date": "2031-03-31",
        },
    )  # fmt: skip
    assert response.status_code == 422
    assert response.context["form"].errors["account_id"] == [f"No account with id {stranger.pk} in this workspace."]
    assert "Globex" not in response.content.decode()
    response = client_as(rep).post(
        "/w/acme/deals/new/",
        {
            "name": "Bad money", "account_id": initech.pk, "pipeline_id": pipeline.pk, "stage_id": stage(pipeline, "New").pk,
            "amount": "10", "currency": "XYZ", "expected_close_date": "2031-03-31",
        },
    )  # fmt: skip
    assert response.status_code == 422
    html = response.content.decode()
    assert "is not an ISO 4217 currency code" in html and 'value="Initech"' in html  # the chosen account is still there
    assert not Opportunity.objects.exists()


def account_options(client, q: str = "") -> list[str]:
    response = client.get("/w/acme/pick/accounts/", {"q": q}, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.content
    return [option.label for option in response.context["options"]]


def indexed_account(workspace, name: str, **fields):
    account = AccountFactory(workspace=workspace, name=name, **fields)
    search_services.index_records(object_type="account", ids=[account.pk])
    return account


def test_the_account_picker_finds_accounts_by_name_from_the_search_index(client_as, rep, workspace, other_workspace, initech):
    search_services.index_records(object_type="account", ids=[initech.pk])
    indexed_account(workspace, "Initrode Systems", industry="Software")
    indexed_account(workspace, "Penetrode")
    gone = indexed_account(workspace, "Initech Archive")
    Account.objects.filter(pk=gone.pk).update(deleted_at="2030-01-01T00:00:00Z")
    indexed_account(other_workspace, "Initech Globex")
    client = client_as(rep)

    assert account_options(client, "init") == ["Initech", "Initrode Systems"]  # name prefix; not deleted, not another workspace's
    assert account_options(client, "systems") == ["Initrode Systems"]
    assert account_options(client, "Initrode Sys") == ["Initrode Systems"]
    assert account_options(client, "Penetrod") == ["Penetrode"]
    assert account_options(client) == ["Initech", "Initrode Systems", "Penetrode"]  # nothing typed: the first by name
    html = client.get("/w/acme/pick/accounts/", {"q": "initrode"}).content.decode()
    assert 'role="option"' in html and "Software" in html
    assert "No account matches." in client.get("/w/acme/pick/accounts/", {"q": "zzyzx"}).content.decode()


def test_the_account_picker_answers_a_bounded_page_in_bounded_queries(client_as, rep, workspace):
    client = client_as(rep)

    def count(q: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/w/acme/pick/accounts/", {"q": q}).status_code == 200
        return len(captured.captured_queries)

    for n in range(3):
        indexed_account(workspace, f"Vendor {n}")
    count("vendor")
    few = count("vendor")
    for n in range(3, 2 * PICK_LIMIT + 5):
        indexed_account(workspace, f"Vendor {n}")
    assert count("vendor") <= few  # with enough names that start with it, the search stops after its first step
    assert len(account_options(client, "vendor")) == PICK_LIMIT
    assert count("") < few


@pytest.mark.parametrize("role", [Role.OWNER, Role.SALES, Role.MARKETING, Role.SUPPLY, Role.VIEWER])
def test_the_account_picker_is_for_everyone_who_sees_accounts(client_as, workspace, role):
    # Every role reads accounts; what a form then does with the chosen one is its service's check.
    indexed_account(workspace, "Initrode")
    user = member(workspace, role, email=f"{role}-accounts@acme.test")
    response = client_as(user).get("/w/acme/pick/accounts/", {"q": "ini"})
    assert response.status_code == 200 and [option.label for option in response.context["options"]] == ["Initrode"]


def test_another_workspaces_account_picker_is_a_404(client_as, rep, other_workspace):
    indexed_account(other_workspace, "Globex")
    assert client_as(rep).get("/w/globex/pick/accounts/", {"q": "glo"}).status_code == 404


# --- The Deals panel ------------------------------------------------------------------------------------------------


def test_account_and_contact_pages_show_their_open_deals(client_as, rep, deal, initech, pipeline):
    peter = contact_at(initech, first_name="Peter", last_name="Gibbons")
    services.opportunity_set_contacts(actor=rep, opportunity=deal, contacts=[{"contact_id": peter.pk, "role": "champion"}])
    won = new_deal(rep, initech, "Closed already")
    services.opportunity_win(actor=rep, opportunity=won)
    client = client_as(rep)

    account_page = client.get(f"/w/acme/accounts/{initech.pk}/").content.decode()
    assert 'id="panel-deals"' in account_page
    panel = account_page[account_page.index('id="panel-deals"') :]
    panel = panel[: panel.index("</section>")]
    assert "Initech office" in panel and "Closed already" not in panel
    assert f'href="/w/acme/deals/?account={initech.pk}"' in account_page
    assert f'href="/w/acme/deals/new/?account={initech.pk}"' in account_page
    contact_page = client.get(f"/w/acme/contacts/{peter.pk}/").content.decode()
    assert "Initech office" in contact_page


def test_the_deals_panel_runs_a_constant_number_of_queries(client_as, rep, initech, pipeline):
    client = client_as(rep)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/w/acme/accounts/{initech.pk}/panels/deals/", headers=HTMX).status_code == 200
        return len(captured.captured_queries)

    new_deal(rep, initech, "One")
    few = count()
    for number in range(12):
        new_deal(rep, initech, f"More {number}")
    assert count() == few


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner: PostgreSQL proves the same by itself")
def test_a_reps_board_column_reads_their_deals_in_order_from_an_index(rep: User, workspace: Workspace, pipeline: Pipeline) -> None:
    """Without the owner in the index a column walked its stage's deals until it found a page of the rep's (65 ms at 100,000)."""
    from amity.sales.board import board_deals
    from amity.sales.selectors import OpportunityFilter

    deals = board_deals(actor=rep, workspace=workspace, pipeline=pipeline, filters=OpportunityFilter(owner_id=rep.pk))
    column = deals.filter(stage=pipeline.stages.first()).order_by("expected_close_date", "id").values_list("pk")[:21]
    sql, params = column.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "opportunity_ws_board_owner" in plan and "TEMP B-TREE" not in plan
