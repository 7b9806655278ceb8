"""Admin of the shared core: the audit log (every change made in the admin).

The CRM users' admin ("create agent profile") belongs to the agents app
(``agents.users_admin``); the helpers every app's admin shares are in ``workflow.admin_base``.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.utils.html import format_html

from workflow.admin_base import ReadOnlyAdmin
from workflow.admin_pagination import EstimatedCountPaginator

# The admin log, shown as the back-office's audit trail.
LogEntry._meta.verbose_name = "audit log entry"
LogEntry._meta.verbose_name_plural = "audit log"


@admin.register(LogEntry)
class AuditLogAdmin(ReadOnlyAdmin):
    """Every change made in the admin: who, when, what (read-only).

    Visible to superusers and to supervisors (``admin.view_logentry``).
    """

    list_display = ("action_time", "user", "action", "content_type", "object_link", "message")
    list_filter = (
        "action_time",
        "action_flag",
        ("user", admin.RelatedOnlyFieldListFilter),
        ("content_type", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("object_repr", "change_message", "user__username")
    list_select_related = ("user", "content_type")
    ordering = ("-action_time",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = (
        "action_time",
        "user",
        "action",
        "content_type",
        "object_id",
        "object_link",
        "message",
    )
    readonly_fields = fields
    # The audit trail lists are filtered by date and user: keep Django's facet counts off too.

    @admin.display(description="action", ordering="action_flag")
    def action(self, entry: LogEntry) -> str:
        if entry.is_addition():
            return "added"
        if entry.is_change():
            return "changed"
        return "deleted" if entry.is_deletion() else str(entry.action_flag)

    @admin.display(description="object", ordering="object_repr")
    def object_link(self, entry: LogEntry) -> str:
        url = entry.get_admin_url() if not entry.is_deletion() else None
        if url:
            return format_html('<a href="{}">{}</a>', url, entry.object_repr)
        return entry.object_repr

    @admin.display(description="what")
    def message(self, entry: LogEntry) -> str:
        return entry.get_change_message()
