"""Back-office of customers' cases: the case list and form, and bulk assignment.

It lives in the assignments app because the case page edits both halves of a case: its
statuses (``cases``) and its agents (``assignments``, which builds on ``cases``).

Every write goes through the services the API uses: agents through
``assignments.services.assignment_assign`` (the database trigger writes the assignment history,
once), statuses through ``cases.services.case_update_statuses``. A refused change shows as a
form error or an error message, and every change is recorded in the admin log with what
changed. Times are shown in the bank's time zone (``BUSINESS_TIME_ZONE``).
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import reverse

from agents.admin_filters import CallAgentTeamFilter, FieldAgentTeamFilter
from agents.models import Agent
from assignments.forms import AGENT_FIELDS, AssignAgentsForm, CustomerCaseForm, agent_label
from assignments.selectors import assignment_history
from assignments.services import assignment_assign
from cases.models import STATUS_FIELDS, CustomerCase
from cases.selectors import case_actions_for_customer
from workflow.actors import admin_actor
from workflow.admin_base import LinkOnceChangeList, ServiceFormAdmin, action_checkbox
from workflow.admin_pagination import EstimatedCountPaginator
from workflow.business_time import business_zone
from workflow.errors import DomainError
from workflow.sentinels import UNSET

Response = TypeVar("Response", bound=HttpResponseBase)

# Rows of each history shown on the case page; the rest is one link away.
HISTORY_ROWS = 50
# Customers one bulk assignment may change (each in its own transaction).
MAX_BULK_ASSIGN = 500
BULK_ASSIGN_ACTION = "Assign selected customers to agent(s)"


def _cifs(cifs: list[str], limit: int = 20) -> str:
    shown = ", ".join(cifs[:limit])
    return shown if len(cifs) <= limit else f"{shown} and {len(cifs) - limit} more"


@admin.register(CustomerCase)
class CustomerCaseAdmin(ServiceFormAdmin):
    """The customers' cases: statuses and current agents, with both histories on the page."""

    form = CustomerCaseForm
    list_display = [
        "cif",
        "customer_name",
        *STATUS_FIELDS,
        "assigned_call_agent",
        "assigned_field_agent",
        "f_update",
    ]
    list_display_links = ["cif"]
    list_select_related = ["customer", "assigned_call_agent", "assigned_field_agent"]
    list_filter = [*STATUS_FIELDS, CallAgentTeamFilter, FieldAgentTeamFilter]
    # Sorting is offered on indexed columns only: any other sort reads the whole table.
    sortable_by = ["cif", "f_update"]
    search_fields = ["customer__cif", "customer__name"]
    search_help_text = "An exact cif (e.g. C00000001), or part of the customer's or company's name."
    autocomplete_fields = list(AGENT_FIELDS)
    readonly_fields = [
        "customer",
        "f_update",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    fieldsets = [
        (None, {"fields": ["customer", "f_update"]}),
        (
            "Assigned agents",
            {
                "fields": list(AGENT_FIELDS),
                "description": "Changing an agent closes the customer's current assignment "
                "and opens a new one in the assignment history below.",
            },
        ),
        ("Statuses", {"fields": list(STATUS_FIELDS)}),
        (
            "Audit",
            {
                "fields": ["created_at", "created_by", "updated_at", "updated_by"],
                "classes": ["collapse"],
            },
        ),
    ]
    actions = ["assign_to_agents"]
    list_per_page = 50
    action_checkbox = action_checkbox
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    # --- List -------------------------------------------------------------------------------

    @admin.display(description="cif", ordering="customer_id")
    def cif(self, case: CustomerCase) -> str:
        return case.customer_id

    @admin.display(description="customer name")
    def customer_name(self, case: CustomerCase) -> str:
        return case.customer.display_name

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CustomerCase], search_term: str
    ) -> tuple[QuerySet[CustomerCase], bool]:
        """An exact cif when one matches (an index lookup), otherwise a name search."""
        term = search_term.strip()
        if not term:
            return queryset, False
        by_cif = queryset.filter(customer_id__in={term, term.upper()})
        if by_cif.exists():
            return by_cif, False
        by_name = Q(customer__name__icontains=term) | Q(customer__company_name__icontains=term)
        return queryset.filter(by_name), False

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[LinkOnceChangeList]:
        return LinkOnceChangeList

    # --- Change form ------------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Cases open when work is recorded or a customer is assigned (services do it).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # The form writes through the services as the signed-in user.
        return type(form.__name__, (form,), {"actor": admin_actor(request.user)})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The services write the change; the row is reloaded so that the log entry and the
        # message describe what is stored.
        form.write()
        obj.refresh_from_db()

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        if getattr(form, "changes", None):
            return "Changed " + "; ".join(form.changes) + "."
        return super().construct_change_message(request, form, formsets, add)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None:
            context.update(self._history_context(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _history_context(self, case: CustomerCase) -> dict[str, Any]:
        """The newest assignment versions and case actions of the customer, read-only."""
        cif = case.customer_id
        versions = list(assignment_history(cif=cif)[: HISTORY_ROWS + 1])
        case_actions = case_actions_for_customer(cif=cif).head(HISTORY_ROWS + 1)
        search = urlencode({"q": cif})
        return {
            "history_rows": HISTORY_ROWS,
            "assignment_versions": versions[:HISTORY_ROWS],
            "more_assignment_versions": len(versions) > HISTORY_ROWS,
            "assignment_history_url": (
                f"{reverse('admin:assignments_customeragent_changelist')}?{search}"
            ),
            "case_actions": case_actions[:HISTORY_ROWS],
            "more_case_actions": len(case_actions) > HISTORY_ROWS,
            "case_actions_url": f"{reverse('admin:cases_customercaseaction_changelist')}?{search}",
            "business_time_zone": str(business_zone()),
        }

    # --- Bulk assignment --------------------------------------------------------------------

    @admin.action(description=BULK_ASSIGN_ACTION, permissions=["change"])
    def assign_to_agents(
        self, request: HttpRequest, queryset: QuerySet[CustomerCase]
    ) -> TemplateResponse | None:
        """Intermediate page choosing the agents, then one assignment per selected customer."""
        cases = list(
            queryset.select_related(
                "customer", "assigned_call_agent", "assigned_field_agent"
            ).order_by("customer_id")[: MAX_BULK_ASSIGN + 1]
        )
        if len(cases) > MAX_BULK_ASSIGN:
            self.message_user(
                request,
                f"Select at most {MAX_BULK_ASSIGN} customers for one bulk assignment; "
                "narrow the list with the filters.",
                messages.ERROR,
            )
            return None
        form = AssignAgentsForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._assign_in_bulk(
                request, cases, form.cleaned_data["call_agent"], form.cleaned_data["field_agent"]
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Assign customers to agents",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "cases": cases,
            "action_name": "assign_to_agents",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/cases/customercase/assign_agents.html", context)

    def _assign_in_bulk(
        self,
        request: HttpRequest,
        cases: list[CustomerCase],
        call_agent: Agent | None,
        field_agent: Agent | None,
    ) -> None:
        """``assignment_assign`` for each case, each in its own transaction with its log entry."""
        actor = admin_actor(request.user)
        wanted = {"assigned_call_agent": call_agent, "assigned_field_agent": field_agent}
        changed: list[str] = []
        unchanged: list[str] = []
        failed: list[str] = []
        for case in cases:
            cif = case.customer_id
            try:
                with transaction.atomic():
                    # Locked and read again, so that the log tells what really changed.
                    current = CustomerCase.objects.select_for_update().filter(pk=case.pk).first()
                    if current is None:
                        failed.append(f"{cif}: the case no longer exists")
                        continue
                    _, was_changed = assignment_assign(
                        actor=actor,
                        cif=cif,
                        call_agent_id=call_agent.id if call_agent else UNSET,
                        field_agent_id=field_agent.id if field_agent else UNSET,
                    )
                    if was_changed:
                        what = "; ".join(
                            f"{name.removeprefix('assigned_').replace('_', ' ')}: "
                            f"{agent_label(getattr(current, name))} → {agent_label(new)}"
                            for name, new in wanted.items()
                            if new is not None and getattr(current, f"{name}_id") != new.id
                        )
                        self.log_change(
                            request,
                            current,
                            f"Changed {what} (via bulk action '{BULK_ASSIGN_ACTION}').",
                        )
            except DomainError as exc:
                failed.append(f"{cif}: {exc.message.rstrip('.')}")
                continue
            (changed if was_changed else unchanged).append(cif)
        if changed:
            self.message_user(
                request, f"Assigned {len(changed)} customer(s): {_cifs(changed)}.", messages.SUCCESS
            )
        if unchanged:
            self.message_user(
                request,
                f"{len(unchanged)} customer(s) already had these agents, nothing changed: "
                f"{_cifs(unchanged)}.",
                messages.INFO,
            )
        if failed:
            self.message_user(
                request,
                f"{len(failed)} customer(s) could not be assigned: {'; '.join(failed[:20])}"
                + (f"; and {len(failed) - 20} more." if len(failed) > 20 else "."),
                messages.ERROR,
            )
