"""Filters of the reassignment flags, applied by ``assignments.flags.reassignment_flags_pending``.

The values come validated where the API validates them (``PendingReassignmentFilters``);
``None`` means any.
"""

from __future__ import annotations

import django_filters

from assignments.models import ReassignmentFlag
from workflow.filtering import FilterSet


class ReassignmentFlagFilter(FilterSet):
    team = django_filters.CharFilter(field_name="agent__team", strip=False)
    agent_id = django_filters.UUIDFilter()

    class Meta:
        model = ReassignmentFlag
        fields = ("team", "agent_id")
