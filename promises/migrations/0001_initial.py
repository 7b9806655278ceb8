"""Promises to pay: the tables (promises/sql/0001_payment_promises.sql) and their models.

The SQL owns the schema (idempotent, with a reverse twin); the models are unmanaged maps of it.
"""

import django.db.models.expressions
import django.utils.timezone
import uuid
import workflow.fields
from decimal import Decimal
from pathlib import Path

from django.db import migrations, models

from workflow.schema import sql_file_operation

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("workflow", "0011_outbox_model"),
        ("agents", "0002_agentlinkaudit"),
    ]

    operations = [
        sql_file_operation("0001_payment_promises", directory=SQL_DIR),
        migrations.CreateModel(
            name='PaymentPromise',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ('action_id', models.UUIDField(blank=True, null=True)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=18)),
                ('currency', models.CharField(max_length=3)),
                ('promised_date', models.DateField()),
                ('grace_days', models.IntegerField()),
                ('tolerance_percent', models.DecimalField(decimal_places=2, max_digits=5)),
                ('due_date', models.GeneratedField(db_persist=True, expression=models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(models.F('promised_date'), '+', models.F('grace_days')), output_field=models.DateField()), output_field=models.DateField())),
                ('status', models.CharField(choices=[('PENDING', 'Pending'), ('KEPT', 'Kept'), ('PARTIALLY_KEPT', 'Partially kept'), ('BROKEN', 'Broken'), ('CANCELLED', 'Cancelled')], default='PENDING', max_length=20)),
                ('paid_amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18)),
                ('resolved_at', workflow.fields.UTCDateTimeField(blank=True, null=True)),
                ('cancelled_by', models.CharField(blank=True, max_length=50, null=True)),
                ('cancel_reason', models.TextField(blank=True, null=True)),
                ('follow_up_date', models.DateField(blank=True, null=True)),
                ('created_at', workflow.fields.UTCDateTimeField(default=django.utils.timezone.now)),
                ('updated_at', workflow.fields.UTCDateTimeField(default=django.utils.timezone.now)),
                ('created_by', models.CharField(max_length=50)),
                ('updated_by', models.CharField(max_length=50)),
            ],
            options={
                'db_table': 'workflow_service"."payment_promises',
                'ordering': ['-created_at', 'id'],
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='PromiseAppropriation',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ('payment_id', models.CharField(max_length=64)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=18)),
                ('appropriated_at', workflow.fields.UTCDateTimeField(default=django.utils.timezone.now)),
                ('reversed_at', workflow.fields.UTCDateTimeField(blank=True, null=True)),
                ('reversed_by', models.CharField(blank=True, max_length=50, null=True)),
            ],
            options={
                'db_table': 'workflow_service"."promise_appropriations',
                'ordering': ['appropriated_at', 'id'],
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='PromiseType',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ('name', models.CharField(max_length=100)),
                ('product_type', models.CharField(blank=True, help_text='Loan product; empty: any product.', max_length=20, null=True)),
                ('segment', models.CharField(blank=True, help_text='Customer segment; empty: any segment.', max_length=50, null=True)),
                ('grace_days', models.IntegerField(default=3, help_text='Calendar days after the promised date a payment still counts (0-60).')),
                ('tolerance_percent', models.DecimalField(decimal_places=2, default=Decimal('0.00'), help_text='A promise is kept once (100 - tolerance)% of it is paid (0 to < 100).', max_digits=5)),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', workflow.fields.UTCDateTimeField(default=django.utils.timezone.now)),
                ('updated_at', workflow.fields.UTCDateTimeField(default=django.utils.timezone.now)),
                ('created_by', models.CharField(max_length=50)),
                ('updated_by', models.CharField(max_length=50)),
            ],
            options={
                'db_table': 'workflow_service"."promise_types',
                'ordering': ['name'],
                'managed': False,
            },
        ),
    ]
