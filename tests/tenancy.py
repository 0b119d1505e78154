"""The registry behind the cross-workspace harness (tests/core/test_tenancy_api.py).

For every path parameter of the API (`team_id`, `member_id`, …) a maker builds such a record
in a given workspace; for every write endpoint a sample body that passes validation. The
harness walks the OpenAPI spec; an endpoint whose parameter or body is not registered here
fails the harness with a message that says what to add. Later apps register their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from amity.core.models import AuditEntry, Invitation, Membership, TaskFailure, Workspace
from amity.core.permissions import Role
from tests.factories import TeamFactory, account_with, contact_with, member, token_for

# Every record another workspace owns carries this in its text, so a leak shows in any response body.
MARKER = "zz-other-workspace"

Maker = Callable[[Workspace], models.Model]


def _member(workspace: Workspace) -> models.Model:
    user = member(workspace, Role.SALES, email=f"{MARKER}-{workspace.pk}-{Membership.objects.count()}@example.com")
    return Membership.objects.get(workspace=workspace, user=user)


def _invitation(workspace: Workspace) -> models.Model:
    from datetime import timedelta

    from django.utils import timezone

    return Invitation.objects.create(
        workspace=workspace, email=f"{MARKER}@example.com", role=Role.SALES, expires_at=timezone.now() + timedelta(days=3)
    )


def _team(workspace: Workspace) -> models.Model:
    return TeamFactory(workspace=workspace, name=f"{MARKER} team")


def _token(workspace: Workspace) -> models.Model:
    user = member(workspace, Role.SALES, email=f"{MARKER}-token-{workspace.pk}@example.com")
    return token_for(user, workspace, name=f"{MARKER} token")[0]


def _audit_entry(workspace: Workspace) -> models.Model:
    return AuditEntry.objects.create(
        workspace=workspace, actor_label=MARKER, door="web", action="update", object_type="core.team", object_id="1", object_repr=MARKER
    )


def _task_failure(workspace: Workspace) -> models.Model:
    return TaskFailure.objects.create(workspace=workspace, task_name=MARKER, attempt=1, max_attempts=5, error=MARKER)


def _account(workspace: Workspace) -> models.Model:
    from amity.search.services import index_records

    account = account_with(workspace, f"{MARKER} account", domains=(f"{MARKER}-{workspace.pk}.example",))
    index_records(object_type="account", ids=[account.pk])
    return account


def _contact(workspace: Workspace) -> models.Model:
    from amity.search.services import index_records

    contact = contact_with(workspace, MARKER, "Person", emails=(f"{MARKER}@example.com",), phones=("+14155550199",))
    index_records(object_type="contact", ids=[contact.pk])
    return contact


def _field_definition(workspace: Workspace) -> models.Model:
    from amity.core.models import FieldDefinition

    return FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="zz_other", label=MARKER, type="text")


def _import(workspace: Workspace) -> models.Model:
    from django.core.files.base import ContentFile

    from amity.imports.models import Import, ImportBatch, ImportRowError

    owner = member(workspace, Role.OWNER, email=f"{MARKER}-importer-{workspace.pk}-{Import.objects.count()}@example.com")
    import_run = Import(workspace=workspace, kind="contacts", file_name=f"{MARKER}.csv", status="done", created_by=owner)
    import_run.file.save(f"{workspace.pk}/{MARKER}.csv", ContentFile(f"Email\n{MARKER}@example.com\n".encode()), save=False)
    import_run.save()
    ImportBatch.objects.create(
        workspace=workspace, import_run=import_run, number=0, first_row=2, last_row=2, outcomes=[[2, "failed", None, MARKER]]
    )
    ImportRowError.objects.create(workspace=workspace, import_run=import_run, row=2, field=MARKER, message=MARKER)
    return import_run


def _interaction(workspace: Workspace) -> models.Model:
    from amity.activities.models import Interaction

    interaction = Interaction.objects.create(workspace=workspace, channel="phone", subject=f"{MARKER} call", body=MARKER)
    interaction.contacts.add(_contact(workspace))
    return interaction


def _note(workspace: Workspace) -> models.Model:
    from amity.activities.models import Note

    return Note.objects.create(workspace=workspace, body=MARKER, contact=_contact(workspace))


def _task(workspace: Workspace) -> models.Model:
    from datetime import timedelta

    from django.utils import timezone

    from amity.activities.models import Task

    assignee = member(workspace, Role.SALES, email=f"{MARKER}-task-{workspace.pk}-{Task.objects.count()}@example.com")
    return Task.objects.create(
        workspace=workspace,
        title=f"{MARKER} task",
        due_at=timezone.now() + timedelta(days=1),
        assignee=assignee,
        contact=_contact(workspace),
    )


def _notification(workspace: Workspace) -> models.Model:
    from amity.core.models import Notification

    recipient = member(workspace, Role.SALES, email=f"{MARKER}-notified-{workspace.pk}-{Notification.objects.count()}@example.com")
    return Notification.objects.create(workspace=workspace, recipient=recipient, kind="mention", title=MARKER, body=MARKER)


def _saved_view(workspace: Workspace) -> models.Model:
    from amity.customers.models import SavedView

    creator = member(workspace, Role.SALES, email=f"{MARKER}-view-{workspace.pk}-{SavedView.objects.count()}@example.com")
    return SavedView.objects.create(
        workspace=workspace, owner=creator, name=f"{MARKER} view", object_type="contact", shared=True, filters={"source": MARKER}
    )


def _product(workspace: Workspace) -> models.Model:
    from amity.catalog.models import Product
    from amity.search.services import index_records

    product = Product.objects.create(
        workspace=workspace, sku=f"{MARKER}-{Product.objects.count()}", name=f"{MARKER} product", currency="EUR", list_price=1
    )
    index_records(object_type="product", ids=[product.pk])
    return product


def _price_book(workspace: Workspace) -> models.Model:
    from amity.catalog.models import PriceBook, PriceBookEntry

    book = PriceBook.objects.create(workspace=workspace, name=f"{MARKER} book {PriceBook.objects.count()}", currency="EUR")
    PriceBookEntry.objects.create(workspace=workspace, price_book=book, product=_product(workspace), unit_price=1)
    return book


def _pipeline(workspace: Workspace) -> models.Model:
    from amity.sales.models import Pipeline, Stage

    pipeline = Pipeline.objects.create(workspace=workspace, name=f"{MARKER} pipeline {Pipeline.objects.count()}")
    for position, (name, kind) in enumerate([("Open", "open"), ("Won", "won"), ("Lost", "lost")]):
        Stage.objects.create(workspace=workspace, pipeline=pipeline, name=f"{MARKER} {name}", kind=kind, probability=50, position=position)
    return pipeline


def _lost_reason(workspace: Workspace) -> models.Model:
    from amity.sales.models import LostReason

    return LostReason.objects.create(workspace=workspace, name=f"{MARKER} reason {LostReason.objects.count()}")


def _opportunity(workspace: Workspace) -> models.Model:
    from amity.sales import services
    from amity.sales.models import Opportunity
    from amity.search.services import index_records

    seller = member(workspace, Role.OWNER, email=f"{MARKER}-seller-{workspace.pk}-{Opportunity.objects.count()}@example.com")
    contact = _contact(workspace)
    deal = services.opportunity_create(
        actor=seller,
        workspace=workspace,
        data={
            "name": f"{MARKER} deal",
            "account_id": account_with(workspace, f"{MARKER} buyer").pk,
            "currency": "EUR",
            "next_step": MARKER,
            "contacts": [{"contact_id": contact.pk, "role": "champion"}],
            "line_items": [{"product_id": _product(workspace).pk, "quantity": 1}],
        },
    )
    index_records(object_type="opportunity", ids=[deal.pk])
    return deal


def _lead(workspace: Workspace) -> models.Model:
    from amity.activities.models import Interaction
    from amity.sales.models import Lead
    from amity.search.services import index_records

    lead = Lead.objects.create(
        workspace=workspace,
        first_name=MARKER,
        last_name="Lead",
        email=f"{MARKER}-{Lead.objects.count()}@example.com",
        company=f"{MARKER} company",
        source=MARKER,
    )
    Interaction.objects.create(workspace=workspace, channel="email", direction="in", subject=f"{MARKER} mail", body=MARKER, lead=lead)
    index_records(object_type="lead", ids=[lead.pk])
    return lead


def _scoring_rule(workspace: Workspace) -> models.Model:
    from amity.sales.models import LeadScoringRule

    return LeadScoringRule.objects.create(
        workspace=workspace, name=f"{MARKER} rule", kind="field", field="source", operator="equals", value=MARKER, points=5
    )


def _assignment_rule(workspace: Workspace) -> models.Model:
    from amity.sales.models import LeadAssignmentRule

    seller = member(workspace, Role.SALES, email=f"{MARKER}-assignee-{workspace.pk}-{LeadAssignmentRule.objects.count()}@example.com")
    return LeadAssignmentRule.objects.create(workspace=workspace, name=f"{MARKER} rule", countries=["DE"], assign_to=seller)


def _rescore(workspace: Workspace) -> models.Model:
    from amity.sales.models import LeadRescore

    return LeadRescore.objects.create(workspace=workspace, status="done", error=MARKER)


def _web_form(workspace: Workspace) -> models.Model:
    from amity.sales.models import WebForm, WebFormSubmission

    form = WebForm.objects.create(
        workspace=workspace, name=f"{MARKER} form {WebForm.objects.count()}", token=f"{MARKER}-{WebForm.objects.count()}", fields=["email"]
    )
    WebFormSubmission.objects.create(workspace=workspace, form=form, data={"email": f"{MARKER}@example.com"})
    return form


def _alert_rule(workspace: Workspace) -> models.Model:
    from amity.core.models import AlertRule

    return AlertRule.objects.create(workspace=workspace, kind="deal_no_activity", params={"days": 30})


def _quote(workspace: Workspace) -> models.Model:
    from amity.sales import services
    from amity.sales.models import Quote

    seller = member(workspace, Role.OWNER, email=f"{MARKER}-quoter-{workspace.pk}-{Quote.objects.count()}@example.com")
    deal = _opportunity(workspace)
    return services.quote_create_from_opportunity(actor=seller, opportunity=deal, data={"title": f"{MARKER} quote", "notes": MARKER})


def _accepted_quote(workspace: Workspace) -> Any:
    from amity.sales import services
    from amity.sales.models import Quote

    quote = _quote(workspace)
    sender = Quote.objects.select_related("owner").get(pk=quote.pk).owner
    services.quote_send(actor=sender, quote=quote, to=f"{MARKER}@example.com")
    quote.refresh_from_db()
    return services.quote_accept(token=quote.public_token, name=f"{MARKER} Buyer")


def _order(workspace: Workspace) -> models.Model:
    return _accepted_quote(workspace).sales_order


def _invoice(workspace: Workspace) -> models.Model:
    from amity.orders import services

    order = _order(workspace)
    admin = member(workspace, Role.OWNER, email=f"{MARKER}-biller-{workspace.pk}-{order.pk}@example.com")
    return services.invoice_create(actor=admin, order=order, notes=MARKER)


def _payment(workspace: Workspace) -> models.Model:
    from amity.orders import services

    invoice = _invoice(workspace)
    admin = member(workspace, Role.OWNER, email=f"{MARKER}-payer-{workspace.pk}-{invoice.pk}@example.com")
    return services.payment_record(actor=admin, invoice=invoice, amount="1.00", reference=MARKER)


def _quota(workspace: Workspace) -> models.Model:
    import datetime as dt

    from amity.sales.models import Quota

    seller = member(workspace, Role.SALES, email=f"{MARKER}-quota-{workspace.pk}-{Quota.objects.count()}@example.com", full_name=MARKER)
    return Quota.objects.create(workspace=workspace, user=seller, month=dt.date(2026, 11, 1), amount=1000, currency="EUR")


def _forecast_submission(workspace: Workspace) -> models.Model:
    import datetime as dt

    from amity.sales.models import ForecastSubmission

    quota = _quota(workspace)
    return ForecastSubmission.objects.create(
        workspace=workspace, rep_id=quota.user_id, kind="call", period_kind="quarter", period_start=dt.date(2026, 10, 1),
        amount=1000, currency="EUR", note=MARKER, submitted_by_id=quota.user_id,
    )  # fmt: skip


def _exchange_rate(workspace: Workspace) -> models.Model:
    import datetime as dt
    from decimal import Decimal

    from amity.sales.models import ExchangeRate

    return ExchangeRate.objects.create(workspace=workspace, currency="CHF", rate=Decimal("1.05"), valid_from=dt.date(2026, 1, 1))


def _case(workspace: Workspace) -> models.Model:
    from amity.service.services import case_open

    return case_open(actor=None, workspace=workspace, data={"subject": MARKER, "description": MARKER, "requester_email": "zz@example.com"})


def _case_kind(workspace: Workspace) -> models.Model:
    from amity.service.models import CaseKind
    from amity.service.services import service_setup

    service_setup(workspace=workspace)
    return CaseKind.objects.filter(workspace=workspace).first()  # type: ignore[no-any-return]


def _queue(workspace: Workspace) -> models.Model:
    from amity.service.models import Queue
    from amity.service.services import service_setup

    service_setup(workspace=workspace)
    return Queue.objects.filter(workspace=workspace).first()  # type: ignore[no-any-return]


def _mailbox(workspace: Workspace) -> models.Model:
    from amity.service.models import Mailbox

    return Mailbox.objects.create(workspace=workspace, host="imap.example.com", username=MARKER, password="secret")  # type: ignore[no-any-return]


def _sla_policy(workspace: Workspace) -> models.Model:
    from amity.service.models import SlaPolicy

    return SlaPolicy.objects.create(workspace=workspace, name=MARKER, first_response_minutes=60)  # type: ignore[no-any-return]


def _calendar(workspace: Workspace) -> models.Model:
    from amity.service.models import BusinessCalendar

    return BusinessCalendar.objects.create(workspace=workspace, name=MARKER)  # type: ignore[no-any-return]


def _canned_response(workspace: Workspace) -> models.Model:
    from amity.service.models import CannedResponse

    return CannedResponse.objects.create(workspace=workspace, name=MARKER, body=MARKER)  # type: ignore[no-any-return]


def _macro(workspace: Workspace) -> models.Model:
    from amity.service.models import Macro

    return Macro.objects.create(workspace=workspace, name=MARKER, note=MARKER)  # type: ignore[no-any-return]


def _routing_rule(workspace: Workspace) -> models.Model:
    from amity.service.models import CaseAssignmentRule

    return CaseAssignmentRule.objects.create(workspace=workspace, name=MARKER)  # type: ignore[no-any-return]


def _agent_user(workspace: Workspace) -> models.Model:
    return _member(workspace).user  # type: ignore[attr-defined, no-any-return]


def _article(workspace: Workspace) -> models.Model:
    from amity.service.models import Article, ArticleVersion

    slug = f"{MARKER}-{Article.objects.count()}"
    article = Article.objects.create(workspace=workspace, slug=slug, title=MARKER, body=f"<p>{MARKER}</p>", status="published")
    version = ArticleVersion.objects.create(workspace=workspace, article=article, number=1, title=MARKER, body=MARKER)
    article.published_version = version
    article.search_text = article.search_title = MARKER
    article.save()
    return article  # type: ignore[no-any-return]


def _article_category(workspace: Workspace) -> models.Model:
    from amity.service.models import ArticleCategory

    return ArticleCategory.objects.create(workspace=workspace, name=MARKER, slug=MARKER)  # type: ignore[no-any-return]


def _article_version(workspace: Workspace) -> models.Model:
    return _article(workspace).versions.get()  # type: ignore[attr-defined, no-any-return]


def _survey(workspace: Workspace) -> models.Model:
    from amity.service.models import Survey

    case = _case(workspace)
    return Survey.objects.create(
        workspace=workspace,
        case=case,
        email="zz@example.com",
        token=f"{MARKER}-{case.pk}",
        comment=MARKER,
        score=3,
        answered_at=case.created_at,
    )  # type: ignore[no-any-return]


def _case_message(workspace: Workspace) -> models.Model:
    return _case(workspace).messages.get()  # type: ignore[attr-defined, no-any-return]


def _attachment(workspace: Workspace) -> models.Model:
    from amity.service.intake import store_attachments

    message = _case_message(workspace)
    store_attachments(message, [(f"{MARKER}.txt", "text/plain", MARKER.encode())])  # type: ignore[arg-type]
    return message.attachments.get()  # type: ignore[attr-defined, no-any-return]


def _return(workspace: Workspace) -> models.Model:
    from amity.service.portal.services import return_request_create

    order = _order(workspace)
    line = order.lines.first()  # type: ignore[attr-defined]
    return return_request_create(workspace=workspace, order_line=line, quantity="1", reason=MARKER)


def _portal_user(workspace: Workspace) -> models.Model:
    from amity.service.portal.models import PortalAccess

    return PortalAccess.objects.create(workspace=workspace, contact=_contact(workspace))  # type: ignore[no-any-return]


def _duplicate(workspace: Workspace) -> models.Model:
    from amity.customers.models import DuplicateCandidate

    first, second = _contact(workspace), _contact(workspace)
    left, right = sorted([first.pk, second.pk])
    return DuplicateCandidate.objects.create(
        workspace=workspace, record_type="contact", left_id=left, right_id=right, score=0.9, reasons=[MARKER]
    )


def _duplicate_scan(workspace: Workspace) -> models.Model:
    from amity.customers.models import DuplicateScan

    return DuplicateScan.objects.create(workspace=workspace, status="done", step=MARKER)


def _merge(workspace: Workspace) -> models.Model:
    from amity.customers.models import Merge

    survivor, merged = _contact(workspace), _contact(workspace)
    return Merge.objects.create(
        workspace=workspace, record_type="contact", survivor_id=survivor.pk, merged_id=merged.pk, merged_name=MARKER
    )


def _erasure(workspace: Workspace) -> models.Model:
    from amity.customers.models import Erasure

    return Erasure.objects.create(workspace=workspace, contact_id=_contact(workspace).pk, status="done", requested_by_label=MARKER)


def _retention_rule(workspace: Workspace) -> models.Model:
    from amity.customers.models import RetentionRule

    return RetentionRule.objects.create(workspace=workspace, object_type="lead", untouched_months=24, action="delete")


def _retention_run(workspace: Workspace) -> models.Model:
    from amity.customers.models import RetentionRun

    return RetentionRun.objects.create(workspace=workspace, rule=_retention_rule(workspace), rule_label=MARKER, status="done")


MAKERS: dict[str, Maker] = {
    "member_id": _member,
    "invitation_id": _invitation,
    "team_id": _team,
    "token_id": _token,
    "entry_id": _audit_entry,
    "contact_id": _contact,
    "account_id": _account,
    "field_id": _field_definition,
    "import_id": _import,
    "interaction_id": _interaction,
    "note_id": _note,
    "task_id": _task,
    "notification_id": _notification,
    "view_id": _saved_view,
    "product_id": _product,
    "price_book_id": _price_book,
    "pipeline_id": _pipeline,
    "reason_id": _lost_reason,
    "opportunity_id": _opportunity,
    "lead_id": _lead,
    "scoring_rule_id": _scoring_rule,
    "assignment_rule_id": _assignment_rule,
    "rescore_id": _rescore,
    "form_id": _web_form,
    "rule_id": _alert_rule,
    "quote_id": _quote,
    "order_id": _order,
    "invoice_id": _invoice,
    "payment_id": _payment,
    "quota_id": _quota,
    "rate_id": _exchange_rate,
    "case_id": _case,
    "kind_id": _case_kind,
    "queue_id": _queue,
    "mailbox_id": _mailbox,
    "policy_id": _sla_policy,
    "calendar_id": _calendar,
    "response_id": _canned_response,
    "macro_id": _macro,
    "article_id": _article,
    "category_id": _article_category,
    "version_id": _article_version,
    "survey_id": _survey,
    "message_id": _case_message,
    "attachment_id": _attachment,
    "routing_rule_id": _routing_rule,
    "agent_user_id": _agent_user,
    "return_id": _return,
    "portal_user_id": _portal_user,
    "duplicate_id": _duplicate,
    "scan_id": _duplicate_scan,
    "merge_id": _merge,
    "erasure_id": _erasure,
    "retention_rule_id": _retention_rule,
    "retention_run_id": _retention_run,
}

# Records listed by endpoints without a path parameter; made in the other workspace to catch leaks in lists.
LIST_ONLY_MAKERS: list[Maker] = [_task_failure, _forecast_submission, _article, _survey, _retention_run]

# Query parameters a list endpoint needs to answer 200; search asks for the other workspace's marker by name.
LIST_PARAMS: dict[str, dict[str, str]] = {
    "/api/v1/search": {"q": MARKER.removeprefix("zz-"), "limit": "50"},  # not the whole marker: the query is echoed
}

# A body that passes validation for each write endpoint, so that the harness reaches the lookup.
SAMPLE_BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/v1/members/{member_id}"): {"role": "viewer"},
    ("PATCH", "/api/v1/teams/{team_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/contacts/{contact_id}"): {"first_name": "Renamed"},
    ("PATCH", "/api/v1/accounts/{account_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/custom-fields/{field_id}"): {"label": "Renamed"},
    ("PATCH", "/api/v1/saved-views/{view_id}"): {"name": "Renamed"},
    ("POST", "/api/v1/contacts/{contact_id}/restore"): {},
    ("POST", "/api/v1/portal-users/{portal_user_id}/disable"): {},
    ("PUT", "/api/v1/portal-users/{portal_user_id}/account-admin"): {"account_id": None},
    ("POST", "/api/v1/contacts/{contact_id}/consent"): {"channel": "email", "status": "granted"},
    ("POST", "/api/v1/accounts/{account_id}/restore"): {},
    ("POST", "/api/v1/imports/{import_id}/start"): {},
    ("POST", "/api/v1/imports/{import_id}/undo"): {},
    ("POST", "/api/v1/imports/{import_id}/resume"): {},
    ("PATCH", "/api/v1/interactions/{interaction_id}"): {"subject": "Renamed"},
    ("PATCH", "/api/v1/notes/{note_id}"): {"body": "Rewritten"},
    ("PATCH", "/api/v1/tasks/{task_id}"): {"title": "Renamed"},
    ("POST", "/api/v1/tasks/{task_id}/complete"): {},
    ("POST", "/api/v1/tasks/{task_id}/cancel"): {},
    ("POST", "/api/v1/tasks/{task_id}/reopen"): {},
    ("POST", "/api/v1/notifications/{notification_id}/read"): {},
    ("PATCH", "/api/v1/products/{product_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/price-books/{price_book_id}"): {"name": "Renamed"},
    ("POST", "/api/v1/price-books/{price_book_id}/entries"): {"entries": [{"product_id": 1, "unit_price": "1"}]},
    ("PATCH", "/api/v1/pipelines/{pipeline_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/lost-reasons/{reason_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/opportunities/{opportunity_id}"): {"name": "Renamed"},
    ("POST", "/api/v1/opportunities/{opportunity_id}/restore"): {},
    ("POST", "/api/v1/opportunities/{opportunity_id}/stage"): {"stage_id": 1},
    ("POST", "/api/v1/opportunities/{opportunity_id}/win"): {},
    ("POST", "/api/v1/opportunities/{opportunity_id}/lose"): {"lost_reason_id": 1},
    ("POST", "/api/v1/opportunities/{opportunity_id}/reopen"): {},
    ("PUT", "/api/v1/opportunities/{opportunity_id}/line-items"): {"items": []},
    ("PUT", "/api/v1/opportunities/{opportunity_id}/contacts"): {"contacts": []},
    ("PATCH", "/api/v1/leads/{lead_id}"): {"first_name": "Renamed"},
    ("POST", "/api/v1/leads/{lead_id}/restore"): {},
    ("POST", "/api/v1/leads/{lead_id}/convert"): {"create_opportunity": True},
    ("PATCH", "/api/v1/lead-scoring-rules/{scoring_rule_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/lead-assignment-rules/{assignment_rule_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/web-forms/{form_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/alert-rules/{rule_id}"): {"enabled": False, "params": {"days": 3}},
    ("PATCH", "/api/v1/quotes/{quote_id}"): {"title": "Renamed"},
    ("POST", "/api/v1/quotes/{quote_id}/revise"): {},
    ("POST", "/api/v1/quotes/{quote_id}/send"): {"to": "buyer@example.com"},
    ("POST", "/api/v1/orders/{order_id}/fulfil"): {},
    ("POST", "/api/v1/orders/{order_id}/cancel"): {"reason": "Changed their mind", "scope": "whole"},
    ("POST", "/api/v1/orders/{order_id}/invoice"): {},
    ("POST", "/api/v1/invoices/{invoice_id}/send"): {"to": "buyer@example.com"},
    ("POST", "/api/v1/invoices/{invoice_id}/void"): {"reason": "Issued in error"},
    ("PATCH", "/api/v1/quotas/{quota_id}"): {"amount": "5"},
    ("PATCH", "/api/v1/exchange-rates/{rate_id}"): {"rate": "1.5"},
    ("PATCH", "/api/v1/cases/{case_id}"): {"subject": "Renamed"},
    ("POST", "/api/v1/cases/{case_id}/status"): {"status": "open"},
    ("POST", "/api/v1/cases/{case_id}/messages"): {"kind": "note", "body": "Looked at it"},
    ("PATCH", "/api/v1/case-kinds/{kind_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/queues/{queue_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/sla-policies/{policy_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/business-calendars/{calendar_id}"): {"name": "Renamed"},
    ("POST", "/api/v1/cases/{case_id}/merge"): {"into_id": 1},
    ("POST", "/api/v1/cases/{case_id}/messages/{message_id}/split"): {},
    ("PATCH", "/api/v1/canned-responses/{response_id}"): {"name": "Renamed", "body": "Hi"},
    ("PATCH", "/api/v1/macros/{macro_id}"): {"name": "Renamed"},
    ("POST", "/api/v1/cases/{case_id}/macros/{macro_id}"): {},
    ("PATCH", "/api/v1/mailboxes/{mailbox_id}"): {"host": "imap.elsewhere.test", "username": "x", "password": "y"},
    ("POST", "/api/v1/duplicates/{duplicate_id}/dismiss"): {},
    ("PATCH", "/api/v1/case-assignment-rules/{routing_rule_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/agents/{agent_user_id}"): {"available": False},
    ("PATCH", "/api/v1/kb/categories/{category_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/kb/articles/{article_id}"): {"title": "Renamed"},
    ("POST", "/api/v1/kb/articles/{article_id}/request-changes"): {"note": "Shorter"},
    ("POST", "/api/v1/kb/articles/{article_id}/submit"): {},
    ("POST", "/api/v1/kb/articles/{article_id}/publish"): {},
    ("POST", "/api/v1/kb/articles/{article_id}/archive"): {},
    ("POST", "/api/v1/kb/articles/{article_id}/unarchive"): {},
    ("POST", "/api/v1/kb/articles/{article_id}/versions/{version_id}/restore"): {},
    ("POST", "/api/v1/cases/{case_id}/articles"): {"article_id": 1},
    ("POST", "/api/v1/duplicates/{duplicate_id}/merge"): {"survivor_id": 1},
    ("POST", "/api/v1/merges/{merge_id}/undo"): {},
    ("POST", "/api/v1/merges/{merge_id}/undo-cluster"): {},
    ("PATCH", "/api/v1/retention-rules/{retention_rule_id}"): {"untouched_months": 30},
    ("POST", "/api/v1/retention-rules/{retention_rule_id}/run"): {},
}
