from __future__ import annotations

from django.urls import path

from workflow.auth import views

urlpatterns = [
    path("login", views.LoginView.as_view(), name="auth-login"),
    path("logout", views.LogoutView.as_view(), name="auth-logout"),
    path("token/refresh", views.RefreshView.as_view(), name="auth-refresh"),
]
