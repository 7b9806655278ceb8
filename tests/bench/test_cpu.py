"""The benchmark's processor time per request (``bench/cpu.py``) counts the web server's whole
process tree: gunicorn's master does no request work, its workers do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from bench import cpu

pytestmark = pytest.mark.skipif(not cpu.PROC.joinpath("self", "stat").exists(), reason="no /proc")

# A master that only waits, and its worker, which burns about 0.4 s of processor time, says so
# and stays alive (a finished process's time is no longer in /proc).
WORKER = textwrap.dedent(
    """
    import time
    started = time.process_time()
    while time.process_time() - started < 0.4:
        pass
    print("done", flush=True)
    time.sleep(60)
    """
)
MASTER = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {WORKER!r}])"


def test_the_web_group_is_the_tree_under_the_master() -> None:
    master = subprocess.Popen(
        [sys.executable, "-c", MASTER], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        before = cpu.snapshot(master.pid)
        assert master.stdout is not None and master.stdout.readline().strip() == "done"
        after = cpu.snapshot(master.pid)
    finally:
        os.killpg(master.pid, signal.SIGKILL)
        master.wait()
    assert before is not None and after is not None
    assert after["web"] - before["web"] >= 0.3
    per_request = cpu.per_request(before, after, 4)
    assert per_request is not None
    assert per_request["web"] == pytest.approx((after["web"] - before["web"]) * 1000 / 4, abs=1e-3)
    assert set(per_request) == set(cpu.GROUPS)


def test_nothing_is_measured_without_the_server() -> None:
    assert cpu.snapshot(None) is None
    assert cpu.per_request(None, {"web": 1.0}, 10) is None
