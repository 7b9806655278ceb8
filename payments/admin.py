"""Payments in the admin: read-only, with the agents each is attributed to."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from agents.models import Agent
from payments.models import Payment, PaymentReversal
from payments.services import payment_reverse
from workflow.actors import admin_actor
from workflow.admin_base import ReadOnlyAdmin
from workflow.admin_pagination import EstimatedCountPaginator


class PaymentAgentFilter(admin.SimpleListFilter):
    """Payments attributed to the agent, as call or as field agent."""

    title = "agent"
    parameter_name = "agent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        agents = Agent.objects.order_by("name").values_list("id", "name", "employee_id")
        return [(str(id_), f"{name} ({employee_id})") for id_, name, employee_id in agents]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Payment]) -> QuerySet[Payment]:
        if not self.value():
            return queryset
        return queryset.filter(Q(call_agent_id=self.value()) | Q(field_agent_id=self.value()))


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments reported by the payment service, with the agents they are attributed to."""

    list_display = [
        "payment_id",
        "payment_date",
        "amount",
        "currency",
        "cif",
        "loan_account_number",
        "call_agent",
        "field_agent",
        "payment_channel",
    ]
    list_select_related = ["call_agent", "field_agent"]
    list_filter = [PaymentAgentFilter, "payment_channel"]
    date_hierarchy = "payment_date"
    search_fields = ["=payment_id", "=cif", "=loan_account_number", "=reference_number"]
    search_help_text = "An exact payment id, cif, loan account number or reference number."
    ordering = ["-payment_date"]
    sortable_by = ["payment_date", "amount"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    exclude = ["raw"]
    readonly_fields = ["pretty_raw"]
    actions = ["reverse_payments"]

    @admin.action(description="Reverse the selected payments (their promise appropriations)")
    def reverse_payments(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        """A supervisor's reversal: the payments stop counting towards promises."""
        actor = admin_actor(request.user)
        reversed_now = sum(
            payment_reverse(
                payment_id=payment_id,
                actor=actor,
                reason=f"Reversed by {actor.username} in the admin",
            )
            for payment_id in queryset.values_list("payment_id", flat=True)
        )
        self.message_user(request, f"{reversed_now} payment(s) reversed.", messages.SUCCESS)

    @admin.display(description="event as received")
    def pretty_raw(self, payment: Payment) -> str:
        return format_html("<pre>{}</pre>", json.dumps(payment.raw, indent=2, ensure_ascii=False))


@admin.register(PaymentReversal)
class PaymentReversalAdmin(ReadOnlyAdmin):
    """Reversed payments (payment service events and supervisors' reversals)."""

    list_display = ["payment_id", "reversed_at", "reversed_by", "reason"]
    search_fields = ["=payment_id"]
    ordering = ["-reversed_at"]
