"""Routes of the agents API, relative to ``/api/v1/collection/``."""

from __future__ import annotations

from django.urls import path

from agents import views

urlpatterns = [
    path("agents", views.AgentsView.as_view(), name="agents"),
    path("agents/link-user", views.AgentLinkUserView.as_view(), name="agents-link-user"),
    path("agents/by-user/<uuid:user_id>", views.AgentByUserView.as_view(), name="agents-by-user"),
    path("agents/<uuid:agent_id>", views.AgentDetailView.as_view(), name="agents-detail"),
    path(
        "agents/<uuid:agent_id>/performance",
        views.AgentPerformanceView.as_view(),
        name="agents-performance",
    ),
    path("users/<uuid:user_id>/agent", views.UserAgentView.as_view(), name="users-agent"),
]
