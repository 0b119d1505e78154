"""A person with data in every table that can hold some, for the export and erasure tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile

from amity.core.models import Notification, User, Workspace
from amity.customers.models import Contact
from amity.sales.models import Lead, WebForm, WebFormSubmission
from amity.search.services import index_records
from amity.service.models import CaseAttachment, CaseMessage

EMAIL = "ada.lovelace@example.com"
PHONE = "+442079460123"


@dataclass
class Person:
    contact: Contact
    lead: Lead
    case_id: int
    attachment: CaseAttachment
    bystander: Contact


@pytest.fixture
def person(api: Any, workspace: Workspace, admin: User) -> Person:
    """Ada: a contact made through the API with emails, phone, address, consent, timeline, a case with an attachment, and an old lead."""
    created = api.post(
        "/api/v1/contacts",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "title": "Analyst",
            "emails": [{"address": EMAIL}, {"address": "ada@home.example"}],
            "phones": [{"number": PHONE}],
            "addresses": [{"kind": "home", "street": "12 St James's Square", "city": "London", "country": "GB"}],
            "social": {"linkedin": "ada-lovelace"},
            "tags": ["vip"],
        },
    )
    assert created.status_code == 201, created.content
    contact = Contact.objects.get(pk=created.json()["id"])
    assert (
        api.post(f"/api/v1/contacts/{contact.pk}/consent", {"channel": "email", "status": "granted", "source": "Fair"}).status_code == 201
    )
    assert api.post("/api/v1/notes", {"body": "Ada prefers calls after 4pm", "contact_id": contact.pk}).status_code == 201
    assert api.post("/api/v1/tasks", {"title": "Send Ada the engine plans", "contact_id": contact.pk}).status_code == 201
    interaction = api.post(
        "/api/v1/interactions", {"channel": "phone", "subject": "Call with Ada", "body": "Talked engines", "contact_ids": [contact.pk]}
    )
    assert interaction.status_code == 201, interaction.content
    case = api.post("/api/v1/cases", {"subject": "Ada's engine broke", "description": "Gear 3 stuck", "contact_id": contact.pk})
    assert case.status_code == 201, case.content
    message = CaseMessage.objects.filter(case_id=case.json()["id"]).first() or CaseMessage.objects.create(
        workspace=workspace, case_id=case.json()["id"], kind="inbound", body="Help, Ada here", from_address=EMAIL
    )
    attachment = CaseAttachment(workspace=workspace, message=message, filename="ada-passport.pdf", size=5)
    attachment.file.save("ada-passport.pdf", ContentFile(b"%PDF-"), save=True)
    form = WebForm.objects.create(workspace=workspace, name="Newsletter", token="newsletter", fields=["email"])
    lead = Lead.objects.create(
        workspace=workspace, first_name="Ada", last_name="L.", email=EMAIL, company="Analytical Engines", web_form=form
    )
    WebFormSubmission.objects.create(workspace=workspace, form=form, lead=lead, data={"email": EMAIL}, ip_address="192.0.2.7")
    Notification.objects.create(
        workspace=workspace, recipient=admin, kind="task_reminder", title="Call Ada Lovelace", url=f"/w/acme/contacts/{contact.pk}"
    )
    bystander_response = api.post(
        "/api/v1/contacts", {"first_name": "Charles", "last_name": "Babbage", "emails": [{"address": "charles@example.com"}]}
    )
    bystander = Contact.objects.get(pk=bystander_response.json()["id"])
    index_records(object_type="contact", ids=[contact.pk, bystander.pk])
    index_records(object_type="lead", ids=[lead.pk])
    return Person(contact=contact, lead=lead, case_id=case.json()["id"], attachment=attachment, bystander=bystander)
