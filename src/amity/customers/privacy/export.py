"""The data-subject access report: everything the workspace holds about one person, as JSON, HTML or PDF."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from amity.core import audit
from amity.core.access import require
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Contact
from amity.customers.privacy.records import PERSONAL_DATA, Subject, audit_entries, touched_records

FORMATS = ("json", "html", "pdf")
LEFT_OUT = {"workspace"}  # the tenant key: the same on every row, and not about the person


def _plain(row: models.Model) -> dict[str, Any]:
    """A row's stored values as JSON (files by their stored name), without the workspace."""
    values: dict[str, Any] = {}
    for field in row._meta.concrete_fields:
        if field.name in LEFT_OUT:
            continue
        value = getattr(row, field.attname)
        values[field.attname] = value.name if isinstance(field, models.FileField) else audit.jsonable(value)
    return values


def subject_data(subject: Subject) -> dict[str, Any]:
    """The person's rows, section by section, with the audit log's entries about them."""
    sections: dict[str, Any] = {source.section: [_plain(row) for row in source.find(subject).order_by("pk")] for source in PERSONAL_DATA}
    sections["tags"] = sorted(subject.contact.tags.values_list("name", flat=True))
    history = audit_entries(subject, touched_records(subject)).order_by("created_at", "id")
    sections["history"] = [
        {
            "at": entry.created_at.isoformat(),
            "by": entry.actor_label,
            "action": entry.action,
            "record": entry.object_type,
            "changes": entry.changes,
        }
        for entry in history
    ]
    return {
        "generated_at": timezone.now().isoformat(),
        "workspace": subject.workspace.name,
        "contact_id": subject.contact.pk,
        "sections": sections,
    }


def subject_export(*, actor: User, workspace: Workspace, contact: Contact) -> dict[str, Any]:
    """Everything the workspace holds about one person, and a note in the audit log that it was handed out."""
    require(actor, workspace, Action.VIEW, ObjectType.PRIVACY_REQUEST)
    data = subject_data(Subject.of(contact))
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.ACCESS, obj=contact, changes={"privacy_export": [None, "done"]})
    return data


def _title(section: str) -> str:
    return section.replace("_", " ").capitalize()


def render_html(data: dict[str, Any]) -> str:
    """The report as a page a person can read: one table per section, every stored value shown."""
    sections = [
        {"title": _title(name), "rows": rows if isinstance(rows, list) else [rows], "plain": bool(rows) and not isinstance(rows[0], dict)}
        for name, rows in data["sections"].items()
    ]
    return render_to_string("web/privacy/report.html", {"data": data, "sections": sections})


def render_pdf(data: dict[str, Any]) -> bytes:
    """The report as a PDF, through the same renderer as quotes and invoices."""
    from weasyprint import HTML

    return bytes(HTML(string=render_html(data)).write_pdf())


def report_file(data: dict[str, Any], file_format: str) -> HttpResponse:
    """The report as a file to download: JSON for machines, HTML or PDF for the person to read."""
    if file_format == "pdf":
        response = HttpResponse(render_pdf(data), content_type="application/pdf")
    elif file_format == "html":
        response = HttpResponse(render_html(data), content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(json.dumps(data, indent=2, cls=DjangoJSONEncoder), content_type="application/json")
    name = f"personal-data-contact-{data['contact_id']}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
