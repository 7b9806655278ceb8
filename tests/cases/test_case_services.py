"""``case_record_action``: one transaction, and the rules it enforces for every caller."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection

from assignments.models import CustomerAgent
from cases.models import CustomerCase, CustomerCaseAction
from cases.services import case_record_action
from tests.factories import AgentFactory, CrmUserFactory, CustomerCaseFactory, CustomerFactory
from workflow.actors import Actor
from workflow.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor() -> Actor:
    user = CrmUserFactory(role="AGENT")
    AgentFactory(user=user)
    return Actor(username=user.username, user_id=user.id, roles=frozenset({"AGENT"}))


@pytest.fixture
def failing_case_action_insert() -> Iterator[None]:
    """Make every INSERT into customer_case_actions fail inside the database.

    DDL is transactional in PostgreSQL: the test's rollback removes the trigger again.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION workflow_service.test_refuse_case_action() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
            CREATE TRIGGER test_refuse_case_action
                BEFORE INSERT ON workflow_service.customer_case_actions
                FOR EACH ROW EXECUTE FUNCTION workflow_service.test_refuse_case_action();
            """
        )
    yield


@pytest.mark.usefixtures("failing_case_action_insert")
def test_a_failed_insert_of_the_action_leaves_the_case_unchanged(actor: Actor) -> None:
    case = CustomerCaseFactory(customer_status="ACTIVE")

    with pytest.raises(DatabaseError, match="refused by the test"):
        case_record_action(
            actor=actor,
            cif=case.customer_id,
            action_date=dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC),
            customer_status="DISPUTED",
        )

    case.refresh_from_db()
    assert (case.customer_status, case.f_update, case.updated_by) == ("ACTIVE", None, "tests")
    assert not CustomerCaseAction.objects.exists()


@pytest.mark.usefixtures("failing_case_action_insert")
def test_a_failed_insert_of_the_action_opens_no_case(actor: Actor) -> None:
    customer = CustomerFactory()

    with pytest.raises(DatabaseError, match="refused by the test"):
        case_record_action(actor=actor, cif=customer.cif, notes="first contact")

    assert not CustomerCase.objects.filter(customer_id=customer.cif).exists()
    assert not CustomerAgent.objects.filter(customer_id=customer.cif).exists()


@pytest.mark.parametrize(
    "field",
    [
        "customer_status",
        "collateral_status",
        "processing_state_status",
        "lending_violation_status",
        "recovery_ability_status",
    ],
)
def test_it_validates_statuses_for_callers_other_than_the_api(actor: Actor, field: str) -> None:
    case = CustomerCaseFactory()
    with pytest.raises(ValidationFailed) as raised:
        case_record_action(actor=actor, cif=case.customer_id, **{field: "BOGUS"})
    camel = field.split("_")[0] + "".join(part.title() for part in field.split("_")[1:])
    assert raised.value.field == camel
    assert not CustomerCaseAction.objects.exists()


def test_it_refuses_a_naive_action_date(actor: Actor) -> None:
    case = CustomerCaseFactory()
    with pytest.raises(ValidationFailed) as raised:
        case_record_action(
            actor=actor, cif=case.customer_id, notes="n", action_date=dt.datetime(2026, 3, 2, 3)
        )
    assert raised.value.field == "actionDate"
