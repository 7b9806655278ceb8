"""Phase 1, items 4 and 7: the assignment trigger uses IS DISTINCT FROM and business dates."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_agents_user_id")]
    operations = [sql_file_operation("0003_fix_assignment_trigger")]
