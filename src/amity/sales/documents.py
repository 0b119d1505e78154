"""Printable documents (quotes, invoices) as PDF: a Django template rendered to HTML, laid out by WeasyPrint.

WeasyPrint needs Pango from the operating system (Debian: libpango-1.0-0, libpangoft2-1.0-0); it is
imported here, on first use, so that the rest of Amity starts without it.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The PDF of `template` rendered with `context`."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    return bytes(HTML(string=html).write_pdf())


def quote_pdf(quote: Any) -> bytes:
    """A quote as its customer receives it: the workspace's name, the bill-to, the lines, totals, validity and terms."""
    lines = list(quote.lines.all())
    return render_pdf("documents/quote.html", {"quote": quote, "lines": lines, "workspace": quote.workspace, "document": quote})
