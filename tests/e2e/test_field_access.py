"""Field-level access in a real browser: an admin marks a field sensitive; a marketer's contact page has no phone, address or sensitive value."""

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
    member(workspace, Role.MARKETING, email="kim@acme.test", full_name="Kim Marketing")
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="health_note", label="Health note", type="text")
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="tier", label="Tier", type="text", position=1)
    contact = services.contact_create(
        actor=admin,
        workspace=workspace,
        data={
            "first_name": "Hanna",
            "last_name": "Hidden",
            "emails": [{"address": "hanna@example.test", "primary": True}],
            "phones": [{"number": "+49 30 9876543", "primary": True}],
            "addresses": [{"kind": "home", "street": "Geheimweg 17", "city": "Berlin", "country": "DE"}],
            "custom": {"health_note": "Peanut allergy", "tier": "Gold"},
        },
    )
    return workspace, contact


def test_an_admin_marks_a_field_sensitive_and_a_marketer_no_longer_sees_it(open_page, acme):
    _, contact = acme
    page = open_page()
    sign_in(page, "admin@acme.test", PASSWORD)
    page.goto("/w/acme/settings/custom-fields/?object_type=contact")
    page.get_by_role("link", name="Health note").first.click()
    page.get_by_label("Sensitive: hidden from the roles kept from sensitive fields").check()
    page.get_by_role("button", name="Save field").click()
    page.wait_for_url("**/settings/custom-fields/?object_type=contact")
    access = page.locator("#field-access")
    assert "Phone numbers, Postal addresses, Health note" in access.inner_text()
    screenshot(page, "field-access-settings")

    marketer = open_page()
    sign_in(marketer, "kim@acme.test", PASSWORD)
    marketer.goto(f"/w/acme/contacts/{contact.pk}/")
    body = marketer.locator("main").inner_text()
    assert "Hanna Hidden" in body and "hanna@example.test" in body and "Gold" in body
    assert "9876543" not in body and "Geheimweg" not in body and "Peanut" not in body
    assert marketer.get_by_role("heading", name="Email", exact=True).count() == 1
    screenshot(marketer, "field-access-contact-marketing")

    phone = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(phone, "kim@acme.test", PASSWORD)
    phone.goto(f"/w/acme/contacts/{contact.pk}/")
    assert "9876543" not in phone.content()
    screenshot(phone, "field-access-contact-marketing")
