"""Test settings: the base settings with embedded servers allowed and fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("EMBEDDED_SERVICES", "true")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
os.environ.setdefault("JWT_SECRET", "test-jwt-secret-of-at-least-32-bytes")
os.environ.setdefault("ALLOW_SCHEMA_DROP", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The suite, the load benchmark and the fault tests (whose processes inherit this environment)
# send far more writes as one user than a person would: no write limits unless a test sets them.
os.environ.setdefault("API_WRITE_RATE_PER_USER", "off")
os.environ.setdefault("API_ANON_RATE_PER_IP", "off")

from collectioncrm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CACHES["default"]["KEY_PREFIX"] = "workflow-test"  # noqa: F405

if "redis" in EMBEDDED:  # noqa: F405
    # Tests empty their Redis database after each test: keep them off the one `make run` uses
    # (database 0) and, mostly, off those of other test runs going on at the same time.
    REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + f"/{1 + os.getpid() % 15}"  # noqa: F405
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
    CELERY_BROKER_URL = REDIS_URL

# One test database per pytest process, so that concurrent runs on one server never drop each
# other's database (tests/conftest.py removes those left behind by killed runs).
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"  # noqa: F405
}

# No collectstatic before tests: templates link unhashed names, found in the apps by WhiteNoise
# (tests/deploy/test_static_files.py checks the collected, hashed production set up).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
