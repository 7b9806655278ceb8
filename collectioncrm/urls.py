"""Root URL configuration."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from workflow import views

API_PREFIX = "api/v1/collection/"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path(API_PREFIX, views.api_root, name="api-root"),
    path(f"{API_PREFIX}schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        f"{API_PREFIX}docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]
