"""payment_reversals: payments reversed by the payment service or a supervisor
(payments/sql/0002_payment_reversals.sql), and its unmanaged model."""

from __future__ import annotations

from pathlib import Path

import django.utils.timezone
from django.db import migrations, models

import workflow.fields
from workflow.schema import sql_file_operation

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        sql_file_operation("0002_payment_reversals", directory=SQL_DIR),
        migrations.CreateModel(
            name="PaymentReversal",
            fields=[
                (
                    "payment_id",
                    models.CharField(max_length=64, primary_key=True, serialize=False),
                ),
                (
                    "reversed_at",
                    workflow.fields.UTCDateTimeField(default=django.utils.timezone.now),
                ),
                ("reason", models.TextField(blank=True, null=True)),
                ("event_id", models.UUIDField(blank=True, null=True)),
                ("reversed_by", models.CharField(max_length=50)),
            ],
            options={
                "db_table": 'workflow_service"."payment_reversals',
                "ordering": ["-reversed_at"],
                "managed": False,
            },
        ),
    ]
