"""Redis down (private servers, real gunicorn, consumer and lane worker).

Sessions live in Redis (DESIGN.md §4), so no token can be checked: authenticated API requests
fail closed with 503 ``SERVICE_UNAVAILABLE`` (never 200 on an unchecked token, never 401 that
would log the user out), and ``/readyz`` is 503. The Kafka consumer cannot hand events to
Celery (its broker is Redis), so it commits no offset beyond what was handed off; once Redis
is back, every event is applied exactly once and the same tokens work again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from kafka_bridge.topics import CONSUMER_GROUPS, PAYMENT_RECEIVED
from tests.faults.system import System, wait_until
from tests.kafka_bridge.events import payment_event

pytestmark = pytest.mark.slow

GROUP = CONSUMER_GROUPS["payment"][0]


@pytest.fixture(scope="module")
def system() -> Iterator[System]:
    system = System(name="faults-redis")
    try:
        system.start_servers()
        system.prepare()
        system.start("web")
        system.start("events")
        system.start("consumer", "--group", "payment", "--batch-size", "50")
        yield system
    finally:
        system.stop()


def payments(system: System) -> int:
    return int(system.sql("SELECT count(*) FROM workflow_service.payments")[0][0])


def events(first: int, count: int) -> list[tuple[str, dict[str, object]]]:
    return [
        (
            f"CIF{n % 50 + 1:07d}",
            payment_event(payment_id=f"R{n:05d}", cif=f"CIF{n % 50 + 1:07d}"),
        )
        for n in range(first, first + count)
    ]


def test_it_fails_closed_and_loses_no_event_while_redis_is_down(system: System) -> None:
    token = system.login()
    path = "/api/v1/collection/actions/customer/CIF0000001?pageSize=5"
    assert system.http("GET", path, token=token)[0] == 200
    system.produce(PAYMENT_RECEIVED, events(0, 200))
    wait_until(lambda: payments(system) == 200, timeout=90, what="the first 200 payments")
    wait_until(lambda: system.committed(GROUP, PAYMENT_RECEIVED) == 200, timeout=30, what="commit")

    system.stop_redis()
    down_at = time.monotonic()
    system.produce(PAYMENT_RECEIVED, events(200, 200))
    status, body = system.http("GET", path, token=token)
    assert status == 503, body
    assert body["errors"][0]["code"] == "SERVICE_UNAVAILABLE"
    write = {"cif": "CIF0000001", "loanAccountNumber": "LN00000011", "type": "CALL"}
    status, body = system.http("POST", "/api/v1/collection/actions", write, token=token)
    assert status == 503 and body["errors"][0]["code"] == "SERVICE_UNAVAILABLE", body
    assert system.http("GET", "/readyz")[0] == 503
    time.sleep(5)  # the consumer polls, fails to hand off, backs off
    assert system.committed(GROUP, PAYMENT_RECEIVED) == 200  # nothing committed unhanded
    assert payments(system) == 200

    system.start_redis()
    up_at = time.monotonic()
    took = wait_until(lambda: payments(system) == 400, timeout=120, what="the rest applied")
    wait_until(lambda: system.committed(GROUP, PAYMENT_RECEIVED) == 400, timeout=60, what="commit")
    time.sleep(1)
    assert payments(system) == 400
    assert (
        system.sql("SELECT count(DISTINCT payment_id) FROM workflow_service.payments")[0][0] == 400
    )
    assert system.http("GET", path, token=token)[0] == 200  # the session survived (AOF)
    print(
        f"\nredis down {up_at - down_at:.1f} s: API 503 SERVICE_UNAVAILABLE, readyz 503, "
        f"200 events waited in Kafka uncommitted; all 400 applied once {took:.1f} s after "
        "Redis returned"
    )
