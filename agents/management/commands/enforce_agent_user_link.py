"""``manage.py enforce_agent_user_link``: every agent must have a CRM user (NOT NULL)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError

from workflow import agent_link_ddl

# The exit status when enforcement is refused because some agents are not linked.
REFUSED_EXIT = 2
LISTED_AT_MOST = 200


class Command(BaseCommand):
    help = (
        "Make workflow_service.agents.user_id NOT NULL and turn fk_agents_user_id to ON DELETE "
        "RESTRICT, only when every agent is linked to a CRM user; otherwise refuse (exit "
        f"{REFUSED_EXIT}) and list the unlinked agents (run link_agents_to_users first). "
        "--revert makes the column nullable again with ON DELETE SET NULL. One short "
        "transaction that gives up when it cannot lock the tables within --lock-timeout "
        "seconds. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="check and say what would change; change nothing"
        )
        parser.add_argument(
            "--revert",
            action="store_true",
            help="make agents.user_id nullable again, ON DELETE SET NULL",
        )
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=agent_link_ddl.DEFAULT_LOCK_TIMEOUT_SECONDS,
            metavar="SECONDS",
            help="longest wait for the table locks "
            f"(default {agent_link_ddl.DEFAULT_LOCK_TIMEOUT_SECONDS:g})",
        )

    def handle(
        self, *args: Any, dry_run: bool, revert: bool, lock_timeout: float, **options: Any
    ) -> None:
        try:
            if revert:
                result = agent_link_ddl.revert_user_link(dry_run=dry_run, lock_timeout=lock_timeout)
            else:
                result = agent_link_ddl.enforce_user_link(
                    dry_run=dry_run, lock_timeout=lock_timeout, limit=LISTED_AT_MOST
                )
        except agent_link_ddl.LinkSchemaMissing as exc:
            raise CommandError(str(exc)) from exc
        except agent_link_ddl.LinkNotEnforceable as exc:
            self.write_unlinked(exc)
            raise CommandError(
                f"Refused: {exc.total} agent(s) are not linked to a user. Link them first "
                "(manage.py link_agents_to_users, or the admin), then run this again.",
                returncode=REFUSED_EXIT,
            ) from exc
        except OperationalError as exc:
            # lock_timeout: the tables were busy; nothing was changed.
            raise CommandError(
                f"Could not lock the agents and users tables within {lock_timeout:g} s "
                f"(nothing changed); try again when they are less busy. ({exc})"
            ) from exc
        if not result.changed:
            self.stdout.write(f"Nothing to do: {result.before}.")
            return
        verb = "Would change" if result.dry_run else "Changed"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {result.before} -> {result.after}."))

    def write_unlinked(self, exc: agent_link_ddl.LinkNotEnforceable) -> None:
        self.stdout.write(self.style.WARNING(f"{exc.total} agent(s) without a user:"))
        for agent in exc.unlinked:
            self.stdout.write(f"  {agent.employee_id:<12} {agent.email:<40} {agent.name}")
        if exc.total > len(exc.unlinked):
            self.stdout.write(f"  ... and {exc.total - len(exc.unlinked)} more")
