"""Statistics for SQLite's query planner.

SQLite plans without statistics until ANALYZE runs, and it never runs on its own: a new install,
the demo or a large import then leaves queries to guesses (a search once walked every document of a
workspace that way). PostgreSQL's autovacuum keeps its statistics itself, so there is nothing to do there.
"""

from __future__ import annotations

from django.db import connection

# Rows ANALYZE samples per index: approximate statistics in milliseconds even on gigabyte tables,
# which is all the planner needs to tell a selective index from an unselective one.
ANALYSIS_LIMIT = 1000


def refresh_statistics() -> bool:
    """Refresh the query planner's statistics where the database does not do it itself; True when it ran."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True
