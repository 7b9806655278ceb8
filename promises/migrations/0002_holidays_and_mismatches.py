"""The bank's holidays and the payments passed over for their currency
(promises/sql/0002_holidays_and_mismatches.sql) and their models."""

import uuid
from pathlib import Path

import django.utils.timezone
from django.db import migrations, models

import workflow.fields
from workflow.schema import sql_file_operation

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0001_initial"),
    ]

    operations = [
        sql_file_operation("0002_holidays_and_mismatches", directory=SQL_DIR),
        migrations.CreateModel(
            name="BusinessHoliday",
            fields=[
                (
                    "holiday_date",
                    models.DateField(
                        help_text="The bank's business date.", primary_key=True, serialize=False
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text="E.g. Lunar New Year (day 1).", max_length=100),
                ),
                ("created_at", workflow.fields.UTCDateTimeField(default=django.utils.timezone.now)),
                ("updated_at", workflow.fields.UTCDateTimeField(default=django.utils.timezone.now)),
                ("created_by", models.CharField(max_length=50)),
                ("updated_by", models.CharField(max_length=50)),
            ],
            options={
                "db_table": 'workflow_service"."business_holidays',
                "ordering": ["-holiday_date"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="PromiseCurrencyMismatch",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ("payment_id", models.CharField(max_length=64)),
                ("cif", models.CharField(max_length=20)),
                ("payment_amount", models.DecimalField(decimal_places=2, max_digits=18)),
                ("payment_currency", models.CharField(blank=True, max_length=3, null=True)),
                ("promise_currency", models.CharField(max_length=3)),
                (
                    "detected_at",
                    workflow.fields.UTCDateTimeField(default=django.utils.timezone.now),
                ),
                ("reviewed_at", workflow.fields.UTCDateTimeField(blank=True, null=True)),
                ("reviewed_by", models.CharField(blank=True, max_length=50, null=True)),
                ("review_note", models.TextField(blank=True, null=True)),
            ],
            options={
                "db_table": 'workflow_service"."promise_currency_mismatches',
                "ordering": ["-detected_at", "id"],
                "managed": False,
            },
        ),
    ]
