"""The Kafka bridge's own tables (``workflow/sql/0006_kafka_bridge.sql``), mapped unmanaged:
which events were applied, and the newest state applied per entity."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from workflow.fields import UTCDateTimeField


class ProcessedEvent(models.Model):
    """A consumed event already applied (``workflow_service.processed_events``)."""

    event_id = models.UUIDField(primary_key=True)
    topic = models.CharField(max_length=200)
    processed_at = UTCDateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = 'workflow_service"."processed_events'
        ordering = ["processed_at"]

    def __str__(self) -> str:
        return f"{self.topic} {self.event_id}"


class EventWatermark(models.Model):
    """The newest event timestamp applied to one entity (``workflow_service.event_watermarks``).

    The primary key is ``(entity_type, entity_key)``.
    """

    pk = models.CompositePrimaryKey("entity_type", "entity_key")
    entity_type = models.CharField(max_length=50)
    entity_key = models.CharField(max_length=200)
    event_timestamp = UTCDateTimeField()
    updated_at = UTCDateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = 'workflow_service"."event_watermarks'

    def __str__(self) -> str:
        return f"{self.entity_type} {self.entity_key} @ {self.event_timestamp}"
