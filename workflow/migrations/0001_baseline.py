"""The bank's existing schema (DESIGN.md §2); a no-op where it already exists."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [sql_file_operation("0001_baseline", guard_reverse=True)]
