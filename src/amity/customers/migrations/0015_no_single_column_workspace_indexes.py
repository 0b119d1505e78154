"""Contacts, accounts, tags, emails, phones and domains lose their index on the workspace alone: every other index of
these tables starts with the workspace, so each query by it has one, and an import writes one index entry fewer per row.

Only the index goes, found by its columns: on SQLite, Django would rebuild each table to change `db_index`, and the
rebuild would drop the custom-field indexes `core.custom_field_indexes` made beside the model's own.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = [
    "customers_account",
    "customers_accountdomain",
    "customers_contact",
    "customers_contactemail",
    "customers_contactphone",
    "customers_tag",
]


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


def _workspace(*, constraint=True):
    options = {} if constraint else {"db_constraint": False}
    return models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.workspace", **options
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_fielddefinition_sensitive"),
        ("customers", "0014_imported_children_without_workspace_constraint"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="account", name="workspace", field=_workspace()),
                migrations.AlterField(model_name="contact", name="workspace", field=_workspace()),
                migrations.AlterField(model_name="tag", name="workspace", field=_workspace()),
                migrations.AlterField(model_name="accountdomain", name="workspace", field=_workspace(constraint=False)),
                migrations.AlterField(model_name="contactemail", name="workspace", field=_workspace(constraint=False)),
                migrations.AlterField(model_name="contactphone", name="workspace", field=_workspace(constraint=False)),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
