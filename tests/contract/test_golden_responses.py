"""Golden responses: the HTTP contract of every API operation, frozen byte for byte.

One case per (operation, outcome): each operation under ``/api/v1/collection/`` and
``/api/v1/auth/`` with its success case(s) and every 400 / 401 / 403 / 404 / 409 it answers
today (plus a few 405, 415 and 429). Each case runs against the fixed data set of
``tests/contract/dataset.py`` and compares status, the headers that matter and the exact body
text with ``tests/contract/golden/<case>.json``, after the minimal normalization described in
``tests/contract/golden.py`` (and README.md here).

Regenerate (only when an issue changes the contract on purpose)::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -p no:cacheprovider tests/contract

With ``UPDATE_GOLDEN=1`` each golden file that differs is rewritten and its test FAILS (a
rewrite is never silently green); files that already match pass. Run again without the
variable to see the suite green, and review the rewritten files with ``git diff``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.api import client_for
from tests.contract import golden
from tests.contract.dataset import (
    A_AN,
    A_BINH,
    A_CUONG,
    A_DUNG,
    ACT_1,
    ACT_2,
    ACT_6,
    H_1,
    H_2,
    LATEST_DATA_DATE,
    PROM_1,
    PROM_2,
    PROM_4,
    U_AN,
    U_FREE,
    U_NOAGENT,
    UNKNOWN,
    dataset,
    fixed,
    promises,
)
from tests.factories import TEST_PASSWORD
from workflow.auth import sessions
from workflow.business_time import business_date
from workflow.models import CrmUser

pytestmark = pytest.mark.django_db

API = "/api/v1/collection/"
AUTH = "/api/v1/auth/"
MARCH = "startDate=2026-03-01&endDate=2026-03-20"


@dataclass(frozen=True)
class Case:
    """One request and the name of its golden file (``<operation>__<outcome>``)."""

    name: str
    method: str
    path: str
    actor: str = "an"
    body: Any = None  # JSON, or a function of the setup context returning it
    raw: str | None = None  # a body sent as is (malformed JSON, a form)
    content_type: str = "application/json"
    override: bool = False  # POST with X-HTTP-Method-Override: PUT
    setup: Callable[[dict[str, Any]], None] | None = None


def _login(ctx: dict[str, Any]) -> None:
    response = APIClient().post(
        f"{AUTH}login", {"username": "golden.an", "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    ctx["access"] = response.json()["data"]["token"]
    ctx["refresh"] = response.json()["data"]["refreshToken"]


def _login_and_refresh(ctx: dict[str, Any]) -> None:
    _login(ctx)
    response = APIClient().post(
        f"{AUTH}token/refresh", {"refreshToken": ctx["refresh"]}, format="json"
    )
    assert response.status_code == 200, response.content


def _five_failed_logins(ctx: dict[str, Any]) -> None:
    for _ in range(5):
        response = APIClient().post(
            f"{AUTH}login", {"username": "golden.an", "password": "wrong"}, format="json"
        )
        assert response.status_code == 401, response.content


def _promises(ctx: dict[str, Any]) -> None:
    promises()


def _unauthorized_and_forbidden(
    operation: str, method: str, path: str, body: Any = None, *, forbidden: str = "auditor"
) -> list[Case]:
    """The 401 (no token) and 403 (a role the policy does not grant) of an operation."""
    return [
        Case(f"{operation}__401_no_token", method, path, "anonymous", body),
        Case(f"{operation}__403_{forbidden}_role", method, path, forbidden, body),
    ]


AGENT_BODY = {
    "employeeId": "EMP-G100",
    "name": "Giang Vo",
    "email": "giang@golden.test",
    "phone": "+84900000100",
    "type": "AGENT",
    "team": "Team C",
}
CALL_BODY = {
    "cif": "CIF-G002",
    "loanAccountNumber": "LN-G003",
    "type": "CALL",
    "subtype": "REMINDER_CALL",
    "actionResult": "PROMISE_TO_PAY",
    "actionDate": "2026-03-11T09:30:00+07:00",
    "notes": "Will pay next week.",
    "callTraceId": "TRACE-G100",
}
VISIT_BODY = {
    **CALL_BODY,
    "type": "VISIT",
    "subtype": "FIELD_VISIT",
    "callTraceId": None,
    "visitLocation": {"latitude": 10.7769, "longitude": 106.7009, "address": "1 Le Loi, HCMC"},
}
# Contact reservations of agent An (issue 14), written by the cases' setup: dated in the past,
# so the bodies hold no clock but the release's releasedAt ("<now>").
RESERVED_BY_AN = fixed(301)
CONSUMED_BY_AN = fixed(302)


def _reservations(ctx: dict[str, Any]) -> None:
    from contacts.models import ContactAttempt

    moment = dt.datetime(2026, 3, 11, 2, 30, tzinfo=dt.UTC)
    for attempt_id, status in ((RESERVED_BY_AN, "RESERVED"), (CONSUMED_BY_AN, "CONSUMED")):
        ContactAttempt.objects.create(
            id=attempt_id,
            cif="CIF-G002",
            channel="CALL",
            party="BORROWER",
            contact_point="0903000002",
            status=status,
            attempted_at=moment,
            expires_at=moment + dt.timedelta(minutes=15),
            counts_as_attempt=True,
            action_id=ACT_1 if status == "CONSUMED" else None,
            agent_id=A_AN,
            team="Team A",
            created_by="golden.an",
            created_at=moment,
            updated_at=moment,
        )


AGENT_PATH = f"{API}agents/{A_DUNG}"
RESULT_PATH = f"{API}actions/{ACT_1}/result"
VERSION_PATH = f"{API}assignments/{H_2}"

CASES: list[Case] = [
    # --- GET agents -----------------------------------------------------------------------
    Case("agents_list__200", "GET", f"{API}agents"),
    Case(
        "agents_list__200_filtered", "GET", f"{API}agents?type=AGENT&team=Team%20B&isActive=false"
    ),
    Case("agents_list__200_page_2", "GET", f"{API}agents?page=2&pageSize=2"),
    Case("agents_list__200_past_last_page", "GET", f"{API}agents?page=9"),
    Case("agents_list__400_type", "GET", f"{API}agents?type=BOSS"),
    Case("agents_list__400_is_active", "GET", f"{API}agents?isActive=maybe"),
    Case("agents_list__400_page_size_zero", "GET", f"{API}agents?pageSize=0"),
    Case("agents_list__400_page_size_over_100", "GET", f"{API}agents?pageSize=101"),
    Case("agents_list__400_page_not_a_number", "GET", f"{API}agents?page=abc"),
    *_unauthorized_and_forbidden("agents_list", "GET", f"{API}agents"),
    Case("agents_list__401_not_bearer", "GET", f"{API}agents", "not-bearer"),
    Case("agents_list__401_invalid_token", "GET", f"{API}agents", "invalid-token"),
    Case("agents_list__401_session_revoked", "GET", f"{API}agents", "revoked"),
    Case("agents_list__405_delete", "DELETE", f"{API}agents", "supervisor"),
    # --- POST agents ----------------------------------------------------------------------
    Case("agents_create__201", "POST", f"{API}agents", "supervisor", AGENT_BODY),
    Case(
        "agents_create__201_linked_to_user",
        "POST",
        f"{API}agents",
        "admin",
        {**AGENT_BODY, "userId": str(U_FREE)},
    ),
    Case("agents_create__201_by_permission", "POST", f"{API}agents", "manager", AGENT_BODY),
    Case("agents_create__400_missing_fields", "POST", f"{API}agents", "supervisor", {}),
    Case(
        "agents_create__400_email_and_type",
        "POST",
        f"{API}agents",
        "supervisor",
        {**AGENT_BODY, "email": "not-an-email", "type": "BOSS"},
    ),
    Case(
        "agents_create__400_malformed_json",
        "POST",
        f"{API}agents",
        "supervisor",
        raw='{"employeeId": ',
    ),
    Case(
        "agents_create__415_form",
        "POST",
        f"{API}agents",
        "supervisor",
        raw="employeeId=EMP-G100",
        content_type="application/x-www-form-urlencoded",
    ),
    *_unauthorized_and_forbidden(
        "agents_create", "POST", f"{API}agents", AGENT_BODY, forbidden="an"
    ),
    Case(
        "agents_create__403_user_id_out_of_scope",
        "POST",
        f"{API}agents",
        "supervisor",
        {**AGENT_BODY, "userId": str(U_FREE)},
    ),
    Case(
        "agents_create__404_unknown_user",
        "POST",
        f"{API}agents",
        "admin",
        {**AGENT_BODY, "userId": str(UNKNOWN)},
    ),
    Case(
        "agents_create__409_employee_id",
        "POST",
        f"{API}agents",
        "supervisor",
        {**AGENT_BODY, "employeeId": "EMP-G001"},
    ),
    Case(
        "agents_create__409_email_any_case",
        "POST",
        f"{API}agents",
        "supervisor",
        {**AGENT_BODY, "email": "An@Golden.Test"},
    ),
    Case(
        "agents_create__409_user_linked",
        "POST",
        f"{API}agents",
        "admin",
        {**AGENT_BODY, "userId": str(U_AN)},
    ),
    # --- PUT agents/{id} ------------------------------------------------------------------
    Case("agents_update__200", "PUT", AGENT_PATH, "supervisor", {"team": "Team C", "phone": None}),
    Case(
        "agents_update__200_method_override",
        "POST",
        AGENT_PATH,
        "supervisor",
        {"name": "Dung Pham Van", "isActive": False},
        override=True,
    ),
    Case("agents_update__400_empty", "PUT", AGENT_PATH, "supervisor", {}),
    Case("agents_update__400_is_active", "PUT", AGENT_PATH, "supervisor", {"isActive": "perhaps"}),
    *_unauthorized_and_forbidden("agents_update", "PUT", AGENT_PATH, {"team": "X"}, forbidden="an"),
    Case(
        "agents_update__404_unknown", "PUT", f"{API}agents/{UNKNOWN}", "supervisor", {"team": "X"}
    ),
    Case("agents_update__404_not_a_uuid", "PUT", f"{API}agents/abc", "supervisor", {"team": "X"}),
    Case(
        "agents_update__409_email",
        "PUT",
        AGENT_PATH,
        "supervisor",
        {"email": "BINH@golden.test"},
    ),
    Case("agents_update__405_get", "GET", AGENT_PATH, "supervisor"),
    # --- GET agents/{id}/performance ------------------------------------------------------
    Case("agent_performance__200", "GET", f"{API}agents/{A_AN}/performance?{MARCH}"),
    Case("agent_performance__200_field_agent", "GET", f"{API}agents/{A_BINH}/performance?{MARCH}"),
    Case("agent_performance__200_no_activity", "GET", f"{API}agents/{A_DUNG}/performance?{MARCH}"),
    Case(
        "agent_performance__400_date",
        "GET",
        f"{API}agents/{A_AN}/performance?startDate=2026-13-01&endDate=2026-03-20",
    ),
    Case(
        "agent_performance__400_start_after_end",
        "GET",
        f"{API}agents/{A_AN}/performance?startDate=2026-03-20&endDate=2026-03-01",
    ),
    Case(
        "agent_performance__400_period_too_long",
        "GET",
        f"{API}agents/{A_AN}/performance?startDate=2025-01-01&endDate=2026-03-20",
    ),
    *_unauthorized_and_forbidden(
        "agent_performance", "GET", f"{API}agents/{A_AN}/performance?{MARCH}"
    ),
    Case("agent_performance__404", "GET", f"{API}agents/{UNKNOWN}/performance?{MARCH}"),
    # --- GET agents/performance -----------------------------------------------------------
    Case("agents_ranking__200", "GET", f"{API}agents/performance?{MARCH}"),
    Case("agents_ranking__200_team", "GET", f"{API}agents/performance?{MARCH}&team=Team%20B"),
    Case("agents_ranking__200_page_2", "GET", f"{API}agents/performance?{MARCH}&page=2&pageSize=1"),
    Case("agents_ranking__400_end_date", "GET", f"{API}agents/performance?endDate=yesterday"),
    Case("agents_ranking__400_page_size", "GET", f"{API}agents/performance?{MARCH}&pageSize=-1"),
    *_unauthorized_and_forbidden("agents_ranking", "GET", f"{API}agents/performance?{MARCH}"),
    # --- GET teams/{team}/performance -----------------------------------------------------
    Case("team_performance__200", "GET", f"{API}teams/Team%20A/performance?{MARCH}"),
    Case(
        "team_performance__400_date",
        "GET",
        f"{API}teams/Team%20A/performance?startDate=2026-03-01&endDate=20-03-2026",
    ),
    *_unauthorized_and_forbidden("team_performance", "GET", f"{API}teams/Team%20A/performance"),
    Case(
        "team_performance__404_no_active_agent", "GET", f"{API}teams/Team%20Z/performance?{MARCH}"
    ),
    # --- GET agents/by-user/{userId}, GET users/{userId}/agent ----------------------------
    Case("agent_by_user__200", "GET", f"{API}agents/by-user/{U_AN}"),
    *_unauthorized_and_forbidden("agent_by_user", "GET", f"{API}agents/by-user/{U_AN}"),
    Case("agent_by_user__404_unlinked_user", "GET", f"{API}agents/by-user/{U_NOAGENT}"),
    Case("agent_by_user__404_not_a_uuid", "GET", f"{API}agents/by-user/golden.an"),
    Case("user_agent__200", "GET", f"{API}users/{U_AN}/agent"),
    *_unauthorized_and_forbidden("user_agent", "GET", f"{API}users/{U_AN}/agent"),
    Case("user_agent__404_unknown_user", "GET", f"{API}users/{UNKNOWN}/agent"),
    # --- POST agents/link-user ------------------------------------------------------------
    Case(
        "link_user__200",
        "POST",
        f"{API}agents/link-user",
        "admin",
        {"agentId": str(A_DUNG), "userId": str(U_FREE)},
    ),
    Case(
        "link_user__200_already_linked",
        "POST",
        f"{API}agents/link-user",
        "admin",
        {"agentId": str(A_AN), "userId": str(U_AN)},
    ),
    Case("link_user__400_fields", "POST", f"{API}agents/link-user", "admin", {"agentId": "x"}),
    *_unauthorized_and_forbidden(
        "link_user",
        "POST",
        f"{API}agents/link-user",
        {"agentId": str(A_DUNG), "userId": str(U_FREE)},
        forbidden="an",
    ),
    # Supervisors link within their team only (issue 10); an agent of another team is refused.
    Case(
        "link_user__403_supervisor_out_of_scope",
        "POST",
        f"{API}agents/link-user",
        "supervisor",
        {"agentId": str(A_DUNG), "userId": str(U_FREE)},
    ),
    Case(
        "link_user__404_unknown_agent",
        "POST",
        f"{API}agents/link-user",
        "admin",
        {"agentId": str(UNKNOWN), "userId": str(U_FREE)},
    ),
    Case(
        "link_user__404_unknown_user",
        "POST",
        f"{API}agents/link-user",
        "admin",
        {"agentId": str(A_DUNG), "userId": str(UNKNOWN)},
    ),
    Case(
        "link_user__409_user_linked_to_another_agent",
        "POST",
        f"{API}agents/link-user",
        "admin",
        {"agentId": str(A_DUNG), "userId": str(U_AN)},
    ),
    Case(
        "link_user__409_agent_linked_to_another_user",
        "POST",
        f"{API}agents/link-user",
        "admin",
        {"agentId": str(A_AN), "userId": str(U_FREE)},
    ),
    # --- POST actions ---------------------------------------------------------------------
    Case("actions_record__201_call", "POST", f"{API}actions", "an", CALL_BODY),
    Case("actions_record__201_visit", "POST", f"{API}actions", "binh", VISIT_BODY),
    Case(
        "actions_record__201_date_defaults_to_now",
        "POST",
        f"{API}actions",
        "an",
        {k: v for k, v in CALL_BODY.items() if k not in ("actionDate", "notes", "callTraceId")},
    ),
    Case("actions_record__400_missing_fields", "POST", f"{API}actions", "an", {}),
    Case("actions_record__400_type", "POST", f"{API}actions", "an", {**CALL_BODY, "type": "FAX"}),
    Case(
        "actions_record__400_visit_without_location",
        "POST",
        f"{API}actions",
        "an",
        {**VISIT_BODY, "visitLocation": None},
    ),
    Case(
        "actions_record__400_latitude_without_longitude",
        "POST",
        f"{API}actions",
        "an",
        {**VISIT_BODY, "visitLocation": {"latitude": 10.5}},
    ),
    Case(
        "actions_record__400_latitude_out_of_range",
        "POST",
        f"{API}actions",
        "an",
        {**VISIT_BODY, "visitLocation": {"latitude": 91, "longitude": 106}},
    ),
    Case(
        "actions_record__400_too_many_decimals",
        "POST",
        f"{API}actions",
        "an",
        {**VISIT_BODY, "visitLocation": {"latitude": "10.123456789", "longitude": 106}},
    ),
    Case(
        "actions_record__400_date_without_zone",
        "POST",
        f"{API}actions",
        "an",
        {**CALL_BODY, "actionDate": "2026-03-02T09:30:00"},
    ),
    Case(
        "actions_record__400_date_in_future",
        "POST",
        f"{API}actions",
        "an",
        {**CALL_BODY, "actionDate": "2099-01-01T00:00:00Z"},
    ),
    Case(
        "actions_record__400_date_before_2000",
        "POST",
        f"{API}actions",
        "an",
        {**CALL_BODY, "actionDate": "1999-12-31T00:00:00Z"},
    ),
    Case(
        "actions_record__400_loan_of_another_customer",
        "POST",
        f"{API}actions",
        "an",
        {**CALL_BODY, "cif": "CIF-G001"},
    ),
    *_unauthorized_and_forbidden("actions_record", "POST", f"{API}actions", CALL_BODY),
    Case("actions_record__403_no_agent_profile", "POST", f"{API}actions", "noagent", CALL_BODY),
    Case("actions_record__403_inactive_agent", "POST", f"{API}actions", "cuong", CALL_BODY),
    Case(
        "actions_record__404_cif",
        "POST",
        f"{API}actions",
        "an",
        {**CALL_BODY, "cif": "CIF-NONE"},
    ),
    Case(
        "actions_record__404_loan",
        "POST",
        f"{API}actions",
        "an",
        {**CALL_BODY, "loanAccountNumber": "LN-NONE"},
    ),
    Case("actions_record__405_get", "GET", f"{API}actions", "an"),
    # --- GET actions/customer/{cif} -------------------------------------------------------
    Case("actions_for_customer__200", "GET", f"{API}actions/customer/CIF-G001"),
    Case(
        "actions_for_customer__200_filtered",
        "GET",
        f"{API}actions/customer/CIF-G001?type=CALL&startDate=2026-03-01&endDate=2026-03-05",
    ),
    Case(
        "actions_for_customer__200_page_2",
        "GET",
        f"{API}actions/customer/CIF-G001?page=2&pageSize=1",
    ),
    Case(
        "actions_for_customer__400_result",
        "GET",
        f"{API}actions/customer/CIF-G001?actionResult=MAYBE",
    ),
    Case(
        "actions_for_customer__400_date",
        "GET",
        f"{API}actions/customer/CIF-G001?startDate=03/01/2026",
    ),
    Case(
        "actions_for_customer__400_start_after_end",
        "GET",
        f"{API}actions/customer/CIF-G001?startDate=2026-03-05&endDate=2026-03-01",
    ),
    Case(
        "actions_for_customer__400_page_size",
        "GET",
        f"{API}actions/customer/CIF-G001?pageSize=1000",
    ),
    *_unauthorized_and_forbidden("actions_for_customer", "GET", f"{API}actions/customer/CIF-G001"),
    Case("actions_for_customer__404", "GET", f"{API}actions/customer/CIF-NONE"),
    # --- GET actions/loan/{accountNumber} -------------------------------------------------
    Case("actions_for_loan__200", "GET", f"{API}actions/loan/LN-G001"),
    Case(
        "actions_for_loan__200_filtered",
        "GET",
        f"{API}actions/loan/LN-G001?actionResult=NO_CONTACT",
    ),
    Case("actions_for_loan__400_subtype", "GET", f"{API}actions/loan/LN-G001?subtype=CHAT"),
    *_unauthorized_and_forbidden("actions_for_loan", "GET", f"{API}actions/loan/LN-G001"),
    Case("actions_for_loan__404", "GET", f"{API}actions/loan/LN-NONE"),
    # --- GET actions/agent/{agentId} ------------------------------------------------------
    Case("actions_for_agent__200", "GET", f"{API}actions/agent/{A_AN}"),
    Case(
        "actions_for_agent__200_filtered",
        "GET",
        f"{API}actions/agent/{A_AN}?endDate=2026-02-28",
    ),
    Case("actions_for_agent__400_type", "GET", f"{API}actions/agent/{A_AN}?type=call"),
    *_unauthorized_and_forbidden("actions_for_agent", "GET", f"{API}actions/agent/{A_AN}"),
    Case("actions_for_agent__404", "GET", f"{API}actions/agent/{UNKNOWN}"),
    Case("actions_for_agent__404_not_a_uuid", "GET", f"{API}actions/agent/EMP-G001"),
    # --- PUT actions/{id}/result ----------------------------------------------------------
    Case(
        "actions_update_result__200_own_action",
        "PUT",
        RESULT_PATH,
        "an",
        {"actionResult": "PAYMENT_MADE", "notes": "Paid at the branch."},
    ),
    Case(
        "actions_update_result__200_supervisor",
        "PUT",
        f"{API}actions/{ACT_2}/result",
        "supervisor",
        {"actionResult": "PROMISE_TO_PAY"},
    ),
    Case(
        "actions_update_result__200_method_override",
        "POST",
        RESULT_PATH,
        "an",
        {"actionResult": "RESCHEDULED", "notes": None},
        override=True,
    ),
    Case("actions_update_result__400_missing", "PUT", RESULT_PATH, "an", {"notes": "x"}),
    Case("actions_update_result__400_value", "PUT", RESULT_PATH, "an", {"actionResult": "PAID"}),
    *_unauthorized_and_forbidden(
        "actions_update_result", "PUT", RESULT_PATH, {"actionResult": "PAYMENT_MADE"}
    ),
    Case(
        "actions_update_result__403_another_agents_action",
        "PUT",
        RESULT_PATH,
        "binh",
        {"actionResult": "PAYMENT_MADE"},
    ),
    Case(
        "actions_update_result__403_no_agent_profile",
        "PUT",
        RESULT_PATH,
        "noagent",
        {"actionResult": "PAYMENT_MADE"},
    ),
    Case(
        "actions_update_result__403_inactive_agent",
        "PUT",
        f"{API}actions/{ACT_6}/result",
        "cuong",
        {"actionResult": "PAYMENT_MADE"},
    ),
    Case(
        "actions_update_result__404",
        "PUT",
        f"{API}actions/{UNKNOWN}/result",
        "an",
        {"actionResult": "PAYMENT_MADE"},
    ),
    # --- GET assignments/agent/{agentId} --------------------------------------------------
    Case("assignments_for_agent__200", "GET", f"{API}assignments/agent/{A_AN}"),
    Case("assignments_for_agent__200_cif", "GET", f"{API}assignments/agent/{A_AN}?cif=CIF-G002"),
    Case(
        "assignments_for_agent__200_field_agent",
        "GET",
        f"{API}assignments/agent/{A_CUONG}",
        actor="supervisor",
    ),
    # An agent reads only its own customers (issue 13: scope OWN_WORK).
    Case("assignments_for_agent__403_another_agent", "GET", f"{API}assignments/agent/{A_CUONG}"),
    Case("assignments_for_agent__400_page", "GET", f"{API}assignments/agent/{A_AN}?page=0"),
    *_unauthorized_and_forbidden("assignments_for_agent", "GET", f"{API}assignments/agent/{A_AN}"),
    Case(
        "assignments_for_agent__404", "GET", f"{API}assignments/agent/{UNKNOWN}", actor="supervisor"
    ),
    # --- POST assignments -----------------------------------------------------------------
    Case(
        "assignments_create__201_reassign",
        "POST",
        f"{API}assignments",
        "supervisor",
        {"cif": "CIF-G002", "assignedCallAgentId": str(A_BINH)},
    ),
    Case(
        "assignments_create__201_opens_case",
        "POST",
        f"{API}assignments",
        "supervisor",
        {"cif": "CIF-G003", "assignedFieldAgentId": str(A_DUNG)},
    ),
    Case(
        "assignments_create__200_unchanged",
        "POST",
        f"{API}assignments",
        "supervisor",
        {"cif": "CIF-G001", "assignedCallAgentId": str(A_AN)},
    ),
    Case(
        "assignments_create__400_no_agent",
        "POST",
        f"{API}assignments",
        "supervisor",
        {"cif": "CIF-G001"},
    ),
    Case(
        "assignments_create__400_fields",
        "POST",
        f"{API}assignments",
        "supervisor",
        {"assignedCallAgentId": "abc"},
    ),
    Case(
        "assignments_create__400_inactive_agent",
        "POST",
        f"{API}assignments",
        "supervisor",
        {"cif": "CIF-G001", "assignedFieldAgentId": str(A_CUONG)},
    ),
    Case(
        "assignments_create__400_no_agent_left",
        "POST",
        f"{API}assignments",
        "supervisor",
        {"cif": "CIF-G002", "assignedCallAgentId": None},
    ),
    *_unauthorized_and_forbidden(
        "assignments_create",
        "POST",
        f"{API}assignments",
        {"cif": "CIF-G002", "assignedCallAgentId": str(A_BINH)},
        forbidden="an",
    ),
    Case(
        "assignments_create__404_cif",
        "POST",
        f"{API}assignments",
        "supervisor",
        {"cif": "CIF-NONE", "assignedCallAgentId": str(A_AN)},
    ),
    Case(
        "assignments_create__404_agent",
        "POST",
        f"{API}assignments",
        "supervisor",
        {"cif": "CIF-G001", "assignedCallAgentId": str(UNKNOWN)},
    ),
    # --- PUT assignments/{id} -------------------------------------------------------------
    Case(
        "assignments_update__200",
        "PUT",
        VERSION_PATH,
        "supervisor",
        {"assignedFieldAgentId": str(A_DUNG)},
    ),
    Case(
        "assignments_update__200_unchanged",
        "PUT",
        VERSION_PATH,
        "supervisor",
        {"assignedCallAgentId": str(A_AN)},
    ),
    Case(
        "assignments_update__200_method_override",
        "POST",
        VERSION_PATH,
        "supervisor",
        {"assignedFieldAgentId": None},
        override=True,
    ),
    Case(
        "assignments_update__400_uuid",
        "PUT",
        VERSION_PATH,
        "supervisor",
        {"assignedFieldAgentId": "abc"},
    ),
    Case(
        "assignments_update__400_no_agent_left",
        "PUT",
        VERSION_PATH,
        "supervisor",
        {"assignedCallAgentId": None, "assignedFieldAgentId": None},
    ),
    *_unauthorized_and_forbidden(
        "assignments_update", "PUT", VERSION_PATH, {"assignedFieldAgentId": None}, forbidden="an"
    ),
    Case(
        "assignments_update__404",
        "PUT",
        f"{API}assignments/{UNKNOWN}",
        "supervisor",
        {"assignedFieldAgentId": None},
    ),
    Case(
        "assignments_update__409_closed_version",
        "PUT",
        f"{API}assignments/{H_1}",
        "supervisor",
        {"assignedFieldAgentId": str(A_DUNG)},
    ),
    # --- GET assignments/history/{cif} ----------------------------------------------------
    Case("assignments_history__200", "GET", f"{API}assignments/history/CIF-G001"),
    Case(
        "assignments_history__200_company",
        "GET",
        f"{API}assignments/history/CIF-G004",
        actor="supervisor",
    ),
    Case(
        "assignments_history__200_empty",
        "GET",
        f"{API}assignments/history/CIF-G003",
        actor="supervisor",
    ),
    Case("assignments_history__403_not_assigned", "GET", f"{API}assignments/history/CIF-G004"),
    *_unauthorized_and_forbidden(
        "assignments_history", "GET", f"{API}assignments/history/CIF-G001"
    ),
    Case(
        "assignments_history__404", "GET", f"{API}assignments/history/CIF-NONE", actor="supervisor"
    ),
    # --- GET assignments/pending-reassignment ---------------------------------------------
    Case("pending_reassignment__200", "GET", f"{API}assignments/pending-reassignment"),
    Case(
        "pending_reassignment__200_team",
        "GET",
        f"{API}assignments/pending-reassignment?team=Team%20B",
    ),
    Case(
        "pending_reassignment__200_agent",
        "GET",
        f"{API}assignments/pending-reassignment?agentId={A_AN}",
    ),
    Case(
        "pending_reassignment__400_agent_id",
        "GET",
        f"{API}assignments/pending-reassignment?agentId=abc",
    ),
    Case(
        "pending_reassignment__400_page_size",
        "GET",
        f"{API}assignments/pending-reassignment?pageSize=x",
    ),
    *_unauthorized_and_forbidden(
        "pending_reassignment", "GET", f"{API}assignments/pending-reassignment"
    ),
    # --- POST cases -----------------------------------------------------------------------
    Case(
        "cases_record__201",
        "POST",
        f"{API}cases",
        "an",
        {
            "cif": "CIF-G001",
            "actionDate": "2026-03-10T09:00:00+07:00",
            "notes": "Called back, refuses the plan.",
            "customerStatus": "UNCOOPERATIVE",
        },
    ),
    Case(
        "cases_record__201_opens_case",
        "POST",
        f"{API}cases",
        "an",
        {"cif": "CIF-G003", "recoveryAbilityStatus": "LOW"},
    ),
    Case("cases_record__400_nothing_given", "POST", f"{API}cases", "an", {"cif": "CIF-G001"}),
    Case(
        "cases_record__400_status",
        "POST",
        f"{API}cases",
        "an",
        {"cif": "CIF-G001", "collateralStatus": "GOLD"},
    ),
    Case(
        "cases_record__400_date_in_future",
        "POST",
        f"{API}cases",
        "an",
        {"cif": "CIF-G001", "notes": "x", "actionDate": "2099-01-01T00:00:00Z"},
    ),
    Case("cases_record__400_missing_cif", "POST", f"{API}cases", "an", {"notes": "x"}),
    *_unauthorized_and_forbidden(
        "cases_record", "POST", f"{API}cases", {"cif": "CIF-G001", "notes": "x"}
    ),
    Case(
        "cases_record__403_no_agent_profile",
        "POST",
        f"{API}cases",
        "noagent",
        {"cif": "CIF-G001", "notes": "x"},
    ),
    Case(
        "cases_record__403_inactive_agent",
        "POST",
        f"{API}cases",
        "cuong",
        {"cif": "CIF-G001", "notes": "x"},
    ),
    Case("cases_record__404", "POST", f"{API}cases", "an", {"cif": "CIF-NONE", "notes": "x"}),
    # --- GET cases/customer/{cif} ---------------------------------------------------------
    Case("cases_for_customer__200", "GET", f"{API}cases/customer/CIF-G001"),
    Case(
        "cases_for_customer__200_filtered",
        "GET",
        f"{API}cases/customer/CIF-G001?startDate=2026-03-04",
    ),
    Case("cases_for_customer__400_date", "GET", f"{API}cases/customer/CIF-G001?endDate=2026-02-30"),
    Case(
        "cases_for_customer__400_start_after_end",
        "GET",
        f"{API}cases/customer/CIF-G001?startDate=2026-03-04&endDate=2026-03-01",
    ),
    Case("cases_for_customer__400_page_size", "GET", f"{API}cases/customer/CIF-G001?pageSize=0"),
    *_unauthorized_and_forbidden("cases_for_customer", "GET", f"{API}cases/customer/CIF-G001"),
    Case("cases_for_customer__404", "GET", f"{API}cases/customer/CIF-NONE"),
    # --- GET cases/status/{cif} -----------------------------------------------------------
    Case("case_status__200", "GET", f"{API}cases/status/CIF-G001"),
    Case("case_status__200_no_case", "GET", f"{API}cases/status/CIF-G003"),
    Case("case_status__200_company", "GET", f"{API}cases/status/CIF-G004"),
    # A broken promise's open follow-up (issue 15).
    Case(
        "case_status__200_promise_follow_up",
        "GET",
        f"{API}cases/status/CIF-G002",
        setup=_promises,
    ),
    *_unauthorized_and_forbidden("case_status", "GET", f"{API}cases/status/CIF-G001"),
    Case("case_status__404", "GET", f"{API}cases/status/CIF-NONE"),
    # --- GET reports/customer-collection-status -------------------------------------------
    Case("collection_status__200", "GET", f"{API}reports/customer-collection-status"),
    Case(
        "collection_status__200_filtered",
        "GET",
        f"{API}reports/customer-collection-status?segment=MASS&status=COOPERATIVE",
    ),
    Case(
        "collection_status__200_agent_and_dpd",
        "GET",
        f"{API}reports/customer-collection-status?agentId={A_AN}&minDpd=5&maxDpd=60",
    ),
    Case(
        "collection_status__400_status",
        "GET",
        f"{API}reports/customer-collection-status?status=HAPPY",
    ),
    Case(
        "collection_status__400_min_dpd",
        "GET",
        f"{API}reports/customer-collection-status?minDpd=-1",
    ),
    Case(
        "collection_status__400_min_above_max",
        "GET",
        f"{API}reports/customer-collection-status?minDpd=60&maxDpd=5",
    ),
    Case(
        "collection_status__400_call_agent_id",
        "GET",
        f"{API}reports/customer-collection-status?callAgentId=x",
    ),
    *_unauthorized_and_forbidden(
        "collection_status", "GET", f"{API}reports/customer-collection-status"
    ),
    # --- GET promises (issue 15) -----------------------------------------------------------
    Case("promises_list__200", "GET", f"{API}promises", setup=_promises),
    Case("promises_list__200_supervisor", "GET", f"{API}promises", "supervisor", setup=_promises),
    Case(
        "promises_list__200_filtered",
        "GET",
        f"{API}promises?cif=CIF-G001&status=KEPT&promisedFrom=2026-03-01&promisedTo=2026-03-10",
        setup=_promises,
    ),
    Case(
        "promises_list__200_page_2",
        "GET",
        f"{API}promises?page=2&pageSize=2",
        "supervisor",
        setup=_promises,
    ),
    # An agent sees its customers' promises and its own (issue 13: scope OWN_WORK).
    Case(
        "promises_list__200_other_agents_customer",
        "GET",
        f"{API}promises?cif=CIF-G004",
        setup=_promises,
    ),
    Case("promises_list__400_status", "GET", f"{API}promises?status=LOST", setup=_promises),
    Case(
        "promises_list__400_promised_range",
        "GET",
        f"{API}promises?promisedFrom=2026-03-10&promisedTo=2026-03-01",
        setup=_promises,
    ),
    Case("promises_list__400_page_size", "GET", f"{API}promises?pageSize=101", setup=_promises),
    *_unauthorized_and_forbidden("promises_list", "GET", f"{API}promises"),
    Case(
        "promises_list__403_no_agent_profile", "GET", f"{API}promises", "noagent", setup=_promises
    ),
    # --- GET promises/{id} ----------------------------------------------------------------
    Case("promises_read__200", "GET", f"{API}promises/{PROM_2}", setup=_promises),
    Case("promises_read__403_not_my_customer", "GET", f"{API}promises/{PROM_4}", setup=_promises),
    *_unauthorized_and_forbidden("promises_read", "GET", f"{API}promises/{PROM_1}"),
    Case("promises_read__404", "GET", f"{API}promises/{UNKNOWN}", setup=_promises),
    Case("promises_read__404_not_a_uuid", "GET", f"{API}promises/abc", setup=_promises),
    # --- POST promises/{id}/cancel --------------------------------------------------------
    Case(
        "promises_cancel__200",
        "POST",
        f"{API}promises/{PROM_1}/cancel",
        "an",
        {"reason": "Customer disputes the debt."},
        setup=_promises,
    ),
    Case(
        "promises_cancel__200_supervisor",
        "POST",
        f"{API}promises/{PROM_4}/cancel",
        "supervisor",
        {"reason": "Restructured."},
        setup=_promises,
    ),
    Case(
        "promises_cancel__400_missing_reason",
        "POST",
        f"{API}promises/{PROM_1}/cancel",
        "an",
        {},
        setup=_promises,
    ),
    *_unauthorized_and_forbidden(
        "promises_cancel", "POST", f"{API}promises/{PROM_1}/cancel", {"reason": "x"}
    ),
    Case(
        "promises_cancel__403_another_agents_promise",
        "POST",
        f"{API}promises/{PROM_1}/cancel",
        "binh",
        {"reason": "x"},
        setup=_promises,
    ),
    Case(
        "promises_cancel__404",
        "POST",
        f"{API}promises/{UNKNOWN}/cancel",
        "an",
        {"reason": "x"},
        setup=_promises,
    ),
    Case(
        "promises_cancel__409_not_pending",
        "POST",
        f"{API}promises/{PROM_2}/cancel",
        "supervisor",
        {"reason": "x"},
        setup=_promises,
    ),
    # --- /api/v1/auth ---------------------------------------------------------------------
    Case(
        "auth_login__200",
        "POST",
        f"{AUTH}login",
        "anonymous",
        {"username": "golden.an", "password": TEST_PASSWORD},
    ),
    Case("auth_login__400_missing", "POST", f"{AUTH}login", "anonymous", {"username": ""}),
    Case(
        "auth_login__401_wrong_password",
        "POST",
        f"{AUTH}login",
        "anonymous",
        {"username": "golden.an", "password": "wrong"},
    ),
    Case(
        "auth_login__401_unknown_user",
        "POST",
        f"{AUTH}login",
        "anonymous",
        {"username": "nobody", "password": TEST_PASSWORD},
    ),
    Case(
        "auth_login__401_inactive_user",
        "POST",
        f"{AUTH}login",
        "anonymous",
        {"username": "golden.inactive", "password": TEST_PASSWORD},
    ),
    Case(
        "auth_login__429_throttled",
        "POST",
        f"{AUTH}login",
        "anonymous",
        {"username": "golden.an", "password": TEST_PASSWORD},
        setup=_five_failed_logins,
    ),
    Case("auth_logout__200", "POST", f"{AUTH}logout", "an"),
    Case("auth_logout__401_no_token", "POST", f"{AUTH}logout", "anonymous"),
    Case("auth_logout__401_session_revoked", "POST", f"{AUTH}logout", "revoked"),
    Case(
        "auth_refresh__200",
        "POST",
        f"{AUTH}token/refresh",
        "anonymous",
        lambda ctx: {"refreshToken": ctx["refresh"]},
        setup=_login,
    ),
    Case("auth_refresh__400_missing", "POST", f"{AUTH}token/refresh", "anonymous", {}),
    Case(
        "auth_refresh__401_invalid",
        "POST",
        f"{AUTH}token/refresh",
        "anonymous",
        {"refreshToken": "not-a-jwt"},
    ),
    Case(
        "auth_refresh__401_used_twice",
        "POST",
        f"{AUTH}token/refresh",
        "anonymous",
        lambda ctx: {"refreshToken": ctx["refresh"]},
        setup=_login_and_refresh,
    ),
    Case(
        "auth_refresh__401_access_token",
        "POST",
        f"{AUTH}token/refresh",
        "anonymous",
        lambda ctx: {"refreshToken": ctx["access"]},
        setup=_login,
    ),
    # --- contact reservations: release (issue 14) -----------------------------------------
    Case(
        "contact_attempts_release__200",
        "POST",
        f"{API}contact-attempts/{RESERVED_BY_AN}/release",
        setup=_reservations,
    ),
    Case(
        "contact_attempts_release__200_by_supervisor",
        "POST",
        f"{API}contact-attempts/{RESERVED_BY_AN}/release",
        "supervisor",
        setup=_reservations,
    ),
    Case(
        "contact_attempts_release__403_other_agent",
        "POST",
        f"{API}contact-attempts/{RESERVED_BY_AN}/release",
        "binh",
        setup=_reservations,
    ),
    Case("contact_attempts_release__404", "POST", f"{API}contact-attempts/{UNKNOWN}/release"),
    Case(
        "contact_attempts_release__409_used",
        "POST",
        f"{API}contact-attempts/{CONSUMED_BY_AN}/release",
        setup=_reservations,
    ),
    *_unauthorized_and_forbidden(
        "contact_attempts_release", "POST", f"{API}contact-attempts/{RESERVED_BY_AN}/release"
    ),
    # --- the API root, the docs, an unknown endpoint --------------------------------------
    Case("api_root__200", "GET", API, "anonymous"),
    Case("api_docs__200", "GET", f"{API}docs/", "anonymous"),
    Case("unknown_endpoint__404", "GET", f"{API}nothing-here", "an"),
]


def _client(actor: str, users: dict[str, CrmUser]) -> APIClient:
    if actor == "anonymous":
        return APIClient()
    if actor == "not-bearer":
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token golden")
        return client
    if actor == "invalid-token":
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
        return client
    if actor == "revoked":
        client = client_for(users["an"])
        sessions.delete_session(client.session_id)  # type: ignore[attr-defined]
        return client
    if actor == "manager":
        return client_for(users["manager"], permissions=["user_management:user"])
    return client_for(users[actor])


def _request_record(case: Case, sent: str | None, window: golden.Window) -> dict[str, Any]:
    record: dict[str, Any] = {"method": case.method, "path": case.path, "as": case.actor}
    if case.override:
        record["headers"] = {"X-HTTP-Method-Override": "PUT"}
    if case.raw is not None:
        record["raw"] = case.raw
        record["contentType"] = case.content_type
    elif sent is not None:
        record["body"] = json.loads(golden.normalize(sent, window))
    return record


@pytest.fixture
def window_start() -> dt.datetime:
    """Taken before the data set is built: the test transaction's NOW() is later."""
    start = dt.datetime.now(dt.UTC)
    # "<today>" must never match a date of the data set.
    assert business_date(start) > LATEST_DATA_DATE
    return start


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_golden_response(case: Case, window_start: dt.datetime) -> None:
    users = dataset()
    ctx: dict[str, Any] = {}
    if case.setup is not None:
        case.setup(ctx)
    client = _client(case.actor, users)
    body = case.body(ctx) if callable(case.body) else case.body
    sent = json.dumps(body) if body is not None else None
    extra = {"HTTP_X_HTTP_METHOD_OVERRIDE": "PUT"} if case.override else {}
    data = case.raw if case.raw is not None else (sent or "")
    response = client.generic(case.method, case.path, data, content_type=case.content_type, **extra)
    window = golden.Window(window_start, dt.datetime.now(dt.UTC))
    golden.check(
        case.name,
        {
            "request": _request_record(case, sent, window),
            "status": response.status_code,
            "headers": golden.headers_of(response),
            "body": golden.normalize(response.content.decode("utf-8"), window),
        },
    )


def test_every_case_has_a_unique_name_and_every_golden_file_a_case() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    stored = {path.stem for path in golden.GOLDEN_DIR.glob("*.json")} - {"openapi"}
    assert sorted(stored - set(names)) == [], "golden files without a case: delete them"
