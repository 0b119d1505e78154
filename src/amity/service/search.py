"""Cases in global search: by number, RMA number, subject, and the customer's name and email."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.search.registry import Document, RecordType, page_url, register
from amity.search.text import document_text
from amity.service.models import Case


def case_documents(ids: Iterable[int]) -> list[Document]:
    rows = Case.objects.filter(pk__in=list(ids)).values_list(
        "pk",
        "workspace_id",
        "assignee_id",
        "number",
        "rma_number",
        "subject",
        "status",
        "requester_email",
        "contact__first_name",
        "contact__last_name",
        "contact__primary_email",
        "account__name",
    )
    documents = []
    for pk, workspace_id, assignee_id, number, rma, subject, status, requester, first, last, email, account in rows:
        customer = " ".join(part for part in (first, last) if part) or email or requester or ""
        documents.append(
            Document(
                object_id=pk,
                workspace_id=workspace_id,
                owner_id=assignee_id,
                title=f"{number} {subject}",
                subtitle=" · ".join(part for part in (customer, account or "", Case.Status(status).label) if part),
                text=document_text(number, rma or "", subject, first or "", last or "", email or "", requester, account or ""),
            )
        )
    return documents


def case_live_ids(workspace: Workspace) -> QuerySet[Any, int]:
    return Case.objects.filter(workspace=workspace).values_list("pk", flat=True)


def case_visible_ids(actor: User, workspace: Workspace, ids: list[int]) -> set[int]:
    cases = visible(Case.objects.filter(pk__in=ids), actor=actor, workspace=workspace, object_type=ObjectType.CASE, owner_field="assignee")
    return set(cases.values_list("pk", flat=True))


CASES = register(
    RecordType(
        key="cases",
        object_type=ObjectType.CASE,
        label="Cases",
        icon="lifebuoy",
        order=9,
        documents=case_documents,
        live_ids=case_live_ids,
        visible_ids=case_visible_ids,
        url=page_url("case_detail"),
    )
)
