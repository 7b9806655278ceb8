"""Write limits (OWASP API4): 429 ``TOO_MANY_ATTEMPTS`` with ``Retry-After`` per CRM user for
authenticated writes, per client address for unauthenticated ones (login, refresh); reads are
not limited; another user or address is unaffected (workflow/api/throttling.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework.test import APIClient

from agents.models import Agent
from collectioncrm.env import env_rate
from tests.api import agent_client, client_for, envelope_error, envelope_ok
from tests.factories import TEST_PASSWORD, AgentFactory, CrmUserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection"
LOGIN = "/api/v1/auth/login"


def _rename(client: APIClient, agent: Agent, name: str) -> Any:
    return client.put(f"{BASE}/agents/{agent.id}", {"name": name}, format="json")


def _throttled(response: Any) -> None:
    envelope_error(response, 429, "TOO_MANY_ATTEMPTS")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_user_over_the_write_rate_gets_429_with_retry_after(settings: SettingsWrapper) -> None:
    settings.API_WRITE_RATE_PER_USER = "3/min"
    client, _ = agent_client("ADMIN")
    target = AgentFactory()

    for n in range(3):
        envelope_ok(_rename(client, target, f"Name {n}"))
    response = _rename(client, target, "Too many")

    _throttled(response)
    target.refresh_from_db()
    assert target.name == "Name 2"  # the refused write changed nothing


def test_reads_are_not_limited_and_another_user_is_unaffected(settings: SettingsWrapper) -> None:
    settings.API_WRITE_RATE_PER_USER = "2/min"
    first, _ = agent_client("ADMIN")
    second, _ = agent_client("ADMIN")
    target = AgentFactory()
    for n in range(2):
        envelope_ok(_rename(first, target, f"First {n}"))
    _throttled(_rename(first, target, "First again"))

    envelope_ok(first.get(f"{BASE}/agents"))
    envelope_ok(_rename(second, target, "Second"))


def test_the_limit_counts_per_user_not_per_session(settings: SettingsWrapper) -> None:
    settings.API_WRITE_RATE_PER_USER = "2/min"
    client, _ = agent_client("ADMIN")
    target = AgentFactory()
    for n in range(2):
        envelope_ok(_rename(client, target, f"Name {n}"))
    another_session = client_for(client.user)  # type: ignore[attr-defined]

    _throttled(_rename(another_session, target, "Other session"))


def _login(ip: str, username: str) -> Any:
    return APIClient(REMOTE_ADDR=ip).post(
        LOGIN, {"username": username, "password": TEST_PASSWORD}, format="json"
    )


def test_unauthenticated_writes_are_limited_per_address(settings: SettingsWrapper) -> None:
    settings.API_ANON_RATE_PER_IP = "3/min"
    users = [CrmUserFactory(role="AGENT") for _ in range(4)]

    for user in users[:3]:
        envelope_ok(_login("10.1.1.1", user.username))
    _throttled(_login("10.1.1.1", users[3].username))

    envelope_ok(_login("10.1.1.2", users[3].username))


def test_the_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
    settings: SettingsWrapper,
) -> None:
    settings.API_ANON_RATE_PER_IP = "1/min"
    settings.TRUST_X_FORWARDED_FOR = True
    user = CrmUserFactory(role="AGENT")

    def login(forwarded: str) -> Any:
        return APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).post(
            LOGIN, {"username": user.username, "password": TEST_PASSWORD}, format="json"
        )

    envelope_ok(login("203.0.113.7"))
    _throttled(login("203.0.113.7"))
    envelope_ok(login("203.0.113.8"))


def test_off_lifts_the_limits(settings: SettingsWrapper) -> None:
    settings.API_WRITE_RATE_PER_USER = "off"
    client, _ = agent_client("ADMIN")
    target = AgentFactory()

    for n in range(30):
        envelope_ok(_rename(client, target, f"Name {n}"))


@pytest.mark.parametrize("value", ["600", "0/min", "ten/min", "600/week", "-1/s"])
def test_a_malformed_rate_stops_the_start(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_WRITE_RATE_PER_USER", value)

    with pytest.raises(ImproperlyConfigured, match="API_WRITE_RATE_PER_USER"):
        env_rate("API_WRITE_RATE_PER_USER", "600/min")


@pytest.mark.parametrize("value", ["600/min", "5/s", "1000/hour", "20000/day", "off", "OFF"])
def test_a_rate_is_read_from_the_environment(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_WRITE_RATE_PER_USER", value)

    assert env_rate("API_WRITE_RATE_PER_USER", "600/min") == value
