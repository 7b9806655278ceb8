"""An index on agents in the agents list's order (name, id): each page sorted every agent."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0015_agents_email_upper_index")]
    operations = [sql_file_operation("0016_agents_name_index")]
