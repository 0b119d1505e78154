"""Errors as RFC 9457 problem details (application/problem+json), with a message per field.

No stack trace ever reaches a client: unexpected errors are logged and answered with a bare 500.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

PROBLEM_CONTENT_TYPE = "application/problem+json"
logger = logging.getLogger("amity.api")

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
}


def problem(status: int, detail: str, *, errors: list[dict[str, str]] | None = None, **extra: Any) -> HttpResponse:
    """A problem-details response: title and status from the code, a human detail, field errors."""
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="amity"'
    return response


def _field_name(location: list[Any] | tuple[Any, ...]) -> str:
    # pydantic locations start with where the value came from (body, query, path) and the parameter name.
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "filters", "params", "page"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def schema_errors(exc: SchemaValidationError) -> list[dict[str, str]]:
    return [{"field": _field_name(error.get("loc", ())), "message": str(error.get("msg", "Invalid value."))} for error in exc.errors]


def django_errors(exc: ValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [{"field": field, "message": message} for field, messages in exc.message_dict.items() for message in messages]
    return [{"field": "body", "message": message} for message in exc.messages]


def install(api: NinjaAPI) -> None:
    """Teach the API to answer every error as problem details."""

    @api.exception_handler(SchemaValidationError)
    def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        errors = schema_errors(exc)
        return problem(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = django_errors(exc)
        return problem(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, "No such record in this workspace.")

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem(403, str(exc) or "Your role does not allow this.")

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(401, "Send a valid API token: Authorization: Bearer <token>.")

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(exc.status_code, str(exc.message))

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return problem(500, "Something went wrong on our side; it has been logged.")


def not_found_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown API paths answer as problems too, not with the HTML 404 page."""
    return problem(404, f"There is no API endpoint at {request.path}.")


class MethodNotAllowedAsProblem:
    """Django answers a wrong method with a bare 405 before the API sees it; say it as a problem too."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/") and response.get("Content-Type") != PROBLEM_CONTENT_TYPE:
            allowed = response.get("Allow", "")
            response = problem(405, f"{request.method} is not allowed here; use {allowed}.")
            response["Allow"] = allowed
        return response
