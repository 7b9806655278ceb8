"""Root URL configuration."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.routers import SimpleRouter

from actions.api.viewsets import ActionViewSet
from agents.api.viewsets import AgentViewSet, UserAgentViewSet
from assignments.api.viewsets import AssignmentViewSet
from cases.api.viewsets import CaseViewSet
from contacts.api.viewsets import ContactAttemptViewSet, ContactPolicyViewSet
from promises.api.viewsets import PromiseViewSet
from reports.admin import team_dashboard_view
from reports.api.viewsets import (
    AgentPerformanceViewSet,
    CaseStatusViewSet,
    CollectionStatusReportViewSet,
    TeamPerformanceViewSet,
)
from workflow import views
from workflow.auth.admin_forms import ThrottledAdminAuthenticationForm

admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.index_template = "admin/reports/site_index.html"
admin.site.site_header = "CollectionCRM workflow"
admin.site.site_title = "CollectionCRM workflow"

API_PREFIX = settings.API_PREFIX  # "api/v1/collection/" unless set otherwise

# Every endpoint of the collection API: no trailing slash, typed path converters (uuid lookups).
router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("agents", AgentViewSet, basename="agent")
router.register("users", UserAgentViewSet, basename="user-agent")
router.register("actions", ActionViewSet, basename="action")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("cases", CaseViewSet, basename="case")
router.register("contact-attempts", ContactAttemptViewSet, basename="contact-attempt")
router.register("contact-policy", ContactPolicyViewSet, basename="contact-policy")
router.register("promises", PromiseViewSet, basename="promise")
# Reports share the agents prefix (agents/performance, agents/{id}/performance): the uuid
# lookup of AgentViewSet never captures the literal "performance".
router.register("agents", AgentPerformanceViewSet, basename="agent-performance")
router.register("cases", CaseStatusViewSet, basename="case-status")
router.register("teams", TeamPerformanceViewSet, basename="team-performance")
router.register("reports", CollectionStatusReportViewSet, basename="report")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Before the admin's own URLs: the team dashboard is an admin page of the reports app.
    path(
        "admin/reports/team-dashboard/",
        admin.site.admin_view(team_dashboard_view),
        name="team-dashboard",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/auth/", include("workflow.auth.urls")),
    path(API_PREFIX, views.api_root, name="api-root"),
    path(f"{API_PREFIX}schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        f"{API_PREFIX}docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path(
        f"{API_PREFIX}redoc/",
        SpectacularRedocView.as_view(url_name="api-schema"),
        name="api-redoc",
    ),
    path(API_PREFIX, include(router.urls)),
]

handler404 = "workflow.views.not_found"
handler500 = "workflow.views.server_error"
