"""Template filters of the knowledge base: an article's Markdown shown as clean HTML, or read as plain text."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from amity.service.kb import rendering

register = template.Library()


@register.filter
def article_html(source: str) -> SafeString:
    """The article as readers see it (rendered and cleaned by amity.service.kb.rendering, so safe to show)."""
    return mark_safe(rendering.article_html(source or ""))  # safe: nh3 cleaned it in article_html


@register.filter
def article_text(source: str) -> str:
    """The article's words without formatting (for a summary under its title)."""
    return rendering.article_text(source or "")
