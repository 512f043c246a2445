"""Database helpers that are no app's business.

update_rows() writes many rows, each with its own values, through the fields' own conversions
but without QuerySet.bulk_update's expression tree: bulk_update builds a CASE WHEN per field per
row, which for a wide model costs many times the CPU of this (figures: docs/benchmarks.md,
"Figures from code comments")."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connections, router, transaction
from django.db.models import F, Model


def update_rows(
    objs: Sequence[Model], fields: Sequence[str], *, only_if: dict[str, Any] | None = None
) -> None:
    """Set `fields` of each object's row to the object's values: one parametrized UPDATE sent
    for all of them (psycopg pipelines the executions; one row: a plain execute), on every
    database alike. `only_if` ({field: value}) changes only the rows that still hold those
    values (a dispatcher writes back only the rows it still owns). Like bulk_update, it calls no
    save() and sends no signals; auto_now fields change only if listed and set by the caller."""
    if not objs:
        return
    meta = type(objs[0])._meta
    connection = connections[router.db_for_write(type(objs[0]))]
    columns = [meta.get_field(name) for name in fields]
    guards = [(meta.get_field(name), value) for name, value in (only_if or {}).items()]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    where = " AND ".join(
        [f"{quote(meta.pk.column)} = %s", *(f"{quote(f.column)} = %s" for f, _v in guards)]
    )
    # Only quoted names from the model's definition go into the text; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {where}"  # noqa: S608
    guard_values = [f.get_db_prep_save(v, connection) for f, v in guards]
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
        + [obj.pk, *guard_values]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)


def update_many(
    objs: Sequence[Model], fields: Sequence[str], *, only_if: dict[str, Any] | None = None
) -> None:
    """update_rows() as one statement on PostgreSQL, whatever the row count:
    `UPDATE … FROM unnest(%s::type[], …)`, the values as one array per column, each cast to the
    column's own type. For hot paths that write hundreds of rows at a time (a dispatcher batch);
    elsewhere, and for JSON columns (no array form), it is update_rows()."""
    if not objs:
        return
    meta = type(objs[0])._meta
    connection = connections[router.db_for_write(type(objs[0]))]
    columns = [meta.get_field(name) for name in fields]
    if not is_postgresql(connection.alias) or any(
        f.get_internal_type() == "JSONField" for f in columns
    ):
        update_rows(objs, fields, only_if=only_if)
        return
    quote = connection.ops.quote_name
    guards = [(meta.get_field(name), value) for name, value in (only_if or {}).items()]
    types = [meta.pk.db_type(connection), *(f.db_type(connection) for f in columns)]
    arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
    names = ", ".join(["pk", *(f"c{i}" for i in range(len(columns)))])
    assignments = ", ".join(f"{quote(f.column)} = v.c{i}" for i, f in enumerate(columns))
    where = " AND ".join(
        [f"t.{quote(meta.pk.column)} = v.pk", *(f"t.{quote(f.column)} = %s" for f, _v in guards)]
    )
    # Names and types come from the model's definition; every value is a parameter.
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608
        f"FROM unnest({arrays}) AS v({names}) WHERE {where}"
    )
    params = [
        [obj.pk for obj in objs],
        *(
            [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs]
            for f in columns
        ),
        *(f.get_db_prep_save(value, connection) for f, value in guards),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def lock_keys(keys: Sequence[str]) -> None:
    """Hold these named locks until the transaction ends, taken in one order by everyone (no
    deadlock). PostgreSQL: transaction-level advisory locks on a 64-bit hash of each key, so two
    jobs writing the same new customer at the same moment wait for each other instead of both
    creating it. SQLite runs one writer at a time: nothing to do."""
    if not is_postgresql() or not keys:
        return
    connection = connections["default"]
    ids = sorted(
        {int.from_bytes(hashlib.sha256(k.encode()).digest()[:8], "big", signed=True) for k in keys}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [ids])


def is_postgresql(using: str = "default") -> bool:
    """The one place that asks which database this is: callers choose between a PostgreSQL
    statement and its portable form by asking here, never `connection.vendor` themselves."""
    return connections[using].vendor == "postgresql"


def claim_due(
    model: type[Model],
    *,
    pending: dict[str, Any],
    due_field: str,
    now: Any,
    limit: int,
    claimed: dict[str, Any],
    increment: str | None = None,
) -> list[int]:
    """Move at most `limit` rows matching `pending` whose `due_field` has come (oldest first) to
    the `claimed` values (+1 on `increment`), and return their keys. Two claimers never get the
    same row. PostgreSQL: one statement, `UPDATE … WHERE pk IN (SELECT … FOR UPDATE SKIP LOCKED)
    RETURNING pk`, one short transaction. Elsewhere (SQLite, one writer): a conditional UPDATE per
    row, which only the first claimer wins."""
    meta = model._meta
    if not is_postgresql():
        due = model.objects.filter(**pending, **{f"{due_field}__lte": now}).order_by(due_field)
        changes = dict(claimed) | ({increment: F(increment) + 1} if increment else {})
        return [
            pk
            for pk in due.values_list("pk", flat=True)[:limit]
            if model.objects.filter(pk=pk, **pending).update(**changes)
        ]
    connection = connections["default"]
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    sets = [f"{column(name)} = %s" for name in claimed]
    if increment:
        sets.append(f"{column(increment)} = {column(increment)} + 1")
    # Literal pending values let the planner match a partial index on them (strings are quoted
    # by the driver's own literal adaptation, never pasted from input).
    where = [f"{column(name)} = %s" for name in pending]
    pk, table = quote(meta.pk.column), quote(meta.db_table)
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} IN ("  # noqa: S608
        f"SELECT {pk} FROM {table} WHERE {' AND '.join(where)} AND {column(due_field)} <= %s"
        f" ORDER BY {column(due_field)} LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING {pk}"
    )
    params = [
        *(meta.get_field(n).get_db_prep_save(v, connection) for n, v in claimed.items()),
        *(meta.get_field(n).get_db_prep_save(v, connection) for n, v in pending.items()),
        meta.get_field(due_field).get_db_prep_save(now, connection),
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@contextmanager
def planner_settings(**values: str | int) -> Iterator[None]:
    """A transaction whose statements run with these PostgreSQL planner settings (SET LOCAL ends
    with it); on other databases just the transaction."""
    with transaction.atomic():
        if is_postgresql() and values:
            # set_config(..., true) is SET LOCAL; all of them in one round trip.
            calls = ", ".join(["set_config(%s, %s, true)"] * len(values))
            params = [str(part) for item in values.items() for part in item]
            with connections["default"].cursor() as cursor:
                cursor.execute(f"SELECT {calls}", params)
        yield
