from typing import Any

from amity.core.demo import load_demo
from amity.customers.demo import ACCOUNTS, CONTACTS
from amity.customers.models import Account, AccountContact, Contact, ContactEmail


def test_the_demo_workspace_has_believable_customers_once(db: Any) -> None:
    summary = load_demo()
    again = load_demo()

    workspace = summary.workspace
    assert again.created is False
    assert Account.objects.filter(workspace=workspace).count() == ACCOUNTS
    assert Contact.objects.filter(workspace=workspace).count() == CONTACTS
    assert ContactEmail.objects.filter(workspace=workspace, is_primary=True).count() == CONTACTS
    assert AccountContact.objects.filter(workspace=workspace).count() == CONTACTS
    assert Contact.objects.filter(workspace=workspace, first_name="").count() == 0


def test_the_demo_has_a_year_of_history_on_every_channel(db: Any) -> None:
    from amity.activities.models import Channel, Interaction, Note, Task

    workspace = load_demo().workspace

    channels = set(Interaction.objects.filter(workspace=workspace).values_list("channel", flat=True))
    assert channels == set(Channel.values)
    assert Interaction.objects.filter(workspace=workspace).count() >= 2 * CONTACTS
    assert Interaction.contacts.through.objects.count() == Interaction.objects.filter(workspace=workspace).count()
    assert Note.objects.filter(workspace=workspace).exists()
    assert Task.objects.filter(workspace=workspace, status="open").exists()
