"""An unreachable database is 503 SERVICE_UNAVAILABLE in the envelope, in the API's exception
handler and in the handler500 safety net (errors outside DRF), never a 500."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from workflow.api.exceptions import exception_handler
from workflow.views import server_error


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_503_when_the_database_is_unreachable(error: type[Exception]) -> None:
    response = exception_handler(error("connection refused"), {})
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.data["errors"][0]["code"] == "SERVICE_UNAVAILABLE"
    assert response.data["success"] is False


def test_the_500_handler_answers_503_for_a_database_error_and_500_otherwise() -> None:
    request = RequestFactory().get("/admin/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert json.loads(response.content)["errors"][0]["code"] == "SERVICE_UNAVAILABLE"
    try:
        raise RuntimeError("bug")
    except RuntimeError:
        response = server_error(request)
    assert response.status_code == 500
