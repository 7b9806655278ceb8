"""Soak: the whole system under a mixed API load and a Kafka stream while faults are injected.

    .venv/bin/python soak/soak.py [--duration 600] [--clients 32] [--fault-every 60]

See soak/README.md. Exit status 0 only when every check holds.
"""

from __future__ import annotations

import argparse
import itertools
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.load import Load, half_written, stored_markers  # noqa: E402
from tests.faults.system import System, rss_kib, wait_until  # noqa: E402
from tests.faults.topics import unpublished  # noqa: E402
from tests.kafka_bridge.events import payment_event  # noqa: E402

PROCESSES = {
    "web": (),
    "worker": (),
    "events": (),
    "consumer": ("--group", "payment", "--batch-size", "100"),
    "relay": (),
    "beat": (),
}
# kafka_bridge.topics (not imported: this script stays out of Django, like a client would).
PAYMENT_RECEIVED = "payment-service.payment.received"
GROUP = "workflow-service-payment-events"


def faults(system: System) -> list[tuple[str, Callable[[], None]]]:
    """The faults of the round robin, each injected and healed within ~10 s."""

    def postgres_restart() -> None:
        system.stop_postgres()
        time.sleep(2)
        system.start_postgres()

    def redis_down() -> None:
        system.stop_redis()
        time.sleep(5)
        system.start_redis()

    def broker_down() -> None:
        system.proxy.cut()
        time.sleep(10)
        system.proxy.restore()

    def sigkill(name: str) -> Callable[[], None]:
        def kill() -> None:
            system.kill(name, signal.SIGKILL)
            time.sleep(0.5)
            system.start(name, *PROCESSES[name])

        return kill

    return [
        ("postgres restart", postgres_restart),
        ("broker down 10 s", broker_down),
        ("redis down 5 s", redis_down),
        ("SIGKILL lane worker", sigkill("events")),
        ("SIGKILL consumer", sigkill("consumer")),
        ("SIGKILL relay", sigkill("relay")),
    ]


class Stream:
    """Payment events produced at ``rate`` per second until stopped."""

    def __init__(self, system: System, rate: float) -> None:
        self.system, self.rate, self.produced = system, rate, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Stream:
        self._thread.start()
        return self

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=120)
        return self.produced

    def _run(self) -> None:
        batch = max(1, int(self.rate))
        while not self._stop.is_set():
            events = [
                (
                    f"CIF{(self.produced + n) % 50 + 1:07d}",
                    payment_event(
                        payment_id=f"SOAK{self.produced + n:08d}",
                        cif=f"CIF{(self.produced + n) % 50 + 1:07d}",
                    ),
                )
                for n in range(batch)
            ]
            try:
                self.system.produce(PAYMENT_RECEIVED, events)
                self.produced += batch
            except Exception:
                print("  stream: produce failed, retrying", flush=True)
            self._stop.wait(1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soak/soak.py", description=__doc__)
    parser.add_argument("--duration", type=float, default=600, help="seconds of load (600)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent API clients (32)")
    parser.add_argument("--fault-every", type=float, default=60, help="seconds between faults")
    parser.add_argument("--warmup", type=float, default=15, help="seconds before memory is read")
    parser.add_argument("--write-share", type=float, default=0.3, help="share of writes (0.3)")
    parser.add_argument("--rate", type=float, default=20, help="Kafka events per second (20)")
    parser.add_argument("--seed", type=int, default=20261)
    args = parser.parse_args(argv)

    system = System(name="soak", web_workers=2, web_threads=8)
    problems: list[str] = []
    try:
        started = time.monotonic()
        print("soak: starting private servers and processes", flush=True)
        system.start_servers()
        system.prepare()
        for name, extra in PROCESSES.items():
            system.start(name, *extra)
        print(f"soak: ready in {time.monotonic() - started:.0f} s", flush=True)
        token = system.login()
        load = Load(
            system, token, clients=args.clients, write_share=args.write_share, seed=args.seed
        ).start()
        stream = Stream(system, args.rate).start()
        time.sleep(args.warmup)
        rss_start = {name: rss_kib(p.pid) for name, p in system.processes.items()}
        restarted: set[str] = set()
        began = time.monotonic()
        plan = itertools.cycle(faults(system))
        injected: list[str] = []
        next_fault = began + args.fault_every
        while time.monotonic() - began < args.duration:
            if time.monotonic() >= next_fault and time.monotonic() - began < args.duration - 5:
                name, inject = next(plan)
                at = time.monotonic() - began
                print(f"soak: {at:5.0f} s  fault: {name}", flush=True)
                inject()
                injected.append(name)
                if name.startswith("SIGKILL"):
                    restarted.add({"lane worker": "events"}.get(name[8:], name[8:]))
                next_fault += args.fault_every
            time.sleep(0.2)
        rss_end = {name: rss_kib(p.pid) for name, p in system.processes.items()}
        answers = load.stop()
        produced = stream.stop()
        print(f"soak: load stopped; {len(answers)} requests, {produced} events", flush=True)

        settle = 180.0
        try:
            wait_until(
                lambda: (
                    system.sql("SELECT count(*) FROM workflow_service.payments")[0][0] >= produced
                ),
                timeout=settle,
                what="every event applied",
            )
            wait_until(lambda: unpublished(system) == 0, timeout=settle, what="outbox drained")
        except TimeoutError as exc:
            problems.append(str(exc))

        statuses = Counter(a.status for a in answers)
        by_kind = Counter((a.kind, a.status) for a in answers)
        unexpected = {s: n for s, n in statuses.items() if s not in (200, 201, 503)}
        if unexpected:
            problems.append(f"unexpected statuses {unexpected}")
        codes_503 = Counter(a.code for a in answers if a.status == 503)
        if set(codes_503) - {"SERVICE_UNAVAILABLE"}:
            problems.append(f"503 without SERVICE_UNAVAILABLE: {codes_503}")
        stored = stored_markers(system)
        ok = {a.marker for a in answers if a.kind == "write" and a.status == 201}
        failed = {a.marker for a in answers if a.kind == "write" and a.status != 201}
        lost = ok - stored
        phantom = stored - ok - failed
        ambiguous = stored & failed
        if lost:
            problems.append(f"{len(lost)} acknowledged writes lost")
        if phantom:
            problems.append(f"{len(phantom)} phantom writes")
        if half_written(system):
            problems.append("actions and outbox events disagree")
        count, distinct = system.sql(
            "SELECT count(*), count(DISTINCT payment_id) FROM workflow_service.payments"
        )[0]
        if (count, distinct) != (produced, produced):
            problems.append(f"payments {count} ({distinct} distinct) for {produced} events")
        committed = system.committed(GROUP, PAYMENT_RECEIVED)

        print("\n=== soak report ===")
        print(f"duration {args.duration:.0f} s, {args.clients} clients, faults: {injected}")
        print(f"requests {len(answers)}: {dict(sorted(by_kind.items()))}")
        print(f"503 codes {dict(codes_503)}")
        print(
            f"writes: {len(ok)} acknowledged, {len(stored)} stored, {len(ambiguous)} stored "
            f"although answered 503 (commit cut by a restart), {len(lost)} lost, "
            f"{len(phantom)} phantom"
        )
        print(f"events: {produced} produced, {count} payments, {committed} offsets committed")
        print("memory (RSS of each process with its children, after warm-up -> end):")
        for name in rss_start:
            growth = (rss_end[name] - rss_start[name]) / max(rss_start[name], 1) * 100
            note = " (restarted by a fault: not judged)" if name in restarted else ""
            print(
                f"  {name:<9} {rss_start[name] / 1024:7.1f} MiB -> "
                f"{rss_end[name] / 1024:7.1f} MiB  {growth:+6.1f} %{note}"
            )
            if name not in restarted and growth >= 10:
                problems.append(f"{name} memory grew {growth:.1f} %")
        print("result:", "OK" if not problems else "FAILED: " + "; ".join(problems))
        return 1 if problems else 0
    except BaseException:
        print(system.output(), file=sys.stderr)
        raise
    finally:
        system.stop()


if __name__ == "__main__":
    sys.exit(main())
