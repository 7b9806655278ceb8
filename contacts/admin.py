"""Back-office pages of the contact policy: policies (copy a preset, edit = new version),
assignments, customer profiles, holds, and the ledger (blocked attempts, overrides,
violations per team). Every write goes through ``contacts.policy_services``."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from contacts import policy_services
from contacts.enums import AttemptStatus, Channel, Party
from contacts.models import (
    ContactAttempt,
    ContactHold,
    ContactPolicy,
    ContactPolicyAssignment,
    ContactPolicyCap,
    ContactPolicyWindow,
    ContactProfile,
)
from workflow.admin_base import ReadOnlyAdmin, ServiceForm, ServiceFormAdmin, request_actor
from workflow.enums import ActionResult
from workflow.errors import DomainError


def _multiple(choices: Any, *, required: bool = False, help_text: str = "") -> Any:
    return forms.TypedMultipleChoiceField(
        choices=choices,
        required=required,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class ContactPolicyForm(ServiceForm):
    channels = _multiple(Channel.choices, required=True, help_text="Channels that may be used.")
    parties = _multiple(Party.choices, required=True, help_text="Parties liable for the debt.")
    attempt_types = _multiple(Channel.choices, required=True, help_text="Count as an attempt.")
    attempt_results = _multiple(ActionResult.choices, help_text="Count as an attempt (none: all).")
    conversation_results = _multiple(
        ActionResult.choices, help_text="Mean a right-party conversation."
    )
    block_channels = _multiple(
        Channel.choices, help_text="Blocked after a conversation (none: all)."
    )

    class Meta:
        model = ContactPolicy
        fields = [
            "code",
            "name",
            "description",
            "source",
            "channels",
            "parties",
            "attempt_types",
            "attempt_results",
            "conversation_results",
            "block_days",
            "block_channels",
            "reservation_minutes",
        ]


class CapForm(forms.ModelForm):
    channels = _multiple(Channel.choices, help_text="Counted channels (none: all).")

    class Meta:
        model = ContactPolicyCap
        fields = ["scope", "days", "max_attempts", "channels"]


class VersionRowInline(admin.TabularInline):
    """A window or cap of the version being edited. Removing one deletes nothing: saving
    writes a new version without it (so the "delete" box needs only the change permission)."""

    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


class WindowInline(VersionRowInline):
    model = ContactPolicyWindow
    fields = ["channel", "starts", "ends"]


class CapInline(VersionRowInline):
    model = ContactPolicyCap
    form = CapForm
    fields = ["scope", "days", "max_attempts", "channels"]


def _rows(formset: Any, *required: str) -> list[dict[str, Any]]:
    """The inline rows kept (not deleted, not left blank)."""
    return [
        row
        for row in formset.cleaned_data
        if row and not row.get("DELETE") and all(row.get(name) is not None for name in required)
    ]


@admin.register(ContactPolicy)
class ContactPolicyAdmin(ServiceFormAdmin):
    """Policies by version. Saving a change writes the next version (decisions keep naming the
    version they used); presets and superseded versions are read-only: copy them instead."""

    form = ContactPolicyForm
    inlines = [WindowInline, CapInline]
    list_display = [
        "code",
        "version",
        "name",
        "is_current",
        "is_preset",
        "created_by",
        "created_at",
    ]
    list_filter = ["is_current", "is_preset"]
    search_fields = ["code", "name"]
    actions = ["copy_policies"]
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContactPolicy]:
        return super().get_queryset(request).prefetch_related("windows", "caps")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and (obj.is_preset or not obj.is_current):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing yet: the version is written with its windows and caps in save_related."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        data = form.cleaned_data
        windows, caps = formsets
        spec = policy_services.PolicySpec(
            name=data["name"],
            description=data.get("description") or "",
            source=data.get("source") or "",
            channels=tuple(data["channels"]),
            parties=tuple(data["parties"]),
            attempt_types=tuple(data["attempt_types"]),
            attempt_results=tuple(data.get("attempt_results") or ()),
            conversation_results=tuple(data.get("conversation_results") or ()),
            block_days=data["block_days"],
            block_channels=tuple(data.get("block_channels") or ()),
            reservation_minutes=data["reservation_minutes"],
            windows=tuple(
                policy_services.WindowSpec(row["channel"], row["starts"], row["ends"])
                for row in _rows(windows, "channel", "starts", "ends")
            ),
            caps=tuple(
                policy_services.CapSpec(
                    row["scope"], row["days"], row["max_attempts"], tuple(row.get("channels") or ())
                )
                for row in _rows(caps, "scope", "days", "max_attempts")
            ),
        )
        actor = request_actor(request)
        if change:
            saved = policy_services.policy_save(policy_id=form.instance.id, spec=spec, actor=actor)
        else:
            saved = policy_services.policy_create(code=data["code"], spec=spec, actor=actor)
        form.instance.pk = saved.pk
        form.instance.version = saved.version
        for formset in formsets:  # written by the service: the change message lists none
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description="Copy the selected policy as a new, editable policy")
    def copy_policies(self, request: HttpRequest, queryset: QuerySet[ContactPolicy]) -> None:
        for policy in queryset:
            code = f"{policy.code}_COPY_{uuid.uuid4().hex[:4].upper()}"[:50]
            try:
                copy = policy_services.policy_copy(
                    policy_id=policy.id, code=code, actor=request_actor(request)
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                # The audit log names every admin write (README, "The admin back-office").
                self.log_addition(
                    request, copy, f"Copied from {policy} (version {policy.version})."
                )
                self.message_user(
                    request,
                    f"Copied {policy} as {copy.code}: edit it, then assign it.",
                    messages.SUCCESS,
                )


class AssignmentForm(ServiceForm):
    class Meta:
        model = ContactPolicyAssignment
        fields = ["policy_code", "cif", "jurisdiction", "product_type", "priority", "note"]


@admin.register(ContactPolicyAssignment)
class ContactPolicyAssignmentAdmin(ServiceFormAdmin):
    """Which policy applies: to a cif, or by jurisdiction and loan product (the most specific
    assignment wins). The one for every customer stays; point it at another policy."""

    form = AssignmentForm
    list_display = ["policy_code", "cif", "jurisdiction", "product_type", "priority", "note"]
    search_fields = ["policy_code", "cif"]
    actions = None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = policy_services.assignment_save(
            assignment_id=obj.id if change else None,
            policy_code=obj.policy_code,
            cif=obj.cif,
            jurisdiction=obj.jurisdiction,
            product_type=obj.product_type,
            priority=obj.priority,
            note=obj.note,
            actor=request_actor(request),
        )
        obj.pk = saved.pk


class ProfileForm(ServiceForm):
    class Meta:
        model = ContactProfile
        fields = ["cif", "jurisdiction", "time_zone"]


@admin.register(ContactProfile)
class ContactProfileAdmin(ServiceFormAdmin):
    """A customer's jurisdiction (selects the policy) and time zone (the rules' local time)."""

    form = ProfileForm
    list_display = ["cif", "jurisdiction", "time_zone", "updated_by", "updated_at"]
    search_fields = ["cif"]
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["cif"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        policy_services.profile_set(
            cif=obj.cif,
            jurisdiction=obj.jurisdiction,
            time_zone=obj.time_zone,
            actor=request_actor(request),
        )


class HoldForm(ServiceForm):
    channels = _multiple(Channel.choices, help_text="Channels suppressed (none: all).")

    class Meta:
        model = ContactHold
        fields = [
            "cif",
            "hold_type",
            "channels",
            "starts_at",
            "expires_at",
            "review_date",
            "reason",
        ]


class HoldStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Not lifted"), ("lifted", "Lifted")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ContactHold]) -> Any:
        if self.value() == "open":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


@admin.register(ContactHold)
class ContactHoldAdmin(ServiceFormAdmin):
    """Holds: a customer is not contacted on the channels named (all when none) from the start
    to the expiry or the lift; the review date reminds supervisors to look again."""

    form = HoldForm
    list_display = [
        "cif",
        "hold_type",
        "channels",
        "starts_at",
        "expires_at",
        "review_date",
        "lifted_at",
    ]
    list_filter = ["hold_type", HoldStateFilter, "review_date"]
    search_fields = ["cif"]
    actions = ["lift_holds"]
    readonly_fields = ["created_by", "created_at", "lifted_at", "lifted_by", "lift_reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["cif", "hold_type", "starts_at"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        actor = request_actor(request)
        if change:
            policy_services.hold_update(
                hold_id=obj.id,
                channels=data.get("channels") or [],
                expires_at=data.get("expires_at"),
                review_date=data.get("review_date"),
                reason=data.get("reason") or "",
                actor=actor,
            )
            return
        saved = policy_services.hold_create(
            cif=data["cif"],
            hold_type=data["hold_type"],
            channels=data.get("channels") or [],
            starts_at=data.get("starts_at"),
            expires_at=data.get("expires_at"),
            review_date=data.get("review_date"),
            reason=data.get("reason") or "",
            actor=actor,
        )
        obj.pk = saved.pk

    @admin.action(description="Lift the selected holds now")
    def lift_holds(self, request: HttpRequest, queryset: QuerySet[ContactHold]) -> None:
        actor = request_actor(request)
        for hold in queryset:
            policy_services.hold_lift(
                hold_id=hold.id, reason=f"Lifted in the admin by {actor.username}", actor=actor
            )
        self.message_user(request, f"Lifted {queryset.count()} hold(s).", messages.SUCCESS)


class AttemptKindFilter(admin.SimpleListFilter):
    """What supervisors look for: refused attempts, overrides, recorded violations."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("blocked", "Blocked attempts"),
            ("overrides", "Overrides"),
            ("violations", "Violations (recorded contacts)"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ContactAttempt]) -> Any:
        if self.value() == "blocked":
            return queryset.filter(status=AttemptStatus.REFUSED)
        if self.value() == "overrides":
            return queryset.filter(override_reason__isnull=False)
        if self.value() == "violations":
            return queryset.filter(violation_rule__isnull=False)
        return queryset


class TeamFilter(admin.SimpleListFilter):
    title = "team"
    parameter_name = "team"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        teams = ContactAttempt.objects.exclude(team=None).values_list("team", flat=True)
        return [(str(team), str(team)) for team in sorted({str(t) for t in teams.distinct()})]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ContactAttempt]) -> Any:
        return queryset.filter(team=self.value()) if self.value() else queryset


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyAdmin):
    """The ledger, read-only: filter by kind (blocked, overrides, violations) and team."""

    list_display = [
        "attempted_at",
        "cif",
        "channel",
        "party",
        "state",
        "rule",
        "violation_rule",
        "override_reason",
        "team",
        "created_by",
    ]
    list_filter = [AttemptKindFilter, TeamFilter, "channel", "status"]
    list_select_related = ["policy"]
    search_fields = ["cif"]
    date_hierarchy = "attempted_at"

    @admin.display(description="status", ordering="status")
    def state(self, attempt: ContactAttempt) -> str:
        """The status, and for a reservation past its expiry that nobody used or released,
        that it lapsed (it no longer counts against the caps)."""
        label = attempt.get_status_display()
        lapsed = attempt.expires_at is not None and attempt.expires_at <= timezone.now()
        if attempt.status == AttemptStatus.RESERVED and lapsed:
            return f"{label} (lapsed unused)"
        return label
