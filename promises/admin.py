"""Promises in the admin: the promise types supervisors configure, the promises with the
supervisors' views ("broken, not yet followed up", "falling due today"), and the payments
applied to each (read-only). Writes go through :mod:`promises.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest

from agents.admin_filters import AgentTeamFilter
from promises.models import PaymentPromise, PromiseAppropriation, PromiseStatus, PromiseType
from promises.services import promise_cancel, promise_type_save
from workflow.actors import admin_actor
from workflow.admin_base import ExactCifSearchAdmin
from workflow.business_time import business_today
from workflow.errors import DomainError

# Whether an action was recorded on the customer since the promise broke (any agent).
FOLLOWED_UP_SQL = """
    EXISTS (SELECT 1 FROM workflow_service.action_records a
            WHERE a.cif = "workflow_service"."payment_promises"."cif"
              AND a.action_date >= "workflow_service"."payment_promises"."resolved_at")
"""


@admin.register(PromiseType)
class PromiseTypeAdmin(admin.ModelAdmin):
    """Terms of new promises per loan product and/or customer segment (empty = any)."""

    list_display = [
        "name",
        "product_type",
        "segment",
        "grace_days",
        "tolerance_percent",
        "is_active",
        "updated_at",
        "updated_by",
    ]
    list_filter = ["is_active"]
    fields = ["name", "product_type", "segment", "grace_days", "tolerance_percent", "is_active"]
    search_fields = ["name", "product_type", "segment"]

    def save_model(self, request: HttpRequest, obj: PromiseType, form: Any, change: bool) -> None:
        promise_type_save(promise_type=obj, actor=admin_actor(request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # promises name their type: deactivate it instead


class SupervisorViewFilter(admin.SimpleListFilter):
    """The supervisors' work lists."""

    title = "view"
    parameter_name = "view"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("broken_not_followed", "Broken, not yet followed up"),
            ("due_today", "Falling due today"),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[PaymentPromise]
    ) -> QuerySet[PaymentPromise]:
        if self.value() == "broken_not_followed":
            return (
                queryset.filter(status=PromiseStatus.BROKEN)
                .alias(
                    followed=RawSQL(FOLLOWED_UP_SQL, ())  # noqa: S611 (no parameters)
                )
                .filter(followed=False)
            )
        if self.value() == "due_today":
            return queryset.filter(status=PromiseStatus.PENDING, promised_date=business_today())
        return queryset


class PromiseAgentTeamFilter(AgentTeamFilter):
    title = "agent's team"
    parameter_name = "team"
    agent_field = "agent"


class AppropriationInline(admin.TabularInline):
    model = PromiseAppropriation
    fields = ["payment_id", "amount", "appropriated_at", "reversed_at", "reversed_by"]
    readonly_fields = ["payment_id", "amount", "appropriated_at", "reversed_at", "reversed_by"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PaymentPromise)
class PaymentPromiseAdmin(ExactCifSearchAdmin):
    """Promises to pay, read-only; supervisors cancel pending ones with the bulk action."""

    list_display = [
        "customer_id",
        "loan_id",
        "agent",
        "amount",
        "currency",
        "promised_date",
        "due_date",
        "status",
        "paid_amount",
        "follow_up_date",
        "follow_up_agent",
    ]
    list_select_related = ["agent", "follow_up_agent"]
    list_filter = [SupervisorViewFilter, "status", PromiseAgentTeamFilter]
    date_hierarchy = "promised_date"
    search_fields = ["=cif"]
    search_help_text = "An exact cif."
    ordering = ["promised_date", "id"]
    inlines = [AppropriationInline]
    actions = ["cancel_promises"]

    @admin.action(description="Cancel the selected pending promises")
    def cancel_promises(self, request: HttpRequest, queryset: QuerySet[PaymentPromise]) -> None:
        actor = admin_actor(request.user)
        cancelled = 0
        for promise_id in queryset.filter(status=PromiseStatus.PENDING).values_list(
            "id", flat=True
        ):
            try:
                promise_cancel(
                    actor=actor,
                    promise_id=promise_id,
                    reason=f"Cancelled by {actor.username} in the admin",
                )
                cancelled += 1
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(request, f"{cancelled} promise(s) cancelled.", messages.SUCCESS)


@admin.register(PromiseAppropriation)
class PromiseAppropriationAdmin(admin.ModelAdmin):
    """Which payment paid how much of which promise: read-only."""

    list_display = ["payment_id", "promise", "amount", "appropriated_at", "reversed_at"]
    list_select_related = ["promise"]
    search_fields = ["=payment_id"]
    ordering = ["-appropriated_at"]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
