"""Plain regression tests for the 500s that the hostile-input table (test_hostile_input.py)
found: each was an unhandled exception, now a 4xx in the envelope."""

from __future__ import annotations

import pytest
from django.conf import settings

from agents.models import Agent
from tests.api import agent_client, client_for, envelope_error
from tests.factories import CrmUserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection"
AGENT = {"employeeId": "E-REG", "name": "Reg", "email": "reg@bank.test", "type": "AGENT"}


def _post_raw(body: bytes) -> object:
    client = client_for(CrmUserFactory(role="ADMIN"))
    return client.generic("POST", f"{BASE}/agents", body, content_type="application/json")


def test_a_body_over_the_upload_limit_is_413_not_500() -> None:
    # RequestDataTooBig reached the exception handler as an unknown error.
    body = b'{"name": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'

    envelope_error(_post_raw(body), 413, "PAYLOAD_TOO_LARGE")


def test_a_body_nested_10000_deep_is_400_not_500() -> None:
    # json.load raised RecursionError, which DRF's parser does not catch.
    envelope_error(_post_raw(b"[" * 10_000 + b"]" * 10_000), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_a_non_finite_number_is_400_naming_the_field(token: str) -> None:
    body = b'{"employeeId": "E-REG", "team": %s}' % token.encode()

    envelope_error(_post_raw(body), 400, "VALIDATION_ERROR", field="team")


def test_a_duplicated_key_is_400_naming_it_and_nothing_is_stored() -> None:
    # Python keeps the last value, other parsers the first: the body means two things.
    body = (
        b'{"employeeId": "E-REG", "name": "Reg", "email": "reg@bank.test", "type": "AGENT",'
        b' "team": "Team A", "team": "Team B"}'
    )

    envelope_error(_post_raw(body), 400, "VALIDATION_ERROR", field="team")
    assert not Agent.objects.filter(employee_id="E-REG").exists()


def test_a_duplicated_key_of_a_nested_object_names_its_path() -> None:
    client, _ = agent_client()
    body = b'{"visitLocation": {"latitude": 10, "latitude": 11, "longitude": 106}}'

    response = client.generic("POST", f"{BASE}/actions", body, content_type="application/json")

    envelope_error(response, 400, "VALIDATION_ERROR", field="visitLocation.latitude")


def test_a_nul_byte_in_a_query_filter_is_400_naming_it() -> None:
    # PostgreSQL refused the NUL inside the driver: DataError, a 500.
    client = client_for(CrmUserFactory(role="ADMIN"))

    response = client.get(f"{BASE}/agents", {"team": "Team\x00A"})

    envelope_error(response, 400, "VALIDATION_ERROR", field="team")


def test_a_nul_byte_in_a_path_parameter_is_400_naming_it() -> None:
    client = client_for(CrmUserFactory(role="ADMIN"))

    response = client.get(f"{BASE}/cases/status/C%00001")

    envelope_error(response, 400, "VALIDATION_ERROR", field="cif")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_filter_at_the_ends_of_the_calendar_is_400_naming_it(day: str) -> None:
    # Turning the business day into UTC instants overflowed (OverflowError, a 500).
    client, agent = agent_client("SUPERVISOR")

    response = client.get(f"{BASE}/actions/agent/{agent.id}", {"endDate": day})

    envelope_error(response, 400, "VALIDATION_ERROR", field="endDate")


def test_a_dpd_bound_beyond_the_column_is_400_naming_it() -> None:
    client = client_for(CrmUserFactory(role="ADMIN"))

    response = client.get(f"{BASE}/reports/customer-collection-status", {"maxDpd": str(2**63)})

    envelope_error(response, 400, "VALIDATION_ERROR", field="maxDpd")
