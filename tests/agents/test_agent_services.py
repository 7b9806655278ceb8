"""Agent services: unlinking, no-op updates, and what concurrent writers get."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from agents import selectors as agents_selectors
from agents import services
from agents.models import Agent
from tests.factories import AgentFactory, CrmUserFactory
from workflow.actors import Actor
from workflow.errors import Conflict, NotFound

ACTOR = Actor(username="admin.user", user_id=uuid.uuid4(), roles=frozenset({"ADMIN"}))


@pytest.mark.django_db
def test_unlinking_an_agent_removes_its_user() -> None:
    agent = AgentFactory(user=CrmUserFactory())

    result = services.agent_unlink_user(agent_id=agent.id, actor=ACTOR)

    agent.refresh_from_db()
    assert result.user_id is None and agent.user_id is None
    assert agent.updated_by == "admin.user"


@pytest.mark.django_db
def test_unlinking_an_unlinked_agent_changes_nothing() -> None:
    agent = AgentFactory(updated_by="tests")

    services.agent_unlink_user(agent_id=agent.id, actor=ACTOR)

    agent.refresh_from_db()
    assert agent.user_id is None and agent.updated_by == "tests"


@pytest.mark.django_db
def test_unlinking_an_unknown_agent_is_not_found() -> None:
    with pytest.raises(NotFound):
        services.agent_unlink_user(agent_id=uuid.uuid4(), actor=ACTOR)


@pytest.mark.django_db
def test_an_update_without_changes_writes_nothing() -> None:
    agent = AgentFactory(updated_by="tests")

    services.agent_update(agent_id=agent.id, actor=ACTOR)

    agent.refresh_from_db()
    assert agent.updated_by == "tests"


@pytest.mark.django_db
def test_an_empty_phone_is_stored_as_null() -> None:
    agent = AgentFactory(phone="+8411")

    services.agent_update(agent_id=agent.id, actor=ACTOR, phone="")

    agent.refresh_from_db()
    assert agent.phone is None


AGENTS_UPDATE = 'UPDATE "workflow_service"."agents"'
AGENTS_INSERT = 'INSERT INTO "workflow_service"."agents"'


@pytest.mark.django_db
def test_creating_an_agent_inserts_it_last() -> None:
    # As below: the outbox row goes before the agents row, whose trigger locks the table's
    # version row to the commit.
    with CaptureQueriesContext(connection) as captured:
        agent = services.agent_create(
            employee_id="LAST-1", name="Last", email="last@bank.test", phone=None,
            type="AGENT", team="Team L", actor=ACTOR,
        )  # fmt: skip

    statements = [query["sql"] for query in captured.captured_queries]
    writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes[-1].startswith(AGENTS_INSERT), writes
    assert Agent.objects.filter(id=agent.id, employee_id="LAST-1").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("write", ["update", "link", "replace", "unlink"])
def test_an_agent_write_updates_the_agents_row_last_and_once(write: str) -> None:
    # workflow.table_versions' trigger locks the agents table's version row from the write of
    # the agents row to the commit, which every writer of the table waits for: the audit and
    # outbox rows go first, and the UPDATE returns the updated_at the trigger set.
    agent = AgentFactory(user=CrmUserFactory() if write in ("replace", "unlink") else None)
    calls: dict[str, Callable[[], Agent]] = {
        "update": lambda: services.agent_update(agent_id=agent.id, actor=ACTOR, phone="0911"),
        "link": lambda: services.agent_link_user(
            agent_id=agent.id, user_id=CrmUserFactory().id, actor=ACTOR
        )[0],
        "replace": lambda: services.agent_link_user(
            agent_id=agent.id, user_id=CrmUserFactory().id, actor=ACTOR, replace=True
        )[0],
        "unlink": lambda: services.agent_unlink_user(agent_id=agent.id, actor=ACTOR),
    }
    call = calls[write]
    with CaptureQueriesContext(connection) as captured:
        result = call()

    statements = [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert statements[-1].startswith(AGENTS_UPDATE), statements
    assert sum(statement.startswith(AGENTS_UPDATE) for statement in statements) == 1
    stored = Agent.objects.get(id=agent.id)
    assert result.updated_at == stored.updated_at and result.updated_at.tzinfo is not None
    assert (result.user_id, result.phone) == (stored.user_id, stored.phone)


def _race(first: Callable[[], Any], second: Callable[[], Any]) -> BaseException | None:
    """Run ``first`` in an open transaction, start ``second`` once it is blocked on a lock
    held by ``first``, then commit ``first``; return what ``second`` raised."""
    first_done, release = threading.Event(), threading.Event()
    outcome: dict[str, BaseException] = {}

    def run_first() -> None:
        try:
            with transaction.atomic():
                first()
                first_done.set()
                release.wait(10)
        finally:
            connections.close_all()

    def run_second() -> None:
        first_done.wait(10)
        try:
            second()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    assert first_done.wait(10)
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.02)
        else:
            release.set()
            pytest.fail("the second writer never waited for the first")
    release.set()
    for thread in threads:
        thread.join(10)
    return outcome.get("error")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_of_one_employee_id_give_a_409_not_a_500() -> None:
    def create(email: str) -> Callable[[], Agent]:
        return lambda: services.agent_create(
            employee_id="EMP777",
            name="Racer",
            email=email,
            phone=None,
            type="AGENT",
            team="Team A",
            actor=ACTOR,
        )

    error = _race(create("first@bank.vn"), create("second@bank.vn"))

    assert isinstance(error, Conflict) and error.field == "employeeId", error
    # The check passed; the unique constraint caught it.
    assert isinstance(error.__cause__, IntegrityError)
    assert list(Agent.objects.values_list("email", flat=True)) == ["first@bank.vn"]


@pytest.mark.django_db(transaction=True)
def test_two_agents_linked_concurrently_to_one_user_give_a_409() -> None:
    user = CrmUserFactory()
    first, second = AgentFactory(), AgentFactory()

    error = _race(
        lambda: services.agent_link_user(agent_id=first.id, user_id=user.id, actor=ACTOR),
        lambda: services.agent_link_user(agent_id=second.id, user_id=user.id, actor=ACTOR),
    )

    assert isinstance(error, Conflict) and error.field == "userId", error
    assert isinstance(error.__cause__, IntegrityError)
    assert Agent.objects.get(user_id=user.id).id == first.id


@pytest.mark.django_db(transaction=True)
def test_one_agent_linked_concurrently_to_two_users_keeps_the_first_link() -> None:
    agent = AgentFactory()
    first_user, second_user = CrmUserFactory(), CrmUserFactory()

    error = _race(
        lambda: services.agent_link_user(agent_id=agent.id, user_id=first_user.id, actor=ACTOR),
        lambda: services.agent_link_user(agent_id=agent.id, user_id=second_user.id, actor=ACTOR),
    )

    # The second waited on the row lock, then saw the first link (no silent overwrite).
    assert isinstance(error, Conflict) and error.field == "agentId", error
    agent.refresh_from_db()
    assert agent.user_id == first_user.id


def _plan_at_bank_scale(queryset: Any, *also_off: str) -> str:
    """The plan of ``queryset`` with sequential scans (and ``also_off``) turned off: a test has a
    few rows, where a scan is cheapest; a bank has thousands."""
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", *also_off):
            cursor.execute(f"SET LOCAL {setting} = off")
    return str(queryset.explain())


@pytest.mark.django_db
def test_the_case_insensitive_email_check_is_an_index_lookup() -> None:
    # The check of every create and update (_ensure_email_free, iexact): without the
    # upper(email) index (workflow/sql/0015) it reads the whole table.
    AgentFactory(email="Someone@Bank.Example")
    others = Agent.objects.filter(email__iexact="someone@bank.example")
    plan = _plan_at_bank_scale(others)
    assert "idx_agents_upper_email" in plan
    assert others.count() == 1


@pytest.mark.django_db
def test_a_page_of_the_agents_list_is_read_in_order_from_an_index() -> None:
    # Ordered by name then id (agents_list, AgentAdmin.ordering): without the (name, id)
    # index (workflow/sql/0016) every page sorts every agent.
    AgentFactory.create_batch(3)
    page = agents_selectors.agents_list()[:2]
    plan = _plan_at_bank_scale(page, "enable_sort")
    assert "idx_agents_name_id" in plan
    assert "Sort" not in plan
