"""Who is acting: the caller of the API, a supervisor in the admin, or a system process.

Services take an ``Actor`` and write its ``username`` into the audit columns.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

ROLE_AGENT = "AGENT"
ROLE_SUPERVISOR = "SUPERVISOR"
ROLE_ADMIN = "ADMIN"


@dataclass(frozen=True)
class Actor:
    """An authenticated CRM user (or a named system process when ``user_id`` is None)."""

    username: str
    user_id: uuid.UUID | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    permissions: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None
    # A process acting on its own (Kafka handlers, commands), not a person: ``system_actor``.
    system: bool = False

    # DRF and Django treat ``request.user`` through these attributes.
    is_authenticated = True
    is_anonymous = False

    @property
    def pk(self) -> uuid.UUID | None:
        return self.user_id

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def has_permission(self, *permissions: str) -> bool:
        return bool(self.permissions.intersection(permissions))

    @property
    def is_supervisor(self) -> bool:
        """Supervisors and admins oversee other agents' work."""
        return self.has_role(ROLE_SUPERVISOR, ROLE_ADMIN)

    def __str__(self) -> str:
        return self.username


def system_actor(name: str) -> Actor:
    """An actor for work no person started (Kafka handlers, scheduled jobs, commands)."""
    return Actor(username=name[:50], system=True)


def admin_actor(user: Any) -> Actor:
    """The actor behind a signed-in admin user (a CRM supervisor/admin or a local superuser).

    Superusers act as ADMIN and other staff as SUPERVISOR, the roles that let them into the
    admin; ``user_id`` is the CRM user's id when the admin user mirrors one.
    """
    from workflow.models import CrmUser

    crm_id = CrmUser.objects.filter(username=user.username).values_list("id", flat=True).first()
    role = ROLE_ADMIN if user.is_superuser else ROLE_SUPERVISOR
    return Actor(username=str(user.username)[:50], user_id=crm_id, roles=frozenset({role}))
