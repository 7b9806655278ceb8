"""GET /agents serves cached pages, and never a stale one: every write to the agents table,
whoever makes it, gives the table a new version and so the page a new key."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.api import envelope_ok, unlinked_client
from tests.factories import AgentFactory, CrmUserFactory
from workflow import table_versions

pytestmark = pytest.mark.django_db

AGENTS_URL = "/api/v1/collection/agents"


def _names(client) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        agent["name"] for agent in envelope_ok(client.get(f"{AGENTS_URL}?pageSize=100"))["agents"]
    ]


def test_a_repeated_page_is_served_from_the_cache() -> None:
    AgentFactory(name="Anh", user=CrmUserFactory())
    client = unlinked_client("AGENT")
    first = envelope_ok(client.get(f"{AGENTS_URL}?pageSize=100"))
    with CaptureQueriesContext(connection) as again:
        second = envelope_ok(client.get(f"{AGENTS_URL}?pageSize=100"))
    assert second == first
    assert [query["sql"] for query in again.captured_queries] == [
        "SELECT version, set_config('workflow_service.bumped_' || 'agents'::text, '', true) "
        "FROM workflow_service.table_versions WHERE table_name = 'agents'"
    ]


def test_a_write_through_the_orm_shows_on_the_next_read() -> None:
    agent = AgentFactory(name="Binh", user=CrmUserFactory())
    client = unlinked_client("AGENT")
    assert "Binh" in _names(client)
    agent.name = "Binh Nguyen"
    agent.save()
    assert "Binh Nguyen" in _names(client)
    assert "Binh" not in _names(client)


def test_raw_sql_writes_and_deletes_show_on_the_next_read() -> None:
    AgentFactory(name="Chau", user=CrmUserFactory())
    client = unlinked_client("AGENT")
    assert "Chau" in _names(client)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workflow_service.agents SET team = team WHERE name = 'Chau'")
        before = table_versions.version("agents")
        cursor.execute("UPDATE workflow_service.agents SET name = 'Chau Tran' WHERE name = 'Chau'")
        assert table_versions.version("agents") != before
    assert "Chau Tran" in _names(client)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM workflow_service.agents WHERE name = 'Chau Tran'")
    assert "Chau Tran" not in _names(client)


def test_filters_and_pages_are_cached_apart() -> None:
    for n in range(3):
        AgentFactory(name=f"Dung {n}", team="North", user=CrmUserFactory())
    AgentFactory(name="Em", team="South", user=CrmUserFactory())
    client = unlinked_client("AGENT")
    north = envelope_ok(client.get(f"{AGENTS_URL}?team=North&pageSize=2"))
    south = envelope_ok(client.get(f"{AGENTS_URL}?team=South&pageSize=2"))
    second = envelope_ok(client.get(f"{AGENTS_URL}?team=North&pageSize=2&page=2"))
    assert [a["name"] for a in north["agents"]] == ["Dung 0", "Dung 1"]
    assert [a["name"] for a in south["agents"]] == ["Em"]
    assert [a["name"] for a in second["agents"]] == ["Dung 2"]
    assert north["pagination"]["totalItems"] == 3


def test_without_redis_the_page_is_computed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from redis.exceptions import ConnectionError as RedisConnectionError

    class Down:
        def get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise RedisConnectionError("down")

        set = get

    AgentFactory(name="Giang", user=CrmUserFactory())
    monkeypatch.setattr(table_versions, "cache", lambda: Down())
    assert "Giang" in _names(unlinked_client("AGENT"))


def _bump_agents() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workflow_service.agents SET team = team WHERE false")


def test_a_transaction_bumps_the_version_once_until_someone_reads_it() -> None:
    """One row version of table_versions per writing transaction (a Kafka batch writes agents
    hundreds of times in one), yet a page cached inside the transaction misses no later write."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM workflow_service.table_versions")
        (start,) = cursor.fetchone()  # type: ignore[misc]

        def current() -> int:
            cursor.execute("SELECT version FROM workflow_service.table_versions")
            return int(cursor.fetchone()[0])  # type: ignore[index]

        _bump_agents()
        first = current()
        assert first > start
        _bump_agents()
        _bump_agents()
        assert current() == first  # the same transaction: no new row version
        assert table_versions.version("agents") == first  # a reader clears the mark ...
        _bump_agents()
        assert current() > first  # ... so the next write bumps again


def test_a_bump_rolled_back_with_its_savepoint_is_made_again() -> None:
    before = table_versions.version("agents")
    with pytest.raises(RuntimeError), transaction.atomic():
        _bump_agents()
        raise RuntimeError
    assert table_versions.version("agents") == before
    _bump_agents()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM workflow_service.table_versions")
        assert cursor.fetchone()[0] != before  # type: ignore[index]


def _stored_version() -> int:
    with connection.cursor() as cursor:  # not table_versions.version(): that clears the mark
        cursor.execute("SELECT version FROM workflow_service.table_versions")
        return int(cursor.fetchone()[0])  # type: ignore[index]


def test_a_transaction_may_bump_once_at_its_end_without_locking_before() -> None:
    """What a Kafka batch does: writes only mark the table (no row lock on its version), one
    bump right before the commit, and the usual bumps again after it."""
    start = _stored_version()
    table_versions.bump_at_end()
    _bump_agents()
    _bump_agents()
    assert _stored_version() == start  # marked, not bumped
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'table_versions' AND l.pid = pg_backend_pid() "
            "AND l.mode = 'RowExclusiveLock'"
        )
        assert cursor.fetchone()[0] == 0  # type: ignore[index]  # the table not even written
    table_versions.bump_marked()
    bumped = _stored_version()
    assert bumped > start
    _bump_agents()
    assert _stored_version() > bumped  # after the end bump, writes bump as before


def test_the_end_bump_leaves_unmarked_tables_alone() -> None:
    start = _stored_version()
    table_versions.bump_at_end()
    table_versions.bump_marked()  # nothing written to agents
    assert _stored_version() == start
