"""table_versions: a version per watched table, changed by every write (cached pages' keys)."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0011_outbox_model")]
    operations = [sql_file_operation("0012_table_versions")]
