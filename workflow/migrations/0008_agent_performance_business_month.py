"""agent_performance by business month with every action metric the performance API serves."""

from __future__ import annotations

from django.db import migrations

from workflow.schema import sql_file_operation


class Migration(migrations.Migration):
    dependencies = [("workflow", "0006_kafka_bridge")]
    operations = [sql_file_operation("0008_agent_performance_business_month")]
