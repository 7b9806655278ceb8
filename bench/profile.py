"""Profile one benchmark case in-process: where a request's time goes, Python against SQL.

    .venv/bin/python -m bench.profile actions_customer --scale 0.1 --requests 200
    .venv/bin/python -m bench.profile agents_list --sort tottime --limit 40

Uses (and if needed generates) the kept data set of ``--scale`` (``bench_<name>_s<scale>``, as
``python -m bench --keep`` does), builds the case's requests with the same builders as the load
run, sends them through the whole Django stack with the test client (no web server, no network)
under ``cProfile``, and prints the mean time per request, the share spent waiting on SQL, the
statements of one request with their times, and the top functions. Figures from a loaded machine
mean little; the profile's proportions are what to read.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collectioncrm.settings_test")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description="Profile one benchmark case in-process (cProfile + SQL timings).",
    )
    parser.add_argument("case", help="a case name of bench/cases.py, e.g. actions_customer")
    parser.add_argument("--scale", type=float, default=0.1, help="kept data set (0.1)")
    parser.add_argument("--requests", type=int, default=200, help="requests profiled (200)")
    parser.add_argument("--warm-up", type=int, default=20, help="requests before (20)")
    parser.add_argument(
        "--sort", default="cumulative", help="pstats sort key: cumulative, tottime (cumulative)"
    )
    parser.add_argument("--limit", type=int, default=30, help="functions printed (30)")
    parser.add_argument(
        "--sql-width", type=int, default=160, help="characters of each statement shown (160)"
    )
    parser.add_argument("--dump", help="also write the raw profile to this file (pstats)")
    parser.add_argument(
        "--no-profile", action="store_true", help="time only (no cProfile overhead), no table"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        override_settings,
        setup_test_environment,
        teardown_test_environment,
    )

    from bench import cases as case_module
    from bench import queries
    from bench.database import BenchDatabase
    from bench.load import Request

    by_name = {case.name: case for case in case_module.CASES}
    if args.case not in by_name:
        print(f"unknown case {args.case!r}; cases: {', '.join(sorted(by_name))}")
        return 2
    setup_test_environment()
    database = BenchDatabase(scale=args.scale, keep=True)
    try:
        database.open()
        ctx = case_module.context()
        case = by_name[args.case]
        wanted = args.warm_up + args.requests
        requests = case.build(ctx, wanted)
        if not case.write and len(requests) < wanted:
            # A read case built from fewer requests (healthz, an admin page) is sent again,
            # as wrk replays it; a write is never repeated (it would not do the same work).
            requests = [requests[n % len(requests)] for n in range(wanted)]
        client = Client()
        # The same settings as the web server the harness runs this case against.
        policy = override_settings(CONTACT_POLICY_ENABLED=case.contact_policy)
        policy.enable()

        def send(request: Request) -> int:
            return queries.send(client, request)

        for request in requests[: args.warm_up]:
            send(request)
        timed = requests[args.warm_up :] or requests
        with CaptureQueriesContext(connection) as one:
            status = send(timed[0])
        print(f"one request ({timed[0].method} {timed[0].path}) answered {status}:")
        for query in one.captured_queries:
            print(f"  {float(query['time']) * 1000:7.2f} ms  {query['sql'][: args.sql_width]}")
        profiler = cProfile.Profile()
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            if not args.no_profile:
                profiler.enable()
            statuses = [send(request) for request in timed]
            profiler.disable()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        sql = sum(float(query["time"]) for query in captured.captured_queries)
        bad = sorted({s for s in statuses if not 200 <= s < 300})
        print(
            f"\n{len(timed)} requests: {elapsed / len(timed) * 1000:.2f} ms per request "
            f"({'not ' if args.no_profile else ''}profiled), "
            f"of which this process's CPU {cpu / len(timed) * 1000:.2f} ms, "
            f"SQL {sql / len(timed) * 1000:.2f} ms per request, "
            f"{len(captured.captured_queries) / len(timed):g} statements per request"
            + (f", statuses {bad}" if bad else "")
        )
        if not args.no_profile:
            stats = pstats.Stats(profiler)
            if args.dump:
                stats.dump_stats(args.dump)
            calls = stats.total_calls  # type: ignore[attr-defined]
            print(f"{calls / len(timed):.0f} Python function calls per request (deterministic)")
            pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.limit)
        policy.disable()
    finally:
        database.close()
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
