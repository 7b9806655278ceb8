"""Partition upkeep of ``action_records`` and ``customer_agents`` (DESIGN.md §3 item 6).

Both tables are range-partitioned by a date (``action_date`` timestamp, ``start_date`` date)
into ``<table>_historical`` (MINVALUE → 2025-01-01), quarters ``<table>_YYYY_qN`` and a
catch-all ``<table>_future`` (end of the last quarter → MAXVALUE). The upkeep keeps the
quarters at least ``ahead`` quarters past the bank's current quarter (default 4). A new
quarter overlaps the catch-all, so the catch-all is replaced by a narrower one and its rows
are moved into their quarters. Per table:

1. **Resume.** A holding table ``<table>_holding_YYYYMMDD`` left by an interrupted run is
   first emptied back into the table (its rows route to whatever partition covers them now).
2. **Stage**, only when the catch-all holds more than ``inline_move_limit`` rows (1000: the
   upkeep has not run for about ``ahead`` quarters): move its rows in batches into a plain
   holding table made ``LIKE`` the parent.
3. **Switch**: one transaction, the only exclusive lock, catalog work plus at most
   ``inline_move_limit`` rows (milliseconds). With ``lock_timeout`` (0.5 s), lock the tables
   the foreign keys point at in SHARE ROW EXCLUSIVE mode (creating a partition clones the
   foreign keys and needs it; it holds off their writers, not their readers), then the parent
   in ACCESS EXCLUSIVE mode, the most disruptive lock last so that it is never held while
   waiting; re-read the layout; move what is left in the catch-all to the holding table;
   DROP the catch-all; ``CREATE TABLE … PARTITION OF`` each missing quarter and a new
   ``<table>_future`` FROM (end of the last quarter) TO (MAXVALUE), which inherit the
   parent's indexes, foreign keys and triggers; when the holding table is small, move its
   rows into the parent and drop it. A lock wait that times out rolls the switch back; it
   is retried with backoff, so the upkeep never queues long in front of the application
   (and, waiting less than PostgreSQL's ``deadlock_timeout``, it is normally the one to give
   up in a lock cycle). A switch that finally fails gives staged rows back first.
4. **Drain** a larger holding table into the parent in batches, drop it, ANALYZE the new
   partitions.

Every move is one statement, ``WITH moved AS (DELETE FROM src WHERE ctid in a page range
RETURNING …) INSERT INTO dst SELECT … FROM moved``, committed whole or not at all, so no row is
ever lost or doubled and a run that stops anywhere is finished by the next one. Writers are
never refused: at every commit each date has exactly one partition. A session advisory lock
keeps two runs from overlapping; the second one returns "skipped".

Why not DETACH the catch-all: a detached partition turns the inherited foreign keys into its
own, which adds triggers on customers, loans and agents, and dropping it later takes ACCESS
EXCLUSIVE locks on those three tables (tried: it deadlocked with concurrent inserts). DROP of
an attached partition locks only the parent. DETACH … CONCURRENTLY cannot run in a
transaction block either, so the catch-all's range would have no partition between its two
transactions.

The price of the staged path: rows in the holding table are out of sight through the parent
(reads miss them, an UPDATE of one matches nothing) and not covered by foreign keys until their
batch is drained. It only happens to a catch-all the upkeep has neglected for a year;
``partition_report`` flags a catch-all holding rows long before that.

Why a range catch-all and not a DEFAULT partition: a range keeps plan-time pruning exact;
creating a partition next to a DEFAULT one scans the default under an exclusive lock and
fails if it holds rows of the new range; a DEFAULT partition forbids DETACH CONCURRENTLY and
would also swallow rows of accidental gaps. The historical side needs nothing: it is bounded
by MINVALUE.

The functions take a psycopg connection in autocommit mode and the day to plan for
(``today``), so they run on any database; :func:`run_upkeep` and :func:`report` run them on
Django's connection with the bank's business day.
"""

from __future__ import annotations

from workflow.partitions.layout import (
    DEFAULT_AHEAD,
    MAX_AHEAD,
    SCHEMA,
    TABLES,
    Quarter,
    TablePlan,
    UpkeepError,
    business_today,
    holding_tables,
    partition_name,
    read_partitions,
)
from workflow.partitions.reporting import TableReport, report, table_report
from workflow.partitions.upkeep import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    UPKEEP_LOCK_KEY,
    TableResult,
    ensure_partitions,
    run_upkeep,
)

# What the commands, the task, the beat schedule and the tests import from here.
__all__ = [
    "DEFAULT_AHEAD",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_LOCK_TIMEOUT_SECONDS",
    "MAX_AHEAD",
    "SCHEMA",
    "TABLES",
    "UPKEEP_LOCK_KEY",
    "Quarter",
    "TablePlan",
    "TableReport",
    "TableResult",
    "UpkeepError",
    "business_today",
    "ensure_partitions",
    "holding_tables",
    "partition_name",
    "read_partitions",
    "report",
    "run_upkeep",
    "table_report",
]
