"""The search index, one per database vendor.

SQLite: an FTS5 table over the folded text, one row per procedure (rowid = procedure id),
kept in sync by ``motcua.catalog.services``. PostgreSQL: the pg_trgm extension and a
trigram GIN index on ``catalog_procedure.search_text``, which the service layer fills with
folded text (so the index needs no unaccent at query time).
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_procedure_fts USING fts5("
    "name, code, keywords, field, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)
SQLITE_DROP = "DROP TABLE IF EXISTS catalog_procedure_fts"
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS catalog_procedure_search_trgm "
    "ON catalog_procedure USING gin (search_text gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS catalog_procedure_search_trgm"]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [SQLITE_CREATE])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [SQLITE_DROP])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
