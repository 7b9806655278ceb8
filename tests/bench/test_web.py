"""The benchmark's gunicorn runs the worker class it is named after (and granian, the
alternative, the options it is given).

gunicorn also reads ``gunicorn.conf.py`` from the working folder, whose thread count would turn
a sync worker into gthread; the command line of each class must win over it.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from gunicorn.app.wsgiapp import WSGIApplication

from bench import web

EXPECTED = {
    "sync": ("SyncWorker", 1),
    "gthread": ("ThreadWorker", 4),
}


def test_every_worker_class_is_expected() -> None:
    assert set(web.WORKER_CLASSES) == set(EXPECTED)
    assert web.SERVERS == ["sync", "gthread", "granian"]


def test_granian_runs_the_wsgi_application_on_four_single_threaded_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What granian's own command line parser makes of the benchmark's command."""
    from click.testing import CliRunner
    from granian import cli

    seen: dict[str, Any] = {}

    class Server:
        def __init__(self, target: str, **options: Any) -> None:
            seen.update(options, target=target)

        def serve(self) -> None:
            seen["served"] = True

    monkeypatch.setattr(cli, "Server", Server)
    command = web.command_of(web.GRANIAN, 8123)
    assert command[1:3] == ["-m", "granian"]
    result = CliRunner().invoke(cli.cli, command[3:])
    assert result.exit_code == 0, result.output
    assert seen["target"] == "collectioncrm.wsgi:application"
    assert str(seen["interface"]) in {"wsgi", "Interfaces.WSGI"}
    assert (seen["workers"], seen["blocking_threads"], seen["port"]) == (4, 1, 8123)
    assert seen["served"] is True


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_gunicorn_resolves_the_named_worker_class(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(web.ROOT)  # where gunicorn finds gunicorn.conf.py, as bench/web.py runs it
    monkeypatch.setenv("GUNICORN_THREADS", "4")  # the configuration file's default
    monkeypatch.setattr(sys, "argv", ["gunicorn", "collectioncrm.wsgi", *web.WORKER_CLASSES[name]])
    config = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
    worker, threads = EXPECTED[name]
    assert config.worker_class.__name__ == worker
    assert config.threads == threads
    assert config.workers == 4
