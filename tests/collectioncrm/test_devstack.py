"""The embedded Kafka stand-in is reused, not restarted, by every process that asks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from collectioncrm import devstack


def test_it_reuses_a_running_embedded_service_with_the_same_url_and_process() -> None:
    first = devstack.ensure(["kafka"])
    pid = devstack.status()["kafka"]["pid"]
    again = devstack.ensure(["kafka"])
    assert again == first
    assert first["KAFKA_BROKERS"].startswith("127.0.0.1:")
    info = devstack.status()["kafka"]
    assert info["running"] is True
    assert info["pid"] == pid


def test_another_process_gets_the_same_url_from_the_state_file() -> None:
    url = devstack.ensure(["kafka"])["KAFKA_BROKERS"]
    code = (
        "import os; os.environ.pop('KAFKA_BROKERS', None);"
        "from collectioncrm import devstack;"
        "print(devstack.ensure(['kafka'])['KAFKA_BROKERS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert out == url


def test_it_refuses_an_unknown_service_by_name() -> None:
    with pytest.raises(ValueError, match="mysql"):
        devstack.ensure(["mysql"])
