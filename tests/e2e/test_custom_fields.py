"""Settings → Custom fields in a real browser: define a single-choice field, then meet it on the contact form and in the list."""

from __future__ import annotations

import pytest

from amity.core.models import FieldDefinition
from amity.core.permissions import Role
from amity.customers import services
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db):
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    admin = member(workspace, Role.ADMIN, email="admin@acme.test", full_name="Ada Admin")
    FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="renewal", label="Renewal date", type="date", help_text="When the contract ends"
    )
    FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="code", label="Contract code", type="text", pattern=r"[A-Z]{2}-\d{4}", required=True,
        position=1,
    )  # fmt: skip
    services.contact_create(
        actor=admin, workspace=workspace, data={"first_name": "Grace", "last_name": "Hopper", "custom": {"code": "GH-0001"}}
    )
    return workspace, admin


def test_an_admin_defines_a_single_choice_field_and_uses_it_on_the_form_filter_and_column(open_page, acme):
    page = open_page()
    sign_in(page, "admin@acme.test", PASSWORD)
    page.goto("/w/acme/settings/members/")
    page.locator("#sidebar").get_by_role("link", name="Custom fields").click()
    page.wait_for_url("**/settings/custom-fields/")
    assert page.locator("#custom-fields-table tbody tr").count() == 2
    screenshot(page, "custom-fields")

    page.get_by_role("link", name="New field").click()
    page.get_by_label("Label").fill("Customer tier")
    assert page.get_by_label("Key").input_value() == "customer_tier"
    assert page.locator("[data-for-types='choice multi_choice']").is_hidden()
    page.get_by_label("Type").select_option("choice")
    options = page.locator("[data-options] input")
    assert options.count() == 1
    options.nth(0).fill("Silver")
    options.nth(0).press("Enter")  # adds the next option
    options.nth(1).fill("Gold")
    page.get_by_role("button", name="Add an option").click()
    options.nth(2).fill("Bronze")
    page.locator("[data-options] .amity-option").nth(1).get_by_role("button", name="Move up").click()
    page.get_by_role("button", name="Add an option").click()
    page.locator("[data-options] .amity-option").nth(3).get_by_role("button", name="Remove").click()
    page.get_by_label("Help text").fill("Set by the account manager")
    assert page.locator("[data-for-types='text long_text']").is_hidden()
    screenshot(page, "custom-field-form")
    page.get_by_role("button", name="Add field").click()
    page.wait_for_url("**/settings/custom-fields/?object_type=contact")
    tier = FieldDefinition.objects.get(key="customer_tier")
    assert (tier.type, tier.options, tier.help_text) == ("choice", ["Gold", "Silver", "Bronze"], "Set by the account manager")

    page.locator(f"#field-{tier.pk}").get_by_role("button", name="Move Customer tier up").click()
    page.wait_for_load_state()
    assert page.locator("#custom-fields-table tbody tr td:nth-child(2) a").all_inner_texts() == [
        "Renewal date",
        "Customer tier",
        "Contract code",
    ]

    page.goto("/w/acme/contacts/new/")
    assert page.get_by_label("Customer tier").locator("option").all_inner_texts() == ["—", "Gold", "Silver", "Bronze"]
    assert page.get_by_text("Set by the account manager").is_visible()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Customer tier").select_option("Gold")
    page.get_by_label("Contract code").fill("AL-1815")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_url("**/w/acme/contacts/*/")

    page.goto("/w/acme/contacts/")
    page.locator("#filters").get_by_label("Customer tier").select_option("Gold")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**custom.customer_tier=Gold**")
    page.get_by_role("button", name="Columns").click()
    page.locator(".amity-columns-menu").get_by_label("Customer tier").check()
    page.get_by_role("button", name="Apply columns").click()
    page.wait_for_url("**columns=custom.customer_tier**")
    assert page.locator("#records-table tbody th.amity-col-name").all_inner_texts() == ["Ada"]
    assert page.locator("#records-table thead").get_by_text("Customer tier").is_visible()
    assert "Gold" in page.locator("#records-table tbody tr").first.inner_text()
    screenshot(page, "custom-field-in-list")


def test_archive_and_delete_warn_and_the_pages_fit_a_phone(open_page, acme):
    code = FieldDefinition.objects.get(key="code")
    page = open_page(PHONE)
    sign_in(page, "admin@acme.test", PASSWORD)
    page.goto("/w/acme/settings/custom-fields/")
    screenshot(page, "custom-fields")
    page.goto(f"/w/acme/settings/custom-fields/{code.pk}/")
    assert page.get_by_text("1 contact has a value in it.").is_visible()
    screenshot(page, "custom-field-form")

    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Archive field").click()
    page.wait_for_url("**/settings/custom-fields/?object_type=contact")
    assert messages == ["Archive “Contract code”? It disappears from forms, lists, filters, exports and imports; its values are kept."]
    code.refresh_from_db()
    assert code.archived_at is not None
    page.goto("/w/acme/contacts/new/")
    assert page.get_by_label("Contract code").count() == 0
