"""Whether a person may be contacted: the one answer every marketing send must ask.

Current consent is the latest event of the log per contact, channel and purpose. No event means no
consent: marketing is opt-in. Service mail (a quote, an invoice, a reply to a case) is not marketing
and does not ask.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from amity.core.models import Workspace
from amity.customers.models import ConsentEvent, Contact

MARKETING = "marketing"


def _latest_status(channel: str, purpose: str) -> Subquery:
    latest = ConsentEvent._default_manager.filter(contact=OuterRef("pk"), channel=channel, purpose=purpose).order_by("-occurred_at", "-id")
    return Subquery(latest.values("status")[:1])


def contactable_contacts(*, workspace: Workspace, channel: str, purpose: str = MARKETING) -> QuerySet[Contact]:
    """The workspace's live contacts whose latest consent for this channel and purpose is a grant: the audience a send may use."""
    return (
        Contact._default_manager.filter(workspace=workspace, deleted_at__isnull=True)
        .annotate(consent_status=_latest_status(channel, purpose))
        .filter(consent_status=ConsentEvent.Status.GRANTED)
    )


def may_contact(contact: Contact, channel: str, purpose: str = MARKETING) -> bool:
    """Whether this person agreed, and has not since withdrawn, to be contacted on this channel for this purpose."""
    if contact.deleted_at is not None:
        return False
    latest = (
        ConsentEvent._default_manager.filter(contact=contact, channel=channel, purpose=purpose)
        .order_by("-occurred_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    return latest == ConsentEvent.Status.GRANTED
