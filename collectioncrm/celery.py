"""The Celery application (worker and beat): ``celery -A collectioncrm worker|beat``."""

from __future__ import annotations

import os

from celery import Celery

from workflow.metrics import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collectioncrm.settings")

app = Celery("collectioncrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
connect_celery_signals()
