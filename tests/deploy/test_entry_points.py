"""Every operator-facing script starts in a fresh interpreter and explains itself.

These scripts import project modules before they set Django up (the soak imports the tests'
event builders at the top), so a module that pulls in models at import time breaks them in a
way no in-process test sees: CI's soak step once failed exactly so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ENTRY_POINTS = {
    "soak": ["soak/soak.py"],
    "bench": ["-m", "bench"],
    "bench.profile": ["-m", "bench.profile"],
    "kafka_throughput": ["scripts/kafka_throughput.py"],
    "bench_promises": ["scripts/bench_promises.py"],
    "bench_performance": ["scripts/bench_performance.py"],
}


@pytest.mark.parametrize("argv", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_the_entry_point_answers_help_in_a_fresh_interpreter(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, *argv, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("usage:"), done.stdout[:500]
