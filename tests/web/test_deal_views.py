"""Saved views of the deal list and its CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from amity.core.models import AuditEntry, FieldDefinition, User
from amity.core.permissions import Role
from amity.customers import services as customer_services
from amity.customers.models import Account, SavedView
from amity.sales import services
from amity.sales.models import Opportunity, Pipeline
from tests.factories import member, new_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(rep: User, owner: User, initech: Account, pipeline: Pipeline) -> list[Opportunity]:
    return [
        new_deal(rep, initech, "Initech chairs", amount="500", expected_close_date="2030-01-31", competitors=["Hooli"]),
        new_deal(rep, initech, "=HYPERLINK(evil)", amount="800", expected_close_date="2030-02-28"),
        new_deal(owner, initech, "Initech office", amount="12000", expected_close_date="2030-03-31", owner_id=owner.pk),
    ]


def names(response: Any) -> list[str]:
    return [deal.name for deal in response.context["deals"]]


def test_a_view_saves_the_lists_filters_and_sort_and_opens_again(client_as, owner, deals, pipeline, queries_of):
    client = client_as(owner)
    state = f"pipeline={pipeline.pk}&owner_id={owner.pk}&sort=-amount"

    saved = client.post("/w/acme/deals/views/", {"name": "My big deals", "state": state, "shared": "on"})

    view = SavedView.objects.get(name="My big deals")
    assert saved.status_code == 302 and saved["Location"] == f"/w/acme/deals/list/?view={view.pk}"
    assert (view.object_type, view.filters, view.sort, view.shared) == (
        "opportunity",
        {"pipeline": str(pipeline.pk), "owner_id": str(owner.pk)},
        "-amount",
        True,
    )
    opened = client.get(f"/w/acme/deals/list/?view={view.pk}")
    assert opened.status_code == 200
    assert names(opened) == ["Initech office"]
    assert opened.context["current_view"] == view
    assert "My big deals" in opened.content.decode()
    everyone = client.get("/w/acme/deals/list/?sort=-amount")
    assert names(everyone) == ["Initech office", "=HYPERLINK(evil)", "Initech chairs"]
    # Changing a filter leaves the view.
    assert client.get(f"/w/acme/deals/list/?view={view.pk}&owner_id=").context["current_view"] is None
    assert AuditEntry.objects.filter(object_type="customers.savedview", object_id=str(view.pk), action="create").exists()


def test_a_view_is_updated_and_deleted_by_its_maker(client_as, owner, rep, deals, pipeline):
    client = client_as(rep)
    client.post("/w/acme/deals/views/", {"name": "Early", "state": "sort=expected_close_date"})
    view = SavedView.objects.get(name="Early")

    client.post(f"/w/acme/deals/views/{view.pk}/", {"state": "period=custom&close_before=2030-02-28&sort=name"})
    view.refresh_from_db()
    assert (view.filters, view.sort) == ({"period": "custom", "close_before": "2030-02-28"}, "name")
    assert names(client.get(f"/w/acme/deals/list/?view={view.pk}")) == ["=HYPERLINK(evil)", "Initech chairs"]
    # A private view is nobody else's: a 404 to open, change or delete.
    other = client_as(owner)
    assert other.get(f"/w/acme/deals/list/?view={view.pk}").status_code == 404
    assert other.post(f"/w/acme/deals/views/{view.pk}/delete/").status_code == 404

    assert client.post(f"/w/acme/deals/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_view_with_bad_filters_is_not_saved(client_as, rep, deals):
    response = client_as(rep).post("/w/acme/deals/views/", {"name": "Bad", "state": "period=someday&sort=colour"}, follow=True)
    assert "The view was not saved" in response.content.decode()
    assert not SavedView.objects.filter(name="Bad").exists()


def test_customers_views_are_not_deal_views(client_as, owner, workspace, deals):
    contacts = customer_services.saved_view_create(actor=owner, workspace=workspace, data={"name": "People", "object_type": "contact"})
    assert client_as(owner).get(f"/w/acme/deals/list/?view={contacts.pk}").status_code == 404
    assert client_as(owner).post(f"/w/acme/deals/views/{contacts.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=contacts.pk).exists()


def test_the_list_with_views_reads_a_constant_number_of_queries(client_as, rep, initech, pipeline, queries_of):
    client = client_as(rep)
    client.post("/w/acme/deals/views/", {"name": "Mine", "state": "sort=name"})

    def count() -> int:
        return queries_of(client, "/w/acme/deals/list/")

    for number in range(3):
        new_deal(rep, initech, f"Deal {number}")
    count()
    few = count()
    for number in range(3, 30):
        new_deal(rep, initech, f"Deal {number}")
    client.post("/w/acme/deals/views/", {"name": "Also mine", "state": "sort=-name"})
    assert count() == few


def test_the_export_holds_the_rows_the_list_shows_and_is_safe_to_open(client_as, owner, workspace, deals, pipeline):
    FieldDefinition.objects.create(workspace=workspace, object_type="opportunity", key="region", label="Region", type="text")
    Opportunity.objects.filter(pk=deals[0].pk).update(custom={"region": "EMEA"})
    client = client_as(owner)

    response = client.get(f"/w/acme/deals/list/export.csv?pipeline={pipeline.pk}&sort=name&close_before=2030-02-28&period=custom")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="deals-acme-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0][:6] == ["Deal", "Account", "Pipeline", "Stage", "Status", "Amount"] and rows[0][-1] == "Region"
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(evil)", "Initech chairs"]
    chairs = rows[2]
    assert (chairs[5], chairs[6], chairs[9], chairs[13], chairs[-1]) == ("500.00", "EUR", "2030-01-31", "Hooli", "EMEA")

    xlsx = client.get("/w/acme/deals/list/export.xlsx?sort=-amount")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Initech office", "'=HYPERLINK(evil)", "Initech chairs"]
    assert client.get("/w/acme/deals/list/export.pdf").status_code == 404


def test_an_export_follows_the_open_view_and_what_the_person_may_see(client_as, rep, owner, deals, workspace):
    stranger = member(workspace, Role.SALES, email="sam@acme.test", full_name="Sam Stranger")
    csv_text = b"".join(client_as(stranger).get("/w/acme/deals/list/export.csv").streaming_content).decode()
    assert csv_text.count("\n") == 1  # the header alone: Sam sees none of these deals

    client_as(rep).post("/w/acme/deals/views/", {"name": "Cheap", "state": "sort=amount"})
    view = SavedView.objects.get(name="Cheap")
    rows = b"".join(client_as(rep).get(f"/w/acme/deals/list/export.csv?view={view.pk}").streaming_content).decode().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["Initech chairs", "'=HYPERLINK(evil)"]


def test_supply_may_neither_list_nor_export_deals(client_as, workspace, deals):
    supply = member(workspace, Role.SUPPLY, email="sue@acme.test")
    assert client_as(supply).get("/w/acme/deals/list/export.csv").status_code == 403


def test_deal_views_and_exports_of_another_workspace_are_a_404(client_as, owner, other_workspace, deals):
    outsider = member(other_workspace, Role.OWNER, email="hank@globex.test", full_name="Hank Scorpio")
    services.sales_setup(workspace=other_workspace)
    theirs = customer_services.saved_view_create(
        actor=outsider, workspace=other_workspace, data={"name": "Doom", "object_type": "opportunity", "shared": True, "sort": "name"}
    )
    client = client_as(owner)

    assert client.get(f"/w/acme/deals/list/?view={theirs.pk}").status_code == 404
    assert client.get(f"/w/acme/deals/list/export.csv?view={theirs.pk}").status_code == 404
    assert client.post(f"/w/acme/deals/views/{theirs.pk}/", {"state": "sort=-name"}).status_code == 404
    assert client.post(f"/w/acme/deals/views/{theirs.pk}/delete/").status_code == 404
    for path in ("list/export.csv", "list/export.xlsx"):
        assert client.get(f"/w/globex/deals/{path}").status_code == 404
    for path in ("views/", f"views/{theirs.pk}/", f"views/{theirs.pk}/delete/"):
        assert client.post(f"/w/globex/deals/{path}", {"name": "x", "state": "sort=name"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.sort) == ("Doom", "name")
    assert SavedView.objects.filter(workspace=other_workspace).count() == 1
