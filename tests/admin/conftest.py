"""Admin clients signed in through the admin login form with CRM credentials."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD, CrmUserFactory


def crm_signed_in(username: str, role: str) -> Client:
    """A client of a new CRM user with ``role`` who signed in at /admin/login/."""
    CrmUserFactory(username=username, role=role, email=f"{username}@staff.test")
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": TEST_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def supervisor() -> Client:
    return crm_signed_in("sup.admin", "SUPERVISOR")


@pytest.fixture
def crm_admin() -> Client:
    return crm_signed_in("adm.admin", "ADMIN")
