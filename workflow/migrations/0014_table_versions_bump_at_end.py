"""table_versions: a transaction (a Kafka batch) may bump its versions once, at its end."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0013_table_versions_once_per_transaction")]
    operations = [sql_file_operation("0014_table_versions_bump_at_end")]
