"""Settings of the consumer and lane-worker subprocesses of the Kafka measurement.

Those of the end-to-end tests (the payment topic and the consumer-group suffix come from the
environment), with each consumed topic renamed to the run's own fresh topic when
``BENCH_<SETTING>`` is set, so that no message of an earlier run is read again.
"""

from __future__ import annotations

import os

from tests.kafka_bridge.e2e_settings import *  # noqa: F403

for _name in (
    "KAFKA_USER_CREATED_TOPIC",
    "KAFKA_USER_UPDATED_TOPIC",
    "KAFKA_USER_DEACTIVATED_TOPIC",
    "KAFKA_CUSTOMER_UPDATED_TOPIC",
    "KAFKA_LOAN_UPDATED_TOPIC",
):
    if os.environ.get(f"BENCH_{_name}"):
        globals()[_name] = os.environ[f"BENCH_{_name}"]
