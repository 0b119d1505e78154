"""`Idempotency-Key` on API POSTs: a retried request gets the first answer again instead of a second record.

The first request with a key claims it (a unique row); its response is stored once it is known.
The same key with the same request replays that response (`Idempotent-Replayed: true`); with a
different request it is refused; while the first is still running, a retry gets 409.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from amity.api.problems import problem
from amity.core.models import IdempotencyRecord, hash_secret

IN_FLIGHT_TIMEOUT = timedelta(minutes=2)
NOT_KEPT = {401, 429}


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 200:
            return problem(
                400,
                "The Idempotency-Key header may be at most 200 characters.",
                errors=[{"field": "Idempotency-Key", "message": "Too long."}],
            )
        scope = hash_secret(request.headers.get("Authorization", ""))
        fingerprint = hashlib.sha256(b"\n".join([request.method.encode(), request.get_full_path().encode(), request.body])).hexdigest()
        record, earlier = _claim(scope, key, fingerprint)
        if earlier is not None:
            return _answer_repeat(earlier, fingerprint)
        response = self.get_response(request)
        _keep(record, response)
        return response


def _claim(scope: str, key: str, fingerprint: str) -> tuple[IdempotencyRecord | None, IdempotencyRecord | None]:
    """Claim the key; returns (our claim, None) or (None, the earlier request's record)."""
    now = timezone.now()
    expired = now - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    abandoned = now - IN_FLIGHT_TIMEOUT
    IdempotencyRecord.objects.filter(scope=scope, key=key, created_at__lt=expired).delete()
    IdempotencyRecord.objects.filter(scope=scope, key=key, status_code__isnull=True, created_at__lt=abandoned).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fingerprint), None
    except IntegrityError:
        return None, IdempotencyRecord.objects.get(scope=scope, key=key)


def _answer_repeat(earlier: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if earlier.fingerprint != fingerprint:
        return problem(
            422,
            "This Idempotency-Key was already used for a different request.",
            errors=[{"field": "Idempotency-Key", "message": "Use a new key for a new request."}],
        )
    if earlier.status_code is None:
        return problem(409, "A request with this Idempotency-Key is still being processed; retry shortly.")
    response = HttpResponse(bytes(earlier.body), status=earlier.status_code, content_type=earlier.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _keep(record: IdempotencyRecord | None, response: HttpResponse) -> None:
    if record is None:
        return
    if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
        record.delete()  # nothing was decided: the client may try again with the same key
        return
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")
    record.body = response.content
    record.save(update_fields=["status_code", "content_type", "body"])
