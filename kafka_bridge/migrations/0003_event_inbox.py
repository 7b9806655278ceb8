"""event_inbox: consumed events recorded before their offset is committed (kafka_bridge.inbox)."""

from __future__ import annotations

from pathlib import Path

from django.db import migrations

from workflow.schema import sql_file_operation

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("kafka_bridge", "0002_move_outbox_and_payments")]
    operations = [sql_file_operation("0003_event_inbox", directory=SQL_DIR)]
