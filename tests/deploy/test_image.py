"""The Dockerfile and gunicorn.conf.py (no Docker engine runs here: read, lint and load them)."""

from __future__ import annotations

import fnmatch
import os
import runpy
import shutil
import subprocess
import sys
import tomllib

import pytest
from django.conf import settings

from tests.deploy.helpers import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _final_stage() -> str:
    return DOCKERFILE[DOCKERFILE.rindex("\nFROM ") :]


def test_the_dockerfile_is_hadolint_clean() -> None:
    hadolint = shutil.which("hadolint") or str(ROOT / ".venv" / "bin" / "hadolint")
    result = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_multi_stage_slim_and_runs_as_a_non_root_user() -> None:
    stages = [line for line in DOCKERFILE.splitlines() if line.startswith("FROM ")]
    assert len(stages) >= 2
    assert all(line.split()[1] == "python:3.11-slim" for line in stages)
    final = _final_stage()
    assert "COPY --from=build /opt/venv /opt/venv" in final
    # No compilers and no package manager runs in the final stage.
    assert not any(word in final for word in ("apt-get", "gcc", "build-essential", "pip install"))
    user = [line for line in final.splitlines() if line.startswith("USER ")][-1]
    assert user.split()[1].split(":")[0] not in ("root", "0")


def test_the_image_collects_static_files_and_checks_its_health() -> None:
    final = _final_stage()
    assert "manage.py collectstatic --noinput" in final
    assert "HEALTHCHECK" in final and "/healthz" in final
    assert 'CMD ["gunicorn", "collectioncrm.wsgi", "--config", "gunicorn.conf.py"]' in final


def test_every_django_app_of_the_project_is_packaged_into_the_image() -> None:
    # The image installs the project as a package: an app missing from packages.find would be
    # missing from the image although every test passes from the source tree.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    ours = {
        app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()
    }
    for app in ours | {"collectioncrm"}:
        assert any(fnmatch.fnmatch(app, pattern) for pattern in include), app


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, ("0.0.0.0:8000", 2, 1)),
        (
            {"PORT": "3003", "WEB_CONCURRENCY": "5", "GUNICORN_THREADS": "2"},
            ("0.0.0.0:3003", 5, 2),
        ),
    ],
)
def test_gunicorn_binds_to_port_and_sizes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: tuple[str, int, int]
) -> None:
    for name in ("PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["bind"], config["workers"], config["threads"]) == expected


def test_gunicorn_refuses_a_bad_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("WEB_CONCURRENCY", "many")
    with pytest.raises(ImproperlyConfigured, match="WEB_CONCURRENCY"):
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_a_worker_loads_every_view_and_freezes_its_objects_before_the_first_request() -> None:
    # In a fresh interpreter, as a gunicorn worker: Django set up (gunicorn's load_wsgi), then
    # the hook. Frozen objects are never walked by the garbage collector's full collections.
    script = (
        "import gc, runpy, sys, django; django.setup(); "
        "config = runpy.run_path('gunicorn.conf.py'); "
        "assert 'actions.api.viewsets' not in sys.modules; "
        "config['post_worker_init'](None); "
        "assert 'actions.api.viewsets' in sys.modules; "
        "print(gc.get_freeze_count())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "collectioncrm.settings_test"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 50_000
