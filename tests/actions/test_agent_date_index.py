"""``manage.py agent_date_index``: the optional (agent_id, action_date) index of the bank's
action_records, built partition by partition without blocking writes (issue 11)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from actions import agent_date_index
from tests.factories import ActionRecordFactory, AgentFactory

# CREATE INDEX CONCURRENTLY cannot run in a transaction: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

PAGE = (
    "SELECT id FROM workflow_service.action_records WHERE agent_id = %s "
    "ORDER BY action_date DESC, id DESC LIMIT 10"
)


@pytest.fixture(autouse=True)
def no_index_after() -> Iterator[None]:
    yield
    with connection.cursor() as cursor:
        agent_date_index.drop(cursor)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("agent_date_index", *args, stdout=out)
    return out.getvalue()


def state() -> agent_date_index.IndexState:
    with connection.cursor() as cursor:
        return agent_date_index.state(cursor)


def plan(agent_id: uuid.UUID) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a tiny table: make the planner choose
        try:
            cursor.execute(f"EXPLAIN {PAGE}", [agent_id])
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")


def test_it_builds_an_index_on_every_partition_that_the_agent_page_uses() -> None:
    agent = AgentFactory()
    ActionRecordFactory(agent=agent)
    with pytest.raises(CommandError, match="not complete"):
        run("--check")
    assert state().parent_valid is None

    output = run()

    built = state()
    assert built.complete and built.parent_valid
    assert len(built.partitions) >= 10  # the historical one, the quarters, the catch-all
    assert all(
        partition.index == agent_date_index.partition_index_name(partition.partition)
        for partition in built.partitions
    )
    assert output.count(" attached ") == len(built.partitions)
    assert "_agent_date_idx" in plan(agent.id)
    # Again: nothing to do; --check agrees.
    assert " built " not in run()
    assert "idx_action_records_agent_id_action_date: valid" in run("--check")


def test_a_run_finishes_what_a_stopped_build_left() -> None:
    agent = AgentFactory()
    for day in (3, 4):  # two rows of one agent in the first quarter of 2026
        ActionRecordFactory(agent=agent, action_date=f"2026-02-0{day}T02:00:00Z")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX {agent_date_index.INDEX} ON ONLY "
            f"workflow_service.action_records {agent_date_index.COLUMNS}"
        )
        # A concurrent build that failed half-way leaves an INVALID index behind: here one
        # that cannot be unique over the agent's two rows.
        with pytest.raises(Exception, match="could not create unique index"):
            cursor.execute(
                'CREATE UNIQUE INDEX CONCURRENTLY "action_records_2026_q1_agent_date_idx" '
                "ON workflow_service.action_records_2026_q1 (agent_id)"
            )
    [left] = [p for p in state().partitions if p.partition == "action_records_2026_q1"]
    assert (left.index, left.valid, left.attached) == (
        "action_records_2026_q1_agent_date_idx",
        False,
        False,
    )

    output = run()

    assert "action_records_2026_q1: dropping" in output
    assert state().complete


def test_drop_removes_every_index_of_the_build() -> None:
    run()

    assert "dropped" in run("--drop")

    dropped = state()
    assert dropped.parent_valid is None
    assert all(partition.index is None for partition in dropped.partitions)
