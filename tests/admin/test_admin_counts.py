"""How admin lists are counted: exactly up to ADMIN_EXACT_COUNT_UP_TO rows, "about N" beyond.

The cap is lowered in each test (``settings``), so that a handful of rows crosses it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agents.models import Agent
from assignments.case_admin import CustomerCaseAdmin
from tests.factories import AgentFactory, CustomerCaseFactory
from workflow.admin_pagination import EstimatedCountPaginator, about, query_row_estimate

pytestmark = pytest.mark.django_db


def analyze(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


def counted(queryset: Any) -> tuple[EstimatedCountPaginator, list[str]]:
    """A paginator over ``queryset`` after counting it, and the statements the count ran."""
    paginator = EstimatedCountPaginator(queryset, 50)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count >= 0
    return paginator, [query["sql"] for query in queries]


@pytest.fixture
def north_and_south() -> None:
    AgentFactory.create_batch(30, team="Team North")
    AgentFactory.create_batch(10, team="Team South")
    analyze("workflow_service.agents")


def test_a_list_up_to_the_cap_is_counted_exactly_reading_at_most_cap_plus_one_rows(
    north_and_south: None, settings: Any
) -> None:
    settings.ADMIN_EXACT_COUNT_UP_TO = 30
    paginator, statements = counted(Agent.objects.filter(team="Team North").order_by("name"))

    assert (paginator.count, paginator.count_is_estimated) == (30, False)
    assert paginator.count_text == "30"
    [count] = statements
    assert "COUNT(*)" in count and "LIMIT 31" in count


def test_a_filtered_list_over_the_cap_shows_the_planners_estimate_of_the_filter(
    north_and_south: None, settings: Any
) -> None:
    settings.ADMIN_EXACT_COUNT_UP_TO = 5
    paginator, statements = counted(Agent.objects.filter(team="Team North").order_by("name"))

    # The statistics of 40 rows are exact: 30 of them are in Team North.
    assert (paginator.count, paginator.count_is_estimated) == (30, True)
    assert paginator.count_text == "about 30"
    capped, explain = statements
    assert "LIMIT 6" in capped
    assert explain.startswith("EXPLAIN") and '"team" =' in explain


def test_an_estimate_is_never_below_what_the_capped_count_proved(
    north_and_south: None, settings: Any
) -> None:
    settings.ADMIN_EXACT_COUNT_UP_TO = 5
    # A team created after the statistics were taken: the planner expects next to no rows.
    AgentFactory.create_batch(20, team="Team West")
    west = Agent.objects.filter(team="Team West")
    assert query_row_estimate(west) < 6

    paginator, _ = counted(west)

    assert (paginator.count, paginator.count_is_estimated) == (6, True)


def test_an_unfiltered_list_over_the_cap_reads_the_table_statistics_and_counts_nothing(
    north_and_south: None, settings: Any
) -> None:
    settings.ADMIN_EXACT_COUNT_UP_TO = 39
    paginator, statements = counted(Agent.objects.order_by("name"))

    assert (paginator.count, paginator.count_is_estimated) == (40, True)
    [estimate] = statements
    assert "reltuples" in estimate and "COUNT(" not in estimate.upper().replace("COALESCE", "")


def test_an_unfiltered_list_under_the_cap_is_counted_exactly(
    north_and_south: None, settings: Any
) -> None:
    settings.ADMIN_EXACT_COUNT_UP_TO = 40
    paginator, statements = counted(Agent.objects.order_by("name"))

    assert (paginator.count, paginator.count_is_estimated) == (40, False)
    assert "reltuples" in statements[0] and "LIMIT 41" in statements[1]


@pytest.mark.parametrize(
    ("count", "shown"),
    [(987, "about 987"), (12_345, "about 12,300"), (4_987_234, "about 4,990,000")],
)
def test_an_estimate_reads_as_about_three_significant_digits_grouped(
    count: int, shown: str
) -> None:
    assert about(count) == shown


def test_an_exact_count_is_shown_with_its_thousands_grouped() -> None:
    assert EstimatedCountPaginator(list(range(9_874)), 50).count_text == "9,874"
    assert not hasattr(Paginator([], 50), "count_text")  # the templates fall back to the count


def test_the_case_list_says_about_n_in_its_pagination_and_its_action_bar(
    supervisor: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    CustomerCaseFactory.create_batch(3)
    analyze("workflow_service.customer_cases")
    settings.ADMIN_EXACT_COUNT_UP_TO = 2
    monkeypatch.setattr(CustomerCaseAdmin, "list_per_page", 1)

    page = supervisor.get("/admin/cases/customercase/").content.decode()

    assert "about 3 customer cases" in page
    assert "Select all (about 3) customer cases" in page

    settings.ADMIN_EXACT_COUNT_UP_TO = 10_000
    exact = supervisor.get("/admin/cases/customercase/").content.decode()
    assert "about" not in exact
    assert "3 customer cases" in exact and "Select all 3 customer cases" in exact
