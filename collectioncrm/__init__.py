"""Project package of the collection workflow service."""

from __future__ import annotations

from collectioncrm.celery import app as celery_app

__all__ = ["celery_app"]
