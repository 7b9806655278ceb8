"""Settings of the end-to-end subprocesses of the user-event tests: those of
``e2e_settings`` with the auth service's topics renamed to the test's own topics."""

from __future__ import annotations

import os

from tests.kafka_bridge.e2e_settings import *  # noqa: F403

KAFKA_USER_CREATED_TOPIC = os.environ["E2E_KAFKA_USER_CREATED_TOPIC"]
KAFKA_USER_UPDATED_TOPIC = os.environ["E2E_KAFKA_USER_UPDATED_TOPIC"]
KAFKA_USER_DEACTIVATED_TOPIC = os.environ["E2E_KAFKA_USER_DEACTIVATED_TOPIC"]
