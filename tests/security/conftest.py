"""Fixtures of the security suite: one caller per role, with real tokens and Redis sessions."""

from __future__ import annotations

from dataclasses import dataclass

from agents.models import Agent
from tests.api import bearer_for
from tests.factories import AgentFactory, CrmUserFactory
from workflow.models import CrmUser

# The callers every access rule is checked for: the three roles with a linked agent profile,
# and an AGENT user whom no agent profile names.
ROLES = ("ADMIN", "SUPERVISOR", "AGENT", "UNLINKED")


@dataclass(frozen=True)
class Caller:
    """A CRM user, its agent profile (None when unlinked) and its Authorization header."""

    name: str
    user: CrmUser
    agent: Agent | None
    authorization: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": self.authorization}


def make_caller(name: str, *, team: str = "Team A") -> Caller:
    role = "AGENT" if name == "UNLINKED" else name
    user = CrmUserFactory(role=role)
    agent = None if name == "UNLINKED" else AgentFactory(user=user, type=role, team=team)
    return Caller(name=name, user=user, agent=agent, authorization=bearer_for(user))
