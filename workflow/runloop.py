"""A stop flag for long-running loops, set by SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import threading
from types import FrameType


class StopFlag:
    """Installs SIGTERM/SIGINT handlers that ask the loop to stop after the current step."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def install(self) -> StopFlag:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._event.set()

    def set(self) -> None:
        self._event.set()

    @property
    def stopping(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True as soon as a stop was asked for."""
        return self._event.wait(seconds)
