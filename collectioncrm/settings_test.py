"""Test settings: the base settings with embedded servers allowed and fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("EMBEDDED_SERVICES", "true")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
os.environ.setdefault("JWT_SECRET", "test-jwt-secret")
os.environ.setdefault("ALLOW_SCHEMA_DROP", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from collectioncrm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CACHES["default"]["KEY_PREFIX"] = "workflow-test"  # noqa: F405
