"""Processor time spent per request during a run, by process: the web server (its master and
workers), PostgreSQL, Redis and wrk.

Read from ``/proc`` before and after each run (Linux; ``None`` elsewhere). The web server's
processes are the tree under its master; PostgreSQL and Redis are every process of that name on
the machine (the benchmark's servers, plus whatever idle ones the machine runs); wrk is the
finished child process. It shows where a request's cost lies, which a ratio of throughputs
cannot: a case that reaches half of ``/healthz``'s throughput must cost at most twice its
processor time, all processes included.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

PROC = Path("/proc")
GROUPS = ("web", "postgres", "redis", "wrk")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> dict[int, tuple[str, int, float]]:
    """pid -> (command name, parent pid, processor seconds so far, its ended children's
    included)."""
    found: dict[int, tuple[str, int, float]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # fields[1] is the parent pid; fields[11] to [14] are utime, stime and the same of the
        # children it has waited for, in ticks: a PostgreSQL backend that ends during the run
        # (DB_CONN_MAX_AGE) takes its time out of /proc, and its postmaster's children time
        # gets it, so the group's total stays whole.
        ticks = sum(int(value) for value in fields[11:15])
        found[int(entry.name)] = (name, int(fields[1]), ticks / _TICK)
    return found


def _wrk_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def snapshot(web_pid: int | None) -> dict[str, float] | None:
    """Processor seconds so far of each group (``None`` without ``/proc``)."""
    if web_pid is None or not (PROC / "self" / "stat").exists():
        return None
    processes = _processes()
    web = {web_pid}
    grew = True
    while grew:  # the tree under the master: workers (and any process they started)
        children = {pid for pid, (_, parent, _) in processes.items() if parent in web}
        grew = not children <= web
        web |= children
    totals = dict.fromkeys(GROUPS, 0.0)
    for pid, (name, _, seconds) in processes.items():
        if pid in web:
            totals["web"] += seconds
        elif name == "postgres":
            totals["postgres"] += seconds
        elif name.startswith("redis-server"):
            totals["redis"] += seconds
    totals["wrk"] = _wrk_seconds()  # wrk is a child of this process, waited for
    return totals


def per_request(
    before: dict[str, float] | None, after: dict[str, float] | None, requests: int
) -> dict[str, float] | None:
    """Milliseconds of processor time per request of each group over the run."""
    if before is None or after is None or requests <= 0:
        return None
    return {group: round((after[group] - before[group]) * 1000 / requests, 3) for group in GROUPS}
