"""Handing a case message's file to whoever may read it (an agent, or a customer in the portal), as a download."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from amity.service.models import CaseAttachment


def download_response(attachment: CaseAttachment) -> HttpResponse:
    """The file as a download under the name it came with; never shown inline, so a customer's HTML cannot run as ours."""
    with attachment.file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type=attachment.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=attachment.filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
