import django.db.models.deletion
from django.db import migrations, models


def index_working_copies(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Fill the working copy's search text of every article written so far (the same folding and reading as the services)."""
    from amity.search.text import fold
    from amity.service.kb.rendering import article_text

    article_model = apps.get_model("service", "Article")
    for article in article_model.objects.only("pk", "title", "body").iterator(chunk_size=500):
        article_model.objects.filter(pk=article.pk).update(
            working_search_title=fold(article.title)[:200], working_search_text=fold(f"{article.title} {article_text(article.body)}")
        )


def add_search_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    """PostgreSQL only: a GIN index over the tsvector of the working copy that the staff's search matches (SQLite scans)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    article = apps.get_model("service", "Article")
    schema_editor.add_index(article, GinIndex(SearchVector("working_search_text", config="simple"), name="article_working_search_gin"))


def drop_search_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_working_search_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0010_portal_users_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="working_search_text",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="article",
            name="working_search_title",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="casearticle",
            name="message",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="service.casemessage"
            ),
        ),
        migrations.RunPython(index_working_copies, migrations.RunPython.noop),
        migrations.RunPython(add_search_index, drop_search_index),
    ]
