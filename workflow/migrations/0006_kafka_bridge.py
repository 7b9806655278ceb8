"""The Kafka bridge's tables: outbox, processed events, watermarks, payments (DESIGN.md §5)."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0005_unmanaged_models")]
    operations = [sql_file_operation("0006_kafka_bridge")]
