"""Django's PostgreSQL backend with two changes.

**Bulk writes** stay under the protocol's limit of 65,535 parameters per statement when
parameters are bound server-side.

With client-side binding psycopg writes the values into the SQL text, and any number of rows
goes in one INSERT; with server-side binding (``DB_PREPARE_THRESHOLD`` above 0) every value is
a protocol parameter, and PostgreSQL refuses a statement with more than 65,535. Django's
PostgreSQL backend sets no batch size of its own, so ``bulk_create`` (the demo seeding, the
Kafka handlers' bulk rows) and the deletion collector would send one statement for any
number of rows. Here they are cut into batches of at most 65,535 parameters.

**The health check** (``CONN_HEALTH_CHECKS``) costs no round trip while the connection is idle
and quiet. Django checks a reused connection at the first database access of every request with
``SELECT 1``: a round trip to PostgreSQL per request, up to a tenth of a cached page's time. A
server that ends a session (a restart, ``pg_terminate_backend``, an idle timeout) tells the
client, or at least closes the socket, so the socket then has something to read. An idle
connection whose socket has nothing to read is, as far as this process can tell without asking,
still open: only then is the check skipped. Anything else (data
waiting, a transaction open, a broken or closed connection) gets Django's ``SELECT 1``, which
replaces a dead connection before the request uses it. A server lost without closing the socket
(a cut network) is not detected by either check until TCP gives up.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base, operations
from psycopg import pq

MAX_PARAMETERS = 65_535


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: Any, objs: Any) -> int:
        size = super().bulk_batch_size(fields, objs)
        if not self.connection.settings_dict["OPTIONS"].get("server_side_binding"):
            return size
        return max(1, min(size, MAX_PARAMETERS // max(1, len(fields))))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    health_check_enabled: bool  # set by Django (not in django-stubs)
    health_check_done: bool

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and _idle_and_quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def _idle_and_quiet(connection: Any) -> bool:
    """Open, outside any transaction, and nothing from the server waiting on the socket."""
    if connection.closed or connection.broken:
        return False
    pgconn = connection.pgconn
    if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)
