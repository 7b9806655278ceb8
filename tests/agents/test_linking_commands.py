"""``link_agents_to_users`` and ``enforce_agent_user_link`` (DESIGN.md §3 items 2-3)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agents import linking, services
from agents.models import Agent
from tests.api import client_for, envelope_error
from tests.factories import AgentFactory, CrmUserFactory
from workflow import agent_link_ddl
from workflow.actors import Actor
from workflow.agent_link_ddl import LinkState
from workflow.errors import Conflict, ValidationFailed
from workflow.models import CrmUser

ACTOR = Actor(username="tests", roles=frozenset({"ADMIN"}))


def run(*args: str) -> tuple[int, str, str]:
    """Run ``link_agents_to_users``; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("link_agents_to_users", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run("--format", "json", *args)
    return code, json.loads(out)


def employee_ids(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["employee_id"] for entry in entries]


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Agent.objects.order_by("employee_id").values_list(
            "employee_id", "user_id", "updated_by", "updated_at"
        )
    )


@pytest.fixture
def every_category() -> dict[str, Any]:
    """One agent (at least) in each category of the report."""
    match_user = CrmUserFactory(username="lan.pham", email="Lan.Pham@bank.test")
    AgentFactory(employee_id="E01-MATCH", email="lan.pham@BANK.TEST")
    AgentFactory(
        employee_id="E02-ALREADY", user=CrmUserFactory(username="already", role="SUPERVISOR")
    )
    AgentFactory(employee_id="E03-NOBODY", email="nobody@bank.test")
    # Two users whose e-mails differ only in case (the column is case-sensitive unique).
    twin_a = CrmUserFactory(username="twin.a", email="Twin@bank.test")
    twin_b = CrmUserFactory(username="twin.b", email="twin@bank.test")
    AgentFactory(employee_id="E04-TWINS", email="TWIN@bank.test")
    # Two unlinked agents with the same e-mail in different case: which one is the user's?
    CrmUserFactory(username="shared", email="shared@bank.test")
    AgentFactory(employee_id="E05-SHARED", email="shared@bank.test")
    AgentFactory(employee_id="E06-SHARED", email="SHARED@bank.test")
    owner = CrmUserFactory(username="owner", email="owner@bank.test")
    AgentFactory(employee_id="E07-OWNER", email="owner.agent@bank.test", user=owner)
    AgentFactory(employee_id="E08-ELSEWHERE", email="Owner@bank.test")
    return {"match_user": match_user, "twins": {twin_a.pk, twin_b.pk}, "owner": owner}


# --- link_agents_to_users -------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_reports_every_category_and_links_only_exact_single_matches(
    every_category: dict[str, Any],
) -> None:
    code, report = run_json()

    assert code == 2
    assert report["summary"] == {
        "dry_run": False,
        "agents": 8,
        "linked": 1,
        "already_linked": 2,
        "no_match": 1,
        "ambiguous": 3,
        "user_linked_elsewhere": 1,
    }
    [linked] = report["linked"]
    assert linked["employee_id"] == "E01-MATCH"
    assert linked["user_id"] == str(every_category["match_user"].pk)
    assert linked["username"] == "lan.pham" and linked["email"] == "lan.pham@BANK.TEST"
    assert employee_ids(report["already_linked"]) == ["E02-ALREADY", "E07-OWNER"]
    assert employee_ids(report["no_match"]) == ["E03-NOBODY"]
    assert employee_ids(report["ambiguous"]) == ["E04-TWINS", "E05-SHARED", "E06-SHARED"]
    twins = report["ambiguous"][0]
    assert {c["user_id"] for c in twins["candidates"]} == {
        str(pk) for pk in every_category["twins"]
    }
    [elsewhere] = report["user_linked_elsewhere"]
    assert elsewhere["employee_id"] == "E08-ELSEWHERE"
    assert elsewhere["user_id"] == str(every_category["owner"].pk)
    assert elsewhere["linked_agent_employee_id"] == "E07-OWNER"

    agent = Agent.objects.get(employee_id="E01-MATCH")
    assert (agent.user_id, agent.updated_by) == (
        every_category["match_user"].pk,
        "link_agents_to_users",
    )
    assert list(
        Agent.objects.filter(user__isnull=True)
        .order_by("employee_id")
        .values_list("employee_id", flat=True)
    ) == ["E03-NOBODY", "E04-TWINS", "E05-SHARED", "E06-SHARED", "E08-ELSEWHERE"]


@pytest.mark.django_db
def test_a_second_run_changes_nothing(every_category: dict[str, Any]) -> None:
    _, first = run_json()
    after_first = snapshot()

    code, second = run_json()

    assert code == 2
    assert snapshot() == after_first
    assert second["linked"] == []
    assert employee_ids(second["already_linked"]) == ["E01-MATCH", "E02-ALREADY", "E07-OWNER"]
    for category in ("no_match", "ambiguous", "user_linked_elsewhere"):
        assert second[category] == first[category]


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(every_category: dict[str, Any]) -> None:
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        code, report = run_json("--dry-run")

    assert code == 2
    assert report["summary"]["dry_run"] is True
    assert employee_ids(report["linked"]) == ["E01-MATCH"]  # what a real run would link
    assert snapshot() == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


@pytest.mark.django_db
def test_it_exits_0_when_every_agent_is_linked() -> None:
    CrmUserFactory(email="a@bank.test")
    CrmUserFactory(email="b@bank.test")
    AgentFactory(email="A@bank.test")
    AgentFactory(email="b@bank.test")

    assert run_json("--dry-run")[0] == 0
    code, report = run_json()

    assert code == 0
    assert report["summary"]["linked"] == 2
    assert not Agent.objects.filter(user__isnull=True).exists()
    assert run_json()[1]["summary"]["already_linked"] == 2


@pytest.mark.django_db
def test_the_table_lists_what_needs_a_person(every_category: dict[str, Any]) -> None:
    code, out, err = run("--dry-run")

    assert code == 2
    assert "Dry run, nothing written: linking 8 agent(s) to CRM users" in out
    assert "Would link" in out and "E01-MATCH" in out and "lan.pham (AGENT)" in out
    assert "E03-NOBODY" in out
    assert "E04-TWINS" in out and "twin.a <Twin@bank.test>" in out
    assert "E08-ELSEWHERE" in out and "is linked to agent E07-OWNER" in out
    assert "E02-ALREADY" not in out  # listed with -v 2 only
    assert "5 agent(s) need a person: 1 no match, 3 ambiguous, 1 user linked elsewhere." in err
    assert "E02-ALREADY" in run("--dry-run", "--verbosity", "2")[1]


@pytest.mark.django_db
def test_it_shows_progress_on_large_sets() -> None:
    Agent.objects.bulk_create(
        AgentFactory.build(email=f"bulk{n}@bank.test", employee_id=f"B{n:05d}") for n in range(501)
    )

    code, _, err = run("--dry-run")

    assert code == 2  # no CRM user matches
    assert "500 / 501 agents" in err and "501 / 501 agents" in err


@pytest.mark.django_db
def test_an_agent_or_user_linked_by_another_writer_meanwhile_is_reported_not_relinked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = CrmUserFactory(username="race.user", email="race@bank.test")
    someone = CrmUserFactory(username="someone")
    agent = AgentFactory(employee_id="E-RACE", email="race@bank.test")
    taken_user = CrmUserFactory(username="taken.user", email="taken@bank.test")
    late = AgentFactory(employee_id="E-LATE", email="taken@bank.test")
    winner = AgentFactory(employee_id="E-WINNER", email="winner@bank.test")
    real_link = services.agent_link_user

    def link_after_another_writer(*, agent_id: Any, **kwargs: Any) -> Any:
        # Between the report's reads and the link, someone else links the agent or the user.
        if agent_id == agent.id:
            Agent.objects.filter(id=agent.id).update(user_id=someone.id)
        else:
            Agent.objects.filter(id=winner.id).update(user_id=taken_user.id)
        return real_link(agent_id=agent_id, **kwargs)

    monkeypatch.setattr(linking, "agent_link_user", link_after_another_writer)
    report = linking.link_agents(actor=ACTOR, dry_run=False, agent_ids=[agent.id, late.id])

    assert report.linked == []
    [already] = report.already_linked
    assert already.user is not None
    assert (already.agent.employee_id, already.user.username) == ("E-RACE", "someone")
    [elsewhere] = report.user_linked_elsewhere
    assert (elsewhere.agent.employee_id, elsewhere.linked_agent) == ("E-LATE", "E-WINNER")
    assert Agent.objects.get(id=agent.id).user_id == someone.id
    assert Agent.objects.get(id=late.id).user_id is None
    assert user.id not in set(Agent.objects.values_list("user_id", flat=True))


# --- enforce_agent_user_link -------------------------------------------------------------------


def enforce(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("enforce_agent_user_link", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


@pytest.fixture
def always_reverted() -> Iterator[None]:
    """The enforcement changes the shared test database's DDL: undo it whatever happens."""
    try:
        yield
    finally:
        agent_link_ddl.revert_user_link()
        assert agent_link_ddl.link_state().relaxed


@pytest.mark.django_db(transaction=True)
def test_enforcement_refuses_while_agents_are_unlinked_then_succeeds_and_reverts(
    always_reverted: None,
) -> None:
    user = CrmUserFactory(email="one@bank.test")
    linked = AgentFactory(employee_id="E-LINKED", user=CrmUserFactory())
    AgentFactory(employee_id="E-UNLINKED", email="one@bank.test", name="Not Yet")

    code, out = enforce()
    assert code == 2
    assert "E-UNLINKED" in out and "Not Yet" in out and "E-LINKED" not in out
    assert "Refused: 1 agent(s) are not linked to a user." in out
    assert agent_link_ddl.link_state() == LinkState(not_null=False, delete_rule="SET NULL")

    assert run()[0] == 0  # links E-UNLINKED to its user
    assert enforce("--dry-run") == (
        0,
        "Would change: agents.user_id nullable, fk_agents_user_id ON DELETE SET NULL -> "
        "agents.user_id NOT NULL, fk_agents_user_id ON DELETE RESTRICT.\n",
    )
    assert not agent_link_ddl.link_state().not_null

    code, out = enforce()
    assert code == 0 and out.startswith("Changed:")
    assert agent_link_ddl.link_state() == LinkState(not_null=True, delete_rule="RESTRICT")
    assert enforce() == (
        0,
        "Nothing to do: agents.user_id NOT NULL, fk_agents_user_id ON DELETE RESTRICT.\n",
    )

    # A linked user can no longer be deleted, nor an agent unlinked.
    with pytest.raises(Exception, match="fk_agents_user_id"), transaction.atomic():
        CrmUser.objects.filter(id=user.id).delete()
    with pytest.raises(Conflict, match="cannot be unlinked") as unlinked:
        services.agent_unlink_user(agent_id=linked.id, actor=ACTOR)
    assert unlinked.value.field == "userId"
    # ... but an agent can move to another user in one step.
    spare = CrmUserFactory()
    services.agent_link_user(agent_id=linked.id, user_id=spare.id, actor=ACTOR, replace=True)
    assert Agent.objects.get(id=linked.id).user_id == spare.id

    code, out = enforce("--revert")
    assert code == 0 and out.startswith("Changed:")
    assert agent_link_ddl.link_state() == LinkState(not_null=False, delete_rule="SET NULL")
    assert enforce("--revert")[1].startswith("Nothing to do:")
    services.agent_unlink_user(agent_id=linked.id, actor=ACTOR)
    assert Agent.objects.get(id=linked.id).user_id is None


@pytest.mark.django_db(transaction=True)
def test_after_enforcement_an_agent_without_a_user_is_a_400_not_a_500(
    always_reverted: None,
) -> None:
    AgentFactory(user=CrmUserFactory())
    agent_link_ddl.enforce_user_link()

    with pytest.raises(ValidationFailed) as refused:
        services.agent_create(
            employee_id="EMP777",
            name="No User",
            email="no.user@bank.test",
            phone=None,
            type="AGENT",
            team="Team A",
            actor=ACTOR,
        )
    assert refused.value.field == "userId"
    assert refused.value.message == "every agent must be linked to a user; give userId"

    client = client_for(CrmUserFactory(role="ADMIN"))
    response = client.post(
        "/api/v1/collection/agents",
        {
            "employeeId": "EMP778",
            "name": "No User",
            "email": "no.user2@bank.test",
            "type": "AGENT",
            "team": "Team A",
        },
        format="json",
    )
    envelope_error(response, 400, "VALIDATION_ERROR", field="userId")

    user = CrmUserFactory()
    agent = services.agent_create(
        employee_id="EMP779",
        name="With User",
        email="with.user@bank.test",
        phone=None,
        type="AGENT",
        team="Team A",
        actor=ACTOR,
        user_id=user.id,
    )
    assert Agent.objects.get(id=agent.id).user_id == user.id
    assert Agent.objects.filter(employee_id__in=["EMP777", "EMP778"]).count() == 0


@pytest.mark.django_db(transaction=True)
def test_enforcement_fails_fast_when_the_table_is_busy(always_reverted: None) -> None:
    AgentFactory(user=CrmUserFactory())
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    locked, release = threading.Event(), threading.Event()

    def hold_a_write_lock() -> None:
        with psycopg.connect(**params) as other:
            other.execute("LOCK TABLE workflow_service.agents IN ROW EXCLUSIVE MODE")
            locked.set()
            release.wait(10)
            other.rollback()

    holder = threading.Thread(target=hold_a_write_lock)
    holder.start()
    try:
        assert locked.wait(10)
        code, out = enforce("--lock-timeout", "0.2")
    finally:
        release.set()
        holder.join()

    assert code == 1
    assert "Could not lock the agents and users tables within 0.2 s (nothing changed)" in out
    assert not agent_link_ddl.link_state().not_null


@pytest.mark.django_db
def test_a_created_agent_can_be_linked_in_the_same_call() -> None:
    user = CrmUserFactory()
    AgentFactory(employee_id="E-TAKEN", user=(taken := CrmUserFactory()))

    agent = services.agent_create(
        employee_id="EMP1",
        name="N",
        email="n@bank.test",
        phone=None,
        type="AGENT",
        team="T",
        actor=ACTOR,
        user_id=user.id,
    )
    assert agent.user_id == user.id

    with pytest.raises(Conflict) as conflict:
        services.agent_create(
            employee_id="EMP2",
            name="N",
            email="n2@bank.test",
            phone=None,
            type="AGENT",
            team="T",
            actor=ACTOR,
            user_id=taken.id,
        )
    assert conflict.value.field == "userId"
    assert not Agent.objects.filter(employee_id="EMP2").exists()
