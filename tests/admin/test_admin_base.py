"""The changelist shortcuts of workflow.admin_base write exactly what Django would."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList

from agents.models import Agent
from tests.factories import AgentFactory
from workflow.admin_base import LinkOnceChangeList, action_checkbox

pytestmark = pytest.mark.django_db


def test_the_row_checkbox_is_the_html_django_renders() -> None:
    agent = AgentFactory(name='Lan "Pham" <b>&', employee_id="E-1")
    agent_admin = admin.site._registry[Agent]

    assert action_checkbox(agent_admin, agent) == admin.ModelAdmin.action_checkbox(
        agent_admin, agent
    )


@pytest.mark.parametrize(
    "pk", ["5f0c8a9e-6a4e-4c59-9d4e-0d3b0f6c2a11", "a/b_c d?é#%:", "_5F", "PK0PLACEHOLDER"]
)
def test_the_change_link_is_the_url_django_reverses_for_any_key(pk: str) -> None:
    changelist = LinkOnceChangeList.__new__(LinkOnceChangeList)  # only what links need
    changelist.opts = Agent._meta
    changelist.pk_attname = "id"
    changelist.model_admin = admin.site._registry[Agent]
    rows = [SimpleNamespace(id=pk), SimpleNamespace(id="other")]

    for row in rows:  # the second one from the URL resolved for the first
        assert changelist.url_for_result(row) == ChangeList.url_for_result(changelist, row)
