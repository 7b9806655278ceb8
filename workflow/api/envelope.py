"""The response envelope of DESIGN.md §4: ``{success, data, message, errors}``."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response


def ok(data: Any = None, *, message: str = "", status: int = 200) -> Response:
    """A success envelope."""
    return Response(
        {"success": True, "data": data, "message": message, "errors": []}, status=status
    )


def error_body(message: str, errors: list[dict[str, str]]) -> dict[str, Any]:
    """The body of a failure envelope; each error is ``{code, message[, field]}``."""
    return {"success": False, "data": None, "message": message, "errors": errors}


def fail(*, status: int, code: str, message: str, field: str | None = None) -> Response:
    """A failure envelope with one error."""
    error = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return Response(error_body(message, [error]), status=status)
