"""What the portal API and the staff returns API take in and give out. Portal schemas carry nothing internal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class PortalSignInIn(Schema):
    workspace: str = Field(..., description="The workspace's slug, as in /portal/<slug>/.")
    email: str = Field(..., max_length=254)


class PortalSignInOut(Schema):
    detail: str


class PortalSessionIn(Schema):
    workspace: str = Field(..., description="The workspace's slug.")
    token: str = Field(..., max_length=200, description="The token of an emailed sign-in link (the last part of its address).")


class PortalSessionOut(Schema):
    token: str = Field(..., description="A bearer token of the portal API, valid 14 days; shown once.")
    expires_at: dt.datetime


def _admin_account_name(access: Any) -> str | None:
    return access.admin_membership.account.name if access.admin_account_id is not None else None


class PortalMeOut(Schema):
    contact_id: int = Field(..., alias="contact.pk")
    first_name: str = Field(..., alias="contact.first_name")
    last_name: str = Field(..., alias="contact.last_name")
    title: str = Field(..., alias="contact.title")
    email: str = Field(..., alias="contact.primary_email")
    phone: str = Field(..., alias="contact.primary_phone")
    workspace: str = Field(..., alias="workspace.name")
    admin_account_id: int | None = Field(None, description="The account whose cases, orders and invoices I see too (account admin).")
    admin_account: str | None = Field(None, description="That account's name.")

    @staticmethod
    def resolve_admin_account(access: Any) -> str | None:
        return _admin_account_name(access)


class PortalMePatch(Schema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=150)
    phone: str | None = Field(None, max_length=40)


class PortalConsentIn(Schema):
    channel: str
    status: str = Field(..., description="granted or withdrawn")


class PortalConsentOut(Schema):
    channel: str
    status: str
    method: str
    occurred_at: dt.datetime


class PortalOrderLineOut(Schema):
    id: int
    name: str
    sku: str
    quantity: Decimal
    quantity_fulfilled: Decimal
    total_amount: Decimal


class PortalOrderOut(Schema):
    id: int
    number: str
    status: str
    currency: str
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    created_at: dt.datetime


class PortalOrderDetailOut(PortalOrderOut):
    lines: list[PortalOrderLineOut]


class PortalInvoiceOut(Schema):
    id: int
    number: str
    status: str
    currency: str
    issue_date: dt.date
    due_date: dt.date
    total_amount: Decimal
    amount_paid: Decimal
    order_id: int


class PortalCaseOut(Schema):
    id: int
    number: str
    subject: str
    kind: str = Field(..., alias="kind.key")
    kind_name: str = Field(..., alias="kind.name")
    status: str
    order_id: int | None
    order_line_id: int | None
    rma_number: str | None
    opened_by_contact_id: int | None = Field(
        None, alias="contact_id", description="Who opened it (an account admin sees colleagues' cases)."
    )
    opened_by: str = Field("", description="Their name.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_opened_by(case: Any) -> str:
        return case.contact.full_name if case.contact_id else case.requester_email


class PortalAttachmentOut(Schema):
    id: int = Field(..., description="Download it at /api/v1/portal/attachments/{id}.")
    filename: str
    content_type: str
    size: int


class PortalMessageOut(Schema):
    id: int
    kind: str = Field(..., description="customer (a customer's) or reply (ours); internal notes are never shown.")
    from_name: str = Field(..., description="Who wrote a customer's message.")
    body: str
    occurred_at: dt.datetime
    attachments: list[PortalAttachmentOut]

    @staticmethod
    def resolve_attachments(message: Any) -> list[Any]:
        return list(message.attachments.all())


class PortalCaseIn(Schema):
    kind: str
    subject: str = Field(..., max_length=250)
    description: str = Field(..., max_length=20000)
    order_id: int | None = None


class PortalReplyIn(Schema):
    body: str = Field(..., max_length=100000)


class PortalReturnIn(Schema):
    order_line_id: int
    quantity: Decimal
    reason: str = Field(..., max_length=5000)


class ReturnOut(Schema):
    id: int
    case_id: int
    case_number: str = Field(..., alias="case.number")
    rma_number: str | None = Field(None, alias="case.rma_number")
    status: str = Field(..., alias="case.status")
    instructions: str
    order_id: int = Field(..., alias="order_line.order_id")
    order_line_id: int
    quantity: Decimal
    reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_instructions(request: Any) -> str:
        from amity.service.portal.services import return_instructions

        return return_instructions(request.case)


class StaffReturnIn(PortalReturnIn):
    pass


class ReturnFilterIn(Schema):
    status: str | None = Field(None, description="The return case's status, or open_any for every status before resolved.")
    order_id: int | None = None
    contact_id: int | None = None


class PortalAccessOut(Schema):
    id: int
    contact_id: int
    contact_name: str = Field(..., alias="contact.full_name")
    email: str = Field(..., alias="contact.primary_email")
    status: str = Field(..., description="invited (not signed in yet), active or disabled.")
    invited_by_id: int | None
    invited_at: dt.datetime
    last_signed_in_at: dt.datetime | None
    admin_account_id: int | None = Field(None, description="The account whose records they see in the portal (account admin), if any.")
    admin_account: str | None = Field(None, description="That account's name.")

    @staticmethod
    def resolve_admin_account(access: Any) -> str | None:
        return _admin_account_name(access)


class PortalAccountAdminIn(Schema):
    account_id: int | None = Field(
        ..., description="One of the contact's accounts: they then see its cases, orders and invoices; null: only their own."
    )


class PortalAccessIn(Schema):
    contact_id: int = Field(..., description="The contact to invite; they are emailed a sign-in link (a disabled access is enabled).")


class PortalAccessFilterIn(Schema):
    status: str | None = Field(None, description="invited, active or disabled.")


class PortalBrandingIn(Schema):
    colour: str = Field(..., description="An #rrggbb colour for the portal's header and buttons.")


class PortalBrandingOut(PortalBrandingIn):
    url: str = Field(..., description="The portal's address to give customers.")
