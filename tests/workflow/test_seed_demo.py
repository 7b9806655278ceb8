from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from demo.users import DEMO_USERS

pytestmark = pytest.mark.django_db

TABLES = (
    "auth_service.users",
    "auth_service.roles",
    "auth_service.permissions",
    "bank_sync_service.customers",
    "bank_sync_service.loans",
    "workflow_service.agents",
    "workflow_service.action_records",
    "workflow_service.action_records_historical",
    "workflow_service.customer_agents",
    "workflow_service.customer_cases",
    "workflow_service.customer_case_actions",
    "workflow_service.agent_performance",
    "workflow_service.customer_collection_status",
)


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def test_seed_demo_twice_gives_the_same_row_counts(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo", customers=40, actions_per_customer=6)
    first = row_counts()
    call_command("seed_demo", customers=40, actions_per_customer=6)
    assert row_counts() == first
    assert first["bank_sync_service.customers"] == 40
    assert first["workflow_service.action_records"] == 240
    assert first["workflow_service.action_records_historical"] > 0
    assert first["workflow_service.customer_agents"] > first["workflow_service.customer_cases"]
    out = capsys.readouterr().out
    for user in DEMO_USERS:
        assert f"{user.username:<12} {user.password}" in out


def test_every_demo_login_has_a_linked_agent_and_a_bcrypt_hash() -> None:
    call_command("seed_demo", customers=5, actions_per_customer=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.username, u.password_hash, a.id FROM auth_service.users u "
            "LEFT JOIN workflow_service.agents a ON a.user_id = u.id"
        )
        rows = cursor.fetchall()
    assert {r[0] for r in rows} == {u.username for u in DEMO_USERS}
    assert all(r[1].startswith("$2b$") and r[2] is not None for r in rows)


def test_the_vietnam_contact_preset_applies_to_every_demo_customer() -> None:
    from contacts.services import contact_policy_check
    from workflow.actors import Actor
    from workflow.models import Customer

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE workflow_service.contact_policies CASCADE")
        cursor.execute("TRUNCATE workflow_service.contact_policy_assignments")
    call_command("seed_demo", customers=3, actions_per_customer=1)

    actor = Actor(username="demo.check")
    for cif in Customer.objects.values_list("cif", flat=True):
        answer = contact_policy_check(actor=actor, cif=cif, channel="CALL", contact_point="0900")
        assert answer.decision.policy_code == "VN_CIRCULAR_18_2019"
