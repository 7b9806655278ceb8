"""Input and output shapes of the agents API (camelCase, as in API.md)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from workflow.api.fields import DateRangeInput, UTCDateTimeField
from workflow.enums import AgentType

AGENT_UPDATE_FIELDS = ("name", "email", "phone", "type", "team", "isActive")


class AgentListFilters(serializers.Serializer):
    """Query filters of ``GET agents`` (pagination is validated separately)."""

    type = serializers.ChoiceField(choices=AgentType.choices, required=False)
    team = serializers.CharField(max_length=30, required=False)
    isActive = serializers.BooleanField(required=False)


class AgentCreateInput(serializers.Serializer):
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
        help_text="The CRM user to link the new agent to (ADMIN only); required once "
        "agent-user links are enforced.",
    )


class AgentUpdateInput(serializers.Serializer):
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


class LinkUserInput(serializers.Serializer):
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


class PeriodOutput(serializers.Serializer):
    startDate = serializers.DateField(source="start_date")
    endDate = serializers.DateField(source="end_date")


class MetricsOutput(serializers.Serializer):
    totalActions = serializers.IntegerField(
        source="total_actions", help_text="Every action record of the agent in the period."
    )
    successfulActions = serializers.IntegerField(
        source="successful_actions",
        help_text="Records whose result is PROMISE_TO_PAY, PAYMENT_MADE or PARTIAL_PAYMENT.",
    )
    callsPlaced = serializers.IntegerField(source="calls_placed", help_text="Type CALL.")
    callsConnected = serializers.IntegerField(
        source="calls_connected", help_text="Type CALL with a result other than NO_CONTACT."
    )
    visitsCompleted = serializers.IntegerField(
        source="visits_completed", help_text="Type VISIT with a result other than NO_CONTACT."
    )
    paymentsCollected = serializers.IntegerField(
        source="payments_collected",
        help_text=(
            "Payments the Kafka bridge attributed to the agent, as call or field agent (the "
            "agents assigned to the customer on the payment's business day), paid on a "
            "business day of the period (the bank's day of payment_date)."
        ),
    )
    totalAmountCollected = serializers.DecimalField(
        source="total_amount_collected",
        max_digits=20,
        decimal_places=2,
        coerce_to_string=False,
        help_text="Sum of the amounts of those payments, a number with 2 decimals (0 if none).",
    )
    averageCallDuration = serializers.FloatField(
        source="average_call_duration",
        allow_null=True,
        help_text="Always null: the schema records no call duration.",
    )
    successRate = serializers.FloatField(
        source="success_rate",
        allow_null=True,
        help_text=(
            "successfulActions / totalActions as a percentage rounded half-up to 2 decimals; "
            "null when totalActions is 0."
        ),
    )


class DailyTrendOutput(serializers.Serializer):
    date = serializers.DateField(
        help_text="A business day (bank's time zone) with actions or payments."
    )
    actions = serializers.IntegerField()
    amountCollected = serializers.DecimalField(
        source="amount_collected",
        max_digits=20,
        decimal_places=2,
        coerce_to_string=False,
        help_text="Amount of the payments of that business day (0 if none).",
    )


class WeeklyTrendOutput(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week of the business day, YYYY-Www.")
    actions = serializers.IntegerField()
    amountCollected = serializers.DecimalField(
        source="amount_collected",
        max_digits=20,
        decimal_places=2,
        coerce_to_string=False,
        help_text="Amount of the payments of the week's business days.",
    )


class TrendsOutput(serializers.Serializer):
    daily = DailyTrendOutput(many=True)
    weekly = WeeklyTrendOutput(many=True)


class AgentPerformanceOutput(serializers.Serializer):
    agentId = serializers.UUIDField(source="agent_id")
    agentName = serializers.CharField(source="agent_name")
    period = PeriodOutput()
    metrics = MetricsOutput()
    trends = TrendsOutput()


class RankingFilters(DateRangeInput):
    """Query filters of ``GET agents/performance`` (pagination is validated separately)."""

    team = serializers.CharField(max_length=30, required=False)


class RankedAgentOutput(serializers.Serializer):
    agentId = serializers.UUIDField(source="agent_id")
    agentName = serializers.CharField(source="agent_name")
    team = serializers.CharField()
    rank = serializers.IntegerField(
        help_text=(
            "1-based competition rank on (successfulActions, totalActions), both descending: "
            "agents equal on both share a rank and the next rank skips (1, 2, 2, 4)."
        )
    )
    metrics = MetricsOutput()


class TeamPerformanceOutput(serializers.Serializer):
    team = serializers.CharField()
    period = PeriodOutput()
    agentCount = serializers.IntegerField(
        source="agent_count", help_text="Active agents of the team, whose figures are summed."
    )
    metrics = MetricsOutput()
    trends = TrendsOutput()
