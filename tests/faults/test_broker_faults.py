"""The broker fails under writes (private servers, real gunicorn and relay):

* down for a while (``FAULTS_BROKER_DOWN_SECONDS``, 15 s here, 60 s in ``make faults-long``):
  every API write succeeds, the outbox grows, and once the broker is back every event is
  published exactly once, in order per key;
* restarted with its state lost (a failover to an empty cluster): the relay, whose idempotent
  producer the new broker does not know, replaces its producer and publishes the backlog. Both
  the ``relay_outbox`` command and the beat sweep (``kafka_bridge.tasks.relay_outbox``).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.faults.load import Load
from tests.faults.system import System, wait_until
from tests.faults.topics import (
    ACTION_RECORDED,
    check_published_once_in_order,
    read_all,
    unpublished,
)

pytestmark = pytest.mark.slow

DOWN_SECONDS = float(os.environ.get("FAULTS_BROKER_DOWN_SECONDS", "15"))


@pytest.fixture(scope="module")
def system() -> Iterator[System]:
    system = System(name="faults-kafka")
    try:
        system.start_servers()
        system.prepare()
        system.start("web")
        system.start("relay")
        yield system
    finally:
        system.stop()


def last_outbox_id(system: System) -> int:
    return int(system.sql("SELECT coalesce(max(id), 0) FROM workflow_service.outbox_events")[0][0])


def test_it_keeps_every_write_while_the_broker_is_down_and_publishes_each_once_in_order(
    system: System,
) -> None:
    token = system.login()
    since = last_outbox_id(system)
    load = Load(system, token, clients=4, pause=0.05).start()
    try:
        wait_until(lambda: len(load.answers) >= 20, timeout=60, what="writes before the cut")
        system.proxy.cut()
        cut_at = time.monotonic()
        time.sleep(DOWN_SECONDS)
        waiting = unpublished(system)
        system.proxy.restore()
        restored_at = time.monotonic()
        time.sleep(2)
    finally:
        answers = load.stop()

    statuses = Counter(a.status for a in answers)
    assert statuses == Counter({201: len(answers)}), statuses
    assert waiting > 0  # the outbox grew while the broker was away
    drained = wait_until(lambda: unpublished(system) == 0, timeout=120, what="the outbox drained")
    count = check_published_once_in_order(
        system, read_all(system.brokers, ACTION_RECORDED), since_id=since
    )
    assert count == statuses[201]
    print(
        f"\nbroker down {restored_at - cut_at:.0f} s: {statuses[201]} writes, all 201; "
        f"{waiting} events waited in the outbox; drained {drained:.1f} s after the broker "
        f"returned; {count} published exactly once, in order per key"
    )


@pytest.mark.parametrize("relay", ["command", "beat"])
def test_after_the_broker_lost_its_state_the_relay_takes_a_new_producer_and_publishes(
    system: System, relay: str
) -> None:
    token = system.login()
    if relay == "beat":  # the beat sweep alone publishes
        system.kill("relay")
        system.start("worker")
        system.start("beat")
    before = Load(system, token, clients=2, pause=0.1).start()
    wait_until(lambda: len(before.answers) >= 10, timeout=60, what="writes")
    before.stop()
    # The relay's producer has a producer id that the broker knows.
    wait_until(lambda: unpublished(system) == 0, timeout=60, what="a published outbox")
    system.stop_broker()
    system.start_broker()  # empty: no topics, no producer ids
    restarted_at = time.monotonic()
    system.manage("ensure_topics")  # what operators run against a new cluster
    since = last_outbox_id(system)
    load = Load(system, token, clients=2, pause=0.1).start()
    try:
        time.sleep(3)
    finally:
        answers = load.stop()
    assert Counter(a.status for a in answers) == Counter({201: len(answers)})
    wait_until(lambda: unpublished(system) == 0, timeout=90, what="the backlog")
    count = check_published_once_in_order(
        system, read_all(system.brokers, ACTION_RECORDED), since_id=since
    )
    assert count > 0
    print(
        f"\nbroker restarted empty ({relay}): {count} events written after the restart, "
        f"all published {time.monotonic() - restarted_at:.1f} s after it"
    )
