"""The attack surface of the API, read from its own OpenAPI document (never typed by hand):
every operation with its path and query parameters and its JSON body fields, and a world of
rows that gives each operation a request that succeeds (the base that hostile input spoils).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from agents.models import Agent
from assignments.models import CustomerAgent
from bench.contact_cases import noon_zone
from contacts.policy_services import profile_set
from contacts.services import contact_attempt_override
from promises.services import promise_make
from tests.api import login_as
from tests.factories import (
    TEST_PASSWORD,
    ActionRecordFactory,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseFactory,
    LoanFactory,
)
from workflow.actors import Actor
from workflow.auth import services as auth_services
from workflow.business_time import business_today
from workflow.models import CrmUser


def openapi_document() -> dict[str, Any]:
    """The served OpenAPI document, as ``GET schema/?format=json`` renders it."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Param:
    """A path or query parameter, or a body field (``name`` dotted for nested objects)."""

    name: str
    schema: dict[str, Any]
    required: bool = False

    @property
    def enum(self) -> list[Any] | None:
        return self.schema.get("enum")

    @property
    def kind(self) -> str:
        """string, date, date-time, uuid, integer, number, boolean, object, enum."""
        if self.enum:
            return "enum"
        kind = self.schema.get("type", "string")
        if kind == "string" and self.schema.get("format") in ("date", "date-time", "uuid"):
            return str(self.schema["format"])
        return str(kind)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # "/api/v1/collection/actions/{id}/result"
    operation_id: str
    path_params: tuple[Param, ...]
    query_params: tuple[Param, ...]
    body_fields: tuple[Param, ...] = field(default=())
    has_body: bool = False
    # Top-level fields of ``data`` in the success answer (what the server returns).
    answer_fields: tuple[Param, ...] = field(default=())

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with ``$ref``, ``allOf`` and ``oneOf`` (of an enum and null) folded."""
    if "$ref" in schema:
        return _resolve(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("allOf", "oneOf"):
        if key in schema:
            merged = {k: v for k, v in schema.items() if k != key}
            for part in schema[key]:
                resolved = _resolve(part, components)
                if resolved.get("enum") == [None]:  # drf-spectacular's NullEnum
                    continue
                merged = {**resolved, **merged}
            return merged
    return schema


def _fields(schema: dict[str, Any], components: dict[str, Any], prefix: str = "") -> list[Param]:
    found = []
    for name, prop in schema.get("properties", {}).items():
        resolved = _resolve(prop, components)
        if resolved.get("readOnly"):
            continue
        found.append(Param(prefix + name, resolved))
        if resolved.get("type") == "object" and "properties" in resolved:
            found.extend(_fields(resolved, components, f"{prefix}{name}."))
    return found


def operations(document: dict[str, Any]) -> list[Operation]:
    components = document["components"]["schemas"]
    found = []
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            params = [
                (
                    p["in"],
                    Param(
                        p["name"],
                        _resolve(p.get("schema", {}), components),
                        bool(p.get("required")),
                    ),
                )
                for p in spec.get("parameters", [])
            ]
            content = spec.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            answer: dict[str, Any] = {}
            for status in ("201", "200"):
                answer_content = spec.get("responses", {}).get(status, {}).get("content", {})
                if answer_content:
                    envelope = _resolve(answer_content["application/json"]["schema"], components)
                    answer = _resolve(envelope["properties"]["data"], components)
                    break
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=spec["operationId"],
                    path_params=tuple(p for where, p in params if where == "path"),
                    query_params=tuple(p for where, p in params if where == "query"),
                    body_fields=tuple(_fields(_resolve(body, components), components))
                    if body
                    else (),
                    has_body=body is not None,
                    answer_fields=tuple(
                        Param(name, _resolve(prop, components))
                        for name, prop in answer.get("properties", {}).items()
                    ),
                )
            )
    return found


def row_counts() -> dict[str, int]:
    """Rows of every table of the bank's schemas (partitioned tables counted as a whole)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('workflow_service', 'auth_service')
              AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ORDER BY 1
            """
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables))
        return {name: count for name, count in cursor.fetchall()}


@dataclass
class World:
    """An ADMIN caller with an agent profile (every capability, no scope), and one row of each
    kind the operations address."""

    caller: CrmUser
    authorization: str
    agent: Agent
    other_agent: Agent  # unlinked, of the caller's team
    free_user: CrmUser  # no agent profile
    cif: str
    account_number: str
    action_id: str
    promise_id: str
    assignment_id: str
    refresh_token: str
    reservation_id: str  # an unused contact reservation of the caller

    def path_value(self, operation: Operation, name: str) -> str:
        """A value of path parameter ``name`` that addresses an existing row."""
        if name == "id":
            if "/promises/" in operation.path:
                return self.promise_id
            if "/contact-attempts/" in operation.path:
                return self.reservation_id
            return self.action_id
        values = {
            "agentId": str(self.agent.id),
            "agent_id": str(self.agent.id),
            "user_id": str(self.caller.id),
            "assignment_id": self.assignment_id,
            "cif": self.cif,
            "accountNumber": self.account_number,
            "team": self.agent.team,
        }
        return values[name]

    def url(self, operation: Operation, **overrides: str) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return overrides.get(name) or self.path_value(operation, name)

        return re.sub(r"\{(\w+)\}", fill, operation.path)

    def query(self, operation: Operation) -> dict[str, str]:
        """Values of the operation's required query parameters."""
        values = {"cif": self.cif, "channel": "EMAIL", "contactPoint": "customer@bank.test"}
        return {p.name: values[p.name] for p in operation.query_params if p.required}

    def body(self, operation: Operation) -> dict[str, Any]:
        """A body that the operation accepts (2xx) in this world."""
        recent = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
        bodies: dict[str, dict[str, Any]] = {
            "login_create": {"username": self.caller.username, "password": TEST_PASSWORD},
            "token_refresh_create": {"refreshToken": self.refresh_token},
            "actions_record": {
                "cif": self.cif,
                "loanAccountNumber": self.account_number,
                "type": "VISIT",
                "subtype": "FIELD_VISIT",
                "actionResult": "PROMISE_TO_PAY",
                "actionDate": recent,
                "notes": "Promised to pay.",
                "callTraceId": "TRACE-1",
                "visitLocation": {"latitude": 10.7769, "longitude": 106.7009, "address": "HCMC"},
                "contactPoint": "1 Le Loi, HCMC",
                "promiseAmount": 1000,
                "promiseDate": business_today().isoformat(),
            },
            "actions_update_result": {"actionResult": "NO_CONTACT", "notes": "Changed."},
            "agents_create": {
                "employeeId": "E-HOSTILE",
                "name": "Hostile Test",
                "email": "hostile@bank.test",
                "phone": "+84900000002",
                "type": "AGENT",
                "team": "Team A",
            },
            "agents_update": {"name": "Renamed", "isActive": True},
            "agents_link_user_create": {
                "agentId": str(self.other_agent.id),
                "userId": str(self.free_user.id),
                "reason": "Hostile input test.",
            },
            "assignments_create": {
                "cif": self.cif,
                "assignedCallAgentId": str(self.other_agent.id),
            },
            "assignments_update": {"assignedCallAgentId": str(self.other_agent.id)},
            "cases_create": {
                "cif": self.cif,
                "actionDate": recent,
                "notes": "Status update.",
                "customerStatus": "COOPERATIVE",
            },
            "contact_attempts_reserve": {
                "cif": self.cif,
                "channel": "EMAIL",
                "contactPoint": "customer@bank.test",
                "party": "BORROWER",
            },
            "contact_attempts_override": {
                "cif": self.cif,
                "channel": "EMAIL",
                "contactPoint": "customer@bank.test",
                "party": "BORROWER",
                "reason": "The customer asked to be called.",
            },
            "promises_cancel": {"reason": "Renegotiated."},
        }
        return bodies[operation.operation_id]


def build_world() -> World:
    caller = CrmUserFactory(role="ADMIN")
    agent = AgentFactory(user=caller, type="ADMIN", team="Team A")
    other_agent = AgentFactory(team="Team A")
    loan = LoanFactory()
    cif = loan.customer_id
    CustomerCaseFactory(customer=loan.customer, assigned_call_agent=agent)
    # About noon in the customer's zone, whenever the suite runs: a reservation or an action
    # is judged on its fields, never refused or flagged for the hour of the run.
    profile_set(
        cif=cif,
        jurisdiction=None,
        time_zone=noon_zone(dt.datetime.now(dt.UTC)),
        actor=Actor(username="tests", roles=frozenset({"ADMIN"})),
    )
    action = ActionRecordFactory(loan=loan, customer=loan.customer, agent=agent)
    promise = promise_make(
        actor=Actor(username="tests", roles=frozenset({"ADMIN"})),
        agent_id=agent.id,
        cif=cif,
        loan_account_number=loan.account_number,
        amount=Decimal("1000"),
        promised_date=business_today(),
    )
    assignment = CustomerAgent.objects.get(customer_id=cif, is_current=True)
    # An override is a reservation at any hour of the day the suite runs (a plain one would be
    # refused outside the customer's calling window).
    reservation = contact_attempt_override(
        actor=Actor(username=caller.username, user_id=caller.id, roles=frozenset({"ADMIN"})),
        cif=cif,
        channel="EMAIL",
        contact_point="release@bank.test",
        reason="A reservation for the release operation.",
    )
    token, _ = login_as(caller)
    issued = auth_services.login(username=caller.username, password=TEST_PASSWORD, ip="10.9.9.9")
    return World(
        caller=caller,
        authorization=f"Bearer {token}",
        agent=agent,
        other_agent=other_agent,
        free_user=CrmUserFactory(role="AGENT"),
        cif=cif,
        account_number=loan.account_number,
        action_id=str(action.id),
        promise_id=str(promise.id),
        assignment_id=str(assignment.id),
        refresh_token=issued.refresh_token,
        reservation_id=str(reservation.attempt_id),
    )
