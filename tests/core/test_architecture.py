"""Rules that keep the code honest as it grows: tenancy by default, doors that only call services and selectors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.apps import apps
from django.test import Client

from amity.core.management.commands.export_openapi import openapi_document
from amity.core.tenancy import WorkspaceScopedModel

SOURCE = Path(__file__).resolve().parents[2] / "src" / "amity"

# Models that are not workspace data: the tenant itself, people (who can be in many workspaces), and plumbing.
GLOBAL_MODELS = {"core.User", "core.Workspace", "core.IdempotencyRecord", "core.WorkerHeartbeat", "core.TaskFailure"}


def test_every_amity_model_belongs_to_a_workspace() -> None:
    unscoped = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("amity.") and not issubclass(model, WorkspaceScopedModel) and model._meta.label not in GLOBAL_MODELS
    ]
    assert not unscoped, f"Make these inherit WorkspaceScopedModel (or justify them in GLOBAL_MODELS): {unscoped}"


def test_the_doors_never_query_models_directly() -> None:
    doors = [*SOURCE.glob("*/api.py"), *SOURCE.glob("*/views.py"), *SOURCE.glob("*/views/*.py")]
    offenders = [
        f"{path.relative_to(SOURCE)}:{n}"
        for path in doors
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.objects\.", line)
    ]
    assert not offenders, f"api.py and views call selectors and services, not Model.objects: {offenders}"


def test_the_committed_openapi_document_is_current() -> None:
    committed = (SOURCE.parents[1] / "docs" / "openapi.json").read_text()
    assert committed == openapi_document(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_healthz_reports_database_migrations_and_worker(client: Client, db: Any) -> None:
    from amity.core.models import WorkerHeartbeat

    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["migrations"] == {"ok": True, "pending": 0}
    assert body["worker"]["ok"] is False

    WorkerHeartbeat.objects.create(worker_id="w1", backend="database")
    worker = client.get("/healthz").json()["worker"]
    assert worker["ok"] is True
    assert worker["heartbeat_age_seconds"] < 5


def test_security_headers(client: Client, db: Any) -> None:
    response = client.get("/healthz")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_deploy_check_is_clean_in_production(tmp_path: Path) -> None:
    env = {
        "AMITY_ENV": "production",
        "AMITY_SECRET_KEY": "x" * 60 + "-production-secret-key-for-the-check",
        "AMITY_ALLOWED_HOSTS": "crm.example.com",
        "AMITY_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "amity.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {"AMITY_ENV": "production", "AMITY_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "amity.cli", "manage", "check"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "AMITY_SECRET_KEY is required" in result.stderr
