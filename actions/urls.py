"""Routes of the action endpoints, relative to ``/api/v1/collection/``."""

from __future__ import annotations

from django.urls import path

from actions import views

urlpatterns = [
    path("actions", views.ActionCreateView.as_view(), name="action-create"),
    path(
        "actions/customer/<str:cif>",
        views.CustomerActionsView.as_view(),
        name="actions-for-customer",
    ),
    path(
        "actions/loan/<str:accountNumber>",
        views.LoanActionsView.as_view(),
        name="actions-for-loan",
    ),
    path(
        "actions/agent/<uuid:agentId>",
        views.AgentActionsView.as_view(),
        name="actions-for-agent",
    ),
    path("actions/<uuid:id>/result", views.ActionResultView.as_view(), name="action-result"),
]
