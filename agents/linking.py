"""Linking agents to their CRM users by e-mail (DESIGN.md §3 item 2).

**Linking** (``link_agents``): every agent without a user is matched to the CRM user
(``auth_service.users``) whose e-mail equals the agent's, compared case-insensitively. It
never guesses: an agent is linked only when exactly one user matches, that user is linked to
no other agent, and no other unlinked agent has the same e-mail. Every agent ends up in one
category of the report: linked, already linked, no matching user, ambiguous (several users
match, or several unlinked agents share the e-mail), or user linked to another agent. Links
go through ``agent_link_user`` one agent at a time (each its own transaction), so a large run
keeps what it did if interrupted, and running it again changes nothing more. The command
``link_agents_to_users``, the agents admin's bulk action and its "Linking status" page all
run this.

Making the link mandatory (NOT NULL) is ``workflow.agent_link_ddl``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Lower

from agents.models import Agent
from agents.services import agent_link_user
from workflow.actors import Actor
from workflow.errors import DomainError
from workflow.models import CrmUser

DEFAULT_BATCH_SIZE = 500

CATEGORIES = ("linked", "already_linked", "no_match", "ambiguous", "user_linked_elsewhere")
# What needs a person's decision: the linking step cannot resolve these on its own.
NEEDS_A_HUMAN = ("no_match", "ambiguous", "user_linked_elsewhere")
CATEGORY_TITLES = {
    "linked": "Linked",
    "already_linked": "Already linked",
    "no_match": "No matching user",
    "ambiguous": "Ambiguous",
    "user_linked_elsewhere": "User linked to another agent",
}


@dataclass(frozen=True)
class UserRef:
    """The CRM user an agent is or could be linked to."""

    id: uuid.UUID
    username: str
    email: str
    role: str

    @classmethod
    def of(cls, user: CrmUser) -> UserRef:
        return cls(id=user.id, username=user.username, email=user.email, role=user.role)

    def as_dict(self) -> dict[str, str]:
        return {
            "user_id": str(self.id),
            "username": self.username,
            "email": self.email,
            "role": self.role,
        }

    def __str__(self) -> str:
        return f"{self.username} ({self.role})"


@dataclass(frozen=True)
class LinkEntry:
    """One agent of the report: its user (linked, matched or taken) and why it is here."""

    agent: Agent
    user: UserRef | None = None
    candidates: tuple[UserRef, ...] = ()
    # The employee id of the other agent the matching user is linked to.
    linked_agent: str | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent_id": str(self.agent.id),
            "employee_id": self.agent.employee_id,
            "name": self.agent.name,
            "email": self.agent.email,
            "user_id": str(self.user.id) if self.user else None,
            "username": self.user.username if self.user else None,
            "user_email": self.user.email if self.user else None,
            "candidates": [candidate.as_dict() for candidate in self.candidates],
            "linked_agent_employee_id": self.linked_agent,
            "note": self.note,
        }


@dataclass
class LinkingReport:
    """Every agent looked at, by category (a dry run's ``linked`` are the links it would make)."""

    dry_run: bool
    linked: list[LinkEntry] = field(default_factory=list)
    already_linked: list[LinkEntry] = field(default_factory=list)
    no_match: list[LinkEntry] = field(default_factory=list)
    ambiguous: list[LinkEntry] = field(default_factory=list)
    user_linked_elsewhere: list[LinkEntry] = field(default_factory=list)

    def entries(self, category: str) -> list[LinkEntry]:
        entries: list[LinkEntry] = getattr(self, category)
        return entries

    @property
    def total(self) -> int:
        return sum(len(self.entries(category)) for category in CATEGORIES)

    @property
    def needs_a_human(self) -> int:
        """How many agents a person must sort out (no match, ambiguous, user taken)."""
        return sum(len(self.entries(category)) for category in NEEDS_A_HUMAN)

    def summary(self) -> dict[str, Any]:
        counts: dict[str, Any] = {category: len(self.entries(category)) for category in CATEGORIES}
        return {"dry_run": self.dry_run, "agents": self.total, **counts}

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            **{
                category: [entry.as_dict() for entry in self.entries(category)]
                for category in CATEGORIES
            },
        }


def _shared_emails() -> set[str]:
    """Lower-cased e-mails that several unlinked agents have (legacy rows differing in case)."""
    rows = (
        Agent.objects.filter(user__isnull=True)
        .annotate(email_lower=Lower("email"))
        .values("email_lower")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("email_lower", flat=True)
    )
    return set(rows)


def _batches(agents: QuerySet[Agent], size: int) -> Iterator[list[Agent]]:
    """The agents in employee-id order, ``size`` at a time (keyset pagination)."""
    last: str | None = None
    while True:
        page = agents if last is None else agents.filter(employee_id__gt=last)
        batch = list(page[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].employee_id


def _users_by_email(emails: Iterable[str]) -> dict[str, list[CrmUser]]:
    """CRM users whose lower-cased e-mail is one of ``emails`` (lower-cased), grouped by it."""
    found: dict[str, list[CrmUser]] = defaultdict(list)
    users = (
        CrmUser.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(emails))
        .only("id", "username", "email", "role")
        .order_by("username")
    )
    for user in users:
        found[user.email.lower()].append(user)
    return found


def _owners(user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The employee id of the agent each of ``user_ids`` is linked to (linked ones only)."""
    rows = Agent.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "employee_id")
    return {user_id: employee_id for user_id, employee_id in rows}


def _entry_after_refusal(agent: Agent, user: UserRef, exc: DomainError) -> tuple[str, LinkEntry]:
    """Where an agent goes when ``agent_link_user`` refused it (another writer got there first)."""
    fresh = Agent.objects.select_related("user").filter(id=agent.id).first()
    if fresh is not None and fresh.user is not None:
        return "already_linked", LinkEntry(agent=fresh, user=UserRef.of(fresh.user))
    owner = _owners([user.id]).get(user.id)
    if owner is not None:
        return "user_linked_elsewhere", LinkEntry(
            agent=agent, user=user, linked_agent=owner, note=exc.message
        )
    return "no_match", LinkEntry(agent=agent, note=exc.message)


def link_agents(
    *,
    actor: Actor,
    dry_run: bool,
    agent_ids: Iterable[uuid.UUID] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> LinkingReport:
    """Link every agent without a user (or those of ``agent_ids``) by exact e-mail match.

    ``dry_run`` writes nothing and reports the links it would make under ``linked``.
    ``progress(done, total)`` is called after each batch of ``batch_size`` agents.
    """
    agents = Agent.objects.select_related("user").only(
        "id",
        "employee_id",
        "name",
        "email",
        "user",
        "user__id",
        "user__username",
        "user__email",
        "user__role",
    )
    if agent_ids is not None:
        agents = agents.filter(id__in=list(agent_ids))
    agents = agents.order_by("employee_id")
    total = agents.count()
    shared = _shared_emails()
    report = LinkingReport(dry_run=dry_run)
    done = 0
    for batch in _batches(agents, batch_size):
        pending = [agent for agent in batch if agent.user_id is None]
        users = _users_by_email(agent.email.lower() for agent in pending)
        owners = _owners(user.id for matches in users.values() for user in matches)
        for agent in batch:
            if agent.user is not None:
                report.already_linked.append(LinkEntry(agent=agent, user=UserRef.of(agent.user)))
                continue
            email = agent.email.lower()
            matches = [UserRef.of(user) for user in users.get(email, [])]
            if email in shared:
                report.ambiguous.append(
                    LinkEntry(
                        agent=agent,
                        candidates=tuple(matches),
                        note="several unlinked agents have this e-mail",
                    )
                )
            elif not matches:
                report.no_match.append(LinkEntry(agent=agent))
            elif len(matches) > 1:
                report.ambiguous.append(
                    LinkEntry(
                        agent=agent,
                        candidates=tuple(matches),
                        note="several users have this e-mail (differing in case)",
                    )
                )
            elif matches[0].id in owners:
                report.user_linked_elsewhere.append(
                    LinkEntry(agent=agent, user=matches[0], linked_agent=owners[matches[0].id])
                )
            elif dry_run:
                report.linked.append(LinkEntry(agent=agent, user=matches[0]))
            else:
                try:
                    agent_link_user(agent_id=agent.id, user_id=matches[0].id, actor=actor)
                except DomainError as exc:
                    category, entry = _entry_after_refusal(agent, matches[0], exc)
                    report.entries(category).append(entry)
                else:
                    agent.user_id = matches[0].id
                    report.linked.append(LinkEntry(agent=agent, user=matches[0]))
        done += len(batch)
        if progress is not None:
            progress(done, total)
    return report
