"""Back-office of the case status history (the case page itself: ``assignments.case_admin``)."""

from __future__ import annotations

from django.contrib import admin

from agents.admin_filters import CaseActionAgentTeamFilter
from cases.models import STATUS_FIELDS, CustomerCaseAction
from workflow.admin_base import ExactCifSearchAdmin
from workflow.admin_pagination import EstimatedCountPaginator


@admin.register(CustomerCaseAction)
class CustomerCaseActionAdmin(ExactCifSearchAdmin):
    """The status inputs agents recorded on cases (read-only: agents record them in the CRM)."""

    list_display = ["action_date", "cif", "agent", *STATUS_FIELDS, "notes"]
    list_select_related = ["agent"]
    list_filter = [CaseActionAgentTeamFilter, "customer_status", "processing_state_status"]
    sortable_by = ["action_date"]
    search_fields = ["=customer__cif"]
    search_help_text = "An exact cif, e.g. C00000001."
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description="cif", ordering="customer_id")
    def cif(self, action: CustomerCaseAction) -> str:
        return action.customer_id
