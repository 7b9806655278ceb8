"""The permission class of every viewset: the capability each action needs, declared per action.

A viewset names the capability (``workflow.permissions``) of every action it serves::

    class AgentViewSet(GenericViewSet):
        permission_classes = [ActionCapability]
        capabilities = {
            "list": Capability.READ,
            "create": Capability.MANAGE_AGENTS,
            ...
        }

The maps are data on purpose: the access matrix (endpoint x method x role -> allowed / scoped /
denied) is read from them and ``workflow.permissions.POLICY`` (``tests/security``). When the
caller holds the capability only within a scope, the permission records it on the request and
the action applies it: ``scope_of(request)`` is that :class:`~workflow.permissions.Scope`, None
when the caller may act on every object.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from workflow.actors import Actor
from workflow.permissions import NARROWS, Access, Capability, Grant, Scope, can, grant

# What DRF sets ``view.action`` to for OPTIONS (it serves the view's metadata).
METADATA = "metadata"


def denial_message(capability: Capability) -> str:
    named = NARROWS.get(capability, capability)
    return f"This needs the {named.value} capability (see the role matrix)."


class ActionCapability(BasePermission):
    """Grants an action of a viewset to callers holding the capability the viewset maps it to.

    - an unauthenticated caller is refused, which DRF answers 401;
    - an action missing from ``capabilities`` is refused (fail closed, 403);
    - a method the route does not serve (405) and OPTIONS need every capability of the
      route's actions, as they did when each route was one view with one permission.
    """

    message = "You do not have permission to do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        actor = request.user
        if not isinstance(actor, Actor) or not actor.is_authenticated:
            return False
        capabilities: dict[str, Capability] = view.capabilities
        action = view.action
        if action is None or action == METADATA:
            needed = [capabilities.get(name) for name in dict.fromkeys(view.action_map.values())]
        else:
            needed = [capabilities.get(action)]
        for capability in needed:
            if capability is None:
                self.message = f"No capability is declared for {action or 'this method'}."
                return False
            if not can(actor, capability):
                self.message = denial_message(capability)
                return False
        if action is not None and action != METADATA:
            request.grant = grant(actor, capabilities[action])  # type: ignore[attr-defined]
        return True


def scope_of(request: Request) -> Scope | None:
    """The scope within which the caller may do the current action (None: every object)."""
    granted: Grant = getattr(request, "grant", Grant(Access.DENIED))
    if granted.access is Access.DENIED:
        raise AssertionError("scope_of() called before the action's permission was checked.")
    return granted.scope
