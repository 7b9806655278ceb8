"""The authorization matrix, in one place (README, "Roles and permissions").

Each capability grants each role one of three levels of :class:`Access`: ALLOWED (on every
object), SCOPED (only on the objects of a :class:`Scope`) or DENIED.

| capability         | ALLOWED                  | SCOPED             | or a permission          |
|--------------------|--------------------------|--------------------|--------------------------|
| READ               | AGENT, SUPERVISOR, ADMIN | -                  | -                        |
| READ_CUSTOMER_WORK | SUPERVISOR, ADMIN        | AGENT: OWN_WORK    | -                        |
| RECORD_WORK        | AGENT, SUPERVISOR, ADMIN | -                  | - (needs a linked agent) |
| EDIT_RESULTS       | SUPERVISOR, ADMIN        | AGENT: OWN_ACTIONS | -                        |
| MANAGE_AGENTS      | SUPERVISOR, ADMIN        | -                  | user_management:user/all |
| ASSIGN_CUSTOMERS   | SUPERVISOR, ADMIN        | -                  | customer_assignment:all  |
| LINK_USERS         | ADMIN                    | SUPERVISOR: TEAM   | -                        |
| LINK_ANY_USER      | ADMIN                    | -                  | -                        |
| OVERRIDE_CONTACTS  | SUPERVISOR, ADMIN        | -                  | -                        |

Scopes (enforced where the objects are read or written, from the caller's agent profile):

- OWN_WORK: the customers currently assigned to the caller's agent as call or field agent
  (``customer_cases``), and the actions and case actions that agent recorded. Lists of actions
  and case actions show only those; an agent's assignment list and a customer's assignment
  history are refused (403) for another agent or a customer not assigned to the caller.
- OWN_ACTIONS: the actions the caller's agent recorded (changing a result).
- TEAM: agents of type AGENT in the caller's team and users with the role AGENT
  (``agents.services.ensure_may_link``).

OVERRIDE_CONTACTS lets supervisors and admins allow, with a reason, a contact attempt that the
contact policy refused (contacts app).

The API applies the policy per viewset action (``workflow.api.permissions.ActionCapability``),
the access tests are generated from it, and services and the admin call :func:`can` and
:func:`grant`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from workflow.actors import ROLE_ADMIN, ROLE_AGENT, ROLE_SUPERVISOR, Actor


class Capability(StrEnum):
    READ = "read"
    READ_CUSTOMER_WORK = "read_customer_work"
    RECORD_WORK = "record_work"
    EDIT_RESULTS = "edit_results"
    MANAGE_AGENTS = "manage_agents"
    ASSIGN_CUSTOMERS = "assign_customers"
    LINK_USERS = "link_users"
    LINK_ANY_USER = "link_any_user"
    OVERRIDE_CONTACTS = "override_contacts"


class Access(StrEnum):
    ALLOWED = "allowed"
    SCOPED = "scoped"
    DENIED = "denied"


class Scope(StrEnum):
    OWN_WORK = "own_work"
    OWN_ACTIONS = "own_actions"
    TEAM = "team"


@dataclass(frozen=True)
class Rule:
    """Who holds a capability: ``roles`` (and ``permissions``) on every object, the roles of
    ``scoped`` only within their scope."""

    roles: frozenset[str]
    permissions: frozenset[str] = frozenset()
    scoped: Mapping[str, Scope] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Grant:
    """What a caller may do with a capability: its access and, when SCOPED, the scope."""

    access: Access
    scope: Scope | None = None


ROLES = (ROLE_AGENT, ROLE_SUPERVISOR, ROLE_ADMIN)
ALL_ROLES = frozenset(ROLES)
OVERSEERS = frozenset({ROLE_SUPERVISOR, ROLE_ADMIN})

POLICY: dict[Capability, Rule] = {
    Capability.READ: Rule(ALL_ROLES),
    Capability.READ_CUSTOMER_WORK: Rule(
        OVERSEERS, scoped=MappingProxyType({ROLE_AGENT: Scope.OWN_WORK})
    ),
    Capability.RECORD_WORK: Rule(ALL_ROLES),
    Capability.EDIT_RESULTS: Rule(
        OVERSEERS, scoped=MappingProxyType({ROLE_AGENT: Scope.OWN_ACTIONS})
    ),
    Capability.MANAGE_AGENTS: Rule(
        OVERSEERS, frozenset({"user_management:user", "user_management:all"})
    ),
    Capability.ASSIGN_CUSTOMERS: Rule(OVERSEERS, frozenset({"customer_assignment:all"})),
    Capability.LINK_USERS: Rule(
        frozenset({ROLE_ADMIN}), scoped=MappingProxyType({ROLE_SUPERVISOR: Scope.TEAM})
    ),
    Capability.LINK_ANY_USER: Rule(frozenset({ROLE_ADMIN})),
    Capability.OVERRIDE_CONTACTS: Rule(OVERSEERS),
}

# A capability that narrows another to some objects is named after the wider one when refused,
# as callers were told before it existed (the refusal message is part of the contract).
NARROWS: dict[Capability, Capability] = {
    Capability.READ_CUSTOMER_WORK: Capability.READ,
    Capability.EDIT_RESULTS: Capability.RECORD_WORK,
}

DENIED = Grant(Access.DENIED)
ALLOWED = Grant(Access.ALLOWED)


def grant(actor: Actor | None, capability: Capability) -> Grant:
    """The widest access ``actor``'s roles and permissions give to ``capability``."""
    if actor is None or not actor.is_authenticated:
        return DENIED
    rule = POLICY[capability]
    if actor.has_role(*rule.roles) or actor.has_permission(*rule.permissions):
        return ALLOWED
    for role in ROLES:  # a fixed order: the result never depends on set iteration
        if role in rule.scoped and actor.has_role(role):
            return Grant(Access.SCOPED, rule.scoped[role])
    return DENIED


def can(actor: Actor | None, capability: Capability) -> bool:
    """Whether ``actor`` holds ``capability`` at all (on every object or within a scope)."""
    return grant(actor, capability).access is not Access.DENIED
