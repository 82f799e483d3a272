"""Substring search of dictionary terms uses a trigram index on PostgreSQL (DESIGN.md §7).

``Term.objects.search()`` filters ``search_text LIKE '%…%'`` on text it normalized itself (NFKC, case
folded), so a plain ``gin_trgm_ops`` index on the column serves it; no ``UPPER()`` expression index is
needed. pg_trgm finds trigrams in Japanese and Korean only when the database's LC_CTYPE is a UTF-8 locale
(``C.UTF-8``): create the database as the README says. Queries shorter than three characters cannot use
the index and scan the project's terms instead. SQLite has no such index; the same query scans there.
"""

from django.db import migrations

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS term_search_trgm ON projects_term USING gin (search_text gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS term_search_trgm"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_dictionary")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
