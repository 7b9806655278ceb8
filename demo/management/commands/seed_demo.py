"""``manage.py seed_demo``: a small, realistic, idempotent demo dataset."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from typing import Any

import bcrypt
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from actions.models import ActionRecord
from agents.models import Agent
from assignments.models import CustomerAgent
from cases.models import CustomerCase, CustomerCaseAction
from contacts.presets import install_presets
from demo.users import DEMO_USERS
from workflow import enums
from workflow.models import CrmUser, Customer, Loan, Permission, Role

SEED = 20261125
NAMESPACE = uuid.UUID("6f0e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b")
ACTOR = "seed_demo"
TEAMS = ("Hanoi Call", "Hanoi Field", "HCMC Call", "HCMC Field")
ROLE_PERMISSIONS = {
    "ADMIN": [("user_management", "all"), ("customer_assignment", "all"), ("action", "all")],
    "SUPERVISOR": [("user_management", "user"), ("customer_assignment", "all"), ("action", "all")],
    "AGENT": [("action", "create"), ("action", "read"), ("case", "update")],
}
FIRST_NAMES = (
    "Anh",
    "Bao",
    "Cuong",
    "Duc",
    "Giang",
    "Hai",
    "Hoa",
    "Khanh",
    "Lan",
    "Linh",
    "Minh",
    "Nam",
    "Ngoc",
    "Phuong",
    "Quang",
    "Son",
    "Thao",
    "Trang",
    "Tuan",
    "Vy",
)
LAST_NAMES = ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Vo", "Dang")
PRODUCTS = ("PERSONAL_LOAN", "CREDIT_CARD", "MORTGAGE", "AUTO_LOAN", "SME_LOAN")


def stable_id(*parts: object) -> uuid.UUID:
    """The same uuid for the same parts on every run, so re-seeding inserts nothing new."""
    return uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts))


def customer_rng(section: str, cif: str) -> random.Random:
    """A generator of its own per customer and section: re-runs draw the same values."""
    return random.Random(f"{SEED}:{section}:{cif}")  # noqa: S311 (demo data, not secrets)


class Command(BaseCommand):
    help = (
        "Load demo data: one login user per role (passwords printed), agents linked to them, "
        "~200 customers with loans of varied days past due, assignments with history, action "
        "records over several quarters (historical partition included) and case statuses. "
        "Idempotent: running it again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=200, help="customers (default 200)")
        parser.add_argument(
            "--actions-per-customer", type=int, default=12, help="action records per customer"
        )

    def handle(self, *args: Any, customers: int, actions_per_customer: int, **opts: Any) -> None:
        rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
        with transaction.atomic():
            self._roles()
            agents = self._users_and_agents(rng)
            cifs = self._customers_and_loans(rng, customers)
            self._cases_and_history(cifs, agents)
            self._actions(cifs, agents, actions_per_customer)
            self._local_admin()
            # The contact-policy presets (the migration installs them; a wiped database may
            # lack them): the Vietnam preset applies to every demo customer.
            install_presets()
        with connection.cursor() as cursor:
            cursor.execute("SELECT workflow_service.refresh_workflow_materialized_views()")
        counts = {
            "users": CrmUser.objects.count(),
            "agents": Agent.objects.count(),
            "customers": Customer.objects.count(),
            "loans": Loan.objects.count(),
            "cases": CustomerCase.objects.count(),
            "assignment versions": CustomerAgent.objects.count(),
            "action records": ActionRecord.objects.count(),
            "case actions": CustomerCaseAction.objects.count(),
        }
        self.stdout.write("Demo data ready: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        self.stdout.write("Demo logins (username / password / role):")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<12} {user.password:<16} {user.role}")

    def _local_admin(self) -> None:
        """A local Django superuser with the demo admin's credentials, for the admin site."""
        demo = next(user for user in DEMO_USERS if user.role == "ADMIN")
        if not User.objects.filter(username=demo.username).exists():
            User.objects.create_superuser(
                username=demo.username,
                email=f"{demo.username}@demo-bank.vn",
                password=demo.password,
            )

    def _roles(self) -> None:
        for role_name, grants in ROLE_PERMISSIONS.items():
            role, _ = Role.objects.get_or_create(
                name=role_name, defaults={"description": f"{role_name.title()} role"}
            )
            for resource, action in grants:
                Permission.objects.get_or_create(role=role, resource=resource, action=action)

    def _users_and_agents(self, rng: random.Random) -> list[Agent]:
        agents: list[Agent] = []
        for number, demo in enumerate(DEMO_USERS, start=1):
            user = CrmUser.objects.filter(username=demo.username).first()
            if user is None:
                user = CrmUser.objects.create(
                    username=demo.username,
                    email=f"{demo.username}@demo-bank.vn",
                    password_hash=bcrypt.hashpw(
                        demo.password.encode(), bcrypt.gensalt(rounds=10)
                    ).decode(),
                    first_name=demo.first_name,
                    last_name=demo.last_name,
                    role=demo.role,
                )
            agent, _ = Agent.objects.get_or_create(
                employee_id=f"EMP{number:04d}",
                defaults={
                    "name": f"{demo.first_name} {demo.last_name}",
                    "email": user.email,
                    "phone": f"+8490{number:07d}",
                    "type": demo.role,
                    "team": demo.team,
                    "user": user,
                    "created_by": ACTOR,
                    "updated_by": ACTOR,
                },
            )
            if agent.type == enums.AgentType.AGENT:
                agents.append(agent)
        # More collectors without a login yet: the linking workflow has something to do.
        for number in range(len(DEMO_USERS) + 1, len(DEMO_USERS) + 9):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            agent, _ = Agent.objects.get_or_create(
                employee_id=f"EMP{number:04d}",
                defaults={
                    "name": f"{first} {last}",
                    "email": f"collector{number:02d}@demo-bank.vn",
                    "phone": f"+8491{number:07d}",
                    "type": enums.AgentType.AGENT,
                    "team": TEAMS[number % len(TEAMS)],
                    "is_active": number != len(DEMO_USERS) + 8,
                    "created_by": ACTOR,
                    "updated_by": ACTOR,
                },
            )
            if agent.is_active:
                agents.append(agent)
        return agents

    def _customers_and_loans(self, rng: random.Random, count: int) -> list[str]:
        customers: list[Customer] = []
        loans: list[Loan] = []
        today = dt.date(2026, 11, 1)
        for number in range(1, count + 1):
            cif = f"CIF{number:07d}"
            organization = number % 10 == 0
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            customers.append(
                Customer(
                    id=stable_id("customer", cif),
                    cif=cif,
                    type="ORGANIZATION" if organization else "INDIVIDUAL",
                    name=None if organization else f"{last} {first}",
                    company_name=f"{last} Trading Co., Ltd" if organization else None,
                    date_of_birth=None
                    if organization
                    else dt.date(1960 + number % 40, 1 + number % 12, 1 + number % 28),
                    national_id=None if organization else f"0{number:011d}",
                    gender=None if organization else ("MALE" if number % 2 else "FEMALE"),
                    registration_number=f"REG{number:06d}" if organization else None,
                    segment=rng.choice(("MASS", "AFFLUENT", "SME", "PRIORITY")),
                    status="ACTIVE",
                    source_system=rng.choice(("T24", "W4")),
                    created_by=ACTOR,
                    updated_by=ACTOR,
                )
            )
            for loan_no in range(1, rng.randint(1, 3) + 1):
                original = Decimal(rng.randrange(20, 2000)) * Decimal("1000000")
                outstanding = (original * Decimal(rng.uniform(0.1, 0.95))).quantize(Decimal("1"))
                dpd = rng.choice((0, 0, 5, 15, 30, 45, 60, 90, 120, 180, 365))
                disbursed = today - dt.timedelta(days=rng.randint(200, 1500))
                loans.append(
                    Loan(
                        id=stable_id("loan", cif, loan_no),
                        account_number=f"LN{number:07d}{loan_no}",
                        customer_id=cif,
                        product_type=rng.choice(PRODUCTS),
                        original_amount=original,
                        currency="VND",
                        disbursement_date=disbursed,
                        maturity_date=disbursed + dt.timedelta(days=365 * rng.randint(1, 10)),
                        interest_rate=Decimal(rng.randrange(600, 2400)) / Decimal(100),
                        term=rng.choice((12, 24, 36, 60, 120)),
                        payment_frequency="MONTHLY",
                        outstanding=outstanding,
                        remaining_amount=outstanding,
                        due_amount=(outstanding / 20).quantize(Decimal("1")) if dpd else Decimal(0),
                        min_pay=(outstanding / 50).quantize(Decimal("1")),
                        next_payment_date=today + dt.timedelta(days=rng.randint(1, 30)),
                        dpd=dpd,
                        delinquency_status="CURRENT" if dpd == 0 else f"DPD_{min(dpd, 180)}",
                        status="OPEN",
                        source_system="T24",
                        created_by=ACTOR,
                        updated_by=ACTOR,
                    )
                )
        Customer.objects.bulk_create(customers, ignore_conflicts=True)
        Loan.objects.bulk_create(loans, ignore_conflicts=True)
        return [customer.cif for customer in customers]

    def _cases_and_history(self, cifs: list[str], agents: list[Agent]) -> None:
        existing = set(
            CustomerCase.objects.filter(customer_id__in=cifs).values_list("customer_id", flat=True)
        )
        call_agents = [a for a in agents if "Call" in a.team] or agents
        field_agents = [a for a in agents if "Field" in a.team] or agents
        for cif in cifs:
            if cif in existing:
                continue
            rng = customer_rng("case", cif)
            # Before the case row exists, the customer's past assignments (seeded history).
            if rng.random() < 0.4:
                start = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
                end = start + dt.timedelta(days=rng.randint(30, 200))
                CustomerAgent.objects.create(
                    id=stable_id("history", cif),
                    customer_id=cif,
                    assigned_call_agent=rng.choice(call_agents),
                    assigned_field_agent=None,
                    start_date=start,
                    end_date=end,
                    is_current=False,
                )
            # Inserting the case makes the database trigger open the current assignment.
            CustomerCase.objects.create(
                id=stable_id("case", cif),
                customer_id=cif,
                assigned_call_agent=rng.choice(call_agents),
                assigned_field_agent=rng.choice(field_agents) if rng.random() < 0.5 else None,
                customer_status=rng.choice(enums.CustomerStatus.values),
                collateral_status=rng.choice(enums.CollateralStatus.values),
                processing_state_status=rng.choice(enums.ProcessingStateStatus.values),
                lending_violation_status=rng.choice(enums.LendingViolationStatus.values),
                recovery_ability_status=rng.choice(enums.RecoveryAbilityStatus.values),
                created_by=ACTOR,
                updated_by=ACTOR,
            )
            CustomerCaseAction.objects.create(
                id=stable_id("case-action", cif),
                customer_id=cif,
                agent=rng.choice(call_agents),
                action_date=dt.datetime(2026, 10, rng.randint(1, 28), 3, 0, tzinfo=dt.UTC),
                notes="Initial case review",
                customer_status=enums.CustomerStatus.ACTIVE,
                processing_state_status=enums.ProcessingStateStatus.IN_PROCESS,
                created_by=ACTOR,
                updated_by=ACTOR,
            )

    def _actions(self, cifs: list[str], agents: list[Agent], per_customer: int) -> None:
        loans_by_cif: dict[str, list[str]] = {}
        for account, loan_cif in Loan.objects.filter(customer_id__in=cifs).values_list(
            "account_number", "customer_id"
        ):
            loans_by_cif.setdefault(str(loan_cif), []).append(account)
        start = dt.datetime(2024, 10, 1, tzinfo=dt.UTC)  # the historical partition
        span = (dt.datetime(2026, 11, 20, tzinfo=dt.UTC) - start).total_seconds()
        results = enums.ActionResult.values
        records: list[ActionRecord] = []
        for cif in cifs:
            rng = customer_rng("actions", cif)
            for number in range(per_customer):
                action_type = rng.choice(
                    ("CALL", "CALL", "CALL", "VISIT", "SMS", "EMAIL", "LETTER")
                )
                visit = action_type == "VISIT"
                subtype = {
                    "CALL": rng.choice(("REMINDER_CALL", "FOLLOW_UP_CALL", "COURTESY_CALL")),
                    "VISIT": "FIELD_VISIT",
                }.get(action_type, "PAYMENT_REMINDER")
                when = start + dt.timedelta(seconds=rng.uniform(0, span))
                agent = rng.choice(agents)
                records.append(
                    ActionRecord(
                        id=stable_id("action", cif, number),
                        customer_id=cif,
                        loan_id=rng.choice(loans_by_cif[cif]),
                        agent=agent,
                        type=action_type,
                        subtype=subtype,
                        action_result=rng.choice(results),
                        action_date=when.replace(microsecond=0),
                        notes=f"{action_type.title()} by {agent.name}",
                        call_trace_id=f"CT{rng.randrange(10**9):09d}"
                        if action_type == "CALL"
                        else None,
                        visit_latitude=Decimal(f"{rng.uniform(20.9, 21.1):.8f}") if visit else None,
                        visit_longitude=Decimal(f"{rng.uniform(105.7, 105.9):.8f}")
                        if visit
                        else None,
                        visit_address="Hoan Kiem, Ha Noi" if visit else None,
                        created_by=ACTOR,
                        updated_by=ACTOR,
                    )
                )
        ActionRecord.objects.bulk_create(records, batch_size=1000, ignore_conflicts=True)
