"""State-only move of the payment model from the Kafka bridge into its own app.

The table ``workflow_service.payments`` (``workflow/sql/0006_kafka_bridge.sql``) is untouched
(the model is unmanaged). Existing admin content types and permissions follow the model.
"""

import uuid

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import workflow.fields


def _move_content_type(apps, schema_editor, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model="payment").exclude(app_label=new).update(
        app_label=new
    )


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "kafka_bridge", "payments")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "payments", "kafka_bridge")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("agents", "0001_initial"),
        ("kafka_bridge", "0002_move_outbox_and_payments"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Payment",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ("payment_id", models.CharField(max_length=64, unique=True)),
                ("reference_number", models.CharField(blank=True, max_length=100, null=True)),
                ("loan_account_number", models.CharField(blank=True, max_length=20, null=True)),
                ("cif", models.CharField(blank=True, max_length=20, null=True)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=18)),
                ("currency", models.CharField(blank=True, max_length=3, null=True)),
                ("payment_date", workflow.fields.UTCDateTimeField()),
                ("payment_channel", models.CharField(blank=True, max_length=50, null=True)),
                (
                    "call_agent",
                    models.ForeignKey(
                        blank=True,
                        db_column="call_agent_id",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="agents.agent",
                    ),
                ),
                (
                    "field_agent",
                    models.ForeignKey(
                        blank=True,
                        db_column="field_agent_id",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="agents.agent",
                    ),
                ),
                ("event_id", models.UUIDField(blank=True, null=True)),
                ("source", models.CharField(blank=True, max_length=100, null=True)),
                (
                    "received_at",
                    workflow.fields.UTCDateTimeField(default=django.utils.timezone.now),
                ),
                (
                    "raw",
                    models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder),
                ),
            ],
            options={
                "db_table": 'workflow_service"."payments',
                "ordering": ["-payment_date"],
                "managed": False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
