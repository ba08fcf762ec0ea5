"""A trigram index over feedback text (insights/textsearch.py): FTS5 on SQLite, pg_trgm on
PostgreSQL. Where the database user may not create the extension, search keeps working
without the index (a warning says so)."""

import logging

from django.db import migrations, transaction

from cxkeeper.insights import textsearch

log = logging.getLogger(__name__)


def create(apps, schema_editor):
    connection = schema_editor.connection
    statements = {"sqlite": textsearch.SQLITE_CREATE, "postgresql": textsearch.PG_CREATE}.get(connection.vendor)
    if not statements:
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    except Exception as exc:  # e.g. no permission for CREATE EXTENSION: search still works, slower
        log.warning("feedback text search runs without an index: %s", exc)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    statements = {"sqlite": textsearch.SQLITE_DROP, "postgresql": textsearch.PG_DROP}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0009_background_work_heartbeats"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
