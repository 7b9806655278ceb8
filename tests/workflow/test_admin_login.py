"""Supervisors sign in to the admin with their CRM credentials; agents cannot."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from tests.factories import TEST_PASSWORD, CrmUserFactory
from workflow.auth.backends import SUPERVISORS_GROUP

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def sign_in(client: Client, username: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_a_crm_supervisor_signs_in_and_gets_a_staff_user_in_the_supervisors_group() -> None:
    CrmUserFactory(username="sup.one", role="SUPERVISOR", first_name="Binh", last_name="Tran")
    client = Client()
    response = sign_in(client, "sup.one")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    local = User.objects.get(username="sup.one")
    assert (local.is_staff, local.is_superuser, local.is_active) == (True, False, True)
    assert not local.has_usable_password()
    assert local.groups.filter(name=SUPERVISORS_GROUP).exists()
    assert local.first_name == "Binh"
    assert client.get("/admin/").status_code == 200


def test_a_crm_admin_becomes_a_superuser() -> None:
    CrmUserFactory(username="adm.one", role="ADMIN")
    assert sign_in(Client(), "adm.one").status_code == 302
    assert User.objects.get(username="adm.one").is_superuser is True


def test_agents_and_wrong_passwords_are_refused_without_creating_a_staff_user() -> None:
    CrmUserFactory(username="agent.one", role="AGENT")
    CrmUserFactory(username="sup.two", role="SUPERVISOR")
    for username, password in [("agent.one", TEST_PASSWORD), ("sup.two", "wrong")]:
        response = sign_in(Client(), username, password)
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    assert not User.objects.filter(is_staff=True).exists()


def test_a_deactivated_or_demoted_crm_user_loses_admin_access_at_the_next_sign_in() -> None:
    crm = CrmUserFactory(username="sup.three", role="SUPERVISOR")
    assert sign_in(Client(), "sup.three").status_code == 302
    crm.role = "AGENT"
    crm.save()
    assert sign_in(Client(), "sup.three").status_code == 200
    local = User.objects.get(username="sup.three")
    assert local.is_staff is False
    crm.role, crm.is_active = "SUPERVISOR", False
    crm.save()
    assert sign_in(Client(), "sup.three").status_code == 200
    assert User.objects.get(username="sup.three").is_active is False


def test_local_superusers_still_sign_in_and_are_never_taken_over_by_a_crm_user() -> None:
    User.objects.create_superuser("root", "root@bank.test", "local-password-123")
    CrmUserFactory(username="root", role="ADMIN")  # a CRM user with the same name
    assert sign_in(Client(), "root", TEST_PASSWORD).status_code == 200
    assert sign_in(Client(), "root", "local-password-123").status_code == 302


def test_admin_sign_ins_are_throttled_like_the_api_login(settings: Settings) -> None:
    settings.LOGIN_MAX_FAILURES_PER_USER = 2
    CrmUserFactory(username="sup.four", role="SUPERVISOR")
    for _ in range(2):
        sign_in(Client(), "sup.four", "guess")
    response = sign_in(Client(), "sup.four")
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not User.objects.filter(username="sup.four").exists()


def test_the_supervisors_group_grants_view_and_change_but_no_delete() -> None:
    CrmUserFactory(username="sup.perm", role="SUPERVISOR")
    sign_in(Client(), "sup.perm")
    local = User.objects.get(username="sup.perm")
    assert local.has_perm("agents.change_agent")
    assert local.has_perm("actions.view_actionrecord")
    assert not local.has_perm("actions.change_actionrecord")
    assert not any(perm.split(".")[1].startswith("delete_") for perm in local.get_all_permissions())
