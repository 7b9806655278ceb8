"""The web tier as in production: gunicorn serving ``collectioncrm.wsgi`` on a loopback port
(or granian, the alternative measured against it).

Production settings (``collectioncrm.settings``, ``DEBUG`` off, no embedded servers), pointed
by the environment at the benchmark's database and at the Redis database holding the sessions
the harness opened. Its log goes to a file under the results folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# gunicorn reads gunicorn.conf.py from the working folder as well, and its GUNICORN_THREADS
# default (4) turns a "sync" worker class into gthread (gunicorn's rule for threads > 1): every
# class names its threads. tests/bench/test_web.py checks the class gunicorn resolves.
WORKER_CLASSES: dict[str, list[str]] = {
    # What the issue measures against, and the production overlay's web pods (2 CPUs,
    # WEB_CONCURRENCY 4, gunicorn.conf.py's sync default): 4 sync workers.
    "sync": ["--workers", "4", "--worker-class", "sync", "--threads", "1"],
    # The threaded alternative: 4 workers of 4 threads, where a request waiting on PostgreSQL
    # frees the core for another (docs/operations.md, "Sync web workers, not threads").
    "gthread": ["--workers", "4", "--worker-class", "gthread", "--threads", "4"],
}
# Not gunicorn: granian, whose HTTP side is Rust (keep-alive, no connection per request), with
# 4 processes each running the WSGI application on one thread like a sync worker. Measured
# against sync in bench/README.md ("Sixth pass"); production does not use it.
GRANIAN = "granian"
GRANIAN_OPTIONS = ["--interface", "wsgi", "--workers", "4", "--blocking-threads", "1"]
SERVERS = [*WORKER_CLASSES, GRANIAN]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(*, database_url: str) -> dict[str, str]:
    """The environment of a production process on the benchmark's servers."""
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "collectioncrm.settings",
        "DEBUG": "false",
        "EMBEDDED_SERVICES": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": str(settings.CACHES["default"]["LOCATION"]),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "KAFKA_BROKERS": settings.KAFKA_BROKERS,
        "SECRET_KEY": settings.SECRET_KEY,
        "JWT_SECRET": settings.JWT_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # wrk replays writes of one user far beyond a person's rate (README: write limits).
        "API_WRITE_RATE_PER_USER": "off",
        "API_ANON_RATE_PER_IP": "off",
    }


@dataclass
class WebServer:
    worker_class: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def label(worker_class: str) -> str:
    """How reports name the server: ``gunicorn sync``, ``granian``."""
    return worker_class if worker_class == GRANIAN else f"gunicorn {worker_class}"


def command_of(worker_class: str, port: int) -> list[str]:
    """The command line of the web server named ``worker_class`` (a key of ``SERVERS``)."""
    if worker_class == GRANIAN:
        return [
            sys.executable,
            "-m",
            "granian",
            *GRANIAN_OPTIONS,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "collectioncrm.wsgi:application",
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "collectioncrm.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        *WORKER_CLASSES[worker_class],
        "--timeout",
        "60",
        "--backlog",
        "2048",
    ]


def start(
    worker_class: str,
    *,
    database_url: str,
    log_dir: Path,
    environment: dict[str, str] | None = None,
    name: str = "",
) -> WebServer:
    """Start gunicorn (or granian) and wait until ``/healthz`` answers; ``environment`` adds
    to (or overrides) the production environment, e.g. ``CONTACT_POLICY_ENABLED=false``."""
    port = free_port()
    log = log_dir / f"web-{worker_class}{'-' + name if name else ''}.log"
    env = {**server_environment(database_url=database_url), **(environment or {})}
    command = command_of(worker_class, port)
    with log.open("ab") as output:
        # As the image does at build: the production settings serve hashed static files from
        # the manifest, so the admin pages answer 500 without it.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            stdout=output,
            check=True,
        )
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = WebServer(worker_class, port, process, log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{command[2]} exited ({process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{command[2]} did not answer within 60 s; see {log}")
        time.sleep(0.2)
