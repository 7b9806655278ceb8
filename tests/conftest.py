"""Shared fixtures: real PostgreSQL built by the migrations, real Redis, real Kafka.

pytest-django creates the test database by running every migration, so the bank's schema
is built by the same SQL as production. Tests marked ``django_db(transaction=True)`` commit
for real; Django's flush skips unmanaged tables, so those rows are truncated here instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

BANK_SCHEMAS = ("workflow_service", "bank_sync_service", "auth_service")


def truncate_bank_tables() -> None:
    """Empty every table of the bank's schemas (materialized views are left alone)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            """,
            [list(BANK_SCHEMAS)],
        )
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """Before the test database is built: drop test databases of runs that were killed."""
    import os

    import psycopg

    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    params["dbname"] = "postgres"
    prefix = f"test_{connection.settings_dict['NAME']}_"
    with psycopg.connect(**params, autocommit=True) as admin:
        names = [
            row[0]
            for row in admin.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
            )
        ]
        for name in names:
            pid = name.removeprefix(prefix)
            if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def _isolate_unmanaged_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    )
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        truncate_bank_tables()


@pytest.fixture
def unused_tcp_port() -> int:
    """A local TCP port nothing listens on (bound then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def _empty_redis() -> Iterator[None]:
    """Sessions, throttling counters and cache entries never leak between tests."""
    yield
    from django_redis import get_redis_connection

    get_redis_connection("default").flushdb()
