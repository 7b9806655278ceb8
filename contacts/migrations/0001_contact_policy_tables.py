"""The contact-policy tables (contacts/sql/0001_contact_policy.sql, reversible, idempotent)."""

from __future__ import annotations

from pathlib import Path

from django.db import migrations

from workflow.schema import sql_file_operation

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("workflow", "0011_outbox_model")]
    operations = [sql_file_operation("0001_contact_policy", directory=SQL_DIR)]
