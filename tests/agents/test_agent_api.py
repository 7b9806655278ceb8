"""The agents API: list, create, update, lookup by user, link to a user."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agents import services
from agents.models import Agent
from tests.api import client_for, envelope_error, envelope_ok, random_uuid, unlinked_client
from tests.factories import AgentFactory, CrmUserFactory

pytestmark = pytest.mark.django_db

AGENTS_URL = "/api/v1/collection/agents"
LINK_URL = "/api/v1/collection/agents/link-user"
AGENT_FIELDS = {
    "id",
    "employeeId",
    "name",
    "email",
    "phone",
    "type",
    "team",
    "isActive",
    "userId",
    "createdAt",
    "updatedAt",
}


def detail_url(agent_id: object) -> str:
    return f"{AGENTS_URL}/{agent_id}"


def new_agent_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "employeeId": "EMP900",
        "name": "Tran Thi Binh",
        "email": "binh.tran@bank.vn",
        "phone": "+84901111222",
        "type": "AGENT",
        "team": "Team North",
    }
    body.update(overrides)
    return body


def permission_holder_client() -> APIClient:
    """A user with the user_management:user permission but none of the CRM roles."""
    return client_for(
        CrmUserFactory(role="OPERATOR"), roles=["OPERATOR"], permissions=["user_management:user"]
    )


# --- GET agents ------------------------------------------------------------------------------


def test_it_lists_agents_ordered_by_name_with_every_agent_field() -> None:
    zoe = AgentFactory(name="Zoe", phone=None)
    anna = AgentFactory(name="Anna", user=CrmUserFactory())
    client = unlinked_client("AGENT")

    data = envelope_ok(client.get(AGENTS_URL))

    assert [a["name"] for a in data["agents"]] == ["Anna", "Zoe"]
    first = data["agents"][0]
    assert set(first) == AGENT_FIELDS
    assert first["id"] == str(anna.id)
    assert first["employeeId"] == anna.employee_id
    assert first["email"] == anna.email
    assert first["phone"] == "+84900000000"
    assert first["type"] == "AGENT"
    assert first["team"] == "Team A"
    assert first["isActive"] is True
    assert first["userId"] == str(anna.user_id)
    assert first["createdAt"].endswith("Z") and first["updatedAt"].endswith("Z")
    assert data["agents"][1]["phone"] is None
    assert data["agents"][1]["userId"] is None
    assert data["agents"][1]["id"] == str(zoe.id)
    assert data["pagination"] == {"page": 1, "pageSize": 10, "totalPages": 1, "totalItems": 2}


def test_it_breaks_ties_between_equal_names_by_id() -> None:
    same = [AgentFactory(name="Same Name") for _ in range(4)]

    data = envelope_ok(unlinked_client("AGENT").get(AGENTS_URL))

    assert [a["id"] for a in data["agents"]] == sorted(str(a.id) for a in same)


def test_it_filters_agents_by_type_team_and_active_flag() -> None:
    AgentFactory(name="A1", type="AGENT", team="North")
    AgentFactory(name="A2", type="AGENT", team="South", is_active=False)
    AgentFactory(name="S1", type="SUPERVISOR", team="North")
    AgentFactory(name="S2", type="SUPERVISOR", team="South")
    client = unlinked_client("AGENT")

    def names(query: str) -> list[str]:
        return [a["name"] for a in envelope_ok(client.get(f"{AGENTS_URL}?{query}"))["agents"]]

    assert names("type=SUPERVISOR") == ["S1", "S2"]
    assert names("team=South") == ["A2", "S2"]
    assert names("isActive=false") == ["A2"]
    assert names("isActive=true") == ["A1", "S1", "S2"]
    assert names("type=AGENT&team=South") == ["A2"]
    assert names("type=ADMIN") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("type=BOSS", "type"), ("isActive=maybe", "isActive"), ("team=" + "x" * 31, "team")],
)
def test_it_rejects_invalid_list_filters(query: str, field: str) -> None:
    response = unlinked_client("AGENT").get(f"{AGENTS_URL}?{query}")

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)


def test_it_answers_an_empty_list_for_a_page_past_the_end() -> None:
    AgentFactory.create_batch(3)

    data = envelope_ok(unlinked_client("AGENT").get(f"{AGENTS_URL}?page=3&pageSize=2"))

    assert data["agents"] == []
    assert data["pagination"] == {"page": 3, "pageSize": 2, "totalPages": 2, "totalItems": 3}


def test_it_serves_the_last_partial_page() -> None:
    AgentFactory.create_batch(3)

    data = envelope_ok(unlinked_client("AGENT").get(f"{AGENTS_URL}?page=2&pageSize=2"))

    assert len(data["agents"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("pageSize=101", "pageSize"),
        ("pageSize=0", "pageSize"),
        ("page=0", "page"),
        ("page=abc", "page"),
    ],
)
def test_it_rejects_invalid_pagination(query: str, field: str) -> None:
    response = unlinked_client("AGENT").get(f"{AGENTS_URL}?{query}")

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)


def test_it_lists_agents_in_a_constant_number_of_queries() -> None:
    for _ in range(60):
        AgentFactory(user=CrmUserFactory())
    client = unlinked_client("AGENT")

    with CaptureQueriesContext(connection) as small:
        assert len(envelope_ok(client.get(f"{AGENTS_URL}?pageSize=1"))["agents"]) == 1
    with CaptureQueriesContext(connection) as large:
        assert len(envelope_ok(client.get(f"{AGENTS_URL}?pageSize=50"))["agents"]) == 50

    # The agents table's version, the count and the page, whatever the page size; the same
    # page again is the version alone (the cached page).
    assert len(small.captured_queries) == len(large.captured_queries) == 3
    with CaptureQueriesContext(connection) as again:
        assert len(envelope_ok(client.get(f"{AGENTS_URL}?pageSize=50"))["agents"]) == 50
    assert len(again.captured_queries) == 1


def test_every_role_may_list_agents() -> None:
    for role in ("AGENT", "SUPERVISOR", "ADMIN"):
        envelope_ok(unlinked_client(role).get(AGENTS_URL))


def test_it_forbids_listing_to_a_user_without_a_crm_role() -> None:
    client = client_for(CrmUserFactory(role="OPERATOR"), roles=["OPERATOR"])

    envelope_error(client.get(AGENTS_URL), 403, "FORBIDDEN")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", AGENTS_URL),
        ("post", AGENTS_URL),
        ("put", f"{AGENTS_URL}/{uuid.uuid4()}"),
        ("get", f"{AGENTS_URL}/{uuid.uuid4()}/performance"),
        ("get", f"{AGENTS_URL}/by-user/{uuid.uuid4()}"),
        ("get", f"/api/v1/collection/users/{uuid.uuid4()}/agent"),
        ("post", LINK_URL),
    ],
)
def test_it_requires_authentication(method: str, url: str) -> None:
    response = getattr(APIClient(), method)(url, {}, format="json")

    envelope_error(response, 401, "AUTH_REQUIRED")


# --- POST agents -----------------------------------------------------------------------------


def test_it_creates_an_agent_with_the_caller_in_the_audit_columns() -> None:
    client = unlinked_client("SUPERVISOR")

    data = envelope_ok(client.post(AGENTS_URL, new_agent_body(), format="json"), 201)

    agent = Agent.objects.get(employee_id="EMP900")
    assert data["id"] == str(agent.id)
    assert {k: data[k] for k in ("employeeId", "name", "email", "phone", "type", "team")} == (
        new_agent_body()
    )
    assert data["isActive"] is True and data["userId"] is None
    assert data["createdAt"].endswith("Z")
    assert agent.created_by == agent.updated_by == client.user.username
    assert agent.is_active is True and agent.user_id is None


def test_an_admin_may_create_an_agent_without_a_phone() -> None:
    body = new_agent_body(type="SUPERVISOR")
    del body["phone"]

    data = envelope_ok(unlinked_client("ADMIN").post(AGENTS_URL, body, format="json"), 201)

    assert data["phone"] is None
    assert data["type"] == "SUPERVISOR"
    assert Agent.objects.get(id=data["id"]).phone is None


def test_a_user_with_the_user_management_permission_may_create_an_agent() -> None:
    response = permission_holder_client().post(AGENTS_URL, new_agent_body(), format="json")

    envelope_ok(response, 201)


def test_an_agent_may_not_create_agents() -> None:
    response = unlinked_client("AGENT").post(AGENTS_URL, new_agent_body(), format="json")

    envelope_error(response, 403, "FORBIDDEN")
    assert not Agent.objects.filter(employee_id="EMP900").exists()


@pytest.mark.parametrize("field", ["employeeId", "name", "email", "type", "team"])
def test_it_requires_each_mandatory_field_on_create(field: str) -> None:
    body = new_agent_body()
    del body[field]

    response = unlinked_client("SUPERVISOR").post(AGENTS_URL, body, format="json")

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("type", "BOSS"),
        ("employeeId", "E" * 21),
        ("name", "n" * 101),
        ("name", ""),
        ("team", "t" * 31),
        ("phone", "9" * 21),
        ("employeeId", None),
    ],
)
def test_it_rejects_invalid_fields_on_create(field: str, value: object) -> None:
    response = unlinked_client("SUPERVISOR").post(
        AGENTS_URL, new_agent_body(**{field: value}), format="json"
    )

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)
    assert not Agent.objects.exists()


def test_it_refuses_a_duplicate_employee_id() -> None:
    AgentFactory(employee_id="EMP900")

    response = unlinked_client("SUPERVISOR").post(AGENTS_URL, new_agent_body(), format="json")

    envelope_error(response, 409, "CONFLICT", field="employeeId")


def test_it_refuses_a_duplicate_email() -> None:
    AgentFactory(email="binh.tran@bank.vn")

    response = unlinked_client("SUPERVISOR").post(AGENTS_URL, new_agent_body(), format="json")

    envelope_error(response, 409, "CONFLICT", field="email")


def test_it_refuses_an_email_that_differs_only_in_case() -> None:
    AgentFactory(email="Binh.Tran@Bank.VN")

    response = unlinked_client("SUPERVISOR").post(AGENTS_URL, new_agent_body(), format="json")

    envelope_error(response, 409, "CONFLICT", field="email")
    assert Agent.objects.count() == 1


@pytest.mark.parametrize(
    ("existing", "field"),
    [({"employee_id": "EMP900"}, "employeeId"), ({"email": "binh.tran@bank.vn"}, "email")],
)
def test_a_duplicate_that_slips_past_the_check_still_answers_409(
    monkeypatch: pytest.MonkeyPatch, existing: dict[str, str], field: str
) -> None:
    # As if a concurrent request committed the same agent between the check and the insert.
    monkeypatch.setattr(services, "_ensure_employee_id_free", lambda employee_id: None)
    monkeypatch.setattr(services, "_ensure_email_free", lambda email, exclude_id=None: None)
    AgentFactory(**existing)

    response = unlinked_client("SUPERVISOR").post(AGENTS_URL, new_agent_body(), format="json")

    envelope_error(response, 409, "CONFLICT", field=field)


# --- PUT agents/{id} -------------------------------------------------------------------------


def test_it_updates_every_editable_field() -> None:
    agent = AgentFactory(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    client = unlinked_client("SUPERVISOR")
    body = {
        "name": "Renamed",
        "email": "renamed@bank.vn",
        "phone": None,
        "type": "SUPERVISOR",
        "team": "Team Z",
        "isActive": False,
    }

    data = envelope_ok(client.put(detail_url(agent.id), body, format="json"))

    agent.refresh_from_db()
    assert (agent.name, agent.email, agent.phone, agent.type, agent.team, agent.is_active) == (
        "Renamed",
        "renamed@bank.vn",
        None,
        "SUPERVISOR",
        "Team Z",
        False,
    )
    assert {k: data[k] for k in body} == body
    assert agent.updated_by == client.user.username
    assert agent.created_by == "tests"
    # The trigger set updated_at, and the response shows the stored value.
    assert agent.updated_at != dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert data["updatedAt"] == agent.updated_at.isoformat().replace("+00:00", "Z")


def test_an_update_keeps_the_fields_it_does_not_name() -> None:
    agent = AgentFactory(name="Keep Me", phone="+8411", type="AGENT", team="Team A")

    data = envelope_ok(
        unlinked_client("ADMIN").put(detail_url(agent.id), {"team": "Team B"}, format="json")
    )

    agent.refresh_from_db()
    assert (agent.name, agent.phone, agent.type, agent.team, agent.is_active) == (
        "Keep Me",
        "+8411",
        "AGENT",
        "Team B",
        True,
    )
    assert data["team"] == "Team B" and data["name"] == "Keep Me"


def test_it_accepts_an_update_sent_as_post_with_a_method_override() -> None:
    agent = AgentFactory(team="Team A")

    response = unlinked_client("SUPERVISOR").post(
        detail_url(agent.id), {"team": "Team C"}, format="json", HTTP_X_HTTP_METHOD_OVERRIDE="PUT"
    )

    assert envelope_ok(response)["team"] == "Team C"
    agent.refresh_from_db()
    assert agent.team == "Team C"


def test_a_user_with_the_user_management_permission_may_update_an_agent() -> None:
    agent = AgentFactory()

    response = permission_holder_client().put(detail_url(agent.id), {"name": "X"}, format="json")

    assert envelope_ok(response)["name"] == "X"


def test_an_agent_may_not_update_agents() -> None:
    agent = AgentFactory(name="Before")

    response = unlinked_client("AGENT").put(detail_url(agent.id), {"name": "X"}, format="json")

    envelope_error(response, 403, "FORBIDDEN")
    agent.refresh_from_db()
    assert agent.name == "Before"


def test_it_requires_at_least_one_field_to_update() -> None:
    agent = AgentFactory()
    client = unlinked_client("SUPERVISOR")

    envelope_error(client.put(detail_url(agent.id), {}, format="json"), 400, "VALIDATION_ERROR")
    # Fields that cannot be changed here do not count.
    envelope_error(
        client.put(detail_url(agent.id), {"employeeId": "E1"}, format="json"),
        400,
        "VALIDATION_ERROR",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "nope"),
        ("type", "BOSS"),
        ("name", None),
        ("team", ""),
        ("isActive", "maybe"),
        ("phone", "9" * 21),
    ],
)
def test_it_rejects_invalid_fields_on_update(field: str, value: object) -> None:
    agent = AgentFactory()

    response = unlinked_client("SUPERVISOR").put(
        detail_url(agent.id), {field: value}, format="json"
    )

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)


def test_it_answers_404_when_updating_an_unknown_agent() -> None:
    response = unlinked_client("SUPERVISOR").put(
        detail_url(uuid.uuid4()), {"name": "X"}, format="json"
    )

    envelope_error(response, 404, "NOT_FOUND")


def test_it_refuses_an_update_to_another_agents_email_in_any_case() -> None:
    AgentFactory(email="taken@bank.vn")
    agent = AgentFactory(email="mine@bank.vn")

    response = unlinked_client("SUPERVISOR").put(
        detail_url(agent.id), {"email": "TAKEN@bank.vn"}, format="json"
    )

    envelope_error(response, 409, "CONFLICT", field="email")
    agent.refresh_from_db()
    assert agent.email == "mine@bank.vn"


def test_an_agent_may_change_the_case_of_its_own_email() -> None:
    agent = AgentFactory(email="mine@bank.vn")

    response = unlinked_client("SUPERVISOR").put(
        detail_url(agent.id), {"email": "Mine@Bank.vn"}, format="json"
    )

    assert envelope_ok(response)["email"] == "Mine@Bank.vn"


# --- by-user lookups -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [f"{AGENTS_URL}/by-user/{{}}", "/api/v1/collection/users/{}/agent"])
def test_it_finds_the_agent_linked_to_a_user(url: str) -> None:
    user = CrmUserFactory()
    agent = AgentFactory(user=user)
    AgentFactory(user=CrmUserFactory())

    data = envelope_ok(unlinked_client("AGENT").get(url.format(user.id)))

    assert data["id"] == str(agent.id)
    assert data["userId"] == str(user.id)
    assert set(data) == AGENT_FIELDS


@pytest.mark.parametrize("url", [f"{AGENTS_URL}/by-user/{{}}", "/api/v1/collection/users/{}/agent"])
@pytest.mark.parametrize("user_id", ["unlinked", random_uuid(), "not-a-uuid"])
def test_it_answers_404_when_no_agent_is_linked_to_the_user(url: str, user_id: str) -> None:
    AgentFactory(user=CrmUserFactory())
    if user_id == "unlinked":
        user_id = str(CrmUserFactory().id)

    response = unlinked_client("AGENT").get(url.format(user_id))

    envelope_error(response, 404, "NOT_FOUND")


# --- POST agents/link-user -------------------------------------------------------------------


def test_an_admin_links_an_agent_to_a_user() -> None:
    agent = AgentFactory()
    user = CrmUserFactory()
    client = unlinked_client("ADMIN")

    response = client.post(
        LINK_URL, {"agentId": str(agent.id), "userId": str(user.id)}, format="json"
    )

    data = envelope_ok(response)
    assert data["id"] == str(agent.id) and data["userId"] == str(user.id)
    agent.refresh_from_db()
    assert agent.user_id == user.id
    assert agent.updated_by == client.user.username


def test_linking_the_same_pair_again_changes_nothing() -> None:
    user = CrmUserFactory()
    agent = AgentFactory(user=user, updated_by="tests")

    response = unlinked_client("ADMIN").post(
        LINK_URL, {"agentId": str(agent.id), "userId": str(user.id)}, format="json"
    )

    assert envelope_ok(response)["userId"] == str(user.id)
    assert response.json()["message"] == "The agent was already linked."
    agent.refresh_from_db()
    assert agent.user_id == user.id and agent.updated_by == "tests"


def test_it_answers_404_when_linking_an_unknown_agent() -> None:
    response = unlinked_client("ADMIN").post(
        LINK_URL, {"agentId": random_uuid(), "userId": str(CrmUserFactory().id)}, format="json"
    )

    envelope_error(response, 404, "NOT_FOUND", field="agentId")


def test_it_answers_404_when_linking_an_unknown_user() -> None:
    agent = AgentFactory()

    response = unlinked_client("ADMIN").post(
        LINK_URL, {"agentId": str(agent.id), "userId": random_uuid()}, format="json"
    )

    envelope_error(response, 404, "NOT_FOUND", field="userId")
    agent.refresh_from_db()
    assert agent.user_id is None


def test_it_refuses_to_link_a_user_already_linked_to_another_agent() -> None:
    user = CrmUserFactory()
    AgentFactory(user=user)
    agent = AgentFactory()

    response = unlinked_client("ADMIN").post(
        LINK_URL, {"agentId": str(agent.id), "userId": str(user.id)}, format="json"
    )

    envelope_error(response, 409, "CONFLICT", field="userId")
    agent.refresh_from_db()
    assert agent.user_id is None


def test_it_refuses_to_link_an_agent_already_linked_to_another_user() -> None:
    first_user = CrmUserFactory()
    agent = AgentFactory(user=first_user)

    response = unlinked_client("ADMIN").post(
        LINK_URL, {"agentId": str(agent.id), "userId": str(CrmUserFactory().id)}, format="json"
    )

    envelope_error(response, 409, "CONFLICT", field="agentId")
    agent.refresh_from_db()
    assert agent.user_id == first_user.id


def test_a_link_that_slips_past_the_check_still_answers_409(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if a concurrent request linked the user between the check and the update.
    monkeypatch.setattr(services, "_ensure_user_free", lambda user_id, holder: None)
    user = CrmUserFactory()
    AgentFactory(user=user)
    agent = AgentFactory()

    response = unlinked_client("ADMIN").post(
        LINK_URL, {"agentId": str(agent.id), "userId": str(user.id)}, format="json"
    )

    envelope_error(response, 409, "CONFLICT", field="userId")


@pytest.mark.parametrize("role", ["AGENT", "SUPERVISOR"])
def test_an_agent_or_a_supervisor_without_a_team_may_not_link_users(role: str) -> None:
    agent = AgentFactory()
    user = CrmUserFactory()

    response = unlinked_client(role).post(
        LINK_URL, {"agentId": str(agent.id), "userId": str(user.id)}, format="json"
    )

    envelope_error(response, 403, "FORBIDDEN")
    agent.refresh_from_db()
    assert agent.user_id is None


def test_the_user_management_permission_does_not_allow_linking() -> None:
    agent = AgentFactory()

    response = permission_holder_client().post(
        LINK_URL, {"agentId": str(agent.id), "userId": str(CrmUserFactory().id)}, format="json"
    )

    envelope_error(response, 403, "FORBIDDEN")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"userId": random_uuid()}, "agentId"),
        ({"agentId": random_uuid()}, "userId"),
        ({"agentId": "nope", "userId": random_uuid()}, "agentId"),
        ({"agentId": random_uuid(), "userId": "nope"}, "userId"),
    ],
)
def test_it_rejects_an_invalid_link_request(body: dict[str, str], field: str) -> None:
    response = unlinked_client("ADMIN").post(LINK_URL, body, format="json")

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)


def test_an_admin_may_create_an_agent_linked_to_a_user_in_one_step() -> None:
    client = client_for(CrmUserFactory(role="ADMIN"))
    user = CrmUserFactory()
    data = envelope_ok(
        client.post(
            "/api/v1/collection/agents",
            {
                "employeeId": "LNK1",
                "name": "Linked",
                "email": "linked@bank.test",
                "type": "AGENT",
                "team": "T",
                "userId": str(user.id),
            },
            format="json",
        ),
        201,
    )
    assert data["userId"] == str(user.id)


def test_a_supervisor_without_a_team_may_not_link_a_user_while_creating_an_agent() -> None:
    client = client_for(CrmUserFactory(role="SUPERVISOR"))
    response = client.post(
        "/api/v1/collection/agents",
        {
            "employeeId": "LNK2",
            "name": "Linked",
            "email": "linked2@bank.test",
            "type": "AGENT",
            "team": "T",
            "userId": str(CrmUserFactory().id),
        },
        format="json",
    )
    envelope_error(response, 403, "FORBIDDEN", field="agentId")
    assert not Agent.objects.filter(employee_id="LNK2").exists()
