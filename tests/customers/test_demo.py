from typing import Any

from django.db import models

from amity.core.demo import load_demo
from amity.customers.demo import ACCOUNTS, CONTACTS
from amity.customers.models import Account, AccountContact, Contact, ContactEmail


def test_the_demo_workspace_has_believable_customers_once(db: Any) -> None:
    summary = load_demo()
    again = load_demo()

    workspace = summary.workspace
    assert again.created is False
    # The demo's converted leads became customers too (those that matched nobody made new records).
    accounts = Account.objects.filter(workspace=workspace).exclude(converted_leads__isnull=False)
    contacts = Contact.objects.filter(workspace=workspace).exclude(converted_leads__isnull=False)
    assert accounts.count() == ACCOUNTS
    assert contacts.count() == CONTACTS
    assert ContactEmail.objects.filter(contact__in=contacts, is_primary=True).count() == CONTACTS
    assert AccountContact.objects.filter(contact__in=contacts).count() == CONTACTS
    assert Contact.objects.filter(workspace=workspace, first_name="").count() == 0


def test_the_demo_has_a_year_of_history_on_every_channel(db: Any) -> None:
    from amity.activities.models import Channel, Interaction, Note, Task

    workspace = load_demo().workspace

    channels = set(Interaction.objects.filter(workspace=workspace).values_list("channel", flat=True))
    assert channels == set(Channel.values)
    assert Interaction.objects.filter(workspace=workspace).count() >= 2 * CONTACTS
    with_customers = Interaction.objects.filter(workspace=workspace, lead__isnull=True)  # a lead's history has no contact yet
    assert Interaction.contacts.through.objects.filter(interaction__in=with_customers).count() == with_customers.count()
    assert Note.objects.filter(workspace=workspace).exists()
    assert Task.objects.filter(workspace=workspace, status="open").exists()


def test_the_demo_has_a_year_of_cases_with_conversations(db: Any) -> None:
    from amity.service.demo import CASES
    from amity.service.models import Case, CaseMessage

    workspace = load_demo().workspace

    cases = Case.objects.filter(workspace=workspace)
    assert cases.count() == CASES
    assert set(cases.values_list("channel", flat=True)) >= {"email", "phone", "web", "portal", "chat"}
    assert cases.filter(status__in=Case.OPEN_STATUSES).exists() and cases.filter(status="closed").exists()
    assert cases.filter(rma_number__isnull=False, order_line__isnull=False).exists()
    assert not CaseMessage.objects.filter(workspace=workspace).exclude(case__in=cases).exists()
    assert all(case.messages.filter(kind="customer").exists() for case in cases[:50])
    assert cases.exclude(status="new").filter(first_response_at__isnull=True).count() == 0
    answered = cases.filter(first_response_at__isnull=False, first_response_due_at__isnull=False)
    met = answered.filter(first_response_at__lte=models.F("first_response_due_at")).count()
    assert 0 < met < answered.count()  # some targets met, some missed
