"""Run the SQL files in ``workflow/sql`` as Django migration operations.

The bank's schema belongs to the CRM's SQL init scripts, so our migrations are plain SQL:
each file is idempotent (a no-op on a database that already has its objects) and has a
``*_reverse.sql`` twin. Reversing the baseline drops the bank's schemas, so it only runs where
the ``ALLOW_SCHEMA_DROP`` setting allows it (development and tests); elsewhere it refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import migrations
from django.db.migrations.exceptions import IrreversibleError

SQL_DIR = Path(__file__).resolve().parent / "sql"


def read_sql(name: str, *, directory: Path = SQL_DIR) -> str:
    """Return the text of ``<directory>/<name>`` (default ``workflow/sql``)."""
    return (directory / name).read_text(encoding="utf-8")


def _executor(name: str, *, guarded: bool = False, directory: Path = SQL_DIR) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if guarded and not settings.ALLOW_SCHEMA_DROP:
            raise IrreversibleError(
                f"{name} would drop the bank's schemas; set ALLOW_SCHEMA_DROP=true to allow it "
                "(never in production)."
            )
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(read_sql(name, directory=directory))

    run.__name__ = f"run_{Path(name).stem}"
    return run


def sql_file_operation(
    stem: str, *, guard_reverse: bool = False, directory: Path = SQL_DIR
) -> migrations.RunPython:
    """An operation running ``<stem>.sql`` forwards and ``<stem>_reverse.sql`` backwards.

    ``directory`` holds the files: ``workflow/sql`` by default; an app that owns tables of its
    own (``contacts``, ``promises``) keeps its SQL in its own ``sql/`` folder.
    """
    return migrations.RunPython(
        _executor(f"{stem}.sql", directory=directory),
        _executor(f"{stem}_reverse.sql", guarded=guard_reverse, directory=directory),
        elidable=False,
    )
