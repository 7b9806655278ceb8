"""Making the agent ↔ CRM user link mandatory, and undoing it (DESIGN.md §3 item 3).

``enforce_user_link`` makes ``agents.user_id`` NOT NULL and turns ``fk_agents_user_id`` ON
DELETE RESTRICT (a CRM user with an agent can no longer be deleted), running
``workflow/sql/agent_user_link_enforce.sql`` in one transaction that takes its locks with a
short ``lock_timeout`` (failing fast rather than queueing in front of the application) and
checks "every agent is linked" again after locking, so a concurrent insert of an unlinked agent
cannot slip in. ``revert_user_link`` undoes it (``agent_user_link_revert.sql``: nullable, ON
DELETE SET NULL). Both are idempotent. ``manage.py enforce_agent_user_link`` runs them.

Plain SQL on the bank's tables, so the core needs no domain model; linking agents to users by
e-mail is ``agents.linking``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import connection, transaction

from workflow.schema import read_sql

DEFAULT_LOCK_TIMEOUT_SECONDS = 2.0

AGENTS_TABLE = "workflow_service.agents"
USERS_TABLE = "auth_service.users"
FK_NAME = "fk_agents_user_id"
# pg_constraint.confdeltype → the rule's name.
DELETE_RULES = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


@dataclass(frozen=True)
class LinkState:
    """How ``agents.user_id`` is constrained now."""

    not_null: bool
    delete_rule: str | None  # None when fk_agents_user_id is missing

    @property
    def enforced(self) -> bool:
        return self.not_null and self.delete_rule == "RESTRICT"

    @property
    def relaxed(self) -> bool:
        return not self.not_null and self.delete_rule == "SET NULL"

    def __str__(self) -> str:
        nullability = "NOT NULL" if self.not_null else "nullable"
        rule = f"ON DELETE {self.delete_rule}" if self.delete_rule else f"no {FK_NAME}"
        return f"agents.user_id {nullability}, {FK_NAME} {rule}"


@dataclass(frozen=True)
class UnlinkedAgent:
    """An agent without a CRM user, as the refusal lists it."""

    employee_id: str
    email: str
    name: str


class LinkNotEnforceable(Exception):
    """Some agents have no user, so ``agents.user_id`` cannot be made NOT NULL."""

    def __init__(self, unlinked: list[UnlinkedAgent], total: int):
        super().__init__(f"{total} agent(s) are not linked to a user.")
        self.unlinked = unlinked
        self.total = total


class LinkSchemaMissing(Exception):
    """``agents.user_id`` or its foreign key is missing: migration 0002 has not run."""


@dataclass(frozen=True)
class EnforceResult:
    """What ``enforce_user_link`` / ``revert_user_link`` did (or would do, on a dry run)."""

    action: Literal["enforce", "revert"]
    changed: bool
    dry_run: bool
    before: LinkState
    after: LinkState


def link_state() -> LinkState:
    """Whether ``agents.user_id`` is NOT NULL and the delete rule of its foreign key."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.attnotnull,
                   (SELECT c.confdeltype FROM pg_constraint c
                     WHERE c.conrelid = a.attrelid AND c.conname = %s)
              FROM pg_attribute a
             WHERE a.attrelid = %s::regclass AND a.attname = 'user_id'
               AND a.attnum > 0 AND NOT a.attisdropped
            """,
            [FK_NAME, AGENTS_TABLE],
        )
        row = cursor.fetchone()
    if row is None:
        raise LinkSchemaMissing("workflow_service.agents has no user_id column; run migrate.")
    not_null, rule = row
    return LinkState(not_null=bool(not_null), delete_rule=DELETE_RULES.get(rule) if rule else None)


def unlinked_agents(*, limit: int | None = None) -> tuple[list[UnlinkedAgent], int]:
    """Agents without a user (the first ``limit`` by employee id) and how many there are."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {AGENTS_TABLE} WHERE user_id IS NULL")
        (total,) = cursor.fetchone() or (0,)
        cursor.execute(
            f"SELECT employee_id, email, name FROM {AGENTS_TABLE} WHERE user_id IS NULL "
            "ORDER BY employee_id LIMIT %s",
            [limit],
        )
        rows = [UnlinkedAgent(*row) for row in cursor.fetchall()]
    return rows, int(total)


def _lock_tables(lock_timeout: float) -> None:
    """Lock users then agents (SHARE ROW EXCLUSIVE), giving up after ``lock_timeout`` seconds.

    SHARE ROW EXCLUSIVE stops every write to agents until commit. users is locked first, in
    the order a user deletion takes them (users, then agents through the foreign key's
    action), so that the two cannot deadlock; the ALTER needs that lock on users anyway.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true)", [f"{int(lock_timeout * 1000)}ms"]
        )
        cursor.execute(f"LOCK TABLE {USERS_TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"LOCK TABLE {AGENTS_TABLE} IN SHARE ROW EXCLUSIVE MODE")


def enforce_user_link(
    *, dry_run: bool = False, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS, limit: int = 100
) -> EnforceResult:
    """Make ``agents.user_id`` NOT NULL with ON DELETE RESTRICT, when every agent is linked.

    Raises ``LinkNotEnforceable`` (with the first ``limit`` unlinked agents) otherwise, and
    django's ``OperationalError`` when a lock is not granted within ``lock_timeout``.
    A dry run checks without locking or changing anything.
    """
    before = link_state()
    if before.delete_rule is None:
        raise LinkSchemaMissing(f"{FK_NAME} is missing; run migrate.")
    if before.enforced:
        return EnforceResult("enforce", changed=False, dry_run=dry_run, before=before, after=before)
    if dry_run:
        unlinked, total = unlinked_agents(limit=limit)
        if total:
            raise LinkNotEnforceable(unlinked, total)
        after = LinkState(not_null=True, delete_rule="RESTRICT")
        return EnforceResult("enforce", changed=True, dry_run=True, before=before, after=after)
    with transaction.atomic():
        _lock_tables(lock_timeout)
        # Again under the lock: no agent can be inserted or unlinked until commit.
        before = link_state()
        if before.enforced:
            return EnforceResult(
                "enforce", changed=False, dry_run=False, before=before, after=before
            )
        unlinked, total = unlinked_agents(limit=limit)
        if total:
            raise LinkNotEnforceable(unlinked, total)
        with connection.cursor() as cursor:
            cursor.execute(read_sql("agent_user_link_enforce.sql"))
        after = link_state()
    return EnforceResult("enforce", changed=True, dry_run=False, before=before, after=after)


def revert_user_link(
    *, dry_run: bool = False, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS
) -> EnforceResult:
    """Make ``agents.user_id`` nullable again with ON DELETE SET NULL (the state of 0002)."""
    before = link_state()
    if before.delete_rule is None:
        raise LinkSchemaMissing(f"{FK_NAME} is missing; run migrate.")
    if before.relaxed:
        return EnforceResult("revert", changed=False, dry_run=dry_run, before=before, after=before)
    if dry_run:
        after = LinkState(not_null=False, delete_rule="SET NULL")
        return EnforceResult("revert", changed=True, dry_run=True, before=before, after=after)
    with transaction.atomic():
        _lock_tables(lock_timeout)
        before = link_state()
        if before.relaxed:
            return EnforceResult(
                "revert", changed=False, dry_run=False, before=before, after=before
            )
        with connection.cursor() as cursor:
            cursor.execute(read_sql("agent_user_link_revert.sql"))
        after = link_state()
    return EnforceResult("revert", changed=True, dry_run=False, before=before, after=after)
