"""PostgreSQL only: each article keeps its weighted search vectors (title A, text B) in stored generated columns.

Ranking used to build both vectors from the text for every matched row; a case's suggestions match most of a
knowledge base (any of its words), so the case page spent 140 ms of 195 building vectors over 2,000 short articles.
The columns are computed on write, indexed with GIN for matching, and read as they are for ranking. SQLite has no
such type; its search scans the folded text as before. The model does not declare them (kb/search.py reads them).
"""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, coalesce({title}, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce({text}, '')), 'B')"
)
COLUMNS = {
    "published_vector": ("search_title", "search_text", "article_search_gin"),
    "working_vector": ("working_search_title", "working_search_text", "article_working_search_gin"),
}


def add_vectors(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, (title, text, old_index) in COLUMNS.items():
        expression = VECTOR.format(title=title, text=text)
        schema_editor.execute(f"ALTER TABLE service_article ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({expression}) STORED")
        schema_editor.execute(f"CREATE INDEX article_{column}_gin ON service_article USING gin ({column})")
        schema_editor.execute(f"DROP INDEX IF EXISTS {old_index}")


def drop_vectors(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back to the expression indexes of 0008 and 0011, which the code before this migration matches."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    article = apps.get_model("service", "Article")
    for column, (_, text, old_index) in COLUMNS.items():
        schema_editor.execute(f"ALTER TABLE service_article DROP COLUMN IF EXISTS {column}")
        schema_editor.add_index(article, GinIndex(SearchVector(text, config="simple"), name=old_index))


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0013_case_is_open_and_queue_indexes"),
    ]

    operations = [migrations.RunPython(add_vectors, drop_vectors)]
