"""Search documents and terms lose their index on the workspace alone: their unique keys start with the workspace.

Only the index goes (see customers 0015): on SQLite a rebuild of search_searchdocument would lose its FTS5 triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ["search_searchdocument", "search_searchterm"]


def _workspace_indexes(schema_editor, table):
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, details in constraints.items()
        if details["index"] and details["columns"] == ["workspace_id"] and not details["unique"] and not details["primary_key"]
    ]


def drop_indexes(apps, schema_editor):
    for table in TABLES:
        for name in _workspace_indexes(schema_editor, table):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    for table in TABLES:
        if not _workspace_indexes(schema_editor, table):
            name = schema_editor._create_index_name(table, ["workspace_id"], suffix="")
            schema_editor.execute(f"CREATE INDEX {schema_editor.quote_name(name)} ON {schema_editor.quote_name(table)} (workspace_id)")


def _workspace():
    return models.ForeignKey(
        db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.workspace"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_fielddefinition_sensitive"),
        ("search", "0004_documents_without_workspace_constraint"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="searchdocument", name="workspace", field=_workspace()),
                migrations.AlterField(model_name="searchterm", name="workspace", field=_workspace()),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
