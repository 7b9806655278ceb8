"""Liveness of the loops that serve no HTTP: consumer, relay and beat."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from workflow import liveness


@pytest.fixture(autouse=True)
def liveness_dir(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.LIVENESS_DIR = tmp_path
    liveness._last_touch.clear()
    return tmp_path


def test_a_loop_that_marked_itself_alive_passes_its_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    liveness.touch("relay")
    call_command("liveness", "relay", "--max-age", "60")
    assert "relay: alive" in capsys.readouterr().out


def test_a_stuck_loop_fails_its_check(liveness_dir: Path) -> None:
    liveness.touch("consumer")
    old = time.time() - 300
    os.utime(liveness_dir / "consumer", (old, old))
    with pytest.raises(CommandError, match="consumer: last alive 300 s ago"):
        call_command("liveness", "consumer", "--max-age", "60")


def test_a_loop_that_never_started_fails_its_check() -> None:
    with pytest.raises(CommandError, match="no liveness file"):
        call_command("liveness", "beat")


def test_beat_marks_itself_alive_on_every_tick(liveness_dir: Path) -> None:
    from collectioncrm.celery import app

    scheduler = liveness.LivenessScheduler(
        app=app, schedule_filename=str(liveness_dir / "schedule"), lazy=True
    )
    scheduler.setup_schedule()
    scheduler.tick()
    assert liveness.age("beat") is not None


def test_the_consumer_check_reports_missing_topics_and_can_fail_on_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    liveness.record("consumer", {"missing_topics": ["auth-service.user.created"]})
    call_command("liveness", "consumer")
    assert "missing in Kafka: auth-service.user.created" in capsys.readouterr().err
    with pytest.raises(CommandError, match=r"run manage\.py ensure_topics"):
        call_command("liveness", "consumer", "--fail-on-missing-topics")
    liveness.record("consumer", {"missing_topics": []})
    call_command("liveness", "consumer", "--fail-on-missing-topics")
