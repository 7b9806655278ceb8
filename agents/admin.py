"""The agents admin: agents, their CRM users, and the "Linking status" page.

Every write goes through the agents services (``agents.forms.AgentAdminForm`` for the change
form, ``agents.linking`` for linking by e-mail) and is recorded in the admin log, one entry per
agent, bulk actions included.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from agents import linking
from agents.forms import AgentAdminForm
from agents.models import Agent
from agents.services import agent_update
from workflow.admin import may_link_users, request_actor
from workflow.errors import DomainError

# At most this many agents of one category are listed on a page or in messages.
LISTED_AT_MOST = 200
MESSAGES_AT_MOST = 50

AUDIT_FIELDS = ("id", "created_at", "created_by", "updated_at", "updated_by")


class UserLinkFilter(admin.SimpleListFilter):
    title = "linked to a CRM user"
    parameter_name = "linked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Linked"), ("no", "Not linked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(user__isnull=False)
        if self.value() == "no":
            return queryset.filter(user__isnull=True)
        return queryset


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    """Collection agents: edit, activate/deactivate, link to CRM users (nothing is deleted)."""

    form = AgentAdminForm
    list_display = ("employee_id", "name", "email", "type", "team", "is_active", "linked_user")
    list_display_links = ("employee_id", "name")
    list_filter = ("type", "team", "is_active", UserLinkFilter)
    list_select_related = ("user",)
    search_fields = ("name", "employee_id", "email", "user__username")
    autocomplete_fields = ("user",)
    ordering = ("name", "id")
    actions = ("link_by_matching_email", "deactivate", "activate")

    # --- permissions ---------------------------------------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_link_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request) and may_link_users(request)

    # --- the change form -------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, Any]]:
        user_field = "user" if may_link_users(request) else "linked_user"
        fieldsets: list[tuple[Any, Any]] = [
            (
                None,
                {"fields": ("employee_id", "name", "email", "phone", "type", "team", "is_active")},
            ),
            ("CRM user", {"fields": (user_field,)}),
        ]
        if obj is not None:
            fieldsets.append(("Record", {"fields": AUDIT_FIELDS, "classes": ("collapse",)}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly: tuple[str, ...] = (*AUDIT_FIELDS, "linked_user")
        if obj is not None:
            # The employee id is the agent's identity with HR; the API cannot change it either.
            readonly = ("employee_id", *readonly)
        return readonly

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Any]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        actor = request_actor(request)
        return type(form.__name__, (form,), {"actor": actor})

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        # The form has already saved through the services while validating.
        assert isinstance(form, AgentAdminForm) and form.saved_agent is not None
        return form.saved_agent

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing to do: the services wrote the agent when the form was validated."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing to do: an agent has no many-to-many field and no inline."""

    def construct_change_message(  # type: ignore[override]
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> str:
        # A plain-text message (the admin log takes one) saying old and new values.
        assert isinstance(form, AgentAdminForm)
        return form.audit_message

    @admin.display(description="CRM user", ordering="user__username")
    def linked_user(self, agent: Agent) -> str:
        if agent.user is None:
            return "—"
        url = reverse("admin:workflow_crmuser_change", args=[agent.user.pk])
        return format_html('<a href="{}">{} ({})</a>', url, agent.user.username, agent.user.role)

    # --- bulk actions ----------------------------------------------------------------------

    @admin.action(description="Link by matching e-mail", permissions=["link"])
    def link_by_matching_email(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        report = linking.link_agents(
            actor=request_actor(request),
            dry_run=False,
            agent_ids=queryset.values_list("id", flat=True),
        )
        self.log_links(request, report, via="bulk action 'link by matching e-mail'")
        self.report_messages(request, report)

    @admin.action(description="Deactivate selected agents", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        self.set_active(request, queryset, active=False)

    @admin.action(description="Activate selected agents", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        self.set_active(request, queryset, active=True)

    def set_active(self, request: HttpRequest, queryset: QuerySet[Agent], *, active: bool) -> None:
        verb = "activate" if active else "deactivate"
        actor = request_actor(request)
        done, unchanged = 0, 0
        for agent in queryset.order_by("employee_id"):
            if agent.is_active == active:
                unchanged += 1
                continue
            try:
                agent = agent_update(agent_id=agent.id, actor=actor, is_active=active)
            except DomainError as exc:
                self.message_user(request, f"{agent}: {exc.message}", messages.ERROR)
                continue
            self.log_change(request, agent, f"{verb.capitalize()}d (via bulk action '{verb}').")
            done += 1
        if done:
            self.message_user(request, f"{verb.capitalize()}d {done} agent(s).", messages.SUCCESS)
        if unchanged:
            state = "active" if active else "inactive"
            self.message_user(
                request, f"{unchanged} agent(s) were already {state}; unchanged.", messages.INFO
            )

    def log_links(self, request: HttpRequest, report: linking.LinkingReport, *, via: str) -> None:
        """One admin log entry per agent the run linked."""
        for entry in report.linked:
            self.log_change(
                request,
                entry.agent,
                f"Linked to user {entry.user} by matching e-mail {entry.agent.email} (via {via}).",
            )

    def report_messages(self, request: HttpRequest, report: linking.LinkingReport) -> None:
        """What happened to each agent, as messages (at most ``MESSAGES_AT_MOST`` per kind)."""
        levels = {
            "linked": messages.SUCCESS,
            "already_linked": messages.INFO,
            "no_match": messages.WARNING,
            "ambiguous": messages.WARNING,
            "user_linked_elsewhere": messages.WARNING,
        }
        for category in linking.CATEGORIES:
            entries = report.entries(category)
            for entry in entries[:MESSAGES_AT_MOST]:
                self.message_user(request, self.describe(category, entry), levels[category])
            if len(entries) > MESSAGES_AT_MOST:
                self.message_user(
                    request,
                    f"... and {len(entries) - MESSAGES_AT_MOST} more: "
                    f"{linking.CATEGORY_TITLES[category].lower()}.",
                    levels[category],
                )

    @staticmethod
    def describe(category: str, entry: linking.LinkEntry) -> str:
        agent = entry.agent
        if category == "linked":
            return f"{agent}: linked to user {entry.user}."
        if category == "already_linked":
            return f"{agent}: already linked to user {entry.user}."
        if category == "no_match":
            return f"{agent}: no CRM user has the e-mail {agent.email}; not linked." + (
                f" ({entry.note})" if entry.note else ""
            )
        if category == "ambiguous":
            users = ", ".join(candidate.username for candidate in entry.candidates)
            return f"{agent}: not linked, {entry.note}" + (f" ({users})." if users else ".")
        return (
            f"{agent}: not linked, user {entry.user} with e-mail {agent.email} is already "
            f"linked to agent {entry.linked_agent}."
        )

    # --- the linking status page -------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:  # type: ignore[override]
        status = path(
            "linking-status/",
            self.admin_site.admin_view(self.linking_status_view),
            name="agents_agent_linking_status",
        )
        return [status, *super().get_urls()]

    def linking_status_view(self, request: HttpRequest) -> HttpResponse:
        """GET: what linking by e-mail would do (a dry run). POST: do it (superusers only)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        actor = request_actor(request)
        if request.method == "POST":
            if not request.user.is_superuser:
                raise PermissionDenied
            report = linking.link_agents(actor=actor, dry_run=False)
            self.log_links(request, report, via="the linking status page")
            self.message_user(
                request,
                f"Linked {len(report.linked)} agent(s); {report.needs_a_human} need a person.",
                messages.SUCCESS if report.linked else messages.INFO,
            )
            self.report_messages(request, report)
            return HttpResponseRedirect(request.path)
        report = linking.link_agents(actor=actor, dry_run=True)
        sections = [
            {
                "key": category,
                "title": "Would link"
                if category == "linked"
                else linking.CATEGORY_TITLES[category],
                "count": len(report.entries(category)),
                "entries": [
                    (entry, self.describe_row(category, entry))
                    for entry in report.entries(category)[:LISTED_AT_MOST]
                ],
                "more": max(0, len(report.entries(category)) - LISTED_AT_MOST),
                "needs_a_human": category in linking.NEEDS_A_HUMAN,
            }
            for category in linking.CATEGORIES
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Agent ↔ CRM user linking status",
            "opts": self.model._meta,
            "report": report,
            "sections": sections,
            "state": linking.link_state(),
            "can_run": request.user.is_superuser and bool(report.linked),
            "is_superuser": request.user.is_superuser,
            "listed_at_most": LISTED_AT_MOST,
        }
        return TemplateResponse(request, "admin/agents/agent/linking_status.html", context)

    @staticmethod
    def describe_row(category: str, entry: linking.LinkEntry) -> str:
        """The "user" column of a row of the status page."""
        if category == "ambiguous":
            users = ", ".join(f"{c.username} <{c.email}>" for c in entry.candidates)
            return f"{entry.note}" + (f": {users}" if users else "")
        if category == "user_linked_elsewhere":
            return f"{entry.user} is linked to agent {entry.linked_agent}"
        if category == "no_match":
            return entry.note or "no CRM user has this e-mail"
        return str(entry.user) if entry.user else ""
