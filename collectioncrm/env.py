"""Typed readers for environment variables that fail loudly on bad values.

Settings are read once at start-up; a typo in a deployment should stop the process with a
message naming the variable, never fall back silently to a default.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable as a string; without a default it is required."""
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean (use true/false, 1/0, yes/no)."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return the variable as an integer, optionally bounded below."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not an integer."
        ) from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"Environment variable {name}={number} must be >= {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of stripped, non-empty items."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Return the variable, which must be one of ``choices`` (case-insensitive)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    upper = value.strip().upper()
    allowed = {choice.upper(): choice for choice in choices}
    if upper not in allowed:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} must be one of {', '.join(choices)}."
        )
    return allowed[upper]


def env_rate(name: str, default: str) -> str:
    """A rate limit ``N/s``, ``N/min``, ``N/hour``, ``N/day`` (N >= 1), or ``off``."""
    value = (os.environ.get(name) or default).strip()
    if value.lower() == "off" or re.fullmatch(r"[1-9]\d*/(s|sec|m|min|h|hour|d|day)", value):
        return value
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} must be a rate such as 600/min "
        "(per s, min, hour or day) or off."
    )


def env_url(name: str, schemes: tuple[str, ...], default: str | None = None) -> str:
    """Return a URL whose scheme is one of ``schemes`` and that names a host."""
    value = env_str(name, default)
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not (parsed.hostname or parsed.path):
        raise ImproperlyConfigured(
            f"Environment variable {name} must be a URL with scheme {' or '.join(schemes)}; "
            f"got {value!r}."
        )
    return value


def env_brokers(name: str, default: str | None = None) -> str:
    """Return a Kafka bootstrap list ``host:port[,host:port...]``, each port numeric."""
    value = env_str(name, default)
    for item in value.split(","):
        host, _, port = item.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ImproperlyConfigured(
                f"Environment variable {name} must be host:port[,host:port...]; got {value!r}."
            )
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    """Return the variable as a number, optionally bounded below."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a number."
        ) from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"Environment variable {name}={number} must be >= {minimum}.")
    return number


_PREFIX_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def env_url_prefix(name: str, default: str) -> str:
    """Return a URL path prefix such as ``/api/v1/collection`` in the form Django's ``path()``
    takes: no leading slash, one trailing slash (``api/v1/collection/``).

    The value must start with ``/`` and consist of one or more non-empty segments of letters,
    digits and ``. _ ~ -``; a trailing slash is allowed.
    """
    value = env_str(name, default)
    segments = value.removesuffix("/").split("/")
    if (
        not value.startswith("/")
        or len(segments) < 2
        or not all(_PREFIX_SEGMENT.fullmatch(segment) for segment in segments[1:])
    ):
        raise ImproperlyConfigured(
            f"Environment variable {name} must be a URL path such as /api/v1/collection "
            f"(segments of letters, digits, '.', '_', '~', '-'); got {value!r}."
        )
    return "/".join(segments[1:]) + "/"


def env_port(name: str, default: int) -> int:
    """Return the variable as a TCP port number (1-65535)."""
    port = env_int(name, default, minimum=1)
    if port > 65535:
        raise ImproperlyConfigured(f"Environment variable {name}={port} must be <= 65535.")
    return port


def service_urls_from_parts() -> dict[str, str]:
    """``DATABASE_URL`` and ``REDIS_URL`` built from the CRM compose file's separate variables,
    for each URL that is unset while its host variable is set.

    Precedence: ``DATABASE_URL`` wins over ``DB_HOST``/``DB_PORT``/``DB_USERNAME``/
    ``DB_PASSWORD``/``DB_DATABASE``, and ``REDIS_URL`` over ``REDIS_HOST``/``REDIS_PORT``/
    ``REDIS_PASSWORD``/``REDIS_DB``; with neither set, the embedded server (development) or an
    error. A part set without its host is an error (a half-configured deployment).
    """
    urls: dict[str, str] = {}
    if not os.environ.get("DATABASE_URL"):
        db_parts = ("DB_PORT", "DB_USERNAME", "DB_PASSWORD", "DB_DATABASE")
        if os.environ.get("DB_HOST"):
            user = quote(env_str("DB_USERNAME", "postgres"), safe="")
            password = os.environ.get("DB_PASSWORD", "")
            credentials = f"{user}:{quote(password, safe='')}" if password else user
            urls["DATABASE_URL"] = (
                f"postgres://{credentials}@{env_str('DB_HOST')}:{env_port('DB_PORT', 5432)}/"
                f"{quote(env_str('DB_DATABASE', 'collectioncrm'), safe='')}"
            )
        elif any(os.environ.get(part) for part in db_parts):
            raise ImproperlyConfigured(
                "Environment variable DB_HOST is required when DB_PORT, DB_USERNAME, "
                "DB_PASSWORD or DB_DATABASE is set (or set DATABASE_URL)."
            )
    if not os.environ.get("REDIS_URL"):
        redis_parts = ("REDIS_PORT", "REDIS_PASSWORD", "REDIS_DB")
        if os.environ.get("REDIS_HOST"):
            password = os.environ.get("REDIS_PASSWORD", "")
            credentials = f":{quote(password, safe='')}@" if password else ""
            urls["REDIS_URL"] = (
                f"redis://{credentials}{env_str('REDIS_HOST')}:{env_port('REDIS_PORT', 6379)}/"
                f"{env_int('REDIS_DB', 0, minimum=0)}"
            )
        elif any(os.environ.get(part) for part in redis_parts):
            raise ImproperlyConfigured(
                "Environment variable REDIS_HOST is required when REDIS_PORT, REDIS_PASSWORD "
                "or REDIS_DB is set (or set REDIS_URL)."
            )
    return urls
