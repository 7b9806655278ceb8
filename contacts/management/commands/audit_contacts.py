"""``manage.py audit_contacts --from DATE --to DATE [--policy CODE[:VERSION]] [--csv FILE]``."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contacts.audit import AuditReport, audit_contacts


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Replay the actions of a period (business days, inclusive) against the contact policy "
        "they were recorded under, or --policy, and report every violation per rule, agent and "
        "team. Exits 0; the counts are the result."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from",
            dest="start",
            required=True,
            type=_date,
            metavar="YYYY-MM-DD",
            help="first business day replayed",
        )
        parser.add_argument(
            "--to",
            dest="end",
            required=True,
            type=_date,
            metavar="YYYY-MM-DD",
            help="last business day replayed (inclusive)",
        )
        parser.add_argument("--policy", help="CODE or CODE:VERSION (default: as recorded)")
        parser.add_argument("--csv", dest="csv_path", help="write one line per violation")

    def handle(self, *args: Any, start: dt.date, end: dt.date, **options: Any) -> None:
        if end < start:
            raise CommandError("--to must not be before --from.")
        try:
            report = audit_contacts(start=start, end=end, policy_code=options.get("policy"))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self._print(report)
        if options.get("csv_path"):
            self._write_csv(report, options["csv_path"])

    def _print(self, report: AuditReport) -> None:
        out = self.stdout.write
        out(f"Contacts {report.start}..{report.end}, policy {report.policy}")
        judged_violations = len(report.violations) - report.unjudged_violations
        out(f"  contacts checked:         {report.checked}")
        out(f"  of which never judged:    {report.unjudged} (no ledger row: engine off, or older)")
        out(f"  violations found:         {len(report.violations)}")
        out(f"  on judged contacts:       {judged_violations}")
        out(f"  flagged when recorded:    {report.flagged_at_recording}")
        out(f"  overridden by supervisor: {len(report.overridden)}")
        out(f"  replay differs from flag: {report.disagreements} (on what the engine saw)")
        out(f"  changed by unseen actions: {report.unseen_history}")
        seen = {rule: n for rule, n in report.engine_violations.items() if rule and n}
        if seen:
            out("Violations of judged contacts as the engine saw them (= the flags), per rule:")
            for name, count in sorted(seen.items(), key=lambda item: (-item[1], str(item[0]))):
                out(f"  {name}: {count}")
        for title, attribute in (("rule", "rule"), ("agent", "agent_id"), ("team", "team")):
            counts = report.per(attribute)
            if counts:
                out(f"Violations per {title}:")
                for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                    out(f"  {name}: {count}")

    def _write_csv(self, report: AuditReport, path: str) -> None:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "actionId",
                    "cif",
                    "agentId",
                    "team",
                    "channel",
                    "party",
                    "contactAt",
                    "localTime",
                    "rule",
                    "flaggedAtRecording",
                    "overridden",
                ]
            )
            for row in [*report.violations, *report.overridden]:
                writer.writerow(
                    [
                        row.action_id,
                        row.cif,
                        row.agent_id,
                        row.team,
                        row.channel,
                        row.party,
                        row.at.isoformat(),
                        row.local_at,
                        row.rule,
                        row.flagged_rule or "",
                        "yes" if row.overridden else "no",
                    ]
                )
        self.stdout.write(
            f"Wrote {len(report.violations) + len(report.overridden)} line(s) to {path}"
        )
