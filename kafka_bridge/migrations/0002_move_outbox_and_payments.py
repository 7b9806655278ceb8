"""State-only: the outbox model moved to ``workflow`` (core) and payments to ``payments``.

Both tables stay where they are (the models are unmanaged); see workflow 0011 and payments
0001, which move the admin content types along.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("kafka_bridge", "0001_initial"),
        ("workflow", "0011_outbox_model"),
    ]

    operations = [
        migrations.DeleteModel(name="OutboxEvent"),
        migrations.DeleteModel(name="Payment"),
    ]
