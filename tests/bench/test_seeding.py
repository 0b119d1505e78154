"""Seeds: inserted fast and correctly, kept between runs, replaced when their version or size changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from amity.core.models import AuditEntry, User, Workspace
from bench import database
from bench.scenario import RunContext, Scenario, SeedContext, scaled
from bench.session import _seed


class Trail(Scenario):
    name = "trail"
    seed_version = 1
    seeded = 0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return {"entries": scaled(100, scale)}

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        type(self).seeded += 1
        state = ctx.workspace_with_token()
        rows = (
            (
                state["workspace_id"],
                datetime(2024, 5, 1, 12, 0, n % 60, tzinfo=UTC),
                None,
                "x",
                "web",
                "update",
                "t.t",
                str(n),
                "",
                {"n": n},
            )
            for n in range(ctx.params["entries"])
        )
        ctx.bulk_insert_rows(
            AuditEntry,
            ["workspace", "created_at", "actor", "actor_label", "door", "action", "object_type", "object_id", "object_repr", "changes"],
            rows,
            batch_size=7,
        )
        return state

    def run(self, ctx: RunContext) -> None:
        pass


@pytest.fixture
def trail(db: Any) -> Trail:
    database.ensure_marker_table()
    Trail.seeded = 0
    return Trail()


def test_a_seed_is_inserted_with_its_values_and_reported(trail):
    state, figures = _seed(trail, scale=1.0, vendor="sqlite")
    entries = AuditEntry.objects.filter(workspace_id=state["workspace_id"], object_type="t.t").order_by("id")
    assert entries.count() == 100
    first = entries.first()
    assert first is not None
    assert first.changes == {"n": 0}
    assert first.created_at == datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert [(figure.table, figure.rows) for figure in figures] == [("core.auditentry", 100)]
    assert state["token"].startswith("amity_")


def test_bulk_insert_of_instances_applies_defaults(trail):
    workspace = Workspace.objects.create(name="W", slug="w")
    with database.atomic():
        rows, _ = database.bulk_insert(
            AuditEntry, (AuditEntry(workspace=workspace, door="web", action="create", object_type="a.b") for _ in range(3))
        )
    assert rows == 3
    assert list(AuditEntry.objects.filter(workspace=workspace).values_list("changes", flat=True)) == [{}, {}, {}]


def test_a_matching_seed_is_reused_and_a_changed_one_replaced(trail):
    first_state, _ = _seed(trail, scale=1.0, vendor="sqlite")
    again_state, figures = _seed(trail, scale=1.0, vendor="sqlite")
    assert again_state == first_state
    assert figures == []
    assert Trail.seeded == 1

    bigger_state, _ = _seed(trail, scale=2.0, vendor="sqlite")
    assert Trail.seeded == 2
    assert not Workspace.objects.filter(pk=first_state["workspace_id"]).exists()
    assert not User.objects.filter(pk=first_state["user_id"]).exists()
    assert AuditEntry.objects.filter(workspace_id=bigger_state["workspace_id"], object_type="t.t").count() == 200
