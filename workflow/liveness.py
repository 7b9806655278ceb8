"""Liveness files of the long-running processes that serve no HTTP (consumer, relay, beat).

Each loop calls :func:`touch` on every turn; a container health check or Kubernetes exec probe
runs ``manage.py liveness <name> --max-age SECONDS``, which fails once the file is older than
that: the loop is stuck, whatever it waits on. Writes are throttled to one per second.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from celery.beat import PersistentScheduler
from django.conf import settings

_last_touch: dict[str, float] = {}


def path(name: str) -> Path:
    return Path(settings.LIVENESS_DIR) / name


def touch(name: str) -> None:
    """Mark the loop ``name`` alive now (cheap enough to call on every turn)."""
    now = time.monotonic()
    if now - _last_touch.get(name, -1e9) < 1.0:
        return
    _last_touch[name] = now
    target = path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch()


def record(name: str, details: dict[str, Any]) -> None:
    """Mark the loop ``name`` alive and store ``details`` for its health check to report."""
    target = path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(details))
    partial.replace(target)
    _last_touch[name] = time.monotonic()


def details(name: str) -> dict[str, Any]:
    """What the loop ``name`` last stored with :func:`record` (empty if nothing)."""
    try:
        stored = json.loads(path(name).read_text() or "{}")
    except (FileNotFoundError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def age(name: str) -> float | None:
    """Seconds since the loop ``name`` last marked itself alive, or None if it never did."""
    try:
        return max(0.0, time.time() - path(name).stat().st_mtime)
    except FileNotFoundError:
        return None


class LivenessScheduler(PersistentScheduler):
    """Celery beat's scheduler that marks ``beat`` alive on every tick."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        touch("beat")
        return float(super().tick(*args, **kwargs))
