"""Phase 1, item 5: unique indexes so both materialized views refresh CONCURRENTLY."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0003_fix_assignment_trigger")]
    operations = [sql_file_operation("0004_mv_unique_indexes")]
