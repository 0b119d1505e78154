"""Per-request context: which door a change comes through, reset after every request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from amity.core.audit import AuditContext, _context
from amity.core.models import Door


class AuditContextMiddleware:
    """Web requests write audit entries as 'web', API requests as 'api' (the token is added by its authenticator).

    Worker threads serve many requests, so the context is put back afterwards: one request's
    token must never be credited with the next request's changes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        door = Door.API if request.path.startswith("/api/") else Door.WEB
        reset = _context.set(AuditContext(door=door))
        try:
            return self.get_response(request)
        finally:
            _context.reset(reset)
