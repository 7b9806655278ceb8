"""agent_link_audit: who linked or unlinked a CRM user and an agent, when and why."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0009_reassignment_flags")]
    operations = [sql_file_operation("0010_agent_link_audit")]
