"""The OWN_WORK scope of the access policy (``workflow.permissions``) as query filters.

An agent holding a capability only within OWN_WORK sees the customers currently assigned to
it as call or field agent (``customer_cases``) and the work it recorded itself. The apps that
read customers' work (actions, cases, assignments) filter with :class:`AgentScope`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q

from agents.selectors import agent_id_for_actor
from workflow.actors import Actor
from workflow.permissions import Scope


@dataclass(frozen=True)
class AgentScope:
    """The work of one agent: its current customers and what it recorded."""

    agent_id: uuid.UUID

    def customers(self, customer: str = "customer") -> Q:
        """Rows whose ``customer`` (a relation to the customer; "" for customers themselves)
        is assigned to the agent now."""
        case = f"{customer}__case" if customer else "case"
        return Q(**{f"{case}__assigned_call_agent_id": self.agent_id}) | Q(
            **{f"{case}__assigned_field_agent_id": self.agent_id}
        )

    def work(self, *, customer: str = "customer", agent: str = "agent_id") -> Q:
        """Rows on the agent's current customers, or recorded by the agent (``agent``)."""
        return self.customers(customer) | Q(**{agent: self.agent_id})

    def work_sql(self, alias: str) -> tuple[str, str, list[uuid.UUID]]:
        """:meth:`work` for plain SQL (``workflow.sql_list``) on a table aliased ``alias`` with
        ``cif`` and ``agent_id`` columns: ``(join, condition, parameters)``."""
        return (
            f"LEFT JOIN workflow_service.customer_cases scope_case ON scope_case.cif = {alias}.cif",
            "(scope_case.assigned_call_agent_id = %s OR scope_case.assigned_field_agent_id = %s"
            f" OR {alias}.agent_id = %s)",
            [self.agent_id] * 3,
        )


def agent_scope(actor: Actor, scope: Scope | None) -> AgentScope | None:
    """The caller's :class:`AgentScope` when it acts within OWN_WORK, None when unscoped.

    A caller without an agent profile has no work of its own: 403 ``AGENT_NOT_FOUND``.
    """
    if scope is None:
        return None
    if scope is not Scope.OWN_WORK:
        raise ValueError(f"agent_scope() applies OWN_WORK, not {scope}.")
    return AgentScope(agent_id=agent_id_for_actor(actor))
