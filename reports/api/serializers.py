"""Output shapes and query filters of the reports: performance and collection status."""

from __future__ import annotations

from rest_framework import serializers

from cases.api.serializers import CaseStatusesOutput
from workflow.api.fields import DateRangeInput, UTCDateTimeField
from workflow.enums import ActionResult, ActionType, CustomerStatus


class PeriodOutput(serializers.Serializer):
    startDate = serializers.DateField(source="start_date")
    endDate = serializers.DateField(source="end_date")


class PromiseMetricsOutput(serializers.Serializer):
    """Promise figures (reports.promise_figures): promises with terms the agent obtained, made
    on a business day of the period, as they stand now."""

    made = serializers.IntegerField(
        help_text=(
            "Promises to pay with an amount and a date made in the period (a PROMISE_TO_PAY "
            "without them tracks no promise and is not counted)."
        )
    )
    kept = serializers.IntegerField(help_text="Of those, KEPT.")
    partiallyKept = serializers.IntegerField(
        source="partially_kept", help_text="PARTIALLY_KEPT: something paid, not enough, too late."
    )
    broken = serializers.IntegerField(help_text="BROKEN: nothing paid by the due date.")
    cancelled = serializers.IntegerField(help_text="CANCELLED or superseded.")
    pending = serializers.IntegerField(help_text="Still PENDING.")
    keptRateByCount = serializers.FloatField(
        source="kept_rate_by_count",
        allow_null=True,
        help_text=(
            "kept / (kept + partiallyKept + broken) as a percentage rounded half-up to 2 "
            "decimals; null when none of them is resolved."
        ),
    )
    keptRateByAmount = serializers.FloatField(
        source="kept_rate_by_amount",
        allow_null=True,
        help_text=(
            "Amount paid towards the KEPT, PARTIALLY_KEPT and BROKEN promises / the amount "
            "they promised, as a percentage (2 decimals, half-up); null when none."
        ),
    )
    medianDaysToNextContact = serializers.FloatField(
        source="median_days_to_next_contact",
        allow_null=True,
        help_text=(
            "Median, over the BROKEN promises, of the business days from the day it broke to "
            "the first action recorded on the customer since (by any agent); promises not yet "
            "followed by an action are left out; null when none."
        ),
    )


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
    promises = PromiseMetricsOutput()


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


class CollectionStatusFilters(serializers.Serializer):
    """Query filters of ``GET reports/customer-collection-status``."""

    segment = serializers.CharField(max_length=50, required=False)
    status = serializers.ChoiceField(
        choices=CustomerStatus.choices, required=False, help_text="The customer status."
    )
    callAgentId = serializers.UUIDField(required=False)
    fieldAgentId = serializers.UUIDField(required=False)
    agentId = serializers.UUIDField(required=False, help_text="The call or the field agent.")
    # dpd is a PostgreSQL integer: a bound beyond it is refused, not compared.
    minDpd = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    maxDpd = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)


class CollectionStatusOutput(CaseStatusesOutput):
    """A row of the customer_collection_status view."""

    cif = serializers.CharField()
    customerName = serializers.CharField(source="customer_name", allow_null=True)
    segment = serializers.CharField()
    assignedCallAgentId = serializers.UUIDField(source="assigned_call_agent_id", allow_null=True)
    assignedCallAgentName = serializers.CharField(
        source="assigned_call_agent_name", allow_null=True
    )
    assignedFieldAgentId = serializers.UUIDField(source="assigned_field_agent_id", allow_null=True)
    assignedFieldAgentName = serializers.CharField(
        source="assigned_field_agent_name", allow_null=True
    )
    totalLoans = serializers.IntegerField(source="total_loans")
    totalOutstanding = serializers.DecimalField(
        source="total_outstanding", max_digits=20, decimal_places=2, coerce_to_string=False
    )
    totalDueAmount = serializers.DecimalField(
        source="total_due_amount", max_digits=20, decimal_places=2, coerce_to_string=False
    )
    maxDpd = serializers.IntegerField(
        source="max_dpd", allow_null=True, help_text="Highest dpd of the loans; null: no loan."
    )
    totalActions = serializers.IntegerField(source="total_actions")
    lastActionDate = UTCDateTimeField(source="last_action_date", allow_null=True)


class CaseStatusOutput(CaseStatusesOutput):
    """A customer's current case and last action (null statuses and agents: no case yet)."""

    cif = serializers.CharField()
    customerName = serializers.CharField(source="customer_name")
    assignedCallAgentId = serializers.UUIDField(source="assigned_call_agent_id", allow_null=True)
    assignedCallAgentName = serializers.CharField(
        source="assigned_call_agent_name", allow_null=True
    )
    assignedFieldAgentId = serializers.UUIDField(source="assigned_field_agent_id", allow_null=True)
    assignedFieldAgentName = serializers.CharField(
        source="assigned_field_agent_name", allow_null=True
    )
    fUpdate = UTCDateTimeField(source="f_update", allow_null=True)
    lastActionDate = UTCDateTimeField(source="last_action_date", allow_null=True)
    lastActionType = serializers.ChoiceField(
        source="last_action_type", choices=ActionType.choices, allow_null=True
    )
    lastActionResult = serializers.ChoiceField(
        source="last_action_result", choices=ActionResult.choices, allow_null=True
    )
    followUpDate = serializers.DateField(
        source="follow_up_date",
        allow_null=True,
        help_text=(
            "The business day the call agent follows up a promise to pay that was not kept "
            "(BROKEN or PARTIALLY_KEPT; the next business day after it was resolved, weekends "
            "and bank holidays skipped), while no action was recorded on the customer since; "
            "the earliest when several. null: no follow-up open."
        ),
    )
    followUpAgentId = serializers.UUIDField(
        source="follow_up_agent_id",
        allow_null=True,
        help_text="The call agent assigned to the customer when the promise was resolved.",
    )
    followUpPromiseId = serializers.UUIDField(
        source="follow_up_promise_id",
        allow_null=True,
        help_text="The promise not kept (GET promises/{id}).",
    )
