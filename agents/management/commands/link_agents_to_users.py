"""``manage.py link_agents_to_users``: link agents to CRM users by exact e-mail match."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agents import linking
from workflow.actors import system_actor

# The exit status when some agents need a person (no match, ambiguous, user taken).
NEEDS_A_HUMAN_EXIT = 2
PROGRESS_EVERY = linking.DEFAULT_BATCH_SIZE

HEADINGS = {
    "linked": "Linked",
    "already_linked": "Already linked",
    "no_match": "No matching user (create the CRM user or correct the agent's e-mail)",
    "ambiguous": "Ambiguous (link by hand in the admin)",
    "user_linked_elsewhere": "The matching user is linked to another agent",
}


class Command(BaseCommand):
    help = (
        "Link every agent that has no CRM user to the user of auth_service.users whose e-mail "
        "is the agent's, compared case-insensitively. It never guesses: an agent is linked "
        "only when exactly one user matches and that user has no agent. Reports linked, "
        "already linked, no matching user, ambiguous and user-linked-elsewhere agents. Exits "
        f"{NEEDS_A_HUMAN_EXIT} when some agents need a person, 0 otherwise. Safe to run again: "
        "a second run changes nothing. Start with --dry-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be linked; write nothing"
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, dry_run: bool, format: str, verbosity: int, **options: Any):
        report = linking.link_agents(
            actor=system_actor("link_agents_to_users"),
            dry_run=dry_run,
            batch_size=PROGRESS_EVERY,
            progress=self.write_progress if format == "table" else None,
        )
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.write_table(report, show_already_linked=verbosity >= 2)
        if report.needs_a_human:
            raise CommandError(
                f"{report.needs_a_human} agent(s) need a person: "
                + ", ".join(
                    f"{len(report.entries(category))} {category.replace('_', ' ')}"
                    for category in linking.NEEDS_A_HUMAN
                    if report.entries(category)
                )
                + ".",
                returncode=NEEDS_A_HUMAN_EXIT,
            )

    def write_progress(self, done: int, total: int) -> None:
        if total > PROGRESS_EVERY:
            self.stderr.write(f"  {done:,} / {total:,} agents")

    def write_table(self, report: linking.LinkingReport, *, show_already_linked: bool) -> None:
        mode = "Dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"{mode}linking {report.total} agent(s) to CRM users")
        )
        labels = dict(linking.CATEGORY_TITLES)
        if report.dry_run:
            labels["linked"] = "Would link"
        for category in linking.CATEGORIES:
            self.stdout.write(f"  {labels[category]:<30} {len(report.entries(category)):>8,}")
        for category in linking.CATEGORIES:
            entries = report.entries(category)
            if not entries or (category == "already_linked" and not show_already_linked):
                continue
            heading = HEADINGS[category]
            if category == "linked" and report.dry_run:
                heading = "Would link"
            self.stdout.write("")
            style = self.style.WARNING if category in linking.NEEDS_A_HUMAN else self.style.SUCCESS
            self.stdout.write(style(f"{heading}:"))
            for entry in entries:
                self.stdout.write(f"  {self.describe(category, entry)}")

    @staticmethod
    def describe(category: str, entry: linking.LinkEntry) -> str:
        agent = f"{entry.agent.employee_id:<12} {entry.agent.email}"
        if category in ("linked", "already_linked") and entry.user:
            return f"{agent} -> {entry.user} {entry.user.id}"
        if category == "user_linked_elsewhere" and entry.user:
            return (
                f"{agent} -> {entry.user} {entry.user.id} is linked to agent {entry.linked_agent}"
            )
        if category == "ambiguous":
            users = ", ".join(
                f"{candidate.username} <{candidate.email}> {candidate.id}"
                for candidate in entry.candidates
            )
            return f"{agent} -> {entry.note}" + (f": {users}" if users else "")
        return agent + (f" ({entry.note})" if entry.note else "")
