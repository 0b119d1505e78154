"""Editing a deal on its page: its facts, its people with their roles, and its lines from the catalog.

Every write goes through amity.sales.services (audited there). With htmx a form is swapped in place and
answered with the card drawn again (a 422 with the form's errors); without it the page is posted and
redirected, or drawn again with the errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from amity.core import selectors as core_selectors
from amity.core.access import allowed
from amity.core.models import FieldDefinition, User
from amity.core.permissions import Action, ObjectType
from amity.sales import selectors
from amity.sales.models import OPEN_CATEGORIES, LineItem, Opportunity
from amity.sales.selectors.pickers import picked_names
from amity.sales.services import deal_parts as services
from amity.sales.services import opportunity_update
from amity.web.customer_forms import apply_service_errors
from amity.web.deal_forms import DealContactForm, DealEditForm, LineForm
from amity.web.forms import StyledForm
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view
from amity.web.views.record_activity import custom_definitions

DETAIL = "web/deals/detail.html"
# What a rep may put an open deal in (won deals are closed, lost ones omitted).
FORECAST_CATEGORIES = [(category.value, category.label) for category in OPEN_CATEGORIES]


def _can_edit(request: WorkspaceRequest, deal: Opportunity) -> bool:
    return deal.deleted_at is None and allowed(request.user, request.workspace, Action.CHANGE, ObjectType.OPPORTUNITY)


def _money(value: Any) -> str:
    return f"{value.get('amount', '')} {value.get('currency', '')}".strip() if isinstance(value, dict) else str(value)


def _custom_facts(definitions: list[FieldDefinition], deal: Opportunity) -> list[tuple[str, str]]:
    """The deal's custom fields that have a value, as label and text."""
    facts = []
    for definition in definitions:
        value = (deal.custom or {}).get(definition.key)
        if value in (None, "", []):
            continue
        if isinstance(value, bool):
            text = "Yes" if value else "No"
        elif isinstance(value, list):
            text = ", ".join(str(item) for item in value)
        else:
            text = _money(value)
        facts.append((definition.label, text))
    return facts


def _picked_labels(request: WorkspaceRequest, line_form: LineForm, contact_form: DealContactForm) -> dict[str, str]:
    """What a refused form had chosen, for its pickers to show again (nothing on a fresh form)."""

    def chosen(form: StyledForm, name: str) -> int | None:
        return getattr(form, "cleaned_data", {}).get(name) if form.is_bound else None

    return picked_names(
        actor=request.user,
        workspace=request.workspace,
        product_id=chosen(line_form, "product_id"),
        contact_id=chosen(contact_form, "contact_id"),
    )


def _people(request: WorkspaceRequest) -> list[User]:
    try:
        return list(core_selectors.member_people(actor=request.user, workspace=request.workspace))
    except PermissionDenied:
        return []


def deal_parts_context(
    request: WorkspaceRequest,
    deal: Opportunity,
    *,
    line_form: LineForm | None = None,
    editing_line: tuple[int, LineForm] | None = None,
    contact_form: DealContactForm | None = None,
    contact_errors: tuple[int, list[str]] | None = None,
) -> dict[str, Any]:
    """What the Deal, People and Line items cards show, with the forms of whoever may edit the deal."""
    lines = list(deal.line_items.all())
    zero = deal.amount * 0
    can_edit = _can_edit(request, deal)
    links = list(deal.contact_roles.all())
    context: dict[str, Any] = {
        "deal": deal,
        "lines": lines,
        "line_totals": {
            "net": sum((line.net_amount for line in lines), start=zero),
            "tax": sum((line.tax_amount for line in lines), start=zero),
            "total": sum((line.total_amount for line in lines), start=zero),
        },
        "links": links,
        "custom_facts": _custom_facts(custom_definitions(request, ObjectType.OPPORTUNITY), deal),
        "can_edit": can_edit,
        "can_move": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.OPPORTUNITY),
        "today": timezone.localdate(),
        "forecast_categories": FORECAST_CATEGORIES,
        "editing_line": editing_line,
        "contact_errors": contact_errors,
    }
    if can_edit:
        context["line_form"] = line_form = line_form or LineForm(prefix="line")
        context["contact_form"] = contact_form = contact_form or DealContactForm(prefix="person")
        context["picked"] = _picked_labels(request, line_form, contact_form)
        context["roles"] = DealContactForm.base_fields["role"].choices  # type: ignore[attr-defined]
    return context


def _deal(request: WorkspaceRequest, pk: int) -> Opportunity:
    ensure(request, Action.CHANGE, ObjectType.OPPORTUNITY)
    deal = selectors.opportunity_get(actor=request.user, workspace=request.workspace, pk=pk)
    if deal.deleted_at is not None:
        raise PermissionDenied("This deal is in the bin; restore it to change it.")
    return deal


def _fresh(request: WorkspaceRequest, pk: int) -> Opportunity:
    return selectors.opportunity_get(actor=request.user, workspace=request.workspace, pk=pk)


def _answer(
    request: WorkspaceRequest, deal: Opportunity, card: str, *, done: bool = False, status: int = 200, **forms: Any
) -> HttpResponse:
    """The card drawn again (htmx) or the whole page with it; a change done without htmx redirects to the page."""
    htmx = getattr(request, "htmx", False)
    if done and not htmx:
        return redirect("deal_detail", request.workspace.slug, deal.pk)
    fresh = _fresh(request, deal.pk)
    if htmx:
        return render(request, f"{DETAIL}#{card}", deal_parts_context(request, fresh, **forms), status=status)
    from amity.web.views.deals import detail_context

    context = {**detail_context(request, fresh), **deal_parts_context(request, fresh, **forms)}
    return render(request, DETAIL, context, status=status)


def _errors_on(form: StyledForm, error: ValidationError, *, to: str) -> None:
    """A service's errors on the form: next to its field, else (another field's name) next to `to`."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, problems in error.message_dict.items():
        form.add_error(key if key in form.fields else to if to in form.fields else None, problems)
    form.mark_invalid()


# --- The facts ------------------------------------------------------------------------------------------------------


@workspace_view
@require_http_methods(["GET", "POST"])
def deal_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The Deal card as a form: name, amount and currency (while there are no lines), close date, probability, owner,
    next step, competitors and custom fields."""
    deal = _deal(request, pk)
    definitions = custom_definitions(request, ObjectType.OPPORTUNITY)
    has_lines = deal.line_items.exists()
    posted: QueryDict | None = request.POST if request.method == "POST" else None
    form = DealEditForm(
        posted,
        initial=DealEditForm.initial_for(deal, definitions),
        deal=deal,
        has_lines=has_lines,
        people=_people(request),
        definitions=definitions,
    )
    if posted is not None and form.is_valid():
        try:
            opportunity_update(actor=request.user, opportunity=deal, data=form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Deal saved.")
            url = reverse("deal_detail", args=[request.workspace.slug, pk])
            if not selectors.opportunities_filtered(actor=request.user, workspace=request.workspace).filter(pk=pk).exists():
                # Given to someone outside one's teams, the deal is no longer one's to see.
                messages.info(request, f"“{deal.name}” now belongs to someone outside your teams.")
                url = reverse("deal_list", args=[request.workspace.slug])
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    context = {"deal": _fresh(request, pk) if posted is not None else deal, "form": form, "has_lines": has_lines}
    return render_page(request, "web/deals/edit.html", context, partial="form", status=422 if form.errors else 200)


# --- Lines ----------------------------------------------------------------------------------------------------------


@workspace_view
@require_POST
def deal_line_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Add a product of the catalog to the deal at the price its account gets (or the one typed), with quantity and discount."""
    deal = _deal(request, pk)
    form = LineForm(request.POST, prefix="line")
    if form.is_valid():
        try:
            line = services.opportunity_line_add(actor=request.user, opportunity=deal, data=form.service_data())
        except ValidationError as error:
            _errors_on(form, error, to="product_id")
        else:
            messages.success(request, f"{line.name} added.")
            return _answer(request, deal, "lines_card", done=True)
    return _answer(request, deal, "lines_card", status=422, line_form=form)


def _line(request: WorkspaceRequest, pk: int, line_pk: int) -> tuple[Opportunity, LineItem]:
    deal = _deal(request, pk)
    return deal, selectors.opportunity_line_get(opportunity=deal, pk=line_pk)


@workspace_view
@require_http_methods(["GET", "POST"])
def deal_line_edit(request: WorkspaceRequest, pk: int, line_pk: int) -> HttpResponse:
    """A line's quantity, unit price and discount as a form in its row; saving redraws the lines and their totals."""
    deal, line = _line(request, pk, line_pk)
    if request.method == "GET":
        form = LineForm(initial=LineForm.initial_for(line), editing=True, prefix=f"line-{line.pk}")
        return _answer(request, deal, "lines_card", editing_line=(line.pk, form))
    form = LineForm(request.POST, editing=True, prefix=f"line-{line.pk}")
    if form.is_valid():
        try:
            services.opportunity_line_update(actor=request.user, line=line, data=form.service_data())
        except ValidationError as error:
            _errors_on(form, error, to="quantity")
        else:
            messages.success(request, f"{line.name} saved.")
            return _answer(request, deal, "lines_card", done=True)
    return _answer(request, deal, "lines_card", status=422, editing_line=(line.pk, form))


@workspace_view
@require_POST
def deal_line_remove(request: WorkspaceRequest, pk: int, line_pk: int) -> HttpResponse:
    """Take a line off the deal; the amount becomes the other lines' sum."""
    deal, line = _line(request, pk, line_pk)
    services.opportunity_line_remove(actor=request.user, line=line)
    messages.success(request, f"{line.name} removed.")
    return _answer(request, deal, "lines_card", done=True)


# --- People ---------------------------------------------------------------------------------------------------------


@workspace_view
@require_POST
def deal_contact_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Put one of the account's people on the deal with their role."""
    deal = _deal(request, pk)
    form = DealContactForm(request.POST, prefix="person")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.opportunity_contact_add(
                actor=request.user, opportunity=deal, contact_id=data["contact_id"], role=data["role"], is_primary=data["is_primary"]
            )
        except ValidationError as error:
            _errors_on(form, error, to="contact_id")
        else:
            return _answer(request, deal, "people_card", done=True)
    return _answer(request, deal, "people_card", status=422, contact_form=form)


@workspace_view
@require_POST
def deal_contact_edit(request: WorkspaceRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Change a person's role on the deal, or make them its primary contact."""
    deal = _deal(request, pk)
    link = selectors.opportunity_contact_get(opportunity=deal, contact_id=contact_pk)
    form = DealContactForm(request.POST, editing=True, prefix=f"person-{contact_pk}")
    problems: list[str] = []
    if form.is_valid():
        try:
            services.opportunity_contact_update(
                actor=request.user, link=link, role=form.cleaned_data["role"], is_primary=form.cleaned_data["is_primary"]
            )
        except ValidationError as error:
            problems = error.messages
        else:
            return _answer(request, deal, "people_card", done=True)
    else:
        problems = [str(message) for messages_ in form.errors.values() for message in messages_]
    return _answer(request, deal, "people_card", status=422, contact_errors=(contact_pk, problems))


@workspace_view
@require_POST
def deal_contact_remove(request: WorkspaceRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Take a person off the deal; their contact stays."""
    deal = _deal(request, pk)
    link = selectors.opportunity_contact_get(opportunity=deal, contact_id=contact_pk)
    services.opportunity_contact_remove(actor=request.user, link=link)
    return _answer(request, deal, "people_card", done=True)
