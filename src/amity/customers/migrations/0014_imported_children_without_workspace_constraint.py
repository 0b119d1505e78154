"""The rows an import writes beside each contact or account (emails, phones, account links, domains) keep their
workspace without a foreign-key constraint: the record they belong to carries the checked one.

PostgreSQL drops the constraints in place; SQLite rebuilds the four tables (they have no triggers or raw indexes).
"""

import django.db.models.deletion
from django.db import migrations, models


def _unchecked_workspace():
    return models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.workspace")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_fielddefinition_sensitive"),
        ("customers", "0013_merge_group"),
    ]

    operations = [
        migrations.AlterField(model_name=model, name="workspace", field=_unchecked_workspace())
        for model in ("accountcontact", "accountdomain", "contactemail", "contactphone")
    ]
