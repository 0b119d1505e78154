"""/healthz for operators and load balancers: database, migrations, and the worker's heartbeat."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from amity.core.models import WorkerHeartbeat

WORKER_STALE_AFTER_SECONDS = 60


def _database() -> dict[str, Any]:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connections[DEFAULT_DB_ALIAS].vendor}
    except Exception as error:  # any failure to reach the database is the answer itself
        return {"ok": False, "error": type(error).__name__}


def _migrations() -> dict[str, Any]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"ok": not pending, "pending": len(pending)}


def _worker() -> dict[str, Any]:
    latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if latest is None:
        return {"ok": False, "heartbeat_age_seconds": None, "backend": None}
    age = (timezone.now() - latest.seen_at).total_seconds()
    return {"ok": age <= WORKER_STALE_AFTER_SECONDS, "heartbeat_age_seconds": round(age, 1), "backend": latest.backend}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database is reachable and migrated; the worker's state is reported beside it.

    A missing worker does not make the web process unhealthy (it can still serve pages), so it
    is reported, not failed on: alert on `worker.ok` separately.
    """
    database = _database()
    checks: dict[str, Any] = {"database": database}
    if database["ok"]:
        checks["migrations"] = _migrations()
        checks["worker"] = _worker()
    healthy = database["ok"] and checks["migrations"]["ok"]
    return JsonResponse({"status": "ok" if healthy else "failing", "env": settings.ENV, **checks}, status=200 if healthy else 503)
