"""Gunicorn settings of the web process (the image's default command).

Sizing rule: sync workers (``GUNICORN_THREADS`` 1), ``WEB_CONCURRENCY`` = 2 per CPU core the
container may use (its CPU limit, rounded up; at least 2), and more replicas rather than bigger
ones. A sync worker serves one request at a time and holds one PostgreSQL connection
(``DB_CONN_MAX_AGE``); the second worker per core runs while the first waits on PostgreSQL or
Redis. Connections per web replica = ``WEB_CONCURRENCY`` x ``GUNICORN_THREADS`` (2 by
default); see docs/operations.md for the budget against PostgreSQL's ``max_connections``.

``GUNICORN_THREADS`` above 1 makes each worker a gthread worker with that many request
threads, each holding its own connection. Measured on 2 cores (bench/README.md, "Fifth pass"),
4 x 4 threads served 0.67 to 1.21 times the requests of 4 sync workers, at 1.0 to 2.8 times
their p95 (one run, 8 to 64 connections): the threads of a process share one interpreter
lock, and 16 of them on 2 cores preempt each other mid-request. Threads pay only where every
request waits long on a distant database; measure before raising them.

Sync workers need a buffering proxy in front (a slow client would hold a worker): the
ingress buffers requests and responses.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from collectioncrm.env import env_int, env_port

bind = f"0.0.0.0:{env_port('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", 2, minimum=1)
threads = env_int("GUNICORN_THREADS", 1, minimum=1)
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = timeout
keepalive = 5
# Requests are logged by the application (JSON, with the request id); not twice.
accesslog = None
# No control socket: nothing uses it, and $HOME is read-only in the image.
control_socket_disable = True
# Heartbeat files in memory: the image's root filesystem is read-only on Kubernetes.
if os.path.isdir("/dev/shm"):  # noqa: S108 (a RAM disk, not a temporary file)
    worker_tmp_dir = "/dev/shm"  # noqa: S108


def on_starting(server: Any) -> None:
    """Start with an empty metrics folder: samples of a previous run must not be added up."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges from the shared Prometheus metrics (``/metrics``)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: Any) -> None:
    """Load the URL configuration (every view, serializer and admin page) before the first
    request, then freeze what the worker has allocated so far (``gc.freeze``).

    Those objects live as long as the worker, yet each full collection of the garbage
    collector walks every one of them: about 120,000 objects, a pause of 20-60 ms in the
    middle of whichever request triggers it, which showed as single p99 stalls of reads whose
    p95 is under 20 ms (bench/README.md). Frozen, they are never walked again."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    gc.freeze()
