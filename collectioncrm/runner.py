"""``python -m collectioncrm.runner``: run the whole system in one terminal (``make run``).

Starts (or reuses) the embedded servers for every unset ``DATABASE_URL`` / ``REDIS_URL`` /
``KAFKA_BROKERS``, migrates, loads the demo data, then runs the processes of
DESIGN.md §1 — web, Celery worker, Celery beat, Kafka consumer, outbox relay — plus the
Kafka events worker that serves the lane queues, with their
output prefixed by name. Ctrl-C (or SIGTERM) stops the processes, then the embedded servers
this run started itself.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from collectioncrm.env import env_int, env_port, env_url_prefix, service_urls_from_parts

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _processes(port: int, data_dir: Path, lanes: int) -> dict[str, list[str]]:
    manage = [PYTHON, str(ROOT / "manage.py")]
    celery = [PYTHON, "-m", "celery", "-A", "collectioncrm"]
    return {
        "web": [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
        # Kafka events: one process serving the lane queues in order (see kafka_bridge.lanes).
        "events": [
            *celery,
            "worker",
            "--loglevel",
            "INFO",
            "--pool",
            "solo",
            "-n",
            "events@%h",
            "-Q",
            ",".join(f"kafka-events-{lane}" for lane in range(lanes)),
        ],
        "beat": [
            *celery,
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(data_dir / "celerybeat-schedule"),
        ],
        "consumer": [*manage, "consume_events"],
        "relay": [*manage, "relay_outbox"],
    }


def _pump(name: str, stream: IO[bytes]) -> None:
    prefix = f"{name:>8} | ".encode()
    for line in iter(stream.readline, b""):
        sys.stdout.buffer.write(prefix + line)
        sys.stdout.buffer.flush()


def _wait_ready(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local URL)
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    return False


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)  # noqa: S603


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m collectioncrm.runner",
        description="Run web, worker, beat, Kafka consumer and outbox relay together.",
    )
    parser.add_argument("--port", type=int, default=env_port("PORT", 8000))
    parser.add_argument("--no-seed", action="store_true", help="skip manage.py seed_demo")
    parser.add_argument(
        "--keep-services",
        action="store_true",
        help="leave the embedded servers running on exit",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collectioncrm.settings")
    os.environ.setdefault("DEBUG", "true")
    started_at = time.monotonic()

    from collectioncrm import devstack

    os.environ.update(service_urls_from_parts())  # DB_HOST, REDIS_HOST, ... as settings does
    api = env_url_prefix("API_PREFIX", "/api/v1/collection")
    already_running = {name for name, info in devstack.status().items() if info.get("running")}
    embedded = devstack.configure_environment()
    started_here = [name for name in embedded if name not in already_running]

    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        _manage("migrate", "--noinput", "--verbosity", "1")
        if not args.no_seed:
            _manage("seed_demo")
        for name, command in _processes(
            args.port, devstack.data_dir(), env_int("KAFKA_EVENT_LANES", 4, minimum=1)
        ).items():
            process = subprocess.Popen(  # noqa: S603
                command,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            children[name] = process
            assert process.stdout is not None
            threading.Thread(target=_pump, args=(name, process.stdout), daemon=True).start()

        base = f"http://127.0.0.1:{args.port}"
        ready = _wait_ready(f"{base}/readyz", timeout=90)
        elapsed = time.monotonic() - started_at
        from demo.users import DEMO_USERS

        lines = [
            "",
            f"CollectionCRM workflow is {'up' if ready else 'NOT READY'} "
            f"({elapsed:.1f} s; embedded: {', '.join(embedded) or 'none'})",
            f"  API       {base}/{api}",
            f"  API docs  {base}/{api}docs/",
            f"  Admin     {base}/admin/",
            f"  Health    {base}/healthz  {base}/readyz",
            "  Demo logins (username / password / role):",
            *(f"    {u.username:<12} {u.password:<16} {u.role}" for u in DEMO_USERS),
            "Press Ctrl-C to stop.",
            "",
        ]
        print("\n".join(lines), flush=True)
        while not stopping.is_set():
            for name, process in children.items():
                if process.poll() is not None:
                    print(f"runner: {name} exited with {process.returncode}; stopping", flush=True)
                    stopping.set()
                    break
            stopping.wait(1.0)
        return 0
    finally:
        for process in children.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in children.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if started_here and not args.keep_services:
            devstack.stop(started_here)
            print(f"runner: stopped embedded {', '.join(started_here)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
