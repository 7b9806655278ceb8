"""Drive the web tier with wrk (a separate process) from a list of prepared requests."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import cpu

SCRIPT = Path(__file__).resolve().parent / "requests.lua"


def settle(base_url: str, *, limit: float = 120) -> float:
    """Wait until the server answers ``/healthz`` within 50 ms again: requests of the previous
    case that wrk gave up on are still being served and would slow the next case down.
    Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        sent = time.monotonic()
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=limit) as response:  # noqa: S310
                response.read()
        except OSError:
            pass
        else:
            if time.monotonic() - sent < 0.05:
                break
        time.sleep(0.2)
    return time.monotonic() - started


@dataclass(frozen=True)
class Request:
    """One HTTP request: its authentication is a single header (token or admin cookie)."""

    method: str
    path: str
    header: str = ""
    value: str = ""
    body: dict[str, Any] | None = None

    def line(self) -> str:
        body = json.dumps(self.body, separators=(",", ":")) if self.body is not None else ""
        for text in (self.path, self.header, self.value, body):
            assert "\t" not in text and "\n" not in text, text
        return "\t".join((self.method, self.path, self.header, self.value, body))


@dataclass
class Outcome:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # non-2xx answers plus socket errors and timeouts
    wrapped: int  # requests sent a second time because the list ran out
    sample: str
    cpu_ms: dict[str, float] | None = None  # processor time per request (bench/cpu.py)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_binary() -> str:
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError(
            "wrk is not installed: `apt-get install -y wrk` (make bench does it as root)"
        )
    return binary


def run(
    base_url: str,
    requests: list[Request],
    *,
    connections: int,
    seconds: float,
    workdir: Path,
    name: str,
    web_pid: int | None = None,
) -> Outcome:
    """Replay ``requests`` with ``connections`` connections for ``seconds``; with the web
    server's ``web_pid``, also measure the processor time per request (``bench/cpu.py``)."""
    path = workdir / f"{name}.requests"
    path.write_text("\n".join(request.line() for request in requests) + "\n")
    threads = max(1, min(2, connections))
    command = [
        wrk_binary(),
        "--threads",
        str(threads),
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        # A response slower than the run itself is a time-out error, not silently missing.
        "--timeout",
        f"{max(1, min(10, round(seconds)))}s",
        "--script",
        str(SCRIPT),
        base_url,
        "--",
        str(path),
        str(threads),
    ]
    before = cpu.snapshot(web_pid)
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    after = cpu.snapshot(web_pid)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("BENCHJSON ")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
        )
    data = json.loads(lines[-1].removeprefix("BENCHJSON "))
    socket_errors = sum(data["errors"][kind] for kind in ("connect", "read", "write", "timeout"))
    latency = data["latency_us"]
    if data["requests"] == 0:
        socket_errors = max(socket_errors, 1)  # nothing answered within the run: not a pass
        data["sample"] = "no response within the run " + data["sample"]
    return Outcome(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=latency["p50"] / 1000,
        p95_ms=latency["p95"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        errors=data["non2xx"] + socket_errors,
        wrapped=data["wrapped"],
        sample=data["sample"],
        cpu_ms=cpu.per_request(before, after, data["requests"]),
    )
