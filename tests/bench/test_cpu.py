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

# A master that only waits, and its worker, which burns about 0.4 s of processor time, then
# either stays alive or ends (its time then moves to the master's "children" time).
BURN = textwrap.dedent(
    """
    import time
    started = time.process_time()
    while time.process_time() - started < 0.4:
        pass
    """
)
DONE = "print('done', flush=True)"
WORKER_STAYS = (
    "import subprocess, sys; "
    f"subprocess.run([sys.executable, '-c', {BURN + DONE + '; time.sleep(60)'!r}])"
)
WORKER_ENDS = (
    "import subprocess, sys, time; "
    f"subprocess.run([sys.executable, '-c', {BURN!r}]); {DONE}; time.sleep(60)"
)


@pytest.mark.parametrize("master", [WORKER_STAYS, WORKER_ENDS], ids=["worker stays", "worker ends"])
def test_the_web_group_is_the_tree_under_the_master(master: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", master], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        before = cpu.snapshot(process.pid)
        assert process.stdout is not None and process.stdout.readline().strip() == "done"
        after = cpu.snapshot(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert before is not None and after is not None
    assert after["web"] - before["web"] >= 0.3
    per_request = cpu.per_request(before, after, 4)
    assert per_request is not None
    assert per_request["web"] == pytest.approx((after["web"] - before["web"]) * 1000 / 4, abs=1e-3)
    assert set(per_request) == set(cpu.GROUPS)


def test_nothing_is_measured_without_the_server() -> None:
    assert cpu.snapshot(None) is None
    assert cpu.per_request(None, {"web": 1.0}, 10) is None
