"""The database's own text index on the search documents: pg_trgm on PostgreSQL, FTS5 (trigram) on SQLite.

Each half runs only on its database; the Django models do not change.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # btree_gin lets one GIN index hold the workspace and the type too, so "lia" in accounts does not
    # wade through every contact named Liam: the index intersects all three before touching a row.
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX IF NOT EXISTS searchdocument_text_trgm ON search_searchdocument USING gin (workspace_id, object_type, text gin_trgm_ops)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS searchdocument_text_trgm"]

SQLITE_FORWARD = [
    # External-content FTS5 table: the text lives once, in search_searchdocument; triggers keep the index in step.
    "CREATE VIRTUAL TABLE search_document_fts USING fts5(text, content='search_searchdocument', content_rowid='id', tokenize='trigram')",
    """CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_document_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER search_document_fts_update AFTER UPDATE OF text ON search_searchdocument BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO search_document_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    "INSERT INTO search_document_fts(search_document_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_document_fts_update",
    "DROP TRIGGER IF EXISTS search_document_fts_delete",
    "DROP TRIGGER IF EXISTS search_document_fts_insert",
    "DROP TABLE IF EXISTS search_document_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
