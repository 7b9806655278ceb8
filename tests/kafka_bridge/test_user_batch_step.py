"""``user.created`` in a batch: the batch step creates plain agents set-based and leaves every
other case to the handler, with the same result as applying the events one by one."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from agents.models import Agent, AgentLinkAudit
from kafka_bridge import processing, topics
from tests.factories import AgentFactory, CrmUserFactory
from tests.kafka_bridge.auth_events import user_created
from tests.kafka_bridge.test_batches import apply_as, record_events
from workflow.models import CrmUser, OutboxEvent

pytestmark = [pytest.mark.django_db]


def event_of(user: CrmUser) -> dict[str, Any]:
    return user_created(user.id, username=user.username, email=user.email, role=user.role)


@pytest.mark.parametrize("mode", ["batch", "one by one"])
def test_a_mixed_batch_ends_as_the_events_applied_one_by_one(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    plain = CrmUserFactory(username="plain.one", first_name="Lan", last_name="Pham")
    boss = CrmUserFactory(username="boss", role="SUPERVISOR")
    ana = CrmUserFactory(username="ana")
    ana_too = CrmUserFactory(username="Ana", email="ana.too@bank.test")
    namesake_user = CrmUserFactory(username="namesake", email="namesake@bank.test")
    namesake = AgentFactory(employee_id="NS-1", email="NAMESAKE@bank.test")
    leaver = CrmUserFactory(username="leaver", is_active=False)
    linked_user = CrmUserFactory(username="linked")
    linked = AgentFactory(employee_id="LINKED-1", user=linked_user)
    twice = CrmUserFactory(username="twice")
    users = [plain, boss, ana, ana_too, namesake_user, leaver, linked_user, twice, twice]
    events = [event_of(user) for user in users]
    ids = record_events(topics.USER_CREATED, events)

    with caplog.at_level(logging.WARNING, logger="kafka_bridge.processing"):
        outcomes = apply_as(mode, ids)

    assert outcomes == {processing.APPLIED: 9}
    assert "one by one" not in caplog.text  # the batch did not fail and fall back
    usernames = dict(CrmUser.objects.values_list("id", "username"))
    agents = {usernames[a.user_id]: a for a in Agent.objects.all() if a.user_id is not None}
    assert {name: agents[name].employee_id for name in agents} == {
        "plain.one": "PLAIN.ONE",
        "boss": "BOSS",
        "ana": "ANA",
        "Ana": "ANA-2",  # the second user of the same candidate
        "namesake": "NS-1",  # linked, not created
        "leaver": "LEAVER",
        "linked": "LINKED-1",
        "twice": "TWICE",
    }
    assert agents["plain.one"].name == "Lan Pham"
    assert (agents["boss"].type, agents["plain.one"].type) == ("SUPERVISOR", "AGENT")
    assert agents["leaver"].is_active is False
    assert agents["namesake"].id == namesake.id and agents["linked"].id == linked.id
    created = {"plain.one", "boss", "ana", "Ana", "leaver", "twice"}
    assert {a.team for name, a in agents.items() if name in created} == {"Unassigned"}
    assert set(
        OutboxEvent.objects.filter(topic=topics.AGENT_CREATED).values_list("message_key", flat=True)
    ) == {str(agents[name].id) for name in created}
    audits = AgentLinkAudit.objects.filter(operation="LINK")
    assert sorted(str(a.agent_id) for a in audits) == sorted(
        str(agents[name].id) for name in [*created, "namesake"]
    )
    if mode == "one by one":
        return  # (apply_inbox outside a task sets no request id)
    # Every agent.created of the batch names the event it came from.
    for event in OutboxEvent.objects.filter(topic=topics.AGENT_CREATED):
        user_id = event.payload["userId"]
        assert event.headers["request-id"] in {e["id"] for e in events if e["userId"] == user_id}
