"""Back-office list of action records: read-only, and fast over millions of rows.

``action_records`` is range-partitioned by ``action_date`` and very large, so the list:

- is bounded in time by default: without a date chosen it shows the last 30 of the bank's
  days (the "period" filter, which offers longer periods and "all dates"), so PostgreSQL
  reads only the recent partitions; the page says so above the list;
- never counts the whole table: ``show_full_result_count = False`` and
  ``EstimatedCountPaginator`` (exact up to 10,000 rows, the planner's "about N" beyond);
- draws the date bar from the calendar instead of Django's ``SELECT DISTINCT date_trunc(...)``
  over the rows (empty days and months may therefore be listed), and reads its dates as the
  bank's days;
- searches an exact cif or loan account number (an index lookup) instead of ``LIKE '%x%'``,
  sorts by date only, reads only the columns shown (the agent joined in the page query), 50
  rows a page, and shows no filter counts; the agent filter lists the agents of the chosen
  team (``AgentFilter``), not thousands of links on every page.

Records are written by agents through the API; here nothing can be added, changed or deleted.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db.models import Max, Min, Q, QuerySet
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.text import capfirst

from actions.models import ActionRecord
from agents.admin_filters import AgentFilter, AgentTeamFilter
from workflow.admin_base import LinkOnceChangeList, ReadOnlyAdmin
from workflow.admin_pagination import EstimatedCountPaginator
from workflow.business_time import business_today, business_zone, day_start_utc


class PeriodFilter(admin.SimpleListFilter):
    """How far back the list goes, in the bank's days: the last 30 days unless chosen.

    When a date is picked in the date bar, the date bar alone bounds the list.
    """

    title = "period"
    parameter_name = "period"
    DEFAULT = "30d"
    DAYS: dict[str, int | None] = {"30d": 30, "90d": 90, "365d": 365, "all": None}
    LABELS = {
        "30d": "Last 30 days (default)",
        "90d": "Last 90 days",
        "365d": "Last 365 days",
        "all": "All dates (slow: reads every partition)",
    }

    def __init__(
        self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any
    ) -> None:
        prefix = f"{model_admin.date_hierarchy}__"
        self.date_bar_prefix = prefix
        self.date_bar_used = any(key.startswith(prefix) for key in params)
        super().__init__(request, params, model, model_admin)
        if self.value() is not None and self.value() not in self.DAYS:
            raise IncorrectLookupParameters(f"Unknown period {self.value()!r}.")

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(self.LABELS.items())

    def period(self) -> str | None:
        """The period in force: the chosen one or the default; None when the date bar rules."""
        if self.date_bar_used:
            return None
        return self.value() or self.DEFAULT

    def first_day(self) -> dt.date | None:
        """The bank's first day shown, or None when the period sets no lower bound."""
        period = self.period()
        days = self.DAYS[period] if period else None
        return business_today() - dt.timedelta(days=days - 1) if days else None

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        first = self.first_day()
        if first is None:
            return queryset
        # A bound on the partition key: PostgreSQL skips the older partitions.
        return queryset.filter(action_date__gte=day_start_utc(first))

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.period() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}, [self.date_bar_prefix]
                ),
                "display": title,
            }
        if self.date_bar_used:
            yield {
                "selected": True,
                "query_string": changelist.get_query_string(),
                "display": "The dates chosen in the date bar",
            }


class ActionAgentTeamFilter(AgentTeamFilter):
    title = "agent's team"
    parameter_name = "team"
    agent_field = "agent"


class ActionRecordChangeList(LinkOnceChangeList):
    """The change list with a query-free date bar and a notice of the period shown."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> Any:
        # Only the columns the page shows (the list has no bulk actions to hand it to).
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.only(*ActionRecordAdmin.list_columns)

    def get_ordering_field(self, field_name: Any) -> Any:
        # Django honours ?o= for any column; sorting millions of rows by another column
        # than the date would read them all, so only the sortable columns sort.
        if field_name not in (self.sortable_by or ()):
            return None
        return super().get_ordering_field(field_name)

    def get_ordering(self, request: HttpRequest, queryset: QuerySet[Any]) -> list[Any]:
        ordering = list(super().get_ordering(request, queryset))
        # An ?o= naming only unsortable columns leaves the pk alone: keep the date order.
        if all(str(field).lstrip("-") in {"pk", "id"} for field in ordering):
            ordering.insert(0, "-action_date")
        return ordering

    def _period_filter(self) -> PeriodFilter | None:
        return next((spec for spec in self.filter_specs if isinstance(spec, PeriodFilter)), None)

    def period_notice(self) -> str:
        """What period the list covers, and how to change it."""
        spec = self._period_filter()
        if spec is None or spec.date_bar_used:
            return ""
        zone = business_zone()
        first = spec.first_day()
        if first is None:
            return (
                "Showing actions of all dates: the list reads every partition, which is slow. "
                "Choose a period or a date to narrow it."
            )
        default = ", the default" if spec.value() is None else ""
        return (
            f"Showing actions from {first:%Y-%m-%d} (the last {spec.DAYS[spec.period() or '']} "
            f"days{default}; days of the bank in {zone}). For older actions choose a longer "
            "period under “By period” or a year in the date bar."
        )

    def calendar_date_hierarchy(self) -> dict[str, Any]:
        """The date bar's ``show``/``back``/``choices``, as Django's, from the calendar.

        Django lists the years, months or days that hold rows with ``SELECT DISTINCT
        date_trunc(...)`` over the filtered rows: a scan of whole partitions. Here only the
        first and last action dates are read (two index probes) and months and days come
        from the calendar.
        """
        field = self.date_hierarchy
        year, month, day = (
            self.params.get(f"{field}__{part}") for part in ("year", "month", "day")
        )

        def link(filters: dict[str, Any]) -> str:
            return str(self.get_query_string(filters, [f"{field}__"]))

        today = business_today()
        if year and month and day:
            chosen = dt.date(int(year), int(month), int(day))
            return {
                "show": True,
                "back": {
                    "link": link({f"{field}__year": year, f"{field}__month": month}),
                    "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
            }
        if year and month:
            last = calendar.monthrange(int(year), int(month))[1]
            if (int(year), int(month)) == (today.year, today.month):
                last = today.day
            days = [dt.date(int(year), int(month), number) for number in range(1, last + 1)]
            return {
                "show": True,
                "back": {"link": link({f"{field}__year": year}), "title": str(year)},
                "choices": [
                    {
                        "link": link(
                            {
                                f"{field}__year": year,
                                f"{field}__month": month,
                                f"{field}__day": choice.day,
                            }
                        ),
                        "title": capfirst(formats.date_format(choice, "MONTH_DAY_FORMAT")),
                    }
                    for choice in days
                ],
            }
        if year:
            last_month = today.month if int(year) == today.year else 12
            return {
                "show": True,
                "back": {"link": link({}), "title": "All years"},
                "choices": [
                    {
                        "link": link({f"{field}__year": year, f"{field}__month": number}),
                        "title": capfirst(
                            formats.date_format(dt.date(int(year), number, 1), "YEAR_MONTH_FORMAT")
                        ),
                    }
                    for number in range(1, last_month + 1)
                ],
            }
        bounds = self.root_queryset.order_by().aggregate(first=Min(field), last=Max(field))
        if bounds["first"] is None:
            return {"show": False}
        first_year = timezone.localtime(bounds["first"]).year
        last_year = timezone.localtime(bounds["last"]).year
        return {
            "show": True,
            "back": None,
            "choices": [
                {"link": link({f"{field}__year": str(number)}), "title": str(number)}
                for number in range(first_year, last_year + 1)
            ],
        }


@admin.register(ActionRecord)
class ActionRecordAdmin(ReadOnlyAdmin):
    """Every call, visit and message agents recorded (read-only)."""

    list_display = [
        "action_time",
        "cif",
        "loan_account",
        "agent",
        "type",
        "subtype",
        "action_result",
        "created_by",
    ]
    list_select_related = ["agent"]
    list_columns = [
        "action_date",
        "customer_id",
        "loan_id",
        "agent__name",
        "agent__employee_id",
        "type",
        "subtype",
        "action_result",
        "created_by",
    ]
    list_per_page = 50
    list_filter = [PeriodFilter, "type", "action_result", AgentFilter, ActionAgentTeamFilter]
    date_hierarchy = "action_date"
    # The box is enabled by search_fields; get_search_results matches them exactly.
    search_fields = ["customer_id", "loan_id"]
    search_help_text = (
        "An exact cif or loan account number (e.g. C00000001 or L00000001). Parts of numbers "
        "are not searched: over millions of actions that would read the whole table."
    )
    sortable_by = ["action_time"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description="action date (bank time)", ordering="action_date")
    def action_time(self, action: ActionRecord) -> dt.datetime:
        return timezone.localtime(action.action_date)

    @admin.display(description="cif", ordering="customer_id")
    def cif(self, action: ActionRecord) -> str:
        return action.customer_id

    @admin.display(description="loan account", ordering="loan_id")
    def loan_account(self, action: ActionRecord) -> str:
        return action.loan_id

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ActionRecordChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ActionRecord], search_term: str
    ) -> tuple[QuerySet[ActionRecord], bool]:
        """Exact match on the cif or the loan account (as typed or upper-cased): index lookups."""
        term = search_term.strip()
        if not term:
            return queryset, False
        values = {term, term.upper()}
        return queryset.filter(Q(customer_id__in=values) | Q(loan_id__in=values)), False
