"""The fixed data set behind the golden responses: fixed ids, names, cifs, dates and audit times.

Every uuid of the data set comes from :func:`fixed` and is listed in :data:`KNOWN_UUIDS`, so the
normalization (``tests/contract/golden.py``) leaves it alone and replaces only the uuids a
request generated. Timestamps shown by the API (``createdAt``, ``updatedAt``, ``flaggedAt``,
``fUpdate``) are written at INSERT, where the tables' BEFORE UPDATE triggers (``updated_at =
NOW()``) do not fire. ``customer_cases`` is filled with its user triggers disabled, so that the
assignment trigger does not open versions dated today; the assignment history is inserted
directly instead, with fixed ids and dates.

Names, dates and cifs are distinct wherever a list is ordered by them, so every list has one
possible order on any PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection

from agents.models import Agent
from assignments.models import CustomerAgent, ReassignmentFlag
from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseActionFactory,
    CustomerCaseFactory,
    CustomerFactory,
    LoanFactory,
)
from workflow.models import CrmUser, Permission, Role

KNOWN_UUIDS: set[str] = set()


def fixed(number: int) -> uuid.UUID:
    """A fixed uuid of the data set (version 4 shape), remembered as known."""
    value = uuid.UUID(f"00000000-0000-4000-8000-{number:012d}")
    KNOWN_UUIDS.add(str(value))
    return value


def at(text: str) -> dt.datetime:
    """An aware UTC instant from ``YYYY-MM-DDTHH:MM``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


# Users (auth_service.users)
U_ADMIN = fixed(101)
U_SUPERVISOR = fixed(102)
U_AN = fixed(103)
U_BINH = fixed(104)
U_CUONG = fixed(105)
U_NOAGENT = fixed(106)
U_FREE = fixed(107)
U_AUDITOR = fixed(108)
U_MANAGER = fixed(109)
U_INACTIVE = fixed(110)

# Agents (workflow_service.agents)
A_AN = fixed(201)
A_BINH = fixed(202)
A_CUONG = fixed(203)  # inactive
A_DUNG = fixed(204)  # linked to no user
A_HOA = fixed(205)  # the supervisor's profile

# Customers, cases, history, actions, case actions, flags, payments
CUSTOMER_IDS = {cif: fixed(300 + n) for n, cif in enumerate(("CIF-G001", "CIF-G002", "CIF-G003"))}
CUSTOMER_IDS["CIF-G004"] = fixed(304)
LOAN_IDS = {n: fixed(350 + n) for n in range(1, 5)}
ACT_1, ACT_2, ACT_3, ACT_4, ACT_5, ACT_6 = (fixed(400 + n) for n in range(1, 7))
CA_1, CA_2, CA_3 = (fixed(500 + n) for n in range(1, 4))
H_1, H_2, H_3, H_4 = (fixed(600 + n) for n in range(1, 5))  # H_1 is closed
FLAG_1, FLAG_2 = fixed(701), fixed(702)
CASE_1, CASE_2, CASE_4 = fixed(801), fixed(802), fixed(804)
PAY_1, PAY_2 = fixed(901), fixed(902)
ROLE_AGENT, ROLE_ADMIN = fixed(951), fixed(952)
PERM_1, PERM_2, PERM_3 = fixed(961), fixed(962), fixed(963)
PROM_1, PROM_2, PROM_3, PROM_4 = (fixed(1000 + n) for n in range(1, 5))
APPR_1 = fixed(1101)

# Ids that exist nowhere: 404s name them in their messages.
UNKNOWN = fixed(999_999_999_999)

CREATED_AT = at("2026-01-05T01:00")
UPDATED_AT = at("2026-01-06T02:30")

# No date of the data set is later: "<today>" (golden.py) can never match one of them.
LATEST_DATA_DATE = dt.date(2026, 3, 31)


@contextlib.contextmanager
def user_triggers_disabled(table: str) -> Iterator[None]:
    """Insert into ``table`` without its user triggers (inside the test transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _user(user_id: uuid.UUID, username: str, role: str, *, is_active: bool = True) -> CrmUser:
    return CrmUserFactory(
        id=user_id,
        username=username,
        email=f"{username}@golden.test",
        first_name="Golden",
        last_name=username.split(".")[-1].title(),
        role=role,
        is_active=is_active,
    )


def _agent(
    agent_id: uuid.UUID,
    number: int,
    name: str,
    *,
    type: str = "AGENT",
    team: str = "Team A",
    user: CrmUser | None = None,
    is_active: bool = True,
) -> Agent:
    return AgentFactory(
        id=agent_id,
        employee_id=f"EMP-G{number:03d}",
        name=name,
        email=f"{name.split()[0].lower()}@golden.test",
        phone=f"+8490000{number:04d}",
        type=type,
        team=team,
        is_active=is_active,
        user=user,
        created_at=CREATED_AT,
        updated_at=UPDATED_AT,
        created_by="golden.seed",
        updated_by="golden.seed",
    )


def dataset() -> dict[str, CrmUser]:
    """Build the data set in the current (test) transaction; return the users by actor name."""
    users = {
        "admin": _user(U_ADMIN, "golden.admin", "ADMIN"),
        "supervisor": _user(U_SUPERVISOR, "golden.supervisor", "SUPERVISOR"),
        "an": _user(U_AN, "golden.an", "AGENT"),
        "binh": _user(U_BINH, "golden.binh", "AGENT"),
        "cuong": _user(U_CUONG, "golden.cuong", "AGENT"),
        "noagent": _user(U_NOAGENT, "golden.noagent", "AGENT"),
        "free": _user(U_FREE, "golden.free", "AGENT"),
        "auditor": _user(U_AUDITOR, "golden.auditor", "AUDITOR"),
        "manager": _user(U_MANAGER, "golden.manager", "AGENT"),
        "inactive": _user(U_INACTIVE, "golden.inactive", "AGENT", is_active=False),
    }
    agent_role = Role.objects.create(id=ROLE_AGENT, name="AGENT", description="Agents")
    Role.objects.create(id=ROLE_ADMIN, name="ADMIN", description="Administrators")
    for perm_id, resource, verb in (
        (PERM_1, "customer", "read"),
        (PERM_2, "action", "create"),
        (PERM_3, "assignment", "read"),
    ):
        Permission.objects.create(id=perm_id, role=agent_role, resource=resource, action=verb)

    an = _agent(A_AN, 1, "An Nguyen", user=users["an"])
    binh = _agent(A_BINH, 2, "Binh Tran", user=users["binh"])
    cuong = _agent(A_CUONG, 3, "Cuong Le", team="Team B", user=users["cuong"], is_active=False)
    _agent(A_DUNG, 4, "Dung Pham", team="Team B")
    _agent(A_HOA, 5, "Hoa Supervisor", type="SUPERVISOR", user=users["supervisor"])

    one = CustomerFactory(id=CUSTOMER_IDS["CIF-G001"], cif="CIF-G001", name="Customer One")
    two = CustomerFactory(
        id=CUSTOMER_IDS["CIF-G002"], cif="CIF-G002", name="Customer Two", segment="SME"
    )
    CustomerFactory(id=CUSTOMER_IDS["CIF-G003"], cif="CIF-G003", name="Customer Three")
    four = CustomerFactory(
        id=CUSTOMER_IDS["CIF-G004"],
        cif="CIF-G004",
        type="ORGANIZATION",
        name=None,
        company_name="Four Trading Co",
        segment="CORPORATE",
    )
    loans = {
        1: LoanFactory(id=LOAN_IDS[1], account_number="LN-G001", customer=one, dpd=30),
        2: LoanFactory(
            id=LOAN_IDS[2],
            account_number="LN-G002",
            customer=one,
            dpd=90,
            outstanding=Decimal("45000000.50"),
            due_amount=Decimal("1250000.25"),
        ),
        3: LoanFactory(id=LOAN_IDS[3], account_number="LN-G003", customer=two, dpd=10),
        4: LoanFactory(id=LOAN_IDS[4], account_number="LN-G004", customer=four, dpd=0),
    }

    with user_triggers_disabled("workflow_service.customer_cases"):
        CustomerCaseFactory(
            id=CASE_1,
            customer=one,
            assigned_call_agent=an,
            assigned_field_agent=binh,
            f_update=at("2026-03-06T04:00"),
            customer_status="COOPERATIVE",
            collateral_status="UNDER_REVIEW",
            recovery_ability_status="HIGH",
            created_at=CREATED_AT,
            updated_at=UPDATED_AT,
        )
        CustomerCaseFactory(
            id=CASE_2,
            customer=two,
            assigned_call_agent=an,
            f_update=at("2026-02-21T01:30"),
            created_at=CREATED_AT,
            updated_at=UPDATED_AT,
        )
        CustomerCaseFactory(
            id=CASE_4,
            customer=four,
            assigned_field_agent=cuong,
            customer_status="DISPUTED",
            created_at=CREATED_AT,
            updated_at=UPDATED_AT,
        )
    for version_id, cif, call, field, start, end in (
        (H_1, "CIF-G001", A_AN, None, dt.date(2025, 10, 1), dt.date(2026, 1, 15)),
        (H_2, "CIF-G001", A_AN, A_BINH, dt.date(2026, 1, 15), None),
        (H_3, "CIF-G002", A_AN, None, dt.date(2026, 2, 1), None),
        (H_4, "CIF-G004", None, A_CUONG, dt.date(2026, 1, 20), None),
    ):
        opened = dt.datetime.combine(start, dt.time(3, 0), tzinfo=dt.UTC)
        CustomerAgent.objects.create(
            id=version_id,
            customer_id=cif,
            assigned_call_agent_id=call,
            assigned_field_agent_id=field,
            start_date=start,
            end_date=end,
            is_current=end is None,
            created_at=opened,
            updated_at=opened,
        )

    def action(action_id: uuid.UUID, loan: int, agent: Agent, when: str, **fields: object) -> None:
        moment = at(when)
        ActionRecordFactory(
            id=action_id,
            loan=loans[loan],
            customer=loans[loan].customer,
            agent=agent,
            action_date=moment,
            created_at=moment + dt.timedelta(minutes=5),
            updated_at=moment + dt.timedelta(minutes=5),
            created_by="golden.seed",
            updated_by="golden.seed",
            **fields,
        )

    action(
        ACT_1,
        1,
        an,
        "2026-03-02T02:30",
        notes="Promised to pay on Friday.",
        call_trace_id="TRACE-G001",
    )
    action(
        ACT_2,
        2,
        binh,
        "2026-03-05T03:00",
        type="VISIT",
        subtype="FIELD_VISIT",
        action_result="PARTIAL_PAYMENT",
        notes="Paid part at home.",
        visit_latitude=Decimal("21.02850000"),
        visit_longitude=Decimal("105.85420000"),
        visit_address="12 Hang Bai, Ha Noi",
    )
    action(ACT_3, 1, an, "2026-03-09T08:15", subtype="FOLLOW_UP_CALL", action_result="NO_CONTACT")
    action(
        ACT_4,
        3,
        an,
        "2026-02-20T01:00",
        type="SMS",
        subtype="PAYMENT_REMINDER",
        action_result="RESCHEDULED",
    )
    action(
        ACT_5,
        4,
        binh,
        "2025-11-15T04:45",
        type="EMAIL",
        subtype="COURTESY_CALL",
        action_result="DISPUTE",
        notes="Disputes the fee.",
    )
    action(
        ACT_6,
        3,
        cuong,
        "2026-01-12T06:20",
        type="LETTER",
        subtype="PAYMENT_REMINDER",
        action_result="PAYMENT_MADE",
    )

    for case_action_id, customer, agent, when, fields in (
        (
            CA_1,
            one,
            an,
            "2026-03-03T02:00",
            {"customer_status": "COOPERATIVE", "notes": "Agreed to a plan."},
        ),
        (
            CA_2,
            one,
            binh,
            "2026-03-06T04:00",
            {
                "customer_status": None,
                "collateral_status": "UNDER_REVIEW",
                "recovery_ability_status": "HIGH",
            },
        ),
        (
            CA_3,
            two,
            an,
            "2026-02-21T01:30",
            {"customer_status": "ACTIVE", "processing_state_status": "PENDING"},
        ),
    ):
        moment = at(when)
        CustomerCaseActionFactory(
            id=case_action_id,
            customer=customer,
            agent=agent,
            action_date=moment,
            created_at=moment + dt.timedelta(minutes=1),
            updated_at=moment + dt.timedelta(minutes=1),
            created_by="golden.seed",
            updated_by="golden.seed",
            **fields,
        )

    for flag_id, cif, agent_id, role, when in (
        (FLAG_1, "CIF-G004", A_CUONG, "FIELD", "2026-03-01T01:00"),
        (FLAG_2, "CIF-G002", A_AN, "CALL", "2026-03-04T01:00"),
    ):
        ReassignmentFlag.objects.create(
            id=flag_id,
            customer_id=cif,
            agent_id=agent_id,
            role=role,
            reason="The agent's user was deactivated in the auth service: left the bank",
            flagged_at=at(when),
        )

    with connection.cursor() as cursor:
        for pay_id, payment_id, cif, loan, amount, when, call, field in (
            (
                PAY_1,
                "PAY-G001",
                "CIF-G001",
                "LN-G002",
                "1500000.50",
                "2026-03-05T05:00",
                A_AN,
                A_BINH,
            ),
            (
                PAY_2,
                "PAY-G002",
                "CIF-G002",
                "LN-G003",
                "2000000.00",
                "2026-03-10T07:00",
                A_AN,
                None,
            ),
        ):
            cursor.execute(
                """
                INSERT INTO workflow_service.payments (id, payment_id, loan_account_number, cif,
                    amount, currency, payment_date, payment_channel, call_agent_id,
                    field_agent_id, source, received_at, raw)
                VALUES (%s, %s, %s, %s, %s, 'VND', %s, 'BRANCH', %s, %s, 'golden', %s, %s)
                """,
                [
                    pay_id,
                    payment_id,
                    loan,
                    cif,
                    Decimal(amount),
                    at(when).replace(tzinfo=None),
                    call,
                    field,
                    at(when).replace(tzinfo=None),
                    json.dumps({"paymentId": payment_id}),
                ],
            )
        cursor.execute("REFRESH MATERIALIZED VIEW workflow_service.customer_collection_status")
    return users


def promises() -> None:
    """Promises of the promise cases only (added after :func:`dataset`, so the figures and
    action lists of the other cases stay as they were): PROM_1 pending on LN-G001 (An's,
    obtained by ACT_1), PROM_2 kept on LN-G002 by payment PAY-G001 (Binh), PROM_3 broken on
    LN-G003 (An) and PROM_4 pending, customer-level, of CIF-G004 (Cuong's customer)."""
    from promises.models import PaymentPromise, PromiseAppropriation

    for promise_id, cif, loan, agent_id, action_id, amount, promised, made, fields in (
        (
            PROM_1,
            "CIF-G001",
            "LN-G001",
            A_AN,
            ACT_1,
            "3000000",
            "2026-03-13",
            "2026-03-02T02:35",
            {},
        ),
        (
            PROM_2,
            "CIF-G001",
            "LN-G002",
            A_BINH,
            ACT_2,
            "1500000",
            "2026-03-06",
            "2026-03-05T03:05",
            {
                "status": "KEPT",
                "paid_amount": Decimal("1500000"),
                "resolved_at": at("2026-03-05T05:01"),
            },
        ),
        (
            PROM_3,
            "CIF-G002",
            "LN-G003",
            A_AN,
            None,
            "2500000",
            "2026-02-25",
            "2026-02-20T01:05",
            {
                "status": "BROKEN",
                "resolved_at": at("2026-03-01T17:00"),
                "follow_up_date": dt.date(2026, 3, 2),
                "follow_up_agent_id": A_AN,
            },
        ),
        (PROM_4, "CIF-G004", None, A_CUONG, None, "9000000", "2026-03-20", "2026-03-01T03:00", {}),
    ):
        PaymentPromise.objects.create(
            id=promise_id,
            customer_id=cif,
            loan_id=loan,
            agent_id=agent_id,
            action_id=action_id,
            amount=Decimal(amount),
            currency="VND",
            promised_date=dt.date.fromisoformat(promised),
            grace_days=3,
            tolerance_percent=Decimal("5.00"),
            created_at=at(made),
            updated_at=at(made),
            created_by="golden.seed",
            updated_by="golden.seed",
            **fields,
        )
    PromiseAppropriation.objects.create(
        id=APPR_1,
        promise_id=PROM_2,
        payment_id="PAY-G001",
        amount=Decimal("1500000"),
        appropriated_at=at("2026-03-05T05:01"),
    )
