"""The benchmark's gunicorn runs the worker class it is named after.

gunicorn also reads ``gunicorn.conf.py`` from the working folder, whose thread count would turn
a sync worker into gthread; the command line of each class must win over it.
"""

from __future__ import annotations

import sys

import pytest
from gunicorn.app.wsgiapp import WSGIApplication

from bench import web

EXPECTED = {
    "sync": ("SyncWorker", 1),
    "gthread": ("ThreadWorker", 4),
}


def test_every_worker_class_is_expected() -> None:
    assert set(web.WORKER_CLASSES) == set(EXPECTED)


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
