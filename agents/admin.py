"""The agents admin: agents, their CRM users, and the "Linking status" page.

Every write goes through the agents services (``agents.forms.AgentAdminForm`` for the change
form, ``agents.linking`` for linking by e-mail) and is recorded in the admin log, one entry per
agent, bulk actions included.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from agents import (
    linking,
    users_admin,  # noqa: F401  (registers the CRM users' admin)
)
from agents.forms import AgentAdminForm, LinkPairForm, add_domain_error, user_label
from agents.models import Agent, AgentLinkAudit
from agents.selectors import unlinked_agents_matching, unlinked_users_matching
from agents.services import agent_link_user, agent_update, supervisor_team
from workflow import agent_link_ddl
from workflow.admin_base import (
    LinkOnceChangeList,
    ReadOnlyAdmin,
    ServiceFormAdmin,
    action_checkbox,
    may_link_users,
    request_actor,
)
from workflow.errors import DomainError
from workflow.models import CrmUser
from workflow.permissions import Capability, can

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
class AgentAdmin(ServiceFormAdmin):
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
    list_per_page = 50
    action_checkbox = action_checkbox
    # One count per page: the list's own, not also the whole table's (Django's default).
    show_full_result_count = False

    # --- permissions ---------------------------------------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_link_permission(self, request: HttpRequest) -> bool:
        """Link and unlink by hand (supervisors within their scope, see ensure_may_link)."""
        return self.has_change_permission(request) and may_link_users(request)

    def has_link_any_permission(self, request: HttpRequest) -> bool:
        """Link in bulk by e-mail, whatever the agents' teams and the users' roles (admins)."""
        return self.has_change_permission(request) and can(
            request_actor(request), Capability.LINK_ANY_USER
        )

    # --- the change form -------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, Any]]:
        user_field = "user" if may_link_users(request) else "linked_user"
        fieldsets: list[tuple[Any, Any]] = [
            (
                None,
                {"fields": ("employee_id", "name", "email", "phone", "type", "team", "is_active")},
            ),
            (
                "CRM user",
                {"fields": (user_field, "reason") if user_field == "user" else (user_field,)},
            ),
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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Write through the services; ``obj`` becomes the stored agent, for the log."""
        assert isinstance(form, AgentAdminForm)
        agent, form.audit_message = form.write(request_actor(request))
        obj.pk = agent.pk
        obj._state.adding = False
        obj.refresh_from_db()

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

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[LinkOnceChangeList]:
        return LinkOnceChangeList

    # --- bulk actions ----------------------------------------------------------------------

    @admin.action(description="Link by matching e-mail", permissions=["link_any"])
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
        """Unlinked agents and unlinked CRM users side by side, with one search box and a form
        to link a pair (with a reason); then what linking by e-mail would do (a dry run).

        POST with ``link``: link the chosen pair (``agent_link_user``, within the actor's
        scope). Any other POST: run the linking by e-mail (superusers only).
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        actor = request_actor(request)
        link_form = LinkPairForm(request.POST if "link" in request.POST else None)
        if request.method == "POST" and "link" in request.POST:
            if not self.has_link_permission(request):
                raise PermissionDenied
            if self.link_pair(request, link_form):
                return HttpResponseRedirect(request.get_full_path())
        elif request.method == "POST":
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
        search = request.GET.get("q", "").strip()
        agents = unlinked_agents_matching(search)
        users = unlinked_users_matching(search)
        context = {
            **self.admin_site.each_context(request),
            "title": "Agent ↔ CRM user linking status",
            "search": search,
            "unlinked_agents": agents[:LISTED_AT_MOST],
            "unlinked_agents_count": agents.count(),
            "unlinked_users": users[:LISTED_AT_MOST],
            "unlinked_users_count": users.count(),
            "link_form": link_form,
            "can_link": self.has_link_permission(request),
            # None: no scope to explain (admins); "": a supervisor without a team.
            "link_scope_team": None
            if can(actor, Capability.LINK_ANY_USER)
            else supervisor_team(actor) or "",
            "opts": self.model._meta,
            "report": report,
            "sections": sections,
            "state": agent_link_ddl.link_state(),
            "can_run": request.user.is_superuser and bool(report.linked),
            "is_superuser": request.user.is_superuser,
            "listed_at_most": LISTED_AT_MOST,
        }
        return TemplateResponse(request, "admin/agents/agent/linking_status.html", context)

    def link_pair(self, request: HttpRequest, form: LinkPairForm) -> bool:
        """Link the pair of ``form`` (logged, with its reason); False, with the error on the
        form, when the form is invalid or the service refuses."""
        if not form.is_valid():
            return False
        agent, user = form.cleaned_data["agent"], form.cleaned_data["user"]
        reason = form.cleaned_data["reason"].strip()
        try:
            with transaction.atomic():
                agent, _ = agent_link_user(
                    agent_id=agent.id, user_id=user.id, actor=request_actor(request), reason=reason
                )
                self.log_change(
                    request,
                    agent,
                    f"Linked to user {user_label(user)} (reason: {reason}) (via the linking page).",
                )
        except DomainError as exc:
            add_domain_error(form, exc)
            return False
        self.message_user(request, f"{agent}: linked to user {user_label(user)}.", messages.SUCCESS)
        return True

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


@admin.register(AgentLinkAudit)
class AgentLinkAuditAdmin(ReadOnlyAdmin):
    """Every link and unlink of a CRM user and an agent: who, when, why (read-only)."""

    list_display = (
        "occurred_at",
        "operation",
        "agent_link",
        "user_link",
        "actor_username",
        "reason",
    )
    list_filter = ("operation", "occurred_at")
    search_fields = ("actor_username", "reason", "=agent_id", "=user_id")
    ordering = ("-occurred_at", "-id")
    show_full_result_count = False
    fields = (
        "occurred_at",
        "operation",
        "agent_id",
        "user_id",
        "reason",
        "actor_username",
        "actor_user_id",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgentLinkAudit]:
        # The table has no foreign keys (the trail outlives deleted rows): names by subquery,
        # so that a page costs the same number of queries whatever its rows.
        agent = Agent.objects.filter(id=OuterRef("agent_id"))
        user = CrmUser.objects.filter(id=OuterRef("user_id"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                agent_name=Subquery(agent.values("name")[:1]),
                agent_employee_id=Subquery(agent.values("employee_id")[:1]),
                username=Subquery(user.values("username")[:1]),
                user_role=Subquery(user.values("role")[:1]),
            )
        )

    @admin.display(description="agent")
    def agent_link(self, entry: Any) -> str:
        if entry.agent_name is None:
            return str(entry.agent_id)
        url = reverse("admin:agents_agent_change", args=[entry.agent_id])
        return format_html(
            '<a href="{}">{} ({})</a>', url, entry.agent_name, entry.agent_employee_id
        )

    @admin.display(description="CRM user")
    def user_link(self, entry: Any) -> str:
        if entry.username is None:
            return str(entry.user_id)
        return f"{entry.username} ({entry.user_role})"
