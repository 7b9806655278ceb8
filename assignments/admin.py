"""Back-office list of the assignment history (``customer_agents``), read-only.

The database trigger on ``customer_cases`` writes every version; change a customer's agents
on its case (Cases > Customer cases) instead. The table is partitioned and large, so the list
is ordered by cif (an index), sorts by nothing else, searches an exact cif and counts with the
planner's estimate when unfiltered.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from assignments.models import CustomerAgent
from cases.admin import AgentTeamFilter
from workflow.admin_pagination import EstimatedCountPaginator


class CallAgentTeamFilter(AgentTeamFilter):
    title = "call agent's team"
    parameter_name = "call_team"
    agent_field = "assigned_call_agent"


class FieldAgentTeamFilter(AgentTeamFilter):
    title = "field agent's team"
    parameter_name = "field_team"
    agent_field = "assigned_field_agent"


@admin.register(CustomerAgent)
class CustomerAgentAdmin(admin.ModelAdmin):
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
    show_facets = admin.ShowFacets.NEVER
    actions = None

    @admin.display(description="cif", ordering="customer_id")
    def cif(self, version: CustomerAgent) -> str:
        return version.customer_id

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CustomerAgent], search_term: str
    ) -> tuple[QuerySet[CustomerAgent], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(customer_id__in={term, term.upper()}), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
