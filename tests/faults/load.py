"""API clients for the fault tests and the soak: threads that record actions (each with a
unique marker in ``notes``, so every stored row can be traced to the request that made it) and
read lists, remembering every answer."""

from __future__ import annotations

import http.client
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.faults.system import HOST, System

ACTIONS = "/api/v1/collection/actions"


@dataclass
class Answer:
    kind: str  # "write" or "read"
    status: int  # 0: no HTTP answer (connection failed)
    marker: str | None
    code: str | None  # the envelope's first error code
    at: float  # monotonic time the request ended
    seconds: float


@dataclass
class Load:
    """``clients`` threads against ``system`` until :meth:`stop`; ``write_share`` of requests
    are ``POST actions``, the rest ``GET actions`` lists."""

    system: System
    token: str
    clients: int = 8
    write_share: float = 1.0
    customers: int = 50
    seed: int = 13
    pause: float = 0.0
    answers: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Load:
        for number in range(self.clients):
            thread = threading.Thread(target=self._run, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> list[Answer]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return self.answers

    def _run(self, number: int) -> None:
        rng = random.Random(f"{self.seed}:{number}")
        conn = http.client.HTTPConnection(HOST, self.system.web_port, timeout=30)
        while not self._stop.is_set():
            customer = rng.randint(1, self.customers)
            started = time.monotonic()
            if rng.random() < self.write_share:
                marker = f"load-{uuid.uuid4().hex}"
                body: dict[str, Any] = {
                    "cif": f"CIF{customer:07d}",
                    "loanAccountNumber": f"LN{customer:07d}1",
                    "type": "CALL",
                    "subtype": "REMINDER_CALL",
                    "actionResult": rng.choice(["NO_CONTACT", "PROMISE_TO_PAY", "RESCHEDULED"]),
                    "notes": marker,
                }
                status, answer = self.system.http(
                    "POST", ACTIONS, body, token=self.token, connection=conn
                )
                kind = "write"
            else:
                marker = None
                path = f"{ACTIONS}/customer/CIF{customer:07d}?pageSize=20"
                status, answer = self.system.http("GET", path, token=self.token, connection=conn)
                kind = "read"
            if status == 0:  # the connection broke: a new one for the next request
                conn = http.client.HTTPConnection(HOST, self.system.web_port, timeout=30)
            code = None
            if isinstance(answer, dict) and answer.get("errors"):
                code = answer["errors"][0].get("code")
            ended = time.monotonic()
            with self._lock:
                self.answers.append(Answer(kind, status, marker, code, ended, ended - started))
            if self.pause:
                time.sleep(self.pause)
        conn.close()


def stored_markers(system: System) -> set[str]:
    rows = system.sql(
        "SELECT notes FROM workflow_service.action_records WHERE notes LIKE 'load-%%'"
    )
    return {row[0] for row in rows}


def half_written(system: System) -> list[tuple[Any, ...]]:
    """Action records without their ``action.recorded`` outbox event, and events without
    their action record (must be empty)."""
    return system.sql(
        """
        SELECT 'action without event', a.id::text FROM workflow_service.action_records a
        WHERE a.notes LIKE 'load-%%' AND NOT EXISTS (
            SELECT 1 FROM workflow_service.outbox_events o
            WHERE o.topic = 'workflow-service.action.recorded'
              AND o.payload->>'actionId' = a.id::text)
        UNION ALL
        SELECT 'event without action', o.payload->>'actionId'
        FROM workflow_service.outbox_events o
        WHERE o.topic = 'workflow-service.action.recorded' AND NOT EXISTS (
            SELECT 1 FROM workflow_service.action_records a
            WHERE a.id::text = o.payload->>'actionId')
        """
    )
