"""Filters of the assignment lists, applied by ``assignments.selectors.assignments_for_agent``
and ``assignments.flags.reassignment_flags_pending``.

The values come validated where the API validates them (``PendingReassignmentFilters``);
``None`` means any.
"""

from __future__ import annotations

import django_filters

from assignments.models import CustomerAgent, ReassignmentFlag
from workflow.filtering import FilterSet


class AssignmentFilter(FilterSet):
    # strip=False: the cif is matched exactly as given.
    cif = django_filters.CharFilter(field_name="customer_id", strip=False)

    class Meta:
        model = CustomerAgent
        fields = ("cif",)


class ReassignmentFlagFilter(FilterSet):
    team = django_filters.CharFilter(field_name="agent__team", strip=False)
    agent_id = django_filters.UUIDFilter()

    class Meta:
        model = ReassignmentFlag
        fields = ("team", "agent_id")
