"""Routes of the agents API, relative to ``/api/v1/collection/``."""

from __future__ import annotations

from django.urls import path

from agents import views

urlpatterns = [
    path("agents", views.AgentsView.as_view(), name="agents"),
    # Before agents/<uuid:agent_id>/...: "performance" is no uuid, but keep the literal first.
    path(
        "agents/performance",
        views.AgentsPerformanceView.as_view(),
        name="agents-performance-ranking",
    ),
    path("agents/link-user", views.AgentLinkUserView.as_view(), name="agents-link-user"),
    path("agents/by-user/<uuid:user_id>", views.AgentByUserView.as_view(), name="agents-by-user"),
    path("agents/<uuid:agent_id>", views.AgentDetailView.as_view(), name="agents-detail"),
    path(
        "agents/<uuid:agent_id>/performance",
        views.AgentPerformanceView.as_view(),
        name="agents-performance",
    ),
    path(
        "teams/<str:team>/performance",
        views.TeamPerformanceView.as_view(),
        name="teams-performance",
    ),
    path("users/<uuid:user_id>/agent", views.UserAgentView.as_view(), name="users-agent"),
]
