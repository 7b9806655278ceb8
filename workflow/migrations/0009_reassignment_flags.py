"""reassignment_flags: customers waiting for a new agent (auth-service.user.deactivated)."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0008_agent_performance_business_month")]
    operations = [sql_file_operation("0009_reassignment_flags")]
