"""Search documents and terms keep their workspace without a foreign-key constraint: they are derived data, written in
bulk by imports and rebuilds, and Django still deletes them with their workspace.

SQLite rebuilds search_searchdocument to drop the constraint, and a table rebuilt loses its triggers: the ones that keep
the FTS5 index in step are made again here, exactly as 0003 made them (the rebuild keeps the ids, so the index stays right).
"""

import django.db.models.deletion
from django.db import migrations, models

SCOPE = "'w' || {row}.workspace_id || substr({row}.object_type, 1, 2)"

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS search_document_fts_update",
    "DROP TRIGGER IF EXISTS search_document_fts_delete",
    "DROP TRIGGER IF EXISTS search_document_fts_insert",
    f"""CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_document_fts(rowid, text, scope) VALUES (new.id, new.text, {SCOPE.format(row="new")});
    END""",
    """CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        DELETE FROM search_document_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER search_document_fts_update AFTER UPDATE OF text, workspace_id, object_type ON search_searchdocument BEGIN
        UPDATE search_document_fts SET text = new.text, scope = {SCOPE.format(row="new")} WHERE rowid = old.id;
    END""",
]


def remake_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def _unchecked_workspace():
    return models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.workspace")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_fielddefinition_sensitive"),
        ("search", "0003_scoped_text_index"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, remake_triggers),  # undone last: after the rebuild back
        migrations.AlterField(model_name="searchdocument", name="workspace", field=_unchecked_workspace()),
        migrations.AlterField(model_name="searchterm", name="workspace", field=_unchecked_workspace()),
        migrations.RunPython(remake_triggers, migrations.RunPython.noop),
    ]
