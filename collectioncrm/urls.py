"""Root URL configuration."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from workflow import views
from workflow.auth.admin_forms import ThrottledAdminAuthenticationForm

admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.index_template = "admin/cases/site_index.html"
admin.site.site_header = "CollectionCRM workflow"
admin.site.site_title = "CollectionCRM workflow"

API_PREFIX = settings.API_PREFIX  # "api/v1/collection/" unless set otherwise

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/auth/", include("workflow.auth.urls")),
    path(API_PREFIX, views.api_root, name="api-root"),
    path(f"{API_PREFIX}schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        f"{API_PREFIX}docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path(API_PREFIX, include("agents.urls")),
    path(API_PREFIX, include("actions.urls")),
    path(API_PREFIX, include("assignments.urls")),
    path(API_PREFIX, include("cases.urls")),
]

handler404 = "workflow.views.not_found"
handler500 = "workflow.views.server_error"
