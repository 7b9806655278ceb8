"""docker-compose.yml as Docker Compose would see it: parsed, merged and interpolated."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]

_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def dotenv(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}``, ``${NAME:?error}`` and ``$$``."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        value = variables.get(name, "")
        if operator in (":?", "?") and not value:
            raise KeyError(f"{name}: {argument}")
        if operator in (":-", "-") and not value:
            return argument
        return value

    return _VARIABLE.sub(substitute, value)


def required_variables() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text()
    return {m.group(1) for m in _VARIABLE.finditer(text) if m.group(2) in (":?", "?")}


def load(variables: dict[str, str]) -> dict[str, Any]:
    """The compose file with anchors merged and ``variables`` substituted."""
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, str):
            return interpolate(node, variables)
        return node

    return walk(document)
