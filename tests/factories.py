"""factory_boy factories for the bank's tables (they write the real, unmanaged tables)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import bcrypt
import factory

from actions.models import ActionRecord
from agents.models import Agent
from cases.models import CustomerCase, CustomerCaseAction
from workflow.models import CrmUser, Customer, Loan

# One cheap hash for every factory user (bcrypt cost 4); the password is "secret-password".
TEST_PASSWORD = "secret-password"
TEST_PASSWORD_HASH = bcrypt.hashpw(TEST_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()


class CrmUserFactory(factory.django.DjangoModelFactory[CrmUser]):
    class Meta:
        model = CrmUser

    username = factory.Sequence(lambda n: f"user{n:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@bank.test")
    password_hash = TEST_PASSWORD_HASH
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = "AGENT"
    is_active = True


class AgentFactory(factory.django.DjangoModelFactory[Agent]):
    class Meta:
        model = Agent

    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"Agent {n:04d}")
    email = factory.Sequence(lambda n: f"agent{n:04d}@bank.test")
    phone = "+84900000000"
    type = "AGENT"
    team = "Team A"
    is_active = True
    created_by = "tests"
    updated_by = "tests"


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    cif = factory.Sequence(lambda n: f"C{n:08d}")
    type = "INDIVIDUAL"
    name = factory.Sequence(lambda n: f"Customer {n}")
    segment = "MASS"
    status = "ACTIVE"
    source_system = "T24"
    created_by = "tests"
    updated_by = "tests"


class LoanFactory(factory.django.DjangoModelFactory[Loan]):
    class Meta:
        model = Loan

    account_number = factory.Sequence(lambda n: f"L{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    product_type = "PERSONAL_LOAN"
    original_amount = Decimal("100000000.00")
    currency = "VND"
    disbursement_date = dt.date(2024, 1, 15)
    maturity_date = dt.date(2029, 1, 15)
    interest_rate = Decimal("12.5000")
    term = 60
    payment_frequency = "MONTHLY"
    outstanding = Decimal("80000000.00")
    remaining_amount = Decimal("80000000.00")
    due_amount = Decimal("2500000.00")
    next_payment_date = dt.date(2026, 12, 15)
    dpd = 30
    delinquency_status = "DPD_30"
    status = "OPEN"
    source_system = "T24"
    created_by = "tests"
    updated_by = "tests"


class ActionRecordFactory(factory.django.DjangoModelFactory[ActionRecord]):
    class Meta:
        model = ActionRecord

    loan = factory.SubFactory(LoanFactory)
    customer = factory.LazyAttribute(lambda o: o.loan.customer)
    agent = factory.SubFactory(AgentFactory)
    type = "CALL"
    subtype = "REMINDER_CALL"
    action_result = "PROMISE_TO_PAY"
    action_date = dt.datetime(2026, 3, 10, 2, 30, tzinfo=dt.UTC)
    created_by = "tests"
    updated_by = "tests"


class CustomerCaseFactory(factory.django.DjangoModelFactory[CustomerCase]):
    class Meta:
        model = CustomerCase

    customer = factory.SubFactory(CustomerFactory)
    customer_status = "ACTIVE"
    collateral_status = "UNSECURED"
    processing_state_status = "IN_PROCESS"
    lending_violation_status = "NONE"
    recovery_ability_status = "MEDIUM"
    created_by = "tests"
    updated_by = "tests"


class CustomerCaseActionFactory(factory.django.DjangoModelFactory[CustomerCaseAction]):
    class Meta:
        model = CustomerCaseAction

    customer = factory.SubFactory(CustomerFactory)
    agent = factory.SubFactory(AgentFactory)
    action_date = dt.datetime(2026, 3, 10, 2, 30, tzinfo=dt.UTC)
    customer_status = "COOPERATIVE"
    created_by = "tests"
    updated_by = "tests"
