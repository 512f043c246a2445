"""Database helpers that are no app's business.

update_rows() writes many rows, each with its own values, through the fields' own conversions
but without QuerySet.bulk_update's expression tree: bulk_update builds a CASE WHEN per field per
row, which for a wide model costs many times the CPU of this (figures: docs/benchmarks.md,
"Figures from code comments")."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model


def update_rows(objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Set `fields` of each object's row to the object's values: one parametrized UPDATE sent
    for all of them (psycopg pipelines the executions; one row: a plain execute). Like bulk_update, it calls no save()
    and sends no signals; auto_now fields change only if listed and set by the caller."""
    if not objs:
        return
    meta = type(objs[0])._meta
    connection = connections[router.db_for_write(type(objs[0]))]
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    # Only quoted names from the model's definition go into the text; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)
