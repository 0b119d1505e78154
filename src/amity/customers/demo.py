"""Demo customers: a few thousand believable accounts and contacts for the demo workspace.

Generated with Faker from a fixed seed, so every demo looks the same; written in bulk because
the demo must come up in seconds, and marked with source "Demo data".
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from amity.core.models import AuditEntry, Door, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import (
    Account,
    AccountContact,
    AccountDomain,
    Address,
    Channel,
    ConsentEvent,
    Contact,
    ContactEmail,
    ContactPhone,
    LifecycleStage,
    Tag,
)
from amity.search.services import reindex_workspace

ACCOUNTS = 600
CONTACTS = 3000
GROUPS = 40  # accounts that own two or three subsidiaries among the others
CONSENT_METHODS = ["web form", "phone call", "import", "event sign-up"]
INDUSTRIES = ["Software", "Retail", "Manufacturing", "Healthcare", "Logistics", "Finance", "Education", "Hospitality", "Energy", "Media"]
TAGS = ["VIP", "Newsletter", "Trade show 2026", "Partner", "Key account", "Renewal due"]
COUNTRY_LOCALES = [("en_US", "US"), ("en_GB", "GB"), ("de_DE", "DE"), ("fr_FR", "FR")]
STAGE_WEIGHTS = {
    LifecycleStage.CUSTOMER: 35,
    LifecycleStage.LEAD: 25,
    LifecycleStage.OPPORTUNITY: 15,
    LifecycleStage.SUBSCRIBER: 12,
    LifecycleStage.EVANGELIST: 5,
    LifecycleStage.CHURNED: 8,
}


def _phone(faker: Faker, region: str, rng: random.Random) -> str:
    """A valid-looking number in the contact's country, in E.164 (from the countries' fictional ranges)."""
    prefixes = {"US": "+1202555", "GB": "+44207946", "DE": "+49301234", "FR": "+3312345"}
    return f"{prefixes[region]}{rng.randrange(1000, 9999) if region != 'GB' else rng.randrange(100, 999)}"


def load_customers(workspace: Workspace, users: dict[Role, User]) -> None:
    """Add demo accounts with domains and contacts with emails, phones, tags and account links."""
    rng = random.Random(2026)
    fakers = {region: Faker(locale) for locale, region in COUNTRY_LOCALES}
    for faker in fakers.values():
        faker.seed_instance(2026)
    owners = [users[Role.SALES], users[Role.MANAGER], users[Role.SUPPORT], users[Role.MARKETING]]
    tags = Tag.objects.bulk_create([Tag(workspace=workspace, name=name) for name in TAGS])
    stages, weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
    now = timezone.now()

    accounts, domains = [], []
    for number in range(ACCOUNTS):
        faker = fakers[rng.choice(list(fakers))]
        name = faker.unique.company()
        accounts.append(
            Account(
                workspace=workspace,
                name=name,
                industry=rng.choice(INDUSTRIES),
                size=rng.choice(Account.Size.values),
                annual_revenue=Decimal(rng.randrange(100, 500_000)) * 1000,
                revenue_currency="USD",
                owner=rng.choice(owners),
                lifecycle_stage=rng.choices(stages, weights)[0],
                source="Demo data",
                created_at=now - timedelta(days=rng.randrange(1, 730)),
            )
        )
        domains.append(f"{''.join(ch for ch in name.lower() if ch.isalnum())[:40] or 'company'}{number}.example")
    Account.objects.bulk_create(accounts)
    AccountDomain.objects.bulk_create(
        AccountDomain(workspace=workspace, account=account, domain=domain) for account, domain in zip(accounts, domains, strict=True)
    )

    contacts, emails, phones, links = [], [], [], []
    for number in range(CONTACTS):
        region = rng.choice(list(fakers))
        faker = fakers[region]
        first, last = faker.first_name(), faker.last_name()
        account_index = rng.randrange(ACCOUNTS)
        email = f"{first}.{last}.{number}@{domains[account_index]}".lower().replace(" ", "")
        phone = _phone(faker, region, rng)
        contacts.append(
            Contact(
                workspace=workspace,
                first_name=first,
                last_name=last,
                title=faker.job()[:150],
                primary_email=email,
                primary_phone=phone,
                owner=accounts[account_index].owner,
                lifecycle_stage=accounts[account_index].lifecycle_stage,
                language={"US": "en", "GB": "en", "DE": "de", "FR": "fr"}[region],
                source="Demo data",
                created_at=now - timedelta(days=rng.randrange(1, 365)),
            )
        )
    Contact.objects.bulk_create(contacts)
    for number, contact in enumerate(contacts):
        emails.append(ContactEmail(workspace=workspace, contact=contact, address=contact.primary_email, is_primary=True))
        phones.append(
            ContactPhone(
                workspace=workspace, contact=contact, number=contact.primary_phone, kind=rng.choice(["mobile", "work"]), is_primary=True
            )
        )
        account = accounts[domains.index(contact.primary_email.split("@")[1])] if number % 50 else rng.choice(accounts)
        links.append(AccountContact(workspace=workspace, account=account, contact=contact, title=contact.title))
    ContactEmail.objects.bulk_create(emails)
    ContactPhone.objects.bulk_create(phones)
    AccountContact.objects.bulk_create(links, ignore_conflicts=True)
    tagged = Contact.tags.through
    tagged.objects.bulk_create(tagged(contact_id=contact.pk, tag_id=rng.choice(tags).pk) for contact in contacts if rng.random() < 0.3)
    _groups(accounts, rng)
    _addresses(workspace, accounts, contacts, fakers, rng)
    _consent(workspace, contacts, rng)
    _record_history(workspace, accounts, contacts, rng)
    reindex_workspace(workspace=workspace)


def _groups(accounts: list[Account], rng: random.Random) -> None:
    """Some accounts belong to a group: a parent account with two or three subsidiaries."""
    parents, others = accounts[:GROUPS], accounts[GROUPS:]
    children = rng.sample(others, k=GROUPS * 3)
    for index, child in enumerate(children):
        if index % 3 < 2 or rng.random() < 0.5:
            child.parent = parents[index // 3]
    Account.objects.bulk_update([child for child in children if child.parent_id], ["parent"])


def _addresses(
    workspace: Workspace, accounts: list[Account], contacts: list[Contact], fakers: dict[str, Faker], rng: random.Random
) -> None:
    """An office address for every account (and a billing one for some), a home address for a few people."""
    addresses = []
    for account in accounts:
        region = rng.choice(list(fakers))
        kinds = [Address.Kind.OFFICE, Address.Kind.BILLING] if rng.random() < 0.3 else [Address.Kind.OFFICE]
        addresses += [_address(fakers[region], region, kind, account=account) for kind in kinds]
    for contact in rng.sample(contacts, k=len(contacts) // 5):
        region = rng.choice(list(fakers))
        addresses.append(_address(fakers[region], region, Address.Kind.HOME, contact=contact))
    for address in addresses:
        address.workspace = workspace
    Address.objects.bulk_create(addresses)


def _address(faker: Faker, region: str, kind: str, **owner: Account | Contact) -> Address:
    return Address(
        kind=kind, street=faker.street_address()[:200], city=faker.city()[:100], postcode=faker.postcode()[:20], country=region, **owner
    )


def _consent(workspace: Workspace, contacts: list[Contact], rng: random.Random) -> None:
    """Most people agreed to marketing emails; some to texts; a few withdrew later."""
    events = []
    for contact in contacts:
        for channel, chance in ((Channel.EMAIL, 0.8), (Channel.SMS, 0.3), (Channel.POST, 0.1)):
            if rng.random() >= chance:
                continue
            granted_at = contact.created_at + timedelta(hours=rng.randrange(1, 72))
            method = rng.choice(CONSENT_METHODS)
            events.append(
                ConsentEvent(
                    workspace=workspace,
                    contact=contact,
                    channel=channel,
                    status=ConsentEvent.Status.GRANTED,
                    occurred_at=granted_at,
                    method=method,
                )
            )
            if rng.random() < 0.1:
                withdrawn_at = granted_at + timedelta(days=rng.randrange(5, 200))
                events.append(
                    ConsentEvent(
                        workspace=workspace,
                        contact=contact,
                        channel=channel,
                        status=ConsentEvent.Status.WITHDRAWN,
                        occurred_at=withdrawn_at,
                        method="unsubscribe link",
                    )
                )
    ConsentEvent.objects.bulk_create(events, batch_size=5000)


def _record_history(workspace: Workspace, accounts: list[Account], contacts: list[Contact], rng: random.Random) -> None:
    """Audit entries for the records' creation and, for some, a later move to their current stage: the timelines' changes."""
    entries = []
    stages = list(STAGE_WEIGHTS)
    now = timezone.now()
    for record in [*accounts, *contacts]:
        object_type = "customers.account" if isinstance(record, Account) else "customers.contact"
        common = {
            "workspace": workspace, "actor_id": record.owner_id, "object_type": object_type, "object_id": str(record.pk),
            "object_repr": str(record)[:200],
        }  # fmt: skip
        moved = rng.random() < 0.6
        first_stage = rng.choice([stage for stage in stages if stage != record.lifecycle_stage]) if moved else record.lifecycle_stage
        created = {"lifecycle_stage": [None, first_stage], "owner": [None, record.owner_id], "source": [None, record.source]}
        entries.append(
            AuditEntry(
                **common,
                actor_label="import",
                door=Door.IMPORT,
                action=AuditEntry.Action.CREATE,
                changes=created,
                created_at=record.created_at,
            )
        )
        if moved:
            entries.append(
                AuditEntry(
                    **common, actor_label="demo", door=Door.WEB, action=AuditEntry.Action.UPDATE,
                    changes={"lifecycle_stage": [first_stage, record.lifecycle_stage]},
                    created_at=min(record.created_at + timedelta(days=rng.randrange(1, 60)), now - timedelta(hours=1)),
                )
            )  # fmt: skip
    AuditEntry.objects.bulk_create(entries, batch_size=5000)
