"""The supervisors' team dashboard in the admin (``/admin/reports/team-dashboard/``).

A plain admin view, wired by the project's URLconf in front of the admin's own URLs under the
name ``team-dashboard``; the admin index and the Cases app page link to it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse

from agents.selectors import agent_teams
from reports.dashboard import bar_chart_svg, team_dashboard
from reports.forms import DashboardForm
from workflow.business_time import business_zone

# Agents in a dashboard chart, the busiest first (the table lists them all).
CHART_AGENTS = 25


def team_dashboard_view(request: HttpRequest) -> TemplateResponse:
    """Per team and per agent figures over a period (see :mod:`reports.dashboard`).

    Wrap it in ``admin.site.admin_view`` (staff sign-in); it needs the view permissions of
    cases and action records.
    """
    if not (
        request.user.has_perm("cases.view_customercase")
        and request.user.has_perm("actions.view_actionrecord")
    ):
        raise PermissionDenied
    teams = agent_teams()
    form = DashboardForm(request.GET, teams=teams)
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": "Team dashboard",
        "subtitle": None,
        "form": form,
        "business_time_zone": str(business_zone()),
    }
    if form.is_valid():
        start, end, team = form.period()
        dashboard = team_dashboard(start=start, end=end, team=team)
        busiest = sorted(dashboard.agents, key=lambda row: -row.figures.actions)
        context.update(
            form=DashboardForm(
                initial={"start_date": start, "end_date": end, "team": team or ""},
                teams=teams,
            ),
            dashboard=dashboard,
            team_chart=bar_chart_svg(
                [
                    (row.team, row.figures.actions, row.figures.successful)
                    for row in dashboard.teams
                ],
                title=f"Actions and successful actions per team, {start} to {end}",
            ),
            agent_chart=bar_chart_svg(
                [
                    (row.name, row.figures.actions, row.figures.successful)
                    for row in busiest[:CHART_AGENTS]
                ],
                title=f"Actions and successful actions per agent, {start} to {end}",
            ),
            chart_agents=CHART_AGENTS,
            more_agents=len(busiest) > CHART_AGENTS,
        )
    return TemplateResponse(request, "admin/reports/dashboard.html", context)
