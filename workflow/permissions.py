"""The authorization matrix, in one place (README, "Roles and permissions").

| capability        | roles              | or any of these permissions                      |
|-------------------|--------------------|--------------------------------------------------|
| READ              | AGENT, SUPERVISOR, ADMIN | -                                          |
| RECORD_WORK       | AGENT, SUPERVISOR, ADMIN | - (the caller also needs a linked agent)   |
| MANAGE_AGENTS     | SUPERVISOR, ADMIN  | user_management:user, user_management:all        |
| ASSIGN_CUSTOMERS  | SUPERVISOR, ADMIN  | customer_assignment:all                          |
| LINK_USERS        | SUPERVISOR, ADMIN  | - (supervisors within their team's scope)        |
| LINK_ANY_USER     | ADMIN              | -                                                |
| EDIT_ANY_ACTION   | SUPERVISOR, ADMIN  | -                                                |
| OVERRIDE_CONTACTS | SUPERVISOR, ADMIN  | -                                                |

Agents may change only the action results they recorded themselves; EDIT_ANY_ACTION lets
supervisors and admins change anyone's. LINK_USERS lets a caller ask to link or unlink; which
agents and users a supervisor may link is ``agents.services.ensure_may_link``'s to decide.
OVERRIDE_CONTACTS lets supervisors and admins allow, with a reason, a contact attempt that the
contact policy refused.
The API applies the policy per viewset action (``workflow.api.permissions.ActionCapability``);
services and the admin call :func:`can`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflow.actors import ROLE_ADMIN, ROLE_AGENT, ROLE_SUPERVISOR, Actor


class Capability(StrEnum):
    READ = "read"
    RECORD_WORK = "record_work"
    MANAGE_AGENTS = "manage_agents"
    ASSIGN_CUSTOMERS = "assign_customers"
    LINK_USERS = "link_users"
    LINK_ANY_USER = "link_any_user"
    EDIT_ANY_ACTION = "edit_any_action"
    OVERRIDE_CONTACTS = "override_contacts"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    permissions: frozenset[str] = frozenset()


ALL_ROLES = frozenset({ROLE_AGENT, ROLE_SUPERVISOR, ROLE_ADMIN})
OVERSEERS = frozenset({ROLE_SUPERVISOR, ROLE_ADMIN})

POLICY: dict[Capability, Rule] = {
    Capability.READ: Rule(ALL_ROLES),
    Capability.RECORD_WORK: Rule(ALL_ROLES),
    Capability.MANAGE_AGENTS: Rule(
        OVERSEERS, frozenset({"user_management:user", "user_management:all"})
    ),
    Capability.ASSIGN_CUSTOMERS: Rule(OVERSEERS, frozenset({"customer_assignment:all"})),
    Capability.LINK_USERS: Rule(OVERSEERS),
    Capability.LINK_ANY_USER: Rule(frozenset({ROLE_ADMIN})),
    Capability.EDIT_ANY_ACTION: Rule(OVERSEERS),
    Capability.OVERRIDE_CONTACTS: Rule(OVERSEERS),
}


def can(actor: Actor | None, capability: Capability) -> bool:
    """Whether ``actor`` holds ``capability`` by role or by permission."""
    if actor is None or not actor.is_authenticated:
        return False
    rule = POLICY[capability]
    return actor.has_role(*rule.roles) or actor.has_permission(*rule.permissions)
