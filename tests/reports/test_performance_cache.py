"""The Redis cache of ``GET agents/{id}/performance``: same answers, exact invalidation,
uncached answers when Redis fails."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient

from agents.models import Agent
from cases.models import CustomerCase
from kafka_bridge import conf, processing
from kafka_bridge.processing import apply_event
from payments.models import Payment
from reports import performance
from reports.cache import cached_report
from tests.actions.helpers import call_payload
from tests.api import agent_client, envelope_ok, unlinked_client
from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CustomerCaseFactory,
    CustomerFactory,
    LoanFactory,
)
from tests.kafka_bridge.events import payment_event
from tests.kafka_bridge.test_batches import record_payloads
from workflow import generations
from workflow.business_time import business_today

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection"
MARCH = "startDate=2026-03-01&endDate=2026-03-15"


def perf_url(agent: Agent, query: str = MARCH) -> str:
    return f"{BASE}/agents/{agent.id}/performance?{query}"


def generation(agent: Agent) -> int | None:
    value = caches["default"].get(generations.generation_key(agent.id))
    return None if value is None else int(value)


def cached_keys(agent: Agent) -> list[str]:
    return sorted(
        key
        for key in caches["default"].keys(f"{generations.KEY_PREFIX}:{agent.id}:*")  # type: ignore[attr-defined]
        if not key.endswith(":gen")
    )


@pytest.fixture
def team() -> Iterator[tuple[APIClient, Agent, Agent]]:
    """Anh (with a client of her own) and Binh, each with March actions and a payment."""
    client, anh = agent_client()
    binh = AgentFactory()
    loan = LoanFactory()
    for who, result in ((anh, "PROMISE_TO_PAY"), (binh, "NO_CONTACT")):
        ActionRecordFactory(
            agent=who,
            loan=loan,
            action_result=result,
            action_date=dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC),
        )
    Payment.objects.create(
        payment_id="P-ANH",
        amount=Decimal("1234567.80"),
        payment_date=dt.datetime(2026, 3, 3, 3, 0, tzinfo=dt.UTC),
        call_agent=anh,
        raw={},
    )
    yield client, anh, binh


def with_alias(settings: Any, alias: str, config: dict[str, Any]) -> None:
    settings.CACHES = {**settings.CACHES, alias: config}
    settings.PERFORMANCE_CACHE_ALIAS = alias


def test_a_cached_answer_is_byte_for_byte_the_uncached_one(
    team: tuple[APIClient, Agent, Agent], settings: Any, django_assert_num_queries: Any
) -> None:
    client, anh, _ = team

    first = client.get(perf_url(anh))
    with django_assert_num_queries(1):  # the agent only: the report comes from Redis
        second = client.get(perf_url(anh))
    with_alias(settings, "none", {"BACKEND": "django.core.cache.backends.dummy.DummyCache"})
    uncached = client.get(perf_url(anh))

    assert first.status_code == second.status_code == uncached.status_code == 200
    assert second.content == first.content == uncached.content
    metrics = second.json()["data"]["metrics"]
    assert metrics["totalAmountCollected"] == 1234567.8
    assert isinstance(metrics["paymentsCollected"], int)
    assert metrics["averageCallDuration"] is None


def test_entries_live_performance_cache_seconds(
    team: tuple[APIClient, Agent, Agent], settings: Any
) -> None:
    client, anh, _ = team
    settings.PERFORMANCE_CACHE_SECONDS = 60

    envelope_ok(client.get(perf_url(anh)))

    [key] = cached_keys(anh)
    assert 0 < caches["default"].ttl(key) <= 60  # type: ignore[attr-defined]
    assert caches["default"].ttl(generations.generation_key(anh.id)) is None  # type: ignore[attr-defined]


def test_each_period_is_cached_apart(team: tuple[APIClient, Agent, Agent]) -> None:
    client, anh, _ = team

    envelope_ok(client.get(perf_url(anh)))
    envelope_ok(client.get(perf_url(anh, "startDate=2026-03-02&endDate=2026-03-02")))

    assert len(cached_keys(anh)) == 2


def test_recording_an_action_invalidates_exactly_its_agent(
    team: tuple[APIClient, Agent, Agent],
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
) -> None:
    client, anh, binh = team
    reader = unlinked_client("SUPERVISOR")
    before = envelope_ok(reader.get(perf_url(anh)))
    envelope_ok(reader.get(perf_url(binh)))
    anh_generation, binh_generation = generation(anh), generation(binh)

    with django_capture_on_commit_callbacks(execute=True):
        envelope_ok(client.post(f"{BASE}/actions", call_payload(LoanFactory()), format="json"), 201)

    assert generation(anh) == anh_generation + 1  # type: ignore[operator]
    assert generation(binh) == binh_generation
    with django_assert_num_queries(1):  # Binh's entry is still served from the cache
        envelope_ok(reader.get(perf_url(binh)))
    after = envelope_ok(reader.get(perf_url(anh)))
    assert after["metrics"]["totalActions"] == before["metrics"]["totalActions"] + 1


def test_an_action_that_is_not_recorded_invalidates_nothing(
    team: tuple[APIClient, Agent, Agent], django_capture_on_commit_callbacks: Any
) -> None:
    client, anh, _ = team
    envelope_ok(client.get(perf_url(anh)))
    anh_generation = generation(anh)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            f"{BASE}/actions", call_payload(LoanFactory(), cif="NO-SUCH-CIF"), format="json"
        )

    assert response.status_code == 404
    assert callbacks == []
    assert generation(anh) == anh_generation


def test_changing_a_result_invalidates_the_agent_who_recorded_the_action(
    team: tuple[APIClient, Agent, Agent],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _, anh, binh = team
    action = ActionRecordFactory(
        agent=binh, action_result="NO_CONTACT", action_date=dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    )
    supervisor = unlinked_client("SUPERVISOR")
    before = envelope_ok(supervisor.get(perf_url(binh)))
    envelope_ok(supervisor.get(perf_url(anh)))
    anh_generation = generation(anh)

    with django_capture_on_commit_callbacks(execute=True):
        envelope_ok(
            supervisor.put(
                f"{BASE}/actions/{action.id}/result",
                {"actionResult": "PAYMENT_MADE"},
                format="json",
            )
        )

    assert generation(anh) == anh_generation
    after = envelope_ok(supervisor.get(perf_url(binh)))
    assert after["metrics"]["successfulActions"] == before["metrics"]["successfulActions"] + 1


def test_a_payment_arriving_invalidates_its_call_and_field_agents_only(
    django_capture_on_commit_callbacks: Any,
) -> None:
    call, field, other = AgentFactory(), AgentFactory(), AgentFactory()
    case: CustomerCase = CustomerCaseFactory(
        customer=CustomerFactory(), assigned_call_agent=call, assigned_field_agent=field
    )
    today = business_today().isoformat()
    query = f"startDate={today}&endDate={today}"
    reader = unlinked_client("AGENT")
    for agent in (call, field, other):
        envelope_ok(reader.get(perf_url(agent, query)))
    before = {agent.id: generation(agent) for agent in (call, field, other)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        now = cursor.fetchone()[0].astimezone(dt.UTC)

    with django_capture_on_commit_callbacks(execute=True):
        apply_event(
            topic=conf.payment_topic(),
            key=None,
            payload=payment_event(
                cif=case.customer_id,
                loan_account_number=None,
                amount="500000.00",
                payment_date=now.isoformat().replace("+00:00", "Z"),
            ),
            headers={},
        )

    assert generation(call) == before[call.id] + 1  # type: ignore[operator]
    assert generation(field) == before[field.id] + 1  # type: ignore[operator]
    assert generation(other) == before[other.id]
    for agent in (call, field):
        data = envelope_ok(reader.get(perf_url(agent, query)))
        assert data["metrics"]["paymentsCollected"] == 1
        assert data["metrics"]["totalAmountCollected"] == 500000.0


def test_an_edited_agent_is_answered_fresh_without_invalidation(
    team: tuple[APIClient, Agent, Agent],
) -> None:
    _, anh, _ = team
    supervisor = unlinked_client("SUPERVISOR")
    envelope_ok(supervisor.get(perf_url(anh)))

    envelope_ok(supervisor.put(f"{BASE}/agents/{anh.id}", {"name": "Anh Renamed"}, format="json"))

    assert envelope_ok(supervisor.get(perf_url(anh)))["agentName"] == "Anh Renamed"


def test_an_evicted_generation_never_brings_old_entries_back(
    team: tuple[APIClient, Agent, Agent],
) -> None:
    client, anh, _ = team
    envelope_ok(client.get(perf_url(anh)))
    # A change the cache is not told about, then the generation disappears (eviction).
    ActionRecordFactory(agent=anh, action_date=dt.datetime(2026, 3, 4, tzinfo=dt.UTC))
    caches["default"].delete(generations.generation_key(anh.id))

    assert envelope_ok(client.get(perf_url(anh)))["metrics"]["totalActions"] == 2

    generations.bump_agent(anh.id)  # also after eviction: a new, never used generation
    assert generation(anh) is not None and generation(anh) > 2**40  # type: ignore[operator]


# --- Redis failing --------------------------------------------------------------------------


def closed_port_cache(port: int) -> dict[str, Any]:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }


def test_with_the_cache_down_the_endpoint_answers_uncached(
    team: tuple[APIClient, Agent, Agent],
    settings: Any,
    unused_tcp_port: int,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client, anh, _ = team
    expected = client.get(perf_url(anh)).content
    # Sessions stay on the working Redis: only the performance cache points at a closed port.
    with_alias(settings, "down", closed_port_cache(unused_tcp_port))
    caplog.set_level(logging.WARNING, logger="reports.cache")

    response = client.get(perf_url(anh))

    assert response.status_code == 200
    assert response.content == expected
    assert "performance cache unavailable, answering uncached" in caplog.text
    with django_capture_on_commit_callbacks(execute=True):
        envelope_ok(client.post(f"{BASE}/actions", call_payload(LoanFactory()), format="json"), 201)
    assert "not invalidated" in caplog.text


def test_with_redis_down_the_cache_layer_computes_and_never_raises(
    team: tuple[APIClient, Agent, Agent], settings: Any, unused_tcp_port: int
) -> None:
    _, anh, binh = team
    expected = performance.agent_performance(
        agent=anh, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 15)
    )
    settings.CACHES = {"default": closed_port_cache(unused_tcp_port)}

    report = performance.cached_agent_performance(
        agent=anh, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 15)
    )
    generations.bump_agent(anh.id)
    generations.bump_agents(anh.id, binh.id, None)

    assert report == expected


# --- bumps: one round trip, and once per agent for a Kafka batch ------------------------------


def generation_of(agent_id: Any) -> int | None:
    value = caches["default"].get(generations.generation_key(agent_id))
    return None if value is None else int(value)


def test_a_deferred_block_bumps_each_agent_once_when_it_ends() -> None:
    known, new = uuid.uuid4(), uuid.uuid4()
    generations.bump_agents(known)
    start = generation_of(known)
    assert start is not None and start > 2**40  # started at the time in nanoseconds

    with generations.bumps_deferred():
        generations.bump_agents(known, new)
        generations.bump_agent(known)
        with generations.bumps_deferred():  # nested: the outer block bumps
            generations.bump_agents(new, None)
        assert (generation_of(known), generation_of(new)) == (start, None)

    assert generation_of(known) == start + 1
    assert generation_of(new) is not None and generation_of(new) > 2**40  # type: ignore[operator]
    generations.bump_agents(known, new)  # outside a block: at once
    assert generation_of(known) == start + 2


def test_a_deferred_block_that_raises_still_bumps_what_it_collected() -> None:
    agent_id = uuid.uuid4()
    generations.bump_agent(agent_id)
    start = generation_of(agent_id)
    with pytest.raises(RuntimeError), generations.bumps_deferred():
        generations.bump_agent(agent_id)  # as a callback of a transaction that committed
        raise RuntimeError("after the commit")
    assert generation_of(agent_id) == start + 1  # type: ignore[operator]


@pytest.mark.django_db(transaction=True)
def test_a_kafka_batch_of_payments_bumps_their_agents_once() -> None:
    call, field = AgentFactory(), AgentFactory()
    case: CustomerCase = CustomerCaseFactory(
        customer=CustomerFactory(), assigned_call_agent=call, assigned_field_agent=field
    )
    generations.bump_agents(call.id, field.id)
    before = (generation_of(call.id), generation_of(field.id))
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        now = cursor.fetchone()[0].astimezone(dt.UTC)
    paid_at = now.isoformat().replace("+00:00", "Z")
    ids = record_payloads(
        [
            payment_event(
                cif=case.customer_id,
                loan_account_number=None,
                amount="1000.00",
                payment_date=paid_at,
            )
            for _ in range(3)
        ]
    )

    assert processing.apply_inbox_batch(ids) == {processing.APPLIED: 3}

    assert Payment.objects.filter(call_agent=call, field_agent=field).count() == 3
    assert (generation_of(call.id), generation_of(field.id)) == (before[0] + 1, before[1] + 1)  # type: ignore[operator]


def test_a_report_costs_one_round_trip_to_redis_when_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands: list[str] = []
    execute = redis.Redis.execute_command

    def counted(self: redis.Redis, *args: Any, **options: Any) -> Any:
        commands.append(str(args[0]))
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    agent_id, day = uuid.uuid4(), dt.date(2026, 3, 1)

    def report(value: int) -> dict[str, Any]:
        return cached_report(
            agent_id=agent_id, version="v", start=day, end=day, compute=lambda: {"n": value}
        )

    assert report(1) == {"n": 1}
    assert commands == ["MGET", "EVAL", "SET"]  # a new agent: its generation starts
    commands.clear()
    assert report(2) == {"n": 1}
    assert commands == ["MGET"]  # the generation and the entry together
    generations.bump_agent(agent_id)
    commands.clear()
    assert report(3) == {"n": 3}  # the entry of the old generation is not used
    assert commands == ["MGET", "SET"]
    assert report(4) == {"n": 3}
