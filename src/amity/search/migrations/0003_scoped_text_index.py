"""SQLite's text index learns which workspace and record type each document belongs to.

At a million contacts, a search of accounts for "mar" had to walk the 100,000 contacts whose text holds
"mar" before finding an account: the index knew only the text. It now holds a short *scope* too
(`w<workspace id><first two letters of the type>`, e.g. `w12co`), and a query asks for its words AND its
scope, so the index itself narrows to one workspace's accounts. The scope only narrows: the query still
checks the workspace and the type on the document, so two types with the same first letters stay apart.
The table keeps its own copy of the text (the scope is no column of search_searchdocument to read from).
PostgreSQL's GIN index already holds the workspace and the type; it does not change.
"""

from django.db import migrations

SCOPE = "'w' || {row}.workspace_id || substr({row}.object_type, 1, 2)"

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS search_document_fts_update",
    "DROP TRIGGER IF EXISTS search_document_fts_delete",
    "DROP TRIGGER IF EXISTS search_document_fts_insert",
    "DROP TABLE IF EXISTS search_document_fts",
    "CREATE VIRTUAL TABLE search_document_fts USING fts5(text, scope, tokenize='trigram')",
    f"""CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_document_fts(rowid, text, scope) VALUES (new.id, new.text, {SCOPE.format(row="new")});
    END""",
    """CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        DELETE FROM search_document_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER search_document_fts_update AFTER UPDATE OF text, workspace_id, object_type ON search_searchdocument BEGIN
        UPDATE search_document_fts SET text = new.text, scope = {SCOPE.format(row="new")} WHERE rowid = old.id;
    END""",
    f"INSERT INTO search_document_fts(rowid, text, scope) SELECT id, text, {SCOPE.format(row='search_searchdocument')} FROM search_searchdocument",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_document_fts_update",
    "DROP TRIGGER IF EXISTS search_document_fts_delete",
    "DROP TRIGGER IF EXISTS search_document_fts_insert",
    "DROP TABLE IF EXISTS search_document_fts",
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


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_text_indexes")]

    operations = [migrations.RunPython(_run(SQLITE_FORWARD), _run(SQLITE_BACKWARD))]
