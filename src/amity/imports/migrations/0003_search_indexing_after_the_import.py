from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("imports", "0002_import_kind_leads")]

    operations = [
        migrations.AddField(
            model_name="import",
            name="search_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Nothing to index"),
                    ("pending", "Waiting to be indexed for search"),
                    ("indexing", "Indexing for search"),
                    ("done", "Indexed for search"),
                    ("failed", "Indexing for search failed"),
                ],
                default="",
                help_text="Indexing what it wrote for search.",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="import",
            name="search_total",
            field=models.PositiveIntegerField(default=0, help_text="Records the import wrote that search must index."),
        ),
        migrations.AddField(model_name="import", name="search_indexed", field=models.PositiveIntegerField(default=0)),
        migrations.AddField(
            model_name="import",
            name="last_indexed_batch",
            field=models.IntegerField(default=-1, help_text="The last batch indexed for search; indexing goes on after it."),
        ),
    ]
