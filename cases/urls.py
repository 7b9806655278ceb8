"""Routes of the case endpoints, relative to ``/api/v1/collection/``."""

from __future__ import annotations

from django.urls import path

from cases import views

urlpatterns = [
    path("cases", views.CaseActionsView.as_view(), name="cases"),
    path(
        "cases/customer/<str:cif>",
        views.CustomerCaseActionsView.as_view(),
        name="cases-for-customer",
    ),
    path("cases/status/<str:cif>", views.CaseStatusView.as_view(), name="cases-status"),
    path(
        "reports/customer-collection-status",
        views.CollectionStatusReportView.as_view(),
        name="reports-customer-collection-status",
    ),
]
