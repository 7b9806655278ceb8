"""Django's PostgreSQL backend with one change: bulk writes stay under the protocol's limit of
65,535 parameters per statement when parameters are bound server-side.

With client-side binding psycopg writes the values into the SQL text, and any number of rows
goes in one INSERT; with server-side binding (``DB_PREPARE_THRESHOLD`` above 0) every value is
a protocol parameter, and PostgreSQL refuses a statement with more than 65,535. Django's
PostgreSQL backend sets no batch size of its own, so ``bulk_create`` (the demo seeding, the
Kafka handlers' bulk rows) and the deletion collector would send one statement for any
number of rows. Here they are cut into batches of at most 65,535 parameters.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base, operations

MAX_PARAMETERS = 65_535


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: Any, objs: Any) -> int:
        size = super().bulk_batch_size(fields, objs)
        if not self.connection.settings_dict["OPTIONS"].get("server_side_binding"):
            return size
        return max(1, min(size, MAX_PARAMETERS // max(1, len(fields))))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
