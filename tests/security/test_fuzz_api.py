"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Every operation of ``/api/v1/collection/schema/`` is called in-process through the WSGI app,
as each role, with generated valid and invalid input; schemathesis' standard checks apply: no
5xx, the status code is documented, the body matches the documented schema and the content
type is the documented one.
Left out: ``positive_data_acceptance``, because rules across fields
(``endDate`` not before ``startDate``, periods of at most 366 days, "at least one of", a VISIT's
coordinates, the loan of the customer) cannot be written in OpenAPI 3.0; schema-valid input
that breaks one still has to be a 4xx in the envelope, which the other checks hold it to.
``FUZZ_EXAMPLES`` sets the budget per operation and role (CI: a
small one; ``make fuzz``: a large one, with a random seed); ``FUZZ_STATEFUL_EXAMPLES`` and
``FUZZ_STATEFUL_STEPS`` that of the stateful scenarios following the OpenAPI links.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import ActionRecordFactory, CustomerCaseFactory, LoanFactory
from tests.security.conftest import ROLES, Caller, make_caller
from workflow.api.schema import LINKS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# CI replays the same examples every run; `make fuzz` explores (FUZZ_RANDOM=1).
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"


def _load_schema() -> schemathesis.BaseSchema:
    """The served OpenAPI document (as ``GET schema/?format=json`` renders it), called through
    the project's WSGI app."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = get_wsgi_application()
    # Unknown query parameters are ignored by design (README, "The API"): callers and proxies
    # add cache busters; they are not invalid input.
    loaded.config.generation.allow_extra_parameters = False
    return loaded


schema = _load_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    # As Django's test client does: requests served in-process must not close the test's
    # database connection (and its open transaction) when they finish.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db: None) -> dict[str, Caller]:
    """One caller per role, and a customer with a loan, a case and an action of the agent."""
    callers = {name: make_caller(name) for name in ROLES}
    loan = LoanFactory()
    CustomerCaseFactory(customer=loan.customer, assigned_call_agent=callers["AGENT"].agent)
    ActionRecordFactory(loan=loan, customer=loan.customer, agent=callers["AGENT"].agent)
    return callers


def _fuzz_as(role: str) -> object:
    """The fuzz test of every operation for callers of ``role`` (one test per role)."""

    @schema.parametrize()
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=DERANDOMIZE,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def test(case: schemathesis.Case, callers: dict[str, Caller]) -> None:
        case.call_and_validate(
            headers=callers[role].headers, excluded_checks=[positive_data_acceptance]
        )

    return test


test_every_operation_answers_as_documented_to_an_admin = _fuzz_as("ADMIN")
test_every_operation_answers_as_documented_to_a_supervisor = _fuzz_as("SUPERVISOR")
test_every_operation_answers_as_documented_to_an_agent = _fuzz_as("AGENT")
test_every_operation_answers_as_documented_to_an_unlinked_user = _fuzz_as("UNLINKED")


# Stateful: schemathesis follows the OpenAPI links (workflow.api.schema.LINKS) from each
# create's 201 to the operations that use what it created: record an action, then change its
# result; create an agent, then update it; assign a customer, then reassign. One state machine
# per create and its link targets: schemathesis starts scenarios only at operations it expects
# to succeed with generated data, and a create that names a customer is not one of them while
# another root exists.
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "6"))
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "6"))
# Scenarios of valid requests only: invalid input is the per-operation tests' job above, and a
# link's value or the caller's token written into a deliberately invalid step would make it a
# valid one.
schema.config.phases.stateful.generation.modes = [GenerationMode.POSITIVE]


class _LinkedSteps:
    """Every step as one caller. A create's references (customer, loan, agent) are pointed at
    rows that exist, so that creates succeed and their links can be followed; every other
    field stays generated. Values created and the link targets' answers are kept."""

    headers: dict[str, str] = {}
    references: dict[str, str] = {}
    created: set[str] = set()
    followed: list[tuple[str, str, int]] = []
    source = ""
    _savepoint = ""

    def setup(self) -> None:
        # Every scenario starts from the same rows (Hypothesis replays scenarios and expects
        # the same answers): what a scenario wrote is rolled back at its end.
        self._savepoint = transaction.savepoint()

    def teardown(self) -> None:
        transaction.savepoint_rollback(self._savepoint)

    def before_call(self, case: schemathesis.Case) -> None:
        positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
        if not positive or case.method != "POST" or not isinstance(case.body, dict):
            return
        if case.path.endswith("/actions"):
            for key in ("actionDate", "visitLocation", "contactAttemptId", "promiseScope"):
                case.body.pop(key, None)
            for key in ("promiseAmount", "promiseDate"):
                case.body.pop(key, None)
            case.body.update(
                cif=self.references["cif"],
                loanAccountNumber=self.references["loan"],
                type="CALL",
                subtype="REMINDER_CALL",
            )
        elif case.path.endswith(("/assignments", "/cases")):
            case.body["cif"] = self.references["cif"]
            if case.path.endswith("/assignments"):
                case.body["assignedCallAgentId"] = self.references["agent"]

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
        return {"headers": self.headers}

    def after_call(self, response: Any, case: schemathesis.Case) -> None:
        if case.operation.label == self.source:
            if response.status_code in (200, 201):
                data = response.json()["data"]
                self.created.update(str(data[key]) for key in ("id", "cif") if key in data)
        else:
            operation = str(case.operation.definition.raw.get("operationId"))
            for value in (case.path_parameters or {}).values():
                self.followed.append((operation, str(value), response.status_code))

    def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
        case.validate_response(
            response,
            excluded_checks=[positive_data_acceptance],
            headers=self.headers,
            transport_kwargs=kwargs,
        )


@pytest.mark.parametrize("source", sorted(LINKS))
def test_linked_operations_answer_as_documented(source: str, callers: dict[str, Caller]) -> None:
    family = [source, *(link["operationId"] for link in LINKS[source].values())]
    machine = type(
        "LinkedOperations",
        (_LinkedSteps, schema.include(operation_id=family).as_state_machine()),
        {},
    )
    caller = callers["SUPERVISOR"]
    loan = LoanFactory()
    CustomerCaseFactory(customer=loan.customer, assigned_call_agent=caller.agent)
    machine.headers = caller.headers
    machine.references = {
        "cif": loan.customer_id,
        "loan": loan.account_number,
        "agent": str(callers["AGENT"].agent.id),  # type: ignore[union-attr]
    }
    machine.created, machine.followed = set(), []
    machine.source = next(
        op.label for op in _operations() if op.definition.raw.get("operationId") == source
    )

    machine.run(
        settings=hypothesis_settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=DERANDOMIZE,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )

    # The first link (record an action -> change its result, create -> update) was followed:
    # its target answered 2xx about what a step had just created (rolled back since).
    target = next(iter(LINKS[source].values()))["operationId"]
    assert any(
        operation == target and value in machine.created and status < 300
        for operation, value, status in machine.followed
    ), (machine.created, machine.followed)


def _operations() -> list[Any]:
    return [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
