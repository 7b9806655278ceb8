"""Run Django in a child process with exactly the environment a deployment would give it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# What a production container gets at the least (no embedded server may start).
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "collectioncrm.settings",
    "EMBEDDED_SERVICES": "false",
    "SECRET_KEY": "p" * 20 + "-production-secret-key-of-fifty-characters-or-more",
    "JWT_SECRET": "production-jwt-secret-of-at-least-32-bytes",
    "DATABASE_URL": "postgres://workflow@db.invalid:5432/collectioncrm",
    "REDIS_URL": "redis://cache.invalid:6379/0",
    "KAFKA_BROKERS": "kafka.invalid:9092",
    "CSRF_TRUSTED_ORIGINS": "https://crm.bank.example",
}


def clean_environment(**variables: str) -> dict[str, str]:
    """The machine's environment without any setting of this project, plus ``variables``."""
    from tests.deploy.config_table import code_variables

    ours = code_variables() | {"DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
    base = {name: value for name, value in os.environ.items() if name not in ours}
    return {**base, **variables}


def run_django(code: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` after ``django.setup()`` in a child with the production environment."""
    env = clean_environment(**{**PRODUCTION_ENV, **variables})
    script = f"import django\ndjango.setup()\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def django_json(code: str, **variables: str) -> Any:
    """Run ``code`` (which prints one JSON document last) and return that document."""
    result = run_django(code, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
