"""Input and output shapes of the agents API (camelCase, as in API.md)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from workflow.api.fields import JsonInput, UTCDateTimeField
from workflow.enums import AgentType

AGENT_UPDATE_FIELDS = ("name", "email", "phone", "type", "team", "isActive")


class AgentListFilters(serializers.Serializer):
    """Query filters of ``GET agents`` (pagination is validated separately)."""

    type = serializers.ChoiceField(choices=AgentType.choices, required=False)
    team = serializers.CharField(max_length=30, required=False)
    isActive = serializers.BooleanField(required=False)


class AgentCreateInput(JsonInput):
    employeeId = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=100)
    phone = serializers.CharField(
        max_length=20, required=False, allow_null=True, allow_blank=True, default=None
    )
    type = serializers.ChoiceField(choices=AgentType.choices)
    team = serializers.CharField(max_length=30)
    userId = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The CRM user to link the new agent to (within the scope of link-user); "
        "required once "
        "agent-user links are enforced.",
    )


class AgentUpdateInput(JsonInput):
    """Any of the fields; an omitted field keeps its value, ``phone: null`` clears it."""

    name = serializers.CharField(max_length=100, required=False)
    email = serializers.EmailField(max_length=100, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)
    type = serializers.ChoiceField(choices=AgentType.choices, required=False)
    team = serializers.CharField(max_length=30, required=False)
    isActive = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(
                f"Give at least one of {', '.join(AGENT_UPDATE_FIELDS)}."
            )
        return attrs


class LinkUserInput(JsonInput):
    agentId = serializers.UUIDField()
    userId = serializers.UUIDField()
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=500,
        help_text="Why the link is made (optional, at most 500 characters); kept in the link "
        "audit and sent in the agent.updated event.",
    )


class AgentOutput(serializers.Serializer):
    """An Agent of API.md."""

    id = serializers.UUIDField()
    employeeId = serializers.CharField(source="employee_id")
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    type = serializers.ChoiceField(choices=AgentType.choices)
    team = serializers.CharField()
    isActive = serializers.BooleanField(source="is_active")
    userId = serializers.UUIDField(
        source="user_id", allow_null=True, help_text="The linked CRM user, null until linked."
    )
    createdAt = UTCDateTimeField(source="created_at")
    updatedAt = UTCDateTimeField(source="updated_at")
