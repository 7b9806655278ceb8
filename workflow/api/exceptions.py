"""One exception handler turns every error into the envelope (views never catch one by one)."""

from __future__ import annotations

import logging
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from workflow.api.envelope import error_body, fail
from workflow.errors import DomainError, Throttled

logger = logging.getLogger(__name__)


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, str]]:
    """``{"visitLocation": {"latitude": ["..."]}}`` → ``[{field: "visitLocation.latitude"}]``."""
    if isinstance(detail, dict):
        errors: list[dict[str, str]] = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else str(key)
            nested = f"{field}.{name}" if field and name else (name or field)
            errors.extend(_flatten(value, nested))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, value in enumerate(detail):
            nested = f"{field}[{index}]" if isinstance(value, dict | list) and field else field
            errors.extend(_flatten(value, nested))
        return errors
    error = {"code": "VALIDATION_ERROR", "message": str(detail)}
    if field:
        error["field"] = field
        error["message"] = f"{field}: {detail}"
    return [error]


def service_unavailable(exc: Exception) -> Response:
    """503 ``SERVICE_UNAVAILABLE`` for a database that cannot be reached (logged, not traced)."""
    logger.warning(
        "database unavailable: %s", str(exc).strip().splitlines()[0] if str(exc) else exc
    )
    response = fail(
        status=503, code="SERVICE_UNAVAILABLE", message="The database is unavailable; try again."
    )
    response["Retry-After"] = "1"
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: domain and framework errors → envelope with a stable code."""
    if isinstance(exc, DomainError):
        response = fail(status=exc.status, code=exc.code, message=exc.message, field=exc.field)
        if isinstance(exc, Throttled):
            response["Retry-After"] = str(exc.retry_after)
        if exc.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        message = errors[0]["message"] if len(errors) == 1 else "The request has invalid fields."
        return Response(error_body(message, errors), status=400)
    if isinstance(exc, RequestDataTooBig):
        return fail(
            status=413,
            code="PAYLOAD_TOO_LARGE",
            message=f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
        )
    if isinstance(exc, exceptions.ParseError):
        return fail(status=400, code="VALIDATION_ERROR", message=f"Malformed request: {exc}")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response = fail(status=401, code="AUTH_REQUIRED", message=str(exc.detail))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
        message = str(getattr(exc, "detail", "")) or "You do not have permission to do this."
        return fail(status=403, code="FORBIDDEN", message=message)
    if isinstance(exc, exceptions.NotFound | Http404):
        return fail(status=404, code="NOT_FOUND", message="Not found.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return fail(status=405, code="METHOD_NOT_ALLOWED", message=str(exc.detail))
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return fail(status=415, code="UNSUPPORTED_MEDIA_TYPE", message=str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        response = fail(status=429, code="TOO_MANY_ATTEMPTS", message=str(exc.detail))
        wait = getattr(exc, "wait", None)
        if wait is not None:
            response["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
    if isinstance(exc, exceptions.APIException):
        return fail(status=exc.status_code, code="ERROR", message=str(exc.detail))
    if isinstance(exc, OperationalError | InterfaceError):
        # PostgreSQL unreachable, restarting or the connection cut mid-request: the transaction
        # was rolled back (or, for a cut COMMIT, its outcome is unknown); the client may retry.
        return service_unavailable(exc)
    logger.exception("unhandled error in API view", extra={"view": repr(context.get("view"))})
    return fail(status=500, code="INTERNAL_ERROR", message="An unexpected error occurred.")
