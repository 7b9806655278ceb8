"""State-only move of the outbox model from the Kafka bridge into the core (``workflow``).

The table ``workflow_service.outbox_events`` is untouched (the model is unmanaged). Existing
admin content types and permissions follow the model, so groups keep their rights.
"""

import django.core.serializers.json
import django.utils.timezone
from django.db import migrations, models

import workflow.fields


def _move_content_type(apps, schema_editor, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model="outboxevent").exclude(app_label=new).update(
        app_label=new
    )


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "kafka_bridge", "workflow")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "workflow", "kafka_bridge")


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0010_agent_link_audit"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxEvent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("event_id", models.UUIDField(unique=True)),
                ("topic", models.CharField(max_length=200)),
                ("message_key", models.CharField(blank=True, max_length=200, null=True)),
                (
                    "payload",
                    models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder),
                ),
                ("headers", models.JSONField(default=dict)),
                (
                    "created_at",
                    workflow.fields.UTCDateTimeField(default=django.utils.timezone.now),
                ),
                ("published_at", workflow.fields.UTCDateTimeField(blank=True, null=True)),
                ("attempts", models.IntegerField(default=0)),
                ("last_error", models.TextField(blank=True, null=True)),
            ],
            options={
                "db_table": 'workflow_service"."outbox_events',
                "ordering": ["id"],
                "managed": False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
