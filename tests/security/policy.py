"""The access matrix, derived from the router and ``workflow.permissions.POLICY`` (never typed
by hand): every operation of the API (route x method) with the capability its viewset declares,
and for every caller the access the policy grants."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver

from collectioncrm.urls import router, urlpatterns
from workflow.actors import Actor
from workflow.permissions import POLICY, ROLES, Capability, Grant, grant


@dataclass(frozen=True)
class Operation:
    """One route and method of the collection API, and what its viewset declares for it."""

    route: str  # "actions/<uuid:id>/result"
    method: str  # "PUT"
    viewset: type
    action: str

    @property
    def capability(self) -> Capability | None:
        return self.viewset.capabilities.get(self.action)  # type: ignore[attr-defined, no-any-return]

    @property
    def name(self) -> str:
        return f"{self.method} {self.route}"

    def path(self) -> str:
        """A concrete path: each converter filled with a value nobody has."""
        samples = {"uuid": str(uuid.uuid4()), "str": "CIF-NOBODY", "path": "Nobody's team"}
        filled = re.sub(r"<(\w+):\w+>", lambda m: samples[m.group(1)], self.route)
        return f"/{settings.API_PREFIX}{filled}"


def operations() -> list[Operation]:
    """Every (route, method) the router serves."""
    found = []
    for pattern in router.urls:
        callback: Any = pattern.callback
        for method, action in callback.actions.items():
            if method == "head":
                # DRF adds HEAD to a viewset's actions (as GET) when it first serves a request,
                # so whether it is listed here depended on the tests run before.
                continue
            found.append(Operation(str(pattern.pattern), method.upper(), callback.cls, action))
    return found


@dataclass(frozen=True)
class Principal:
    """A kind of caller: a role, or a role holding one extra permission of the policy."""

    role: str
    permission: str | None = None

    @property
    def name(self) -> str:
        return self.role + (f"+{self.permission}" if self.permission else "")

    def actor(self) -> Actor:
        return Actor(
            username="matrix",
            user_id=uuid.uuid4(),
            roles=frozenset({self.role}),
            permissions=frozenset({self.permission} if self.permission else ()),
        )


def principals() -> list[Principal]:
    """Each role, and an AGENT holding each permission that the policy names."""
    permissions = sorted({p for rule in POLICY.values() for p in rule.permissions})
    return [Principal(role) for role in ROLES] + [Principal("AGENT", p) for p in permissions]


def expected(operation: Operation, principal: Principal) -> Grant:
    assert operation.capability is not None, operation.name
    return grant(principal.actor(), operation.capability)


# Views under the API prefix (and the auth routes) that are not router viewsets: they are
# public, or authenticate by their own rule (workflow/auth), so the capability policy does not
# apply to them. Anything else found by the walk must be an operation of the router.
NOT_POLICED = {
    "api-root",
    "api-schema",
    "api-docs",
    "api-redoc",
    "auth-login",
    "auth-logout",
    "auth-refresh",
}


def url_names_outside_the_router() -> list[str]:
    """Names (or routes) of every URL under the API or auth prefix not served by the router."""
    router_callbacks = {id(p.callback) for p in router.urls}
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and id(entry.callback) not in router_callbacks:
                if route.startswith((settings.API_PREFIX, "api/")):
                    found.append(entry.name or route)

    walk(urlpatterns, "")
    return found
