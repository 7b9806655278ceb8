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
small one; ``make fuzz``: a large one, with a random seed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import ActionRecordFactory, CustomerCaseFactory, LoanFactory
from tests.security.conftest import ROLES, Caller, make_caller

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
