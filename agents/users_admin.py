"""The CRM's login users in the admin (``auth_service.users``, owned by the auth service):
read-only, with "Create agent profile" for users who have no agent yet. Registered by
``agents.admin``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from agents.forms import AgentProfileForm, add_domain_error
from agents.models import Agent
from agents.selectors import agent_teams, suggested_employee_ids
from workflow.admin_base import ReadOnlyAdmin, may_link_users, request_actor
from workflow.errors import DomainError
from workflow.models import CrmUser


class AgentLinkFilter(admin.SimpleListFilter):
    title = "agent profile"
    parameter_name = "agent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "No agent"), ("yes", "Has agent")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "no":
            return queryset.filter(agent__isnull=True)
        if self.value() == "yes":
            return queryset.filter(agent__isnull=False)
        return queryset


@admin.register(CrmUser)
class CrmUserAdmin(ReadOnlyAdmin):
    """The CRM's login users (``auth_service.users``, owned by the auth service): read-only.

    Also the source of the agents admin's user autocomplete, and of agent profiles: the
    action "Create agent profile" asks for each selected user's employee id, team and type
    and creates an agent linked to the user.
    """

    list_display = ("username", "email", "full_name", "role", "is_active", "linked_agent")
    list_filter = (AgentLinkFilter, "role", "is_active")
    search_fields = ("username", "email", "first_name", "last_name")
    list_select_related = ("agent",)
    ordering = ("username",)
    actions = ("create_agent_profiles",)
    # Never password_hash.
    fields = (
        "id",
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "linked_agent",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_create_agent_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("agents.add_agent")) and may_link_users(request)

    @admin.display(description="agent")
    def linked_agent(self, obj: CrmUser) -> str:
        try:
            agent = obj.agent
        except Agent.DoesNotExist:
            return "—"
        url = reverse("admin:agents_agent_change", args=[agent.pk])
        return format_html('<a href="{}">{}</a>', url, agent)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CrmUser], search_term: str
    ) -> tuple[QuerySet[CrmUser], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The agents admin's user autocomplete offers only users no agent is linked to.
        if (
            request.path == reverse("admin:autocomplete")
            and request.GET.get("app_label") == "agents"
            and request.GET.get("field_name") == "user"
        ):
            queryset = queryset.filter(agent__isnull=True)
        return queryset, may_have_duplicates

    @admin.action(description="Create agent profile", permissions=["create_agent"])
    def create_agent_profiles(
        self, request: HttpRequest, queryset: QuerySet[CrmUser]
    ) -> HttpResponse | None:
        users = list(queryset.select_related("agent").order_by("username"))
        pending = []
        for user in users:
            try:
                agent = user.agent
            except Agent.DoesNotExist:
                pending.append(user)
            else:
                self.message_user(
                    request, f"{user.username} already has agent {agent}; skipped.", messages.INFO
                )
        if not pending:
            return None
        suggestions = suggested_employee_ids(len(pending))
        profile_forms = [
            AgentProfileForm(
                request.POST if "apply" in request.POST else None,
                user=user,
                suggested_employee_id=suggestion,
            )
            for user, suggestion in zip(pending, suggestions, strict=True)
        ]
        if "apply" not in request.POST:
            return self._profiles_page(request, profile_forms)
        failed = []
        actor = request_actor(request)
        for form in profile_forms:
            if not form.is_valid():
                failed.append(form)
                continue
            try:
                agent = form.create(actor)
            except DomainError as exc:
                add_domain_error(form, exc)
                failed.append(form)
                self.message_user(
                    request, f"{form.user.username}: {exc.message} Nothing created.", messages.ERROR
                )
                continue
            self.log_addition(
                request,
                agent,
                f"Created from CRM user {form.user.username} ({form.user.role}) and linked to it "
                "(via action 'create agent profile').",
            )
            self.message_user(
                request,
                f"Created agent {agent} linked to user {form.user.username}.",
                messages.SUCCESS,
            )
        if failed:
            return self._profiles_page(request, failed)
        return None

    def _profiles_page(self, request: HttpRequest, forms: list[AgentProfileForm]) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Create agent profiles",
            "opts": self.model._meta,
            "forms": forms,
            "teams": agent_teams(),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/workflow/crmuser/create_agent_profiles.html", context
        )
