"""``/api/v1/auth/login``, ``/logout`` and ``/token/refresh``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.fields import JsonInput
from workflow.api.schema import enveloped, errors
from workflow.auth import services
from workflow.auth.throttle import client_ip


class LoginInput(JsonInput):
    username = serializers.CharField(max_length=50)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


class RefreshInput(JsonInput):
    refreshToken = serializers.CharField()


class UserOutput(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    email = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    permissions = serializers.ListField(child=serializers.CharField())


TOKENS_FIELDS: dict[str, serializers.Field] = {
    "token": serializers.CharField(),
    "refreshToken": serializers.CharField(),
    "expiresAt": serializers.DateTimeField(),
}


def _iso(value: Any) -> str:
    return str(value.isoformat().replace("+00:00", "Z"))


class LoginView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"],
        summary="Log in with CRM credentials",
        description=(
            "Checks the username and bcrypt password in auth_service.users (inactive users are "
            "refused), opens a Redis session auth:session:<sessionId> and returns an access "
            "token, a single-use refresh token and the access token's expiry. After "
            "LOGIN_MAX_FAILURES_PER_USER failures for a username, or LOGIN_MAX_FAILURES_PER_IP "
            "from one address, within LOGIN_FAILURE_WINDOW_SECONDS, logins answer 429."
        ),
        request=LoginInput,
        responses={
            200: enveloped(
                "LoginEnvelope",
                inline_serializer("LoginData", fields={"user": UserOutput(), **TOKENS_FIELDS}),
            ),
            **errors(400, 429),
        },
    )
    def post(self, request: Request) -> Response:
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.login(
            username=data.validated_data["username"],
            password=data.validated_data["password"],
            ip=client_ip(request),
        )
        return ok(
            {
                "user": issued.user,
                "token": issued.token,
                "refreshToken": issued.refresh_token,
                "expiresAt": _iso(issued.expires_at),
            },
            message="Logged in.",
        )


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="Log out",
        description="Deletes the caller's session: every token of that session stops working.",
        request=None,
        responses={
            200: enveloped("LogoutEnvelope", serializers.JSONField(allow_null=True)),
            **errors(),
        },
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, Actor)
        services.logout(actor=request.user)
        return ok(None, message="Logged out.")


class RefreshView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"],
        summary="Exchange a refresh token for new tokens",
        description=(
            "Each refresh token works once; presenting a used one ends the session (401)."
        ),
        request=RefreshInput,
        responses={
            200: enveloped("RefreshEnvelope", inline_serializer("RefreshData", TOKENS_FIELDS)),
            **errors(400),
        },
    )
    def post(self, request: Request) -> Response:
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.refresh(refresh_token=data.validated_data["refreshToken"])
        return ok(
            {
                "token": issued.token,
                "refreshToken": issued.refresh_token,
                "expiresAt": _iso(issued.expires_at),
            },
            message="Token refreshed.",
        )
