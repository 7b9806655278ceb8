"""table_versions: one version bump per writing transaction, not one per statement."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0012_table_versions")]
    operations = [sql_file_operation("0013_table_versions_once_per_transaction")]
