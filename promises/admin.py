"""Promises in the admin: the promise types supervisors configure, the promises with the
supervisors' views ("broken, not yet followed up", "falling due today") and the form making a
promise, the payments applied to each (read-only), the bank's holiday calendar and the payments
passed over for their currency. Writes go through :mod:`promises.services` and
:mod:`promises.mismatches`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest

from agents.admin_filters import AgentTeamFilter
from agents.models import Agent
from promises.mismatches import mismatches_review
from promises.models import (
    BusinessHoliday,
    PaymentPromise,
    PromiseAppropriation,
    PromiseCurrencyMismatch,
    PromiseStatus,
    PromiseType,
)
from promises.services import (
    business_holiday_save,
    promise_cancel,
    promise_make,
    promise_type_save,
)
from workflow.actors import admin_actor
from workflow.admin_base import ExactCifSearchAdmin, ServiceForm, ServiceFormAdmin, request_actor
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


# The service names the API's fields; the form shows the error beside its own.
FORM_FIELDS = {
    "cif": "cif",
    "loanAccountNumber": "loan_account_number",
    "promiseAmount": "promised_amount",
    "promiseDate": "promise_date",
}


class PromiseMakeForm(ServiceForm):
    """A promise obtained outside an action (a branch visit, a letter): the same terms and
    checks as ``POST /actions`` (``promises.services.promise_make``)."""

    cif = forms.CharField(max_length=20, help_text="The customer's cif.")
    loan_account_number = forms.CharField(
        max_length=20, help_text="The loan promised on; its currency is the promise's."
    )
    customer_level = forms.BooleanField(
        required=False,
        label="Covers all the customer's loans",
        help_text="A customer-level promise: any payment of the customer counts towards it.",
    )
    # Named unlike the model's fields: the service checks the terms, not the model form.
    obtained_by = forms.ModelChoiceField(
        queryset=Agent.objects.filter(is_active=True).order_by("name"),
        help_text="The agent who obtained it (figures and follow-up).",
    )
    promised_amount = forms.DecimalField(
        max_digits=18, help_text="More than 0, with at most the currency's decimals."
    )
    promise_date = forms.DateField(
        widget=AdminDateWidget, help_text="From the bank's today up to the configured horizon."
    )

    class Meta:
        model = PaymentPromise
        fields: list[str] = []

    def show_service_error(self, exc: DomainError) -> None:
        self.add_error(FORM_FIELDS.get(exc.field or ""), exc.message)


@admin.register(PaymentPromise)
class PaymentPromiseAdmin(ServiceFormAdmin, ExactCifSearchAdmin):
    """Promises to pay: made with the add form (a pending promise of the same scope is
    superseded, as through the API), otherwise read-only; supervisors cancel pending ones
    with the bulk action."""

    add_fieldsets = [
        (
            None,
            {
                "fields": [
                    "cif",
                    "loan_account_number",
                    "customer_level",
                    "obtained_by",
                    "promised_amount",
                    "promise_date",
                ]
            },
        )
    ]

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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin.ModelAdmin.has_add_permission(self, request)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [] if obj is None else list(self.inlines)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = PromiseMakeForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: PaymentPromise, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        made = promise_make(
            actor=request_actor(request),
            agent_id=data["obtained_by"].id,
            cif=data["cif"].strip(),
            loan_account_number=data["loan_account_number"].strip(),
            amount=data["promised_amount"],
            promised_date=data["promise_date"],
            customer_level=data["customer_level"],
        )
        for model_field in PaymentPromise._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(made, model_field.attname))
        obj._state.adding = False

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


@admin.register(BusinessHoliday)
class BusinessHolidayAdmin(admin.ModelAdmin):
    """The bank's holidays: follow-ups of promises not kept skip them and the weekend."""

    list_display = ["holiday_date", "name", "updated_at", "updated_by"]
    fields = ["holiday_date", "name"]
    date_hierarchy = "holiday_date"
    search_fields = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["holiday_date"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: BusinessHoliday, form: Any, change: bool
    ) -> None:
        business_holiday_save(holiday=obj, actor=admin_actor(request.user))


class ReviewedFilter(admin.SimpleListFilter):
    title = "reviewed"
    parameter_name = "reviewed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Not yet reviewed"), ("yes", "Reviewed")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[PromiseCurrencyMismatch]
    ) -> QuerySet[PromiseCurrencyMismatch]:
        if self.value() in ("no", "yes"):
            return queryset.filter(reviewed_at__isnull=self.value() == "no")
        return queryset


@admin.register(PromiseCurrencyMismatch)
class PromiseCurrencyMismatchAdmin(admin.ModelAdmin):
    """Payments not applied to a pending promise for their currency; supervisors mark them
    reviewed once the bank corrected the payment or the promise."""

    list_display = [
        "detected_at",
        "payment_id",
        "cif",
        "payment_amount",
        "payment_currency",
        "promise",
        "promise_currency",
        "reviewed_at",
        "reviewed_by",
    ]
    list_select_related = ["promise"]
    list_filter = [ReviewedFilter]
    search_fields = ["=payment_id", "=cif"]
    ordering = ["-detected_at", "id"]
    actions = ["mark_reviewed"]
    show_facets = admin.ShowFacets.NEVER

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Mark the selected mismatches as reviewed", permissions=["change"])
    def mark_reviewed(
        self, request: HttpRequest, queryset: QuerySet[PromiseCurrencyMismatch]
    ) -> None:
        actor = admin_actor(request.user)
        count = mismatches_review(
            actor=actor,
            mismatch_ids=queryset.values_list("id", flat=True),
            note=f"Reviewed by {actor.username} in the admin",
        )
        self.message_user(request, f"{count} mismatch(es) marked reviewed.", messages.SUCCESS)
