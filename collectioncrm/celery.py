"""The Celery application (worker and beat): ``celery -A collectioncrm worker|beat``."""

from __future__ import annotations

import os

from celery import Celery, signals

from workflow.metrics import connect_celery_signals
from workflow.request_id import connect_celery_signals as connect_request_id_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collectioncrm.settings")

app = Celery("collectioncrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
connect_celery_signals()
connect_request_id_signals()


@signals.setup_logging.connect
def keep_django_logging(**kwargs: object) -> None:
    """Celery configures logging only when nobody answers this signal: Django's LOGGING
    (JSON lines with the request id), set up by django.setup(), stays in force."""
