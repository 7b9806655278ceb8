"""Settings of the collection workflow service, read from the environment.

Every value comes from an environment variable (see the configuration table in README.md).
When ``DATABASE_URL``, ``REDIS_URL`` or ``KAFKA_BROKERS`` is unset and embedded services are
allowed (``EMBEDDED_SERVICES``, on by default only with ``DEBUG``), the missing servers are
started (or reused) from the embedded stand-ins in ``collectioncrm.devstack``.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from collectioncrm.env import (
    env_bool,
    env_brokers,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_rate,
    env_str,
    env_url,
    env_url_prefix,
    service_urls_from_parts,
)
from workflow.schedule import BEAT_SCHEDULE as WORKFLOW_BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# The CRM compose file's DB_* / REDIS_* variables become DATABASE_URL / REDIS_URL when those
# are unset (the URLs win); only then may an embedded server stand in.
os.environ.update(service_urls_from_parts())
EMBEDDED_SERVICES = env_bool("EMBEDDED_SERVICES", DEBUG)
if EMBEDDED_SERVICES:
    from collectioncrm import devstack

    EMBEDDED = devstack.configure_environment()
else:
    EMBEDDED = []

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-secret-key" if DEBUG else None)
# Default: the local names, the container's own host name and the plan's compose service name,
# so that a container answers its own health check and its compose neighbours out of the box.
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "workflow-service", socket.gethostname()]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not re.fullmatch(r"https?://[^/\s]+", _origin):
        raise ImproperlyConfigured(
            "Environment variable CSRF_TRUSTED_ORIGINS must list origins such as "
            f"https://crm.example.com; got {_origin!r}."
        )
# Every API route, the OpenAPI schema and the docs live under this prefix.
API_PREFIX = env_url_prefix("API_PREFIX", "/api/v1/collection")

# --- HTTPS behind the ingress / API gateway (python manage.py check --deploy) -------------
# TLS ends at the proxy, which sets X-Forwarded-Proto. HTTP is redirected to HTTPS there, not
# here: in-cluster callers (the CRM's API gateway, probes) talk plain HTTP to the service.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", True) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SILENCED_SYSTEM_CHECKS = [] if SECURE_SSL_REDIRECT else ["security.W008"]

# The bank's business day: date filters, daily trends and assignment dates use it.
BUSINESS_TIME_ZONE = env_str("BUSINESS_TIME_ZONE", "Asia/Ho_Chi_Minh")
# Admin lists are counted exactly up to this many rows, beyond it the page shows the planner's
# estimate ("about N"): a supervisor never waits on a COUNT(*) of millions of rows.
ADMIN_EXACT_COUNT_UP_TO = env_int("ADMIN_EXACT_COUNT_UP_TO", 10_000, minimum=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "workflow",
    "agents",
    "actions",
    "assignments",
    "cases",
    "contacts",
    "promises",
    "payments",
    "reports",
    "demo",
    "kafka_bridge",
]

MIDDLEWARE = [
    "workflow.probes.ProbeMiddleware",
    "workflow.metrics.MetricsMiddleware",
    "workflow.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "workflow.api.middleware.MethodOverrideMiddleware",
    "workflow.api.middleware.NulByteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workflow.api.middleware.MessagesOutsideApiMiddleware",
    "workflow.admin_time.AdminBusinessTimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "workflow.auth.backends.CrmAdminBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "collectioncrm.urls"
WSGI_APPLICATION = "collectioncrm.wsgi.application"
ASGI_APPLICATION = "collectioncrm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- PostgreSQL -------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql"))
_database = dj_database_url.parse(
    DATABASE_URL,
    conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
    conn_health_checks=True,
)
# The fixed assignment trigger reads this setting to write the bank's business date.
_database.setdefault("OPTIONS", {})["options"] = (
    f"-c workflow.business_time_zone={BUSINESS_TIME_ZONE}"
)
# Server-side parameter binding lets psycopg prepare a statement after DB_PREPARE_THRESHOLD
# executions on a connection, so PostgreSQL plans it once per connection instead of once per
# request (planning the partitioned action_records costs more than running most statements).
# 0 turns it off: client-side binding, nothing prepared (needed behind PgBouncer in
# transaction mode before 1.21).
DB_PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 5, minimum=0)
if DB_PREPARE_THRESHOLD:
    _database["OPTIONS"]["server_side_binding"] = True
    _database["OPTIONS"]["prepare_threshold"] = DB_PREPARE_THRESHOLD
# Django's backend, with bulk writes cut to the 65,535 parameters a statement may bind
# server-side (collectioncrm/postgresql/base.py).
_database["ENGINE"] = "collectioncrm.postgresql"
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Dropping the bank's schemas (reversing the baseline migration) is never allowed in production.
ALLOW_SCHEMA_DROP = env_bool("ALLOW_SCHEMA_DROP", DEBUG)

# --- Redis: cache and Celery broker ---------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "workflow",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 2,
            "SOCKET_TIMEOUT": 2,
        },
    }
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that then died (SIGKILL, OOM, node lost) is handed out again after
# this many seconds (acks_late). Redis' default of an hour would hold a killed lane worker's
# event, and its key's position, that long. Longer than any task runs, or a slow one is redone.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT_SECONDS", 300, minimum=1)
}
# Celery keeps Django's logging (JSON, with the request id) instead of installing its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Keep a worker's database connection across tasks (a new one per event halves throughput).
CELERY_DB_REUSE_MAX = 1000
# Beat marks itself alive on every tick (manage.py liveness beat).
CELERY_BEAT_SCHEDULER = "workflow.liveness:LivenessScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "workflow-heartbeat": {
        "task": "workflow.tasks.heartbeat",
        "schedule": env_int("BEAT_HEARTBEAT_SECONDS", 60, minimum=1),
    },
    **WORKFLOW_BEAT_SCHEDULE,
    # The Kafka bridge's outbox relay sweep complements ``manage.py relay_outbox`` (both may
    # run: rows are claimed with SKIP LOCKED); it expires when no worker could start it in
    # time, so sweeps never pile up. Crontab hours are UTC: 20:xx UTC is the small hours in
    # Vietnam.
    "kafka-bridge-relay-outbox": {
        "task": "kafka_bridge.tasks.relay_outbox",
        "schedule": 5.0,
        "options": {"expires": 5.0},
    },
    "kafka-bridge-purge-processed-events": {
        "task": "kafka_bridge.tasks.purge_processed_events",
        "schedule": crontab(hour=20, minute=17),
    },
    "kafka-bridge-purge-published-outbox": {
        "task": "kafka_bridge.tasks.purge_published_outbox",
        "schedule": crontab(hour=20, minute=47),
    },
    # Promises past their promised date + grace days become PARTIALLY_KEPT or BROKEN
    # (promises/resolution.py). Hourly, so that the run right after the bank's midnight
    # resolves them whatever BUSINESS_TIME_ZONE is; a run with nothing due is one index probe.
    "promises-resolve-due": {
        "task": "promises.tasks.resolve_due_promises",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
}

# Liveness files of the consumer, relay and beat loops (manage.py liveness NAME).
LIVENESS_DIR = Path(env_str("LIVENESS_DIR", str(Path(tempfile.gettempdir()) / "collectioncrm")))

# --- Promises to pay (promises/) ---------------------------------------------------------------
# How far ahead a promised date may be (business days from today, inclusive).
PROMISE_MAX_DAYS_AHEAD = env_int("PROMISE_MAX_DAYS_AHEAD", 30, minimum=0)
# Terms of promises when no promise type matches the loan's product and customer's segment.
PROMISE_DEFAULT_GRACE_DAYS = env_int("PROMISE_DEFAULT_GRACE_DAYS", 3, minimum=0)
PROMISE_DEFAULT_TOLERANCE_PERCENT = env_int("PROMISE_DEFAULT_TOLERANCE_PERCENT", 0, minimum=0)
# The bank's days off (ISO weekday numbers, Monday = 1): a follow-up never falls on one.
BUSINESS_WEEKEND_DAYS = [int(day) for day in env_list("BUSINESS_WEEKEND_DAYS", ["6", "7"])]

# Agent performance answers cached in Redis (0 = no caching); see reports/cache.py.
PERFORMANCE_CACHE_SECONDS = env_int("PERFORMANCE_CACHE_SECONDS", 300, minimum=0)

# Contact policy (contacts/): when on, every recorded action is checked against the customer's
# contact policy, its party and contact point are stored and a breach is flagged. The gate
# (POST contact-attempts, GET contact-policy/check) answers either way.
CONTACT_POLICY_ENABLED = env_bool("CONTACT_POLICY_ENABLED", True)

# --- Kafka -------------------------------------------------------------------------------
KAFKA_BROKERS = env_brokers("KAFKA_BROKERS")
KAFKA_CLIENT_ID = env_str("KAFKA_CLIENT_ID", "workflow-service")
# The bank's payment service publishes to payment.events in some installations.
KAFKA_PAYMENT_TOPIC = env_str("KAFKA_PAYMENT_TOPIC", "payment-service.payment.received")
# Events of one key go through one of these Celery queues (kafka-events-N), each served by
# one single-process worker, so that they are applied in order.
KAFKA_EVENT_LANES = env_int("KAFKA_EVENT_LANES", 4, minimum=1)
KAFKA_HANDLER_MAX_ATTEMPTS = env_int("KAFKA_HANDLER_MAX_ATTEMPTS", 5, minimum=1)
# Inbox events a lane task applies in one transaction (one by one again when the batch fails).
KAFKA_HANDLER_BATCH_SIZE = env_int("KAFKA_HANDLER_BATCH_SIZE", 500, minimum=1)
KAFKA_CONSUMER_GROUP_SUFFIX = env_str("KAFKA_CONSUMER_GROUP_SUFFIX", "")
# Other names for the consumed topics (installations whose producers use other names).
KAFKA_USER_CREATED_TOPIC = env_str("KAFKA_USER_CREATED_TOPIC", "auth-service.user.created")
KAFKA_USER_UPDATED_TOPIC = env_str("KAFKA_USER_UPDATED_TOPIC", "auth-service.user.updated")
KAFKA_USER_DEACTIVATED_TOPIC = env_str(
    "KAFKA_USER_DEACTIVATED_TOPIC", "auth-service.user.deactivated"
)
KAFKA_CUSTOMER_UPDATED_TOPIC = env_str(
    "KAFKA_CUSTOMER_UPDATED_TOPIC", "bank-sync-service.customer.updated"
)
KAFKA_LOAN_UPDATED_TOPIC = env_str("KAFKA_LOAN_UPDATED_TOPIC", "bank-sync-service.loan.updated")
KAFKA_HANDLER_RETRY_SECONDS = env_float("KAFKA_HANDLER_RETRY_SECONDS", 0.5, minimum=0.0)
# Consumed events wait in workflow_service.event_inbox until a lane worker applies them; a row
# older than this (its Celery task was lost with a killed worker) is dispatched again by the
# consumer. Longer than a lane usually takes to reach an event, or tasks are sent twice (no harm).
KAFKA_INBOX_REDISPATCH_SECONDS = env_float("KAFKA_INBOX_REDISPATCH_SECONDS", 60.0, minimum=0.0)
KAFKA_DELIVERY_TIMEOUT_MS = env_int("KAFKA_DELIVERY_TIMEOUT_MS", 30_000, minimum=1_000)
# Real-cluster defaults (librdkafka's); the embedded broker's own values come from the dev
# stack (collectioncrm.devstack), which sets these variables when it provides the broker.
KAFKA_SESSION_TIMEOUT_MS = env_int("KAFKA_SESSION_TIMEOUT_MS", 45_000, minimum=1_000)
KAFKA_HEARTBEAT_INTERVAL_MS = env_int("KAFKA_HEARTBEAT_INTERVAL_MS", 3_000, minimum=100)
KAFKA_AUTO_CREATE_TOPICS = env_bool("KAFKA_AUTO_CREATE_TOPICS", False)
# How soon a consumer sees a topic created after it subscribed (librdkafka: 5 minutes).
KAFKA_METADATA_REFRESH_MS = env_int("KAFKA_METADATA_REFRESH_MS", 10_000, minimum=1_000)
# Topics created by `manage.py ensure_topics`.
KAFKA_TOPIC_PARTITIONS = env_int("KAFKA_TOPIC_PARTITIONS", 6, minimum=1)
KAFKA_TOPIC_REPLICATION_FACTOR = env_int("KAFKA_TOPIC_REPLICATION_FACTOR", 3, minimum=1)
OUTBOX_RELAY_BATCH = env_int("OUTBOX_RELAY_BATCH", 500, minimum=1)
PROCESSED_EVENTS_RETENTION_DAYS = env_int("PROCESSED_EVENTS_RETENTION_DAYS", 30, minimum=1)
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 7, minimum=1)
# Team of the agent profiles created for new CRM users (auth-service.user.created).
AGENT_DEFAULT_TEAM = env_str("AGENT_DEFAULT_TEAM", "Unassigned")

# --- Authentication (the CRM auth service's tokens) ---------------------------------------
JWT_SECRET = env_str("JWT_SECRET", "dev-only-jwt-secret-change-me-0123456789" if DEBUG else None)
JWT_EXPIRES_SECONDS = env_int("JWT_EXPIRES_SECONDS", 3600, minimum=60)
JWT_REFRESH_EXPIRES_SECONDS = env_int("JWT_REFRESH_EXPIRES_SECONDS", 7 * 24 * 3600, minimum=300)
LOGIN_MAX_FAILURES_PER_USER = env_int("LOGIN_MAX_FAILURES_PER_USER", 5, minimum=1)
LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 20, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
# Rate limits of API writes (workflow/api/throttling.py): "N/s", "N/min", "N/hour", "N/day" or
# "off". Per CRM user for authenticated writes, per client address for unauthenticated ones
# (login, token refresh); counted in Redis. Generous for people, a stop for runaway clients.
API_WRITE_RATE_PER_USER = env_rate("API_WRITE_RATE_PER_USER", "600/min")
API_ANON_RATE_PER_IP = env_rate("API_ANON_RATE_PER_IP", "120/min")

# --- Internationalisation and time ---------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files (admin, Swagger UI, ReDoc) are collected at image build and served by
# WhiteNoise with hashed names and far-future caching; no CDN, no separate web server.
STATIC_URL = "static/"
STATIC_ROOT: Path | None = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["workflow.auth.authentication.BearerSessionAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["workflow.api.parsers.StrictJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "workflow.api.throttling.UserWriteThrottle",
        "workflow.api.throttling.AnonymousWriteThrottle",
    ],
    "EXCEPTION_HANDLER": "workflow.api.exceptions.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "workflow.api.pagination.EnvelopePagination",
    "DEFAULT_METADATA_CLASS": "workflow.api.metadata.ApiMetadata",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CollectionCRM Workflow API",
    "DESCRIPTION": "Collection workflow: agents, actions, assignments and case status.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": rf"/(?:{re.escape(API_PREFIX.rstrip('/'))}|api/v1/auth)",
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package: no CDN needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "workflow.api.schema.document_limits_and_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AgentTypeEnum": "workflow.enums.AgentType",
        "ActionTypeEnum": "workflow.enums.ActionType",
        "ActionSubtypeEnum": "workflow.enums.ActionSubtype",
        "ActionResultEnum": "workflow.enums.ActionResult",
        "CustomerStatusEnum": "workflow.enums.CustomerStatus",
        "CollateralStatusEnum": "workflow.enums.CollateralStatus",
        "ProcessingStateStatusEnum": "workflow.enums.ProcessingStateStatus",
        "LendingViolationStatusEnum": "workflow.enums.LendingViolationStatus",
        "RecoveryAbilityStatusEnum": "workflow.enums.RecoveryAbilityStatus",
        "PromiseStatusEnum": "promises.models.PromiseStatus",
    },
}

# --- Observability ---------------------------------------------------------------------------
# GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>"; unset, /metrics is off (404).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Celery workers serve their own metrics on this port (0: off); reach it only inside the cluster.
WORKER_METRICS_PORT = env_int("WORKER_METRICS_PORT", 0, minimum=0)
# Error reporting (pip extra "sentry"): off unless a DSN is given. No personal data is sent.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as exc:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: install the 'sentry' extra."
        ) from exc
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0, minimum=0.0),
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )

# --- Logging: one JSON object per line ----------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOG_FORMAT = env_choice("LOG_FORMAT", "json", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "filters": {"request_id": {"()": "workflow.request_id.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
    },
}
