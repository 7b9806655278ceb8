"""Filters of the agent list, applied by ``agents.selectors.agents_list``.

The values come validated (``agents.api.serializers.AgentListFilters`` answers a 400 naming
the field, where django-filter would ignore ``isActive=maybe``); ``None`` means any.
"""

from __future__ import annotations

import django_filters

from agents.models import Agent
from workflow.enums import AgentType
from workflow.filtering import FilterSet


class AgentFilter(FilterSet):
    type = django_filters.ChoiceFilter(choices=AgentType.choices)
    team = django_filters.CharFilter(help_text="Exact team name.")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Agent
        fields = ("type", "team", "is_active")
