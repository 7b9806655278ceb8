"""Routes of the assignment endpoints, relative to ``/api/v1/collection/``."""

from __future__ import annotations

from django.urls import path

from assignments import views

urlpatterns = [
    path("assignments", views.AssignmentsView.as_view(), name="assignments"),
    path(
        "assignments/agent/<uuid:agent_id>",
        views.AgentAssignmentsView.as_view(),
        name="assignments-for-agent",
    ),
    path(
        "assignments/pending-reassignment",
        views.PendingReassignmentView.as_view(),
        name="assignments-pending-reassignment",
    ),
    path(
        "assignments/history/<str:cif>",
        views.AssignmentHistoryView.as_view(),
        name="assignments-history",
    ),
    path(
        "assignments/<uuid:assignment_id>",
        views.AssignmentView.as_view(),
        name="assignments-detail",
    ),
]
