"""What a signed-in contact may read: their own orders, invoices and cases, and only the public part of a conversation.

Every read is scoped to the contact's workspace and to whose records the contact may see (`whose`): their own, and
an account admin's account's too; anything else is a 404, never a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from amity.core.access import require, visible
from amity.core.models import User, Workspace, hash_secret
from amity.core.permissions import Action, ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.customers.models import AccountContact, ConsentEvent
from amity.orders.models import Invoice, Payment, SalesOrder, SalesOrderLine
from amity.service.models import Case, CaseAttachment, CaseKind, CaseMessage
from amity.service.portal.models import PortalAccess, PortalBranding, PortalSession, ReturnRequest

PUBLIC_KINDS = (CaseMessage.Kind.CUSTOMER, CaseMessage.Kind.REPLY)  # never an internal note


def access_get(*, workspace: Workspace, pk: Any) -> PortalAccess | None:
    """The portal access a web session points to, if it still may sign in."""
    return (
        PortalAccess.objects.select_related("contact", "workspace", "admin_membership__account")
        .filter(workspace=workspace, pk=pk, contact__deleted_at__isnull=True)
        .exclude(status=PortalAccess.Status.DISABLED)
        .first()
    )


def session_for_token(token: str) -> PortalSession | None:
    """The live portal API session of a bearer token."""
    return (
        PortalSession.objects.select_related("access__contact", "access__workspace", "access__admin_membership__account", "workspace")
        .filter(
            token_hash=hash_secret(token), revoked_at__isnull=True, expires_at__gt=timezone.now(), access__contact__deleted_at__isnull=True
        )
        .exclude(access__status=PortalAccess.Status.DISABLED)
        .first()
    )


def branding(workspace: Workspace) -> PortalBranding:
    """The workspace's portal colour and logo (the defaults when none were set)."""
    return PortalBranding.objects.filter(workspace=workspace).first() or PortalBranding(workspace=workspace)


def whose(access: PortalAccess, contact: str = "contact", account: str = "account") -> Q:
    """The records a contact may see in the portal: their own, and all of their account's when they are its admin.

    `contact` and `account` name the record's fields (or paths) that point to its contact and account.
    """
    scope = Q(**{contact: access.contact_id})
    if access.admin_account_id is not None:
        scope |= Q(**{account: access.admin_account_id})
    return scope


def orders(access: PortalAccess) -> QuerySet[SalesOrder]:
    """The orders the contact may see, newest first."""
    return SalesOrder.objects.filter(whose(access), workspace=access.workspace).select_related("contact").order_by("-created_at", "-id")


def order_get(access: PortalAccess, pk: Any) -> SalesOrder:
    lines = SalesOrderLine.objects.order_by("position", "id")
    order = orders(access).prefetch_related(Prefetch("lines", queryset=lines)).filter(pk=pk).first() if str(pk).isdigit() else None
    if order is None:
        raise Http404("No such order.")
    return order


def order_line_get(access: PortalAccess, order: SalesOrder, pk: Any) -> SalesOrderLine:
    line = (
        SalesOrderLine.objects.filter(workspace=access.workspace, order=order, pk=pk).select_related("order").first()
        if str(pk).isdigit()
        else None
    )
    if line is None:
        raise Http404("No such order line.")
    return line


def invoices(access: PortalAccess) -> QuerySet[Invoice]:
    """The invoices the contact may see (theirs, of their orders, or their account's), without drafts, newest first."""
    return (
        Invoice.objects.filter(workspace=access.workspace)
        .filter(whose(access) | whose(access, contact="order__contact", account="order__account"))
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("order")
        .order_by("-issue_date", "-id")
    )


def invoice_get(access: PortalAccess, pk: Any) -> Invoice:
    invoice = invoices(access).select_related("workspace", "account").filter(pk=pk).first() if str(pk).isdigit() else None
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


def payments(access: PortalAccess) -> QuerySet[Payment]:
    """The billing history the contact may see: payments on the invoices they may see, newest first."""
    invoice_ids = invoices(access).values("pk")
    return (
        Payment.objects.filter(workspace=access.workspace, invoice_id__in=invoice_ids).select_related("invoice").order_by("-paid_on", "-id")
    )


def cases(access: PortalAccess) -> QuerySet[Case]:
    """The cases the contact may see (merged duplicates left out), most recently active first, with who opened them."""
    return (
        Case.objects.filter(whose(access), workspace=access.workspace, merged_into__isnull=True)
        .select_related("kind", "order", "contact")
        .order_by("-updated_at", "-id")
    )


def case_get(access: PortalAccess, pk: Any) -> Case:
    case = cases(access).select_related("order_line", "workspace").filter(pk=pk).first() if str(pk).isdigit() else None
    if case is None:
        raise Http404("No such case.")
    return case


def public_messages(case: Case) -> QuerySet[CaseMessage]:
    """The conversation as the customer sees it: customers' messages and our replies with their files, oldest first; notes never."""
    return (
        CaseMessage.objects.filter(workspace=case.workspace, case=case, kind__in=PUBLIC_KINDS)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=CaseAttachment.objects.order_by("id")))
        .order_by("occurred_at", "id")
    )


def attachment_get(access: PortalAccess, pk: Any) -> CaseAttachment:
    """A file of a message the contact may read (on a case they may see, never an internal note's), or a 404."""
    visible_cases = cases(access).values("pk")
    attachment = (
        CaseAttachment.objects.filter(
            workspace=access.workspace, pk=pk, message__kind__in=PUBLIC_KINDS, message__case_id__in=visible_cases
        ).first()
        if str(pk).isdigit()
        else None
    )
    if attachment is None:
        raise Http404("No such file.")
    return attachment


def returns(access: PortalAccess) -> QuerySet[ReturnRequest]:
    """The returns the contact may see (their own, or their account's for an admin), newest first."""
    return (
        ReturnRequest.objects.filter(whose(access, contact="case__contact", account="case__account"), workspace=access.workspace)
        .select_related("case", "case__kind", "order_line__order")
        .order_by("-created_at", "-id")
    )


def return_get(access: PortalAccess, pk: Any) -> ReturnRequest:
    found = returns(access).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("No such return.")
    return found


def workspace_by_slug(slug: str) -> Workspace | None:
    """The workspace whose portal this is (the portal's addresses carry its slug)."""
    return Workspace.objects.filter(slug=slug).first()


def case_kinds(workspace: Workspace) -> QuerySet[CaseKind]:
    """The kinds a contact may open a case of in the portal; returns start from an order line instead."""
    return CaseKind.objects.filter(workspace=workspace, active=True, is_return=False)


def marketing_consents(access: PortalAccess) -> dict[str, str]:
    """The contact's latest marketing consent per channel (granted or withdrawn)."""
    latest: dict[str, str] = {}
    events = ConsentEvent.objects.filter(workspace=access.workspace, contact=access.contact, purpose="marketing")
    for event in events.order_by("occurred_at", "id"):
        latest[event.channel] = event.status
    return latest


def own_order_line(access: PortalAccess, pk: Any) -> SalesOrderLine:
    """A line of one of the orders the contact may see, or a 404."""
    line = (
        SalesOrderLine.objects.filter(workspace=access.workspace, pk=pk, order__in=orders(access).values("pk")).first()
        if str(pk).isdigit()
        else None
    )
    if line is None:
        raise Http404("No such order line.")
    return line


def staff_accesses(*, actor: User, workspace: Workspace, status: str | None = None) -> QuerySet[PortalAccess]:
    """The contacts invited to the portal, of the contacts the actor may see, most recently invited first."""
    accesses = visible(
        PortalAccess.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CONTACT, owner_field="contact__owner"
    )
    if status:
        accesses = accesses.filter(status=status)
    memberships = AccountContact.objects.filter(account__deleted_at__isnull=True).select_related("account").order_by("account__name", "id")
    return (
        accesses.filter(contact__deleted_at__isnull=True)
        .select_related("contact", "invited_by", "admin_membership__account")
        .prefetch_related(Prefetch("contact__account_contacts", queryset=memberships, to_attr="memberships"))
        .order_by("-invited_at", "-id")
    )


def staff_access_get(*, actor: User, workspace: Workspace, pk: int) -> PortalAccess:
    return get_scoped_or_404(staff_accesses(actor=actor, workspace=workspace), pk=pk)


def staff_membership(*, access: PortalAccess, account_id: int) -> AccountContact:
    """The access's contact's membership of an account (to make them its admin); a missing one is a field error."""
    membership = (
        AccountContact.objects.filter(
            workspace=access.workspace, contact=access.contact, account_id=account_id, account__deleted_at__isnull=True
        )
        .select_related("account")
        .first()
    )
    if membership is None:
        raise ValidationError({"account_id": f"{access.contact.full_name} does not belong to account {account_id}."})
    return membership


def staff_returns(*, actor: User, workspace: Workspace) -> QuerySet[ReturnRequest]:
    """Every return of the workspace, for whoever may see cases."""
    require(actor, workspace, Action.VIEW, ObjectType.CASE)
    return ReturnRequest.objects.filter(workspace=workspace).select_related("case", "case__kind", "order_line")


def staff_order_line(*, actor: User, workspace: Workspace, pk: int) -> SalesOrderLine:
    """An order line of the workspace to record a return of; a missing one is a field error (it came in a body)."""
    require(actor, workspace, Action.VIEW, ObjectType.ORDER)
    line = SalesOrderLine.objects.filter(workspace=workspace, pk=pk).first()
    if line is None:
        raise ValidationError({"order_line_id": f"No order line {pk} in this workspace."})
    return line
