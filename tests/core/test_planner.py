import pytest
from django.db import connection

from amity.core.tasks import refresh_planner_statistics
from tests.factories import ContactFactory, WorkspaceFactory


def _statistics_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'customers_contact'")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_worker_gives_sqlite_planner_statistics_for_the_rows_it_holds():
    if connection.vendor != "sqlite":
        assert refresh_planner_statistics.call() is False  # PostgreSQL's autovacuum analyzes on its own
        return
    ContactFactory.create_batch(3, workspace=WorkspaceFactory())
    assert refresh_planner_statistics.call() is True
    assert _statistics_rows() > 0


def test_the_scheduler_refreshes_statistics_at_its_own_pace(settings):
    from amity.runner import _due_periodic_tasks

    settings.SCHEDULER_SECONDS, settings.PLANNER_STATISTICS_SECONDS = 60, 3600
    path = "amity.core.tasks.refresh_planner_statistics"
    assert path in _due_periodic_tasks({}, 1000.0)
    assert path not in _due_periodic_tasks({path: 1000.0}, 1000.0 + 3000)
    assert path in _due_periodic_tasks({path: 1000.0}, 1000.0 + 3600)
