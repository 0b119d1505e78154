"""A year of demo history: calls, emails, meetings and the rest on every channel, notes and tasks.

Seeded, so every demo tells the same story; written in bulk so the demo comes up quickly.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from amity.activities.models import Channel, Direction, Interaction, Note, Task
from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import AccountContact, Contact

CHANNEL_WEIGHTS = {
    Channel.EMAIL: 40,
    Channel.PHONE: 20,
    Channel.MEETING: 10,
    Channel.CHAT: 8,
    Channel.SMS: 5,
    Channel.WEB: 8,
    Channel.SOCIAL: 4,
    Channel.LETTER: 2,
    Channel.IN_PERSON: 3,
}
SUBJECTS = {
    Channel.EMAIL: ["Follow-up on our call", "Pricing question", "Renewal terms", "Invoice copy", "Introduction"],
    Channel.PHONE: ["Discovery call", "Support call", "Check-in", "Contract questions", "Left a voicemail"],
    Channel.MEETING: ["Quarterly business review", "Product demo", "Kick-off meeting", "Workshop"],
    Channel.CHAT: ["Chat about login trouble", "Chat: delivery date", "Chat: feature question"],
    Channel.SMS: ["Appointment reminder", "Delivery update"],
    Channel.WEB: ["Downloaded the buyer's guide", "Visited the pricing page", "Filled in the contact form"],
    Channel.SOCIAL: ["LinkedIn message", "Mentioned us on social media"],
    Channel.LETTER: ["Signed contract received", "Welcome pack sent"],
    Channel.IN_PERSON: ["Met at the trade show", "Visit at their office"],
}
OUTCOMES = ["Interested", "Needs a proposal", "Resolved", "No answer", "Call back next week", "Ordered", ""]
NOTES = [
    "Prefers email over phone; best reached in the morning.",
    "Budget is approved for next quarter. Decision by the board.",
    "Asked for a discount if they sign for two years.",
    "Very happy with the onboarding; could be a reference customer.",
    "Complained about slow delivery last month — keep an eye on it.",
]
ACCOUNT_NOTES = [
    "Their fiscal year ends in March: budgets are set in January.",
    "Procurement requires three quotes above 50k.",
    "New CTO since spring; worth an introduction meeting.",
    "Part of a group; the parent negotiates framework agreements.",
]
ACCOUNT_TASKS = [
    "Plan the quarterly business review",
    "Renew the framework agreement",
    "Update the account plan",
    "Check the open invoices",
]
TASKS = ["Send the proposal", "Call back about the renewal", "Prepare the QBR deck", "Check the delivery date", "Send the contract"]


def load_history(workspace: Workspace, users: dict[Role, User]) -> None:
    """Give the demo's contacts a year of interactions, notes and tasks, with some tasks due soon."""
    rng = random.Random(365)
    now = timezone.now()
    contacts = list(Contact.objects.filter(workspace=workspace).values_list("pk", "owner_id"))
    account_of = dict(AccountContact.objects.filter(workspace=workspace).values_list("contact_id", "account_id"))
    channels, weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())

    interactions, people = [], []
    for contact_id, owner_id in contacts:
        for _ in range(rng.randrange(2, 9)):
            channel = rng.choices(channels, weights)[0]
            interactions.append(
                Interaction(
                    workspace=workspace,
                    channel=channel,
                    direction=rng.choice([Direction.INBOUND, Direction.OUTBOUND]),
                    occurred_at=now - timedelta(minutes=rng.randrange(60, 365 * 24 * 60)),
                    duration_seconds=rng.randrange(120, 3600) if channel in {Channel.PHONE, Channel.MEETING, Channel.IN_PERSON} else None,
                    subject=rng.choice(SUBJECTS[channel]),
                    body="<p>Talked through their plans for the coming months.</p>",
                    outcome=rng.choice(OUTCOMES),
                    created_by_id=owner_id,
                )
            )
            people.append(contact_id)
    Interaction.objects.bulk_create(interactions, batch_size=2000)
    Interaction.contacts.through.objects.bulk_create(
        (
            Interaction.contacts.through(interaction_id=interaction.pk, contact_id=contact_id)
            for interaction, contact_id in zip(interactions, people, strict=True)
        ),
        batch_size=5000,
    )
    Interaction.accounts.through.objects.bulk_create(
        (
            Interaction.accounts.through(interaction_id=interaction.pk, account_id=account_of[contact_id])
            for interaction, contact_id in zip(interactions, people, strict=True)
            if contact_id in account_of
        ),
        batch_size=5000,
    )
    sample = rng.sample(contacts, k=min(len(contacts), 1200))
    Note.objects.bulk_create(
        Note(
            workspace=workspace,
            body=f"<p>{rng.choice(NOTES)}</p>",
            author_id=owner_id,
            contact_id=contact_id,
            created_at=now - timedelta(days=rng.randrange(1, 300)),
        )
        for contact_id, owner_id in sample[:800]
    )
    accounts = list(account_of.values())
    Note.objects.bulk_create(
        Note(
            workspace=workspace,
            body=f"<p>{rng.choice(ACCOUNT_NOTES)}</p>",
            author=users[Role.MANAGER],
            account_id=account_id,
            created_at=now - timedelta(days=rng.randrange(1, 300)),
        )
        for account_id in rng.sample(sorted(set(accounts)), k=min(len(set(accounts)), 150))
    )
    assignees = [users[Role.SALES], users[Role.MANAGER], users[Role.SUPPORT]]
    tasks = []
    for index, (contact_id, _) in enumerate(sample[800:]):
        due_soon = index % 3 == 0
        done = not due_soon and index % 2 == 0
        due_at = now + timedelta(days=rng.randrange(-3, 14)) if due_soon else now - timedelta(days=rng.randrange(5, 300))
        tasks.append(
            Task(
                workspace=workspace,
                title=rng.choice(TASKS),
                due_at=due_at,
                priority=rng.choice(list(Task.Priority)),
                status=Task.Status.DONE if done else Task.Status.OPEN,
                completed_at=now - timedelta(days=rng.randrange(1, 5)) if done else None,
                assignee=rng.choice(assignees),
                created_by=users[Role.MANAGER],
                contact_id=contact_id,
                reminder_at=due_at - timedelta(hours=1) if due_soon else None,
                created_at=min(due_at, now) - timedelta(days=rng.randrange(1, 10)),
            )
        )
    for account_id in rng.sample(sorted(set(accounts)), k=min(len(set(accounts)), 100)):
        due_at = now + timedelta(days=rng.randrange(0, 21), hours=rng.randrange(0, 9))
        tasks.append(
            Task(
                workspace=workspace,
                title=rng.choice(ACCOUNT_TASKS),
                due_at=due_at,
                priority=rng.choice(list(Task.Priority)),
                assignee=rng.choice(assignees),
                created_by=users[Role.MANAGER],
                account_id=account_id,
                created_at=now - timedelta(days=rng.randrange(1, 20)),
            )
        )
    Task.objects.bulk_create(tasks)
