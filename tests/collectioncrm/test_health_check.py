"""The connection health check (``CONN_HEALTH_CHECKS``, ``collectioncrm/postgresql/base.py``):
no round trip for an idle connection with nothing to read, Django's ``SELECT 1`` (and a new
connection) as soon as the server has ended the session."""

from __future__ import annotations

import select
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def other() -> Iterator[Any]:
    """A second connection to the test database, outside the test's transaction."""
    wrapper = connections.create_connection("default")
    assert wrapper.settings_dict["CONN_HEALTH_CHECKS"] is True
    try:
        yield wrapper
    finally:
        wrapper.close()


def _backend_pid(wrapper: Any) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _next_request(wrapper: Any) -> None:
    """What Django does between two requests of a web process."""
    wrapper.close_if_unusable_or_obsolete()
    assert wrapper.health_check_done is False


def _count_checks(wrapper: Any, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    checks: list[bool] = []
    real = wrapper.is_usable

    def is_usable() -> bool:
        checks.append(usable := real())
        return usable

    monkeypatch.setattr(wrapper, "is_usable", is_usable)
    return checks


def test_an_idle_quiet_connection_is_reused_without_a_round_trip(
    other: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _backend_pid(other)
    checks = _count_checks(other, monkeypatch)
    for _ in range(3):
        _next_request(other)
        assert _backend_pid(other) == pid
    assert checks == []


def test_a_connection_the_server_ended_is_checked_and_replaced_before_use(
    other: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _backend_pid(other)
    _next_request(other)
    checks = _count_checks(other, monkeypatch)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the socket (at once, here; a slow machine gets 5 s).
    readable, _, _ = select.select([other.connection.pgconn.socket], [], [], 5)
    assert readable
    assert _backend_pid(other) != pid  # no error: the dead connection was replaced first
    assert checks == [False]


def test_a_connection_left_in_a_transaction_gets_the_full_check(
    other: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _backend_pid(other)
    other.connection.execute("BEGIN")  # psycopg directly: Django does not know of it
    _next_request(other)
    checks = _count_checks(other, monkeypatch)
    other.close_if_health_check_failed()
    assert checks == [True]
