"""Phase 1, item 1: agents.user_id → auth_service.users, indexed and unique."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_baseline")]
    operations = [sql_file_operation("0002_agents_user_id")]
