"""``python -m bench``: the load benchmark of issue 11 (see bench/README.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collectioncrm.settings_test")

QUICK_SCALE = 0.01
COMPARE_CASES = "healthz,agents_list,actions_customer,actions_create,mix"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load benchmark: generated bank-scale data, gunicorn, wrk, every endpoint, "
        "Kafka paths. Prints a Markdown table and writes JSON + Markdown to bench/results/.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"check that the harness works end to end (scale {QUICK_SCALE}, 2 s per case, "
        "8 connections, sync workers, a subset of cases, small Kafka runs); figures mean "
        "nothing",
    )
    parser.add_argument("--scale", type=float, help="data set size; 1 = the issue's (default 1)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database (bench_<name>_s<scale>) and reuse it next time",
    )
    parser.add_argument("--seconds", type=float, help="seconds per case and concurrency (10)")
    parser.add_argument("--concurrency", help="connections, comma-separated (8,32,64)")
    parser.add_argument(
        "--worker-class",
        help="web servers, comma-separated: gunicorn's sync and gthread worker classes, "
        "granian (sync,gthread)",
    )
    parser.add_argument(
        "--compare-cases",
        default=None,
        help="cases run under the worker classes after the first, or 'all' "
        f"(default {COMPARE_CASES})",
    )
    parser.add_argument("--cases", help="only these cases, comma-separated (default: all)")
    parser.add_argument("--kafka-events", type=int, help="events per consumed group (5000)")
    parser.add_argument("--relay-events", type=int, help="outbox rows for the relay (20000)")
    parser.add_argument("--no-http", action="store_true", help="skip the web cases")
    parser.add_argument("--no-kafka", action="store_true", help="skip the Kafka paths")
    parser.add_argument(
        "--agent-date-index",
        action="store_true",
        help="measure with the optional (agent_id, action_date) index of action_records "
        "(manage.py agent_date_index builds it); without this option it is dropped, so the "
        "run measures the schema as shipped",
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "results", help="results folder"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    defaults: dict[str, Any] = {
        "scale": QUICK_SCALE if quick else 1.0,
        "seconds": 2.0 if quick else 10.0,
        "concurrency": "8" if quick else "8,32,64",
        "worker_class": "sync" if quick else "sync,gthread",
        "kafka_events": 200 if quick else 5000,
        "relay_events": 1000 if quick else 20000,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.concurrency = [int(value) for value in str(args.concurrency).split(",")]
    args.worker_class = str(args.worker_class).split(",")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from bench import cases as case_module
    from bench import web

    unknown = [name for name in args.worker_class if name not in web.SERVERS]
    known = {case.name for case in case_module.CASES}
    chosen = set(args.cases.split(",")) if args.cases else None
    unknown += sorted((chosen or set()) - known)
    if unknown:
        print(f"unknown worker class or case: {unknown}")
        print(f"cases: {', '.join(sorted(known))}")
        return 2
    selected = [
        case
        for case in case_module.CASES
        if (chosen is None and (case.quick or not args.quick))
        or (chosen is not None and case.name in chosen)
        or case.name == "healthz"  # the baseline of every ratio
    ]
    if not args.no_http:
        from bench.load import wrk_binary

        wrk_binary()  # fail before the data set is made, not after

    import django

    django.setup()
    from django.test.utils import setup_test_environment, teardown_test_environment

    from bench.database import BenchDatabase

    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    results: dict[str, Any] = {
        "started": started.isoformat().replace("+00:00", "Z"),
        "command": "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "commit": _commit(),
        "cpus": os.cpu_count(),
        "scale": args.scale,
        "quick": args.quick,
        "problems": [],
    }
    setup_test_environment()  # the in-process client's host "testserver" is allowed
    database = BenchDatabase(scale=args.scale, keep=args.keep)
    try:
        generation = database.open(echo=_echo)
        results["dataset"] = generation.as_dict()
        results["database"] = database.name
        results["agent_date_index"] = _agent_date_index(build=args.agent_date_index)
        if not args.no_http:
            results["http"] = _http(args, selected, database, results["problems"])
        if not args.no_kafka:
            results["kafka"] = _kafka(args, results["problems"])
    finally:
        database.close()
        teardown_test_environment()
    from bench import report

    json_path, md_path = report.write(results, args.output)
    print()
    print(report.markdown(results))
    print(f"written: {json_path.relative_to(ROOT)}, {md_path.relative_to(ROOT)}")
    # The quick mode checks the harness: a case that answered errors is a failure there.
    return 1 if args.quick and results["problems"] else 0


def _agent_date_index(*, build: bool) -> bool:
    """Build (or drop) the optional index on the bench database; whether it is there."""
    from django.db import connection

    from actions import agent_date_index

    with connection.cursor() as cursor:
        if build:
            agent_date_index.build(cursor, echo=lambda text: None)
            _echo("agent_date_index: the (agent_id, action_date) index is built")
        else:
            agent_date_index.drop(cursor)
    return build


def _echo(text: str) -> None:
    print(text, flush=True)


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _http(
    args: argparse.Namespace, selected: list[Any], database: Any, problems: list[str]
) -> list[dict[str, Any]]:
    from django.test import override_settings

    from bench import cases as case_module
    from bench import contact_cases, load, queries, web

    ctx = case_module.context(echo=_echo)
    _echo("queries per request (in-process, Django test client, a warm process):")
    counted: dict[str, float] = {}
    for case in selected:
        sample = case.build(ctx, 40 if case.name == "mix" else 2)
        with override_settings(CONTACT_POLICY_ENABLED=case.contact_policy):
            outcomes = [queries.count(request) for request in sample]
        bad = [status for status, _ in outcomes if not 200 <= status < 300]
        # A single case counts its second request: the first fills the process's caches (the
        # contact policy, a cached page), which a web worker does once, not per request.
        warm = outcomes if case.name == "mix" else outcomes[1:] or outcomes
        counted[case.name] = sum(n for _, n in warm) / len(warm)
        first = outcomes[0][1] if outcomes else 0
        notes = (
            [f"first request {first}"] if case.name != "mix" and first != counted[case.name] else []
        )
        notes += [f"status {bad}"] if bad else []
        _echo(
            f"  {case.name}: {counted[case.name]:g}" + (f" ({'; '.join(notes)})" if notes else "")
        )
        if bad:
            problems.append(f"{case.name}: in-process request answered {bad}")
    compare = (
        {case.name for case in selected}
        if args.compare_cases == "all"
        else set((args.compare_cases or COMPARE_CASES).split(","))
    )
    workdir = args.output / "work"
    workdir.mkdir(parents=True, exist_ok=True)
    # Distinct writes prepared per run: more than the fastest write serves (about 730 req/s on
    # 2 cores), or its list runs out and the repeats (cheaper refusals or no-ops) skew it.
    budget = int(args.seconds * 1000)
    rows: list[dict[str, Any]] = []
    for index, worker_class in enumerate(args.worker_class):
        cases = [case for case in selected if index == 0 or case.name in compare]
        _echo(f"{web.label(worker_class)}: {len(cases)} cases x {args.concurrency} connections")
        server = web.start(worker_class, database_url=database.url(), log_dir=workdir)
        # The "contact policy off" cases go to a second server started with the setting off.
        policy_off = None
        try:
            if any(not case.contact_policy for case in cases):
                policy_off = web.start(
                    worker_class,
                    database_url=database.url(),
                    log_dir=workdir,
                    environment=contact_cases.POLICY_OFF_ENVIRONMENT,
                    name="policy-off",
                )
            # Warm-up (not recorded): every worker imports, connects and fills its caches.
            for warmed in filter(None, (server, policy_off)):
                load.run(
                    warmed.base_url,
                    case_module.mix(ctx, 400),
                    connections=8,
                    seconds=2,
                    workdir=workdir,
                    name="warm-up",
                )
            for concurrency in args.concurrency:
                baseline = None
                for case in cases:
                    target = server if case.contact_policy or policy_off is None else policy_off
                    requests = case.build(ctx, budget)
                    outcome = load.run(
                        target.base_url,
                        requests,
                        connections=concurrency,
                        seconds=args.seconds,
                        workdir=workdir,
                        name=case.name,
                        web_pid=target.process.pid,
                    )
                    if case.name == "healthz":
                        baseline = outcome.rps
                    # A write sent again once its list ran out (wrapped) may be refused (a
                    # closed assignment version: 409): up to that many refusals are expected.
                    repeat_refusals = min(outcome.errors, outcome.wrapped) if case.write else 0
                    errors = outcome.errors - repeat_refusals
                    row = {
                        "worker_class": worker_class,
                        "case": case.name,
                        "label": case.label,
                        "write": case.write,
                        "concurrency": concurrency,
                        "seconds": outcome.seconds,
                        "requests": outcome.requests,
                        "rps": round(outcome.rps, 1),
                        "ratio": round(outcome.rps / baseline, 3) if baseline else None,
                        "p50_ms": outcome.p50_ms,
                        "p95_ms": outcome.p95_ms,
                        "p99_ms": outcome.p99_ms,
                        "max_ms": outcome.max_ms,
                        "errors": errors,
                        "wrapped": outcome.wrapped,
                        "repeat_refusals": repeat_refusals,
                        "listed": len(requests),
                        "queries": counted.get(case.name),
                        "cpu_ms": outcome.cpu_ms,
                    }
                    rows.append(row)
                    _echo(
                        f"  {worker_class} c={concurrency} {case.name}: {outcome.rps:.0f} req/s, "
                        f"p50 {outcome.p50_ms:.1f} p95 {outcome.p95_ms:.1f} "
                        f"p99 {outcome.p99_ms:.1f} ms, {errors} errors"
                        + (f" ({outcome.sample[:300]})" if outcome.errors else "")
                    )
                    if errors:
                        problems.append(
                            f"{worker_class} c={concurrency} {case.name}: {errors} "
                            f"errors: {outcome.sample[:300]}"
                        )
                    waited = load.settle(target.base_url)
                    if waited > 2:
                        _echo(f"    (the server was busy {waited:.0f} s after the run)")
        finally:
            server.stop()
            if policy_off is not None:
                policy_off.stop()
    return rows


def _kafka(args: argparse.Namespace, problems: list[str]) -> list[dict[str, Any]]:
    from django.db import connection

    from bench import kafka

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bank_sync_service.customers")
        customers = int(cursor.fetchone()[0])  # type: ignore[index]
    _echo(f"Kafka: {args.kafka_events} events per group, {args.relay_events} outbox rows")
    outcomes = []
    for group in kafka.GROUPS:
        outcomes.append(
            kafka.measure_group(group, events=args.kafka_events, customers=customers, echo=_echo)
        )
    outcomes.append(kafka.measure_relay(events=args.relay_events, echo=_echo))
    for outcome in outcomes:
        if outcome.appropriated == 0 and outcome.applied:
            problems.append(f"{outcome.path}: no payment was appropriated to a promise")
        if outcome.lost:
            problems.append(
                f"{outcome.path}: {outcome.lost} of {outcome.events} events not applied by the "
                "time-out"
            )
    return [outcome.as_dict() for outcome in outcomes]


if __name__ == "__main__":
    sys.exit(main())
