"""Back-office lists of the assignment history (``customer_agents``) and of the customers
waiting for reassignment (``reassignment_flags``), both read-only.

The database trigger on ``customer_cases`` writes every version; change a customer's agents
on its case (Cases > Customer cases) instead. The table is partitioned and large, so the list
is ordered by cif (an index), sorts by nothing else, searches an exact cif and counts with the
planner's estimate when unfiltered. The case page itself (statuses and agents, bulk
assignment) is registered by :mod:`assignments.case_admin`, imported here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from agents.admin_filters import AgentTeamFilter, CallAgentTeamFilter, FieldAgentTeamFilter
from assignments.case_admin import BULK_ASSIGN_ACTION
from assignments.models import CustomerAgent, ReassignmentFlag
from workflow.admin_base import ExactCifSearchAdmin
from workflow.admin_pagination import EstimatedCountPaginator


@admin.register(CustomerAgent)
class CustomerAgentAdmin(ExactCifSearchAdmin):
    """Every version of every customer's assignment, as the trigger wrote it."""

    list_display = [
        "cif",
        "assigned_call_agent",
        "assigned_field_agent",
        "start_date",
        "end_date",
        "is_current",
    ]
    list_select_related = ["assigned_call_agent", "assigned_field_agent"]
    list_filter = ["is_current", CallAgentTeamFilter, FieldAgentTeamFilter]
    # The cif index serves the order; the date breaks ties within one customer.
    ordering = ["customer_id", "-start_date", "-created_at"]
    sortable_by = ()
    search_fields = ["customer_id"]
    search_help_text = "An exact cif, e.g. C00000001."
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description="cif", ordering="customer_id")
    def cif(self, version: CustomerAgent) -> str:
        return version.customer_id


class FlagAgentTeamFilter(AgentTeamFilter):
    title = "agent's team"
    parameter_name = "team"
    agent_field = "agent"


class FlagStateFilter(admin.SimpleListFilter):
    """Open flags (the default) or resolved ones."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ReassignmentFlag]
    ) -> QuerySet[ReassignmentFlag]:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


def cases_changelist_url(cifs: list[str]) -> str:
    """The customer cases list narrowed to ``cifs`` (where the bulk assignment runs)."""
    query = urlencode({"customer_id__in": ",".join(cifs)})
    return f"{reverse('admin:cases_customercase_changelist')}?{query}"


@admin.register(ReassignmentFlag)
class ReassignmentFlagAdmin(ExactCifSearchAdmin):
    """Customers to take from an agent (its user was deactivated), read-only.

    Fix them in Cases > Customer cases: the action below (or the link of a row) opens that
    list narrowed to the chosen customers, where the bulk action assigns new agents; assigning
    a customer away from the flagged agent resolves its flag.
    """

    list_display = [
        "cif",
        "customer_name",
        "agent",
        "role",
        "reason",
        "flagged_at",
        "resolved_at",
        "resolved_by",
        "reassign",
    ]
    list_select_related = ["customer", "agent"]
    list_filter = [FlagStateFilter, "role", FlagAgentTeamFilter]
    ordering = ["flagged_at", "id"]
    sortable_by = ["flagged_at"]
    search_fields = ["customer_id"]
    search_help_text = "An exact cif, e.g. C00000001."
    actions = ["open_in_cases"]

    @admin.display(description="cif", ordering="customer_id")
    def cif(self, flag: ReassignmentFlag) -> str:
        return flag.customer_id

    @admin.display(description="customer name")
    def customer_name(self, flag: ReassignmentFlag) -> str:
        return flag.customer.display_name

    @admin.display(description="reassign")
    def reassign(self, flag: ReassignmentFlag) -> str:
        if flag.resolved_at is not None:
            return ""
        return format_html('<a href="{}">open case</a>', cases_changelist_url([flag.customer_id]))

    @admin.action(description=f"Open in Customer cases (then: {BULK_ASSIGN_ACTION})")
    def open_in_cases(
        self, request: HttpRequest, queryset: QuerySet[ReassignmentFlag]
    ) -> HttpResponseRedirect:
        cifs = sorted({str(cif) for cif in queryset.values_list("customer_id", flat=True)})
        return HttpResponseRedirect(cases_changelist_url(cifs))
