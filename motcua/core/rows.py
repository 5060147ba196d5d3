"""Fixed SQL for the hottest reads and writes: rows in and out without the ORM compiler.

Django compiles every QuerySet anew, each time; on the intake and action paths that
compiling took longer than PostgreSQL took to run the statements (ADR 0006). A
:class:`Table` writes the SQL of one model once, from its ``_meta``, and converts values
as the ORM does: ``pre_save`` and ``get_db_prep_save`` on the way in, the backend's and
the field's converters on the way out, ``Model.from_db`` for instances.

What it does not do: send ``pre_save``/``post_save`` signals or call ``Model.save``. Use
it for models no receiver listens to and whose ``save`` adds nothing (the dossier rows);
the service layer stays the only writer, inside its transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class Table(Generic[M]):
    """The columns of ``model`` and the statements that read and write its rows."""

    def __init__(self, model: type[M], *, exclude: Iterable[str] = ()) -> None:
        """``exclude``: fields left out of reads (deferred on the instances built)."""
        self.model = model
        meta = model._meta
        self.pk = meta.pk
        self.all_fields: list[models.Field[Any, Any]] = list(meta.concrete_fields)
        left_out = set(exclude)
        self.fields = [f for f in self.all_fields if f.name not in left_out]
        #: Where the primary key is among the columns read.
        self.pk_index = self.fields.index(self.pk)
        self.attnames = [f.attname for f in self.fields]
        self.db_table = meta.db_table
        self._by_name: dict[str, models.Field[Any, Any]] = {}
        for f in self.all_fields:
            self._by_name[f.name] = f
            self._by_name[f.attname] = f
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}
        self._sql: dict[tuple[str, str], str] = {}

    # -- reading
    def columns(self, alias: str, using: str = "default") -> str:
        """The select list of every concrete column, in field order, qualified by ``alias``."""
        key = ("columns:" + alias, using)
        sql = self._sql.get(key)
        if sql is None:
            qn = connections[using].ops.quote_name
            sql = self._sql[key] = ", ".join(f"{alias}.{qn(f.column)}" for f in self.fields)
        return sql

    @property
    def width(self) -> int:
        return len(self.fields)

    def _converters_for(
        self, connection: BaseDatabaseWrapper
    ) -> list[tuple[int, list[Converter], Any]]:
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for i, f in enumerate(self.fields):
                col = f.get_col(self.db_table)
                convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if convs:
                    found.append((i, convs, col))
            self._converters[connection.alias] = found
        return found

    def build(self, row: Sequence[Any], start: int = 0, using: str = "default") -> M:
        """The instance whose column values are ``row[start:start + width]``."""
        connection = connections[using]
        values = list(row[start : start + len(self.fields)])
        for i, convs, col in self._converters_for(connection):
            value = values[i]
            for convert in convs:
                value = convert(value, col, connection)
            values[i] = value
        return self.model.from_db(using, self.attnames, values)

    def select_later(
        self, where: str, params: Sequence[Any], *, suffix: str = "", using: str = "default"
    ) -> Later[list[M]]:
        """Rows of ``SELECT <columns> FROM <table> t WHERE <where> <suffix>``."""
        sql = f"SELECT {self.columns('t', using)} FROM {self.db_table} t WHERE {where} {suffix}"
        return send(
            sql, params, lambda c: [self.build(row, 0, using) for row in c.fetchall()], using
        )

    # -- writing
    def _prep(self, field: models.Field[Any, Any], value: Any, connection: Any) -> Any:
        if field.remote_field is not None and hasattr(value, "prepare_database_save"):
            value = value.prepare_database_save(field)
        return field.get_db_prep_save(value, connection)

    def _assigned(self, name: str, value: Any, connection: Any) -> tuple[str, Any]:
        """The column that field ``name`` (or attname) sets, and ``value`` ready for it."""
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"{name}: expressions need the ORM's update()")
        f = self._by_name[name]
        return f.column, self._prep(f, value, connection)

    def insert(self, objs: Iterable[M], using: str = "default") -> list[M]:
        """INSERT the new instances (one statement) and set their primary keys."""
        return self.insert_later(objs, using).get()

    def insert_later(self, objs: Iterable[M], using: str = "default") -> Later[list[M]]:
        rows = list(objs)
        if not rows:
            return Later.ready(rows)
        connection = connections[using]
        fields = [f for f in self.all_fields if f is not self.pk]
        qn = connection.ops.quote_name
        params: list[Any] = []
        for obj in rows:
            if obj.pk is not None:
                raise ValueError(f"{obj!r} is already saved")
            # As save() does: a relation set before its row was saved gives its id now.
            obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
            params += [self._prep(f, f.pre_save(obj, True), connection) for f in fields]
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (
            f"INSERT INTO {qn(self.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES {', '.join([one] * len(rows))}"
        )
        returning = connection.features.can_return_rows_from_bulk_insert
        if returning:
            sql += f" RETURNING {qn(self.pk.column)}"

        def read(cursor: Any) -> list[M]:
            if returning:
                ids = [r[0] for r in cursor.fetchall()]
            elif len(rows) == 1:
                ids = [cursor.lastrowid]
            else:  # pragma: no cover - both supported databases return rows
                raise NotImplementedError("this database cannot return the new ids")
            for obj, pk in zip(rows, ids, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = using
            return rows

        return send(sql, params, read, using)

    def update_later(
        self,
        pk: Any,
        values: Mapping[str, Any],
        *,
        also: Mapping[str, Any] | None = None,
        using: str = "default",
    ) -> Later[int]:
        """UPDATE the row ``pk`` (and, with ``also``, only if those columns hold those
        values); the number of rows changed (0 or 1)."""
        connection = connections[using]
        qn = connection.ops.quote_name
        sets, params = [], []
        for name, value in values.items():
            column, prepared = self._assigned(name, value, connection)
            sets.append(f"{qn(column)} = %s")
            params.append(prepared)
        where = [f"{qn(self.pk.column)} = %s"]
        params.append(self.pk.get_db_prep_value(pk, connection))
        for name, value in (also or {}).items():
            f = self._by_name[name]
            where.append(f"{qn(f.column)} = %s")
            params.append(f.get_db_prep_value(value, connection))
        sql = f"UPDATE {qn(self.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(where)}"
        return send(sql, params, _rowcount, using)

    def update_each_later(
        self, changes: Sequence[tuple[Any, Mapping[str, Any]]], *, using: str = "default"
    ) -> Later[int]:
        """UPDATE several rows, each with its own values, in one statement (``CASE`` on
        the primary key per column; a row keeps the columns it does not change); the
        number of rows changed."""
        merged: dict[Any, dict[str, Any]] = {}
        for pk, values in changes:  # a row given twice: its later values win, as in turn
            merged.setdefault(pk, {}).update(values)
        changes = list(merged.items())
        if not changes:
            return Later.ready(0)
        if len(changes) == 1:
            return self.update_later(changes[0][0], changes[0][1], using=using)
        connection = connections[using]
        qn = connection.ops.quote_name
        pk_column = qn(self.pk.column)
        columns: dict[str, list[tuple[Any, Any]]] = {}
        for pk, values in changes:
            key = self.pk.get_db_prep_value(pk, connection)
            for name, value in values.items():
                column, prepared = self._assigned(name, value, connection)
                columns.setdefault(column, []).append((key, prepared))
        sets, params = [], []
        for column, cases in columns.items():
            whens = " ".join(["WHEN %s THEN %s"] * len(cases))
            sets.append(f"{qn(column)} = CASE {pk_column} {whens} ELSE {qn(column)} END")
            for key, value in cases:
                params += [key, value]
        keys = [self.pk.get_db_prep_value(pk, connection) for pk, _ in changes]
        params += keys
        sql = (
            f"UPDATE {qn(self.db_table)} SET {', '.join(sets)} "
            f"WHERE {pk_column} IN ({', '.join(['%s'] * len(keys))})"
        )
        return send(sql, params, _rowcount, using)


def _rowcount(cursor: Any) -> int:
    return int(cursor.rowcount)


T = TypeVar("T")


class Later(Generic[T]):
    """The result of a statement already sent, read when asked for.

    Outside :func:`batched` the statement has run when ``send`` returns; inside, it is
    queued with the others and its result arrives when the batch is sent.
    """

    def __init__(self, cursor: Any, read: Callable[[Any], T] | None) -> None:
        self._cursor = cursor
        self._read = read
        self._value: T | None = None
        self._done = cursor is None

    @classmethod
    def ready(cls, value: T) -> Later[T]:
        later: Later[T] = cls(None, None)
        later._value = value
        return later

    def get(self) -> T:
        if not self._done:
            assert self._read is not None
            try:
                self._value = self._read(self._cursor)  # Django's cursor wraps DB errors
            finally:
                self._cursor.close()
            self._done = True
        return self._value  # type: ignore[return-value]


def send(sql: str, params: Sequence[Any], read: Callable[[Any], T], using: str) -> Later[T]:
    cursor = connections[using].cursor()
    try:
        cursor.execute(sql, params)
    except BaseException:
        cursor.close()
        raise
    return Later(cursor, read)


@contextmanager
def batched(using: str = "default") -> Iterator[None]:
    """Send the statements issued inside together, in one round trip (PostgreSQL's
    pipeline mode); their results (:class:`Later`) are read after the block. Elsewhere
    (SQLite, in process) the statements simply run one after the other.

    An error of any statement is raised when the block ends, as Django's database error;
    the transaction around it is then rolled back as usual.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield
