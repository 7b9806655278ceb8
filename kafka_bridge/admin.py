"""Back-office view of the outbox, read-only (payments have their own admin in `payments`).

The outbox list answers "is anything stuck?": filter on unpublished rows and see each row's
``attempts`` and ``last_error``. The relay retries by itself; nothing is edited here.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from kafka_bridge import topics
from workflow.admin_base import ReadOnlyAdmin
from workflow.admin_pagination import EstimatedCountPaginator
from workflow.models import OutboxEvent


class PublishedFilter(admin.SimpleListFilter):
    title = "published"
    parameter_name = "published"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Unpublished"), ("failed", "Unpublished, failed"), ("yes", "Published")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[OutboxEvent]
    ) -> QuerySet[OutboxEvent]:
        if self.value() == "no":
            return queryset.filter(published_at__isnull=True)
        if self.value() == "failed":
            return queryset.filter(published_at__isnull=True, attempts__gt=0)
        if self.value() == "yes":
            return queryset.filter(published_at__isnull=False)
        return queryset


class TopicFilter(admin.SimpleListFilter):
    """The topics we produce, their dead-letter topics, and any other topic seen."""

    title = "topic"
    parameter_name = "topic"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        produced = [
            topics.AGENT_CREATED,
            topics.AGENT_UPDATED,
            topics.ACTION_RECORDED,
            topics.ASSIGNMENT_CREATED,
            topics.CONTACT_VIOLATION,
            topics.CONTACT_OVERRIDE,
            topics.PROMISE_MADE,
            topics.PROMISE_KEPT,
            topics.PROMISE_BROKEN,
            topics.PROMISE_CANCELLED,
        ]
        # The dead-letter topics in use (a small set; the unpublished index serves the rest).
        seen = (
            OutboxEvent.objects.filter(topic__endswith=topics.DLQ_SUFFIX)
            .values_list("topic", flat=True)
            .distinct()
        )
        return [(name, name) for name in [*produced, *sorted(seen)]]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[OutboxEvent]
    ) -> QuerySet[OutboxEvent]:
        return queryset.filter(topic=self.value()) if self.value() else queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    """Events written by the services, waiting for or done with publication."""

    list_display = [
        "id",
        "topic",
        "message_key",
        "created_at",
        "published_at",
        "attempts",
        "short_error",
    ]
    list_filter = [PublishedFilter, TopicFilter]
    search_fields = ["=event_id", "=message_key"]
    search_help_text = "An exact event id or message key (agent id, cif)."
    ordering = ["-id"]
    sortable_by = ["id"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = [
        "id",
        "event_id",
        "topic",
        "message_key",
        "created_at",
        "published_at",
        "attempts",
        "last_error",
        "pretty_headers",
        "pretty_payload",
    ]
    readonly_fields = ["pretty_headers", "pretty_payload"]

    @admin.display(description="last error")
    def short_error(self, event: OutboxEvent) -> str:
        error = event.last_error or ""
        return error if len(error) <= 80 else error[:77] + "..."

    @admin.display(description="headers")
    def pretty_headers(self, event: OutboxEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.headers, indent=2))

    @admin.display(description="payload")
    def pretty_payload(self, event: OutboxEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, ensure_ascii=False))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[OutboxEvent], search_term: str
    ) -> tuple[QuerySet[OutboxEvent], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(message_key=term)
        try:
            condition |= Q(event_id=uuid.UUID(term))
        except ValueError:
            pass  # not an event id: message keys only
        return queryset.filter(condition), False
