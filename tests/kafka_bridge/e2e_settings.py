"""Settings of the worker and consumer subprocesses started by the end-to-end tests.

The base settings, pointed by the environment (``DATABASE_URL``, ``REDIS_URL``,
``KAFKA_BROKERS``) at the test database, Redis database and broker of the pytest process that
started them, with the payment topic of the test.
"""

from __future__ import annotations

import os

from collectioncrm.settings import *  # noqa: F403

KAFKA_PAYMENT_TOPIC = os.environ["E2E_KAFKA_PAYMENT_TOPIC"]
# Keep the worker's database connection between tasks (Celery's Django fixup otherwise closes it
# before and after every task); kafka_bridge.tasks.handle_event runs close_old_connections()
# itself, so CONN_MAX_AGE and the health checks still apply. Recommended for production too.
CELERY_DB_REUSE_MAX = 1000
KAFKA_CONSUMER_GROUP_SUFFIX = os.environ["E2E_KAFKA_GROUP_SUFFIX"]
KAFKA_HANDLER_RETRY_SECONDS = 0.05
# A consumer killed by a test leaves the group sooner, so its successor joins sooner.
KAFKA_SESSION_TIMEOUT_MS = 2000
KAFKA_HEARTBEAT_INTERVAL_MS = 300
