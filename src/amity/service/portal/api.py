"""Two doors: /api/v1/portal/… for a signed-in contact (a portal bearer token); /api/v1/returns,
/api/v1/portal-users and /api/v1/portal-branding for staff.

A contact signs in by asking for an emailed link (`POST /portal/sign-in`) and exchanging the link's token
for a portal bearer token (`POST /portal/session`). A staff API token is no portal token, nor the reverse.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate
from amity.core import audit
from amity.core.models import Door
from amity.service.attachments import download_response
from amity.service.models import Case
from amity.service.portal import selectors, services
from amity.service.portal.models import PortalAccess, PortalSession
from amity.service.portal.schemas import (
    PortalAccessFilterIn,
    PortalAccessIn,
    PortalAccessOut,
    PortalAccountAdminIn,
    PortalBrandingIn,
    PortalBrandingOut,
    PortalCaseIn,
    PortalCaseOut,
    PortalConsentIn,
    PortalConsentOut,
    PortalInvoiceOut,
    PortalMeOut,
    PortalMePatch,
    PortalMessageOut,
    PortalOrderDetailOut,
    PortalOrderOut,
    PortalReplyIn,
    PortalReturnIn,
    PortalSessionIn,
    PortalSessionOut,
    PortalSignInIn,
    PortalSignInOut,
    ReturnFilterIn,
    ReturnOut,
    StaffReturnIn,
)

ORDER_BY_RECENT = ["-created_at", "-id"]


class PortalAuth(HttpBearer):
    """A portal bearer token (from a sign-in link): the contact it belongs to, while their access is not disabled."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        session = selectors.session_for_token(token)
        if session is None:
            return None
        request.portal_session = session  # type: ignore[attr-defined]
        request.portal_access = session.access  # type: ignore[attr-defined]
        audit.set_door(Door.API)
        return session


def _access(request: HttpRequest) -> PortalAccess:
    return request.portal_access  # type: ignore[attr-defined]


portal_router = Router(auth=PortalAuth(), tags=["portal"])
returns_router = Router(tags=["returns"])
portal_admin_router = Router(tags=["portal administration"])


# --- Signing in ----------------------------------------------------------------------------------------------------------


@portal_router.post("/portal/sign-in", auth=None, response={202: PortalSignInOut}, summary="Email me a sign-in link")
def request_sign_in(request: HttpRequest, payload: PortalSignInIn) -> Any:
    """Always 202, whether or not the address is known (no account enumeration); at most 5 links per address an hour."""
    workspace = selectors.workspace_by_slug(payload.workspace)
    if workspace is not None:
        services.portal_request_link(workspace=workspace, email=payload.email)
    return Status(202, {"detail": "If this address may use the portal, a sign-in link is on its way."})


@portal_router.post("/portal/session", auth=None, response={201: PortalSessionOut}, summary="Exchange a sign-in link for a portal token")
def start_session(request: HttpRequest, payload: PortalSessionIn) -> Any:
    workspace = selectors.workspace_by_slug(payload.workspace)
    if workspace is None:
        raise Http404("No such portal.")
    session, raw = services.portal_session_start(workspace=workspace, token=payload.token)
    return Status(201, {"token": raw, "expires_at": session.expires_at})


@portal_router.delete("/portal/session", response={204: None}, summary="Sign out: the portal token stops working")
def end_session(request: HttpRequest) -> Any:
    session: PortalSession = request.portal_session  # type: ignore[attr-defined]
    services.portal_session_end(session=session)
    return Status(204, None)


# --- The contact -------------------------------------------------------------------------------------------------------


@portal_router.get("/portal/me", response=PortalMeOut, summary="Who I am")
def get_me(request: HttpRequest) -> Any:
    return _access(request)


@portal_router.patch("/portal/me", response=PortalMeOut, summary="Correct my name, job title or phone")
def update_me(request: HttpRequest, payload: PortalMePatch) -> Any:
    access = _access(request)
    with services.as_contact(access, Door.API):
        services.portal_profile_update(access=access, data=payload.model_dump(exclude_unset=True))
    return access


@portal_router.post(
    "/portal/me/consents", response={201: PortalConsentOut}, summary="Grant or withdraw consent to news and offers on a channel"
)
def set_consent(request: HttpRequest, payload: PortalConsentIn) -> Any:
    return Status(201, services.portal_consent_set(access=_access(request), channel=payload.channel, status=payload.status))


# --- Orders, invoices -------------------------------------------------------------------------------------------------


@portal_router.get("/portal/orders", response=page_of(PortalOrderOut), summary="My orders, newest first")
def list_my_orders(request: HttpRequest, page: Query[PageParams]) -> Any:
    return paginate(selectors.orders(_access(request)), ordering=ORDER_BY_RECENT, cursor=page.cursor, limit=page.limit)


@portal_router.get("/portal/orders/{order_id}", response=PortalOrderDetailOut, summary="One of my orders with its lines")
def get_my_order(request: HttpRequest, order_id: int) -> Any:
    return selectors.order_get(_access(request), order_id)


@portal_router.get("/portal/invoices", response=page_of(PortalInvoiceOut), summary="My invoices (drafts left out), newest first")
def list_my_invoices(request: HttpRequest, page: Query[PageParams]) -> Any:
    return paginate(selectors.invoices(_access(request)), ordering=["-issue_date", "-id"], cursor=page.cursor, limit=page.limit)


@portal_router.get("/portal/invoices/{invoice_id}", response=PortalInvoiceOut, summary="One of my invoices")
def get_my_invoice(request: HttpRequest, invoice_id: int) -> Any:
    return selectors.invoice_get(_access(request), invoice_id)


# --- Cases ------------------------------------------------------------------------------------------------------------


@portal_router.get("/portal/cases", response=page_of(PortalCaseOut), summary="My cases, most recently active first")
def list_my_cases(request: HttpRequest, page: Query[PageParams]) -> Any:
    return paginate(selectors.cases(_access(request)), ordering=["-updated_at", "-id"], cursor=page.cursor, limit=page.limit)


@portal_router.post("/portal/cases", response={201: PortalCaseOut}, summary="Open a case (a multipart form; files optional)")
def open_my_case(request: HttpRequest, payload: Form[PortalCaseIn], attachments: File[list[UploadedFile] | None] = None) -> Any:
    """The fields as form fields; up to 5 files of at most 10 MB each as `attachments`."""
    access = _access(request)
    case = services.portal_case_open(access=access, data=payload.model_dump(), attachments=attachments or [])
    return Status(201, selectors.case_get(access, case.pk))


@portal_router.get("/portal/cases/{case_id}", response=PortalCaseOut, summary="One of my cases")
def get_my_case(request: HttpRequest, case_id: int) -> Any:
    return selectors.case_get(_access(request), case_id)


@portal_router.get(
    "/portal/cases/{case_id}/messages", response=list[PortalMessageOut], summary="A case's conversation (never internal notes)"
)
def list_my_case_messages(request: HttpRequest, case_id: int) -> Any:
    return list(selectors.public_messages(selectors.case_get(_access(request), case_id)))


@portal_router.post(
    "/portal/cases/{case_id}/messages", response={201: PortalMessageOut}, summary="Write on a case (a multipart form; files optional)"
)
def reply_on_my_case(
    request: HttpRequest, case_id: int, payload: Form[PortalReplyIn], attachments: File[list[UploadedFile] | None] = None
) -> Any:
    """`body` as a form field; up to 5 files of at most 10 MB each as `attachments`."""
    access = _access(request)
    case = selectors.case_get(access, case_id)
    message = services.portal_case_reply(access=access, case=case, body=payload.body, attachments=attachments or [])
    return Status(201, selectors.public_messages(case).get(pk=message.pk))


@portal_router.get("/portal/attachments/{attachment_id}", response={200: None}, summary="Download a file of a message I may read")
def download_my_attachment(request: HttpRequest, attachment_id: int) -> Any:
    return download_response(selectors.attachment_get(_access(request), attachment_id))


# --- Returns (the contact's) ------------------------------------------------------------------------------------------


@portal_router.get("/portal/returns", response=page_of(ReturnOut), summary="My returns, newest first")
def list_my_returns(request: HttpRequest, page: Query[PageParams]) -> Any:
    return paginate(selectors.returns(_access(request)), ordering=ORDER_BY_RECENT, cursor=page.cursor, limit=page.limit)


@portal_router.post("/portal/returns", response={201: ReturnOut}, summary="Request the return of some of an order line")
def request_my_return(request: HttpRequest, payload: PortalReturnIn) -> Any:
    access = _access(request)
    line = selectors.own_order_line(access, payload.order_line_id)
    created = services.return_request_create(
        workspace=access.workspace, order_line=line, quantity=payload.quantity, reason=payload.reason, access=access
    )
    return Status(201, selectors.return_get(access, created.pk))


@portal_router.get("/portal/returns/{return_id}", response=ReturnOut, summary="One of my returns")
def get_my_return(request: HttpRequest, return_id: int) -> Any:
    return selectors.return_get(_access(request), return_id)


# --- Returns (staff) --------------------------------------------------------------------------------------------------


def _staff_returns(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.staff_returns(actor=actor, workspace=workspace)


@returns_router.get("/returns", response=page_of(ReturnOut), summary="Returns, newest first, with filters")
def list_returns(request: HttpRequest, page: Query[PageParams], filters: Query[ReturnFilterIn]) -> Any:
    rows = _staff_returns(request)
    if filters.status == "open_any":
        rows = rows.filter(case__status__in=Case.OPEN_STATUSES)
    elif filters.status:
        rows = rows.filter(case__status=filters.status)
    if filters.order_id is not None:
        rows = rows.filter(order_line__order_id=filters.order_id)
    if filters.contact_id is not None:
        rows = rows.filter(case__contact_id=filters.contact_id)
    return paginate(rows, ordering=ORDER_BY_RECENT, cursor=page.cursor, limit=page.limit)


@returns_router.post("/returns", response={201: ReturnOut}, summary="Record a return of some of an order line (opens its return case)")
def create_return(request: HttpRequest, payload: StaffReturnIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    line = selectors.staff_order_line(actor=actor, workspace=workspace, pk=payload.order_line_id)
    created = services.return_request_create(
        workspace=workspace, order_line=line, quantity=payload.quantity, reason=payload.reason, actor=actor
    )
    return Status(201, _staff_returns(request).get(pk=created.pk))


@returns_router.get("/returns/{return_id}", response=ReturnOut, summary="One return")
def get_return(request: HttpRequest, return_id: int) -> Any:
    return get_object_or_404(_staff_returns(request), pk=return_id)


# --- Portal users and look (staff) ------------------------------------------------------------------------------------


@portal_admin_router.get("/portal-users", response=page_of(PortalAccessOut), summary="Contacts invited to the portal, latest first")
def list_portal_users(request: HttpRequest, page: Query[PageParams], filters: Query[PortalAccessFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    rows = selectors.staff_accesses(actor=actor, workspace=workspace, status=filters.status)
    return paginate(rows, ordering=["-invited_at", "-id"], cursor=page.cursor, limit=page.limit)


@portal_admin_router.post("/portal-users", response={201: PortalAccessOut}, summary="Invite a contact to the portal (emails a link)")
def invite_portal_user(request: HttpRequest, payload: PortalAccessIn) -> Any:
    from amity.customers import selectors as customer_selectors

    actor, workspace = actor_and_workspace(request)
    try:
        contact = customer_selectors.contact_get(actor=actor, workspace=workspace, pk=payload.contact_id)
    except Http404:
        raise ValidationError({"contact_id": f"No contact {payload.contact_id} in this workspace."}) from None
    access = services.portal_invite(actor=actor, contact=contact)
    return Status(201, selectors.staff_access_get(actor=actor, workspace=workspace, pk=access.pk))


@portal_admin_router.post("/portal-users/{portal_user_id}/disable", response=PortalAccessOut, summary="Take a contact's portal access away")
def disable_portal_user(request: HttpRequest, portal_user_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    access = selectors.staff_access_get(actor=actor, workspace=workspace, pk=portal_user_id)
    return services.portal_disable(actor=actor, access=access)


@portal_admin_router.put(
    "/portal-users/{portal_user_id}/account-admin",
    response=PortalAccessOut,
    summary="Make a portal user the admin of one of their accounts (or, with null, a plain user again)",
)
def set_portal_account_admin(request: HttpRequest, portal_user_id: int, payload: PortalAccountAdminIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    access = selectors.staff_access_get(actor=actor, workspace=workspace, pk=portal_user_id)
    services.portal_account_admin_set(actor=actor, access=access, account_id=payload.account_id)
    return selectors.staff_access_get(actor=actor, workspace=workspace, pk=portal_user_id)


def _branding_out(workspace: Any) -> dict[str, str]:
    return {"colour": selectors.branding(workspace).colour, "url": services.portal_url(workspace)}


@portal_admin_router.get("/portal-branding", response=PortalBrandingOut, summary="The portal's colour and address")
def get_portal_branding(request: HttpRequest) -> Any:
    _actor, workspace = actor_and_workspace(request)
    return _branding_out(workspace)


@portal_admin_router.put("/portal-branding", response=PortalBrandingOut, summary="Set the portal's colour")
def set_portal_branding(request: HttpRequest, payload: PortalBrandingIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.portal_branding_save(actor=actor, workspace=workspace, colour=payload.colour)
    return _branding_out(workspace)
