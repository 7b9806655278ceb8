"""An index on agents' upper-cased e-mail: the case-insensitive duplicate check of every agent
creation and update was a read of the whole table."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0014_table_versions_bump_at_end")]
    operations = [sql_file_operation("0015_agents_email_upper_index")]
