"""One model instance read or written with plain SQL: what a hot write does around its change.

``Model.objects.filter(...).first()`` and ``Model.objects.create(...)`` build a query, compile
it and run the fields' converters; on a write that looks up the caller's agent and saves a row
and its outbox event, that was about a millisecond of Python per statement, more than the
database took (bench/README.md, "Fourth pass"). A :class:`SqlModel` states the columns once,
from the model's own fields:

* :meth:`SqlModel.one` builds the instance the ORM would have built: every concrete field
  loaded, each value through the field's ``from_db_value`` (aware UTC times for
  ``UTCDateTimeField``), the instance marked as loaded from the database;
* :meth:`SqlModel.insert` writes a new instance as ``save(force_insert=True)`` would: every
  concrete field through ``get_db_prep_save`` (the Python defaults already set by the
  constructor), an auto-incremented primary key left to the database and read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin

M = TypeVar("M", bound=Model)


def _column(field: Any) -> str:
    column = field.column
    assert isinstance(column, str), f"{field} has no column"
    return column


class SqlModel(Generic[M]):
    """Reads and inserts instances of ``model`` with plain SQL: ``columns`` to select (every
    concrete field, through ``alias``), :meth:`one` to run a statement selecting them first,
    :meth:`instance` to build one from a row, :meth:`insert` to write a new one."""

    def __init__(self, model: type[M], *, alias: str) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        quote = connection.ops.quote_name
        self.columns = ", ".join(f"{alias}.{quote(_column(field))}" for field in self.fields)
        self._converters = [
            (index, field)
            for index, field in enumerate(self.fields)
            if hasattr(field, "from_db_value")
        ]
        self._names = [field.attname for field in self.fields]
        pk = model._meta.pk
        assert pk is not None
        self._pk = pk
        self._generated_pk = isinstance(pk, AutoFieldMixin)
        inserted = [field for field in self.fields if not (field is pk and self._generated_pk)]
        self._inserted = inserted
        self._insert_sql = (
            f"INSERT INTO {quote(model._meta.db_table)}"
            f" ({', '.join(quote(_column(field)) for field in inserted)})"
            f" VALUES ({', '.join(['%s'] * len(inserted))})"
            + (f" RETURNING {quote(_column(pk))}" if self._generated_pk else "")
        )

    def instance(self, values: Sequence[Any]) -> M:
        """The instance of one row whose first values are :attr:`columns`' (more may follow)."""
        row = list(values[: len(self.fields)])
        for index, field in self._converters:
            row[index] = field.from_db_value(row[index], None, connection)
        return self.model.from_db(connection.alias, self._names, row)

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> M | None:
        """The instance of the first row ``sql`` returns, None when it returns none."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            values = cursor.fetchone()
        return None if values is None else self.instance(values)

    def insert(self, instance: M) -> M:
        """Write ``instance`` as a new row in one INSERT and return it, saved."""
        values = [
            field.get_db_prep_save(getattr(instance, field.attname), connection)
            for field in self._inserted
        ]
        with connection.cursor() as cursor:
            cursor.execute(self._insert_sql, values)
            if self._generated_pk:
                returned = cursor.fetchone()
                assert returned is not None
                setattr(instance, self._pk.attname, returned[0])
        instance._state.adding = False
        instance._state.db = connection.alias
        return instance
