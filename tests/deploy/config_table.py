"""The environment variables the code reads, and those the README's configuration table lists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Folders that are not the application (tests set variables of their own).
NOT_APPLICATION = {"tests", "scripts", "docs", "deploy", "node_modules"}

_READS = re.compile(
    r"""(?:env_[a-z_]+\(\s*|os\.environ\.get\(\s*|os\.environ\[\s*|os\.getenv\(\s*)
        ["']([A-Z][A-Z0-9_]*)["']""",
    re.VERBOSE,
)


def application_sources() -> list[Path]:
    files = [ROOT / "gunicorn.conf.py", ROOT / "manage.py"]
    for package in sorted(ROOT.iterdir()):
        if (
            package.is_dir()
            and (package / "__init__.py").exists()
            and package.name not in NOT_APPLICATION
        ):
            files.extend(sorted(package.rglob("*.py")))
    return [path for path in files if path.exists()]


def code_variables() -> set[str]:
    """Every variable name the application reads through ``env_*()`` or ``os.environ``."""
    names: set[str] = set()
    for path in application_sources():
        names.update(_READS.findall(path.read_text()))
    return names


def readme_variables() -> set[str]:
    """The first column of the tables in the README's "Configuration" section."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", section, re.MULTILINE))
