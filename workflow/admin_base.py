"""Building blocks shared by admin pages: read-only tables, forms written by services, cheaper
changelist rows (one URL resolution per page, a plain checkbox), the actor of an admin request
and whether it may link agents to users."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote as url_quote

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from workflow.actors import Actor, admin_actor
from workflow.errors import DomainError
from workflow.permissions import Capability, can


class ReadOnlyAdmin(admin.ModelAdmin):
    """A history or a table another service owns: viewable, never added, changed or deleted.

    No facet counts (each is a COUNT over a large table) and no bulk actions unless a subclass
    names its own.
    """

    show_facets = admin.ShowFacets.NEVER
    actions: Any = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ExactCifSearchAdmin(ReadOnlyAdmin):
    """Search by exact cif (as typed or upper-cased), so that the cif index serves it."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(customer_id__in={term, term.upper()}), False


class ServiceForm(forms.ModelForm):
    """An admin form whose change the services write when the admin saves it, never in clean().

    ``service_error`` is the services' refusal of this same submission (see
    :class:`ServiceFormAdmin`); ``clean()`` shows it through :meth:`show_service_error`, so the
    form is invalid and shown again with the error where the service put it.
    """

    service_error: DomainError | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if self.service_error is not None:
            self.show_service_error(self.service_error)
        return cleaned

    def show_service_error(self, exc: DomainError) -> None:
        self.add_error(None, exc.message)


class ServiceFormAdmin(admin.ModelAdmin):
    """A change form that writes through services in ``save_model``.

    Nothing is written while the form validates; ``save_form`` and ``save_related`` write
    nothing either. When a service refuses in ``save_model``
    (``DomainError``), the admin's transaction around the save rolls back everything (the
    change, the log entry), and the same submission is shown again: the view runs once more
    with the error handed to the form as ``ServiceForm.service_error``.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            request._service_error = exc  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "_service_error", None)
        return type(form.__name__, (form,), {"service_error": error})

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        # Not form.save(): the subclass's save_model writes through the services.
        return form.instance

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing: the services write everything in ``save_model`` (no inlines here)."""


class LinkOnceChangeList(ChangeList):
    """A change list that resolves the change-page URL once per page, not once per link.

    Django reverses the URL for every linked cell (two per row when two columns link); the
    URL differs only by the primary key, put in the way ``reverse`` would put it.
    """

    PLACEHOLDER = "PK0PLACEHOLDER"

    def url_for_result(self, result: Any) -> str:
        template: str | None = getattr(self, "_change_url_template", None)
        if template is None:
            template = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(self.PLACEHOLDER,),
                current_app=self.model_admin.admin_site.name,
            )
            self._change_url_template = template
        pk = str(admin_quote(getattr(result, self.pk_attname)))
        return template.replace(self.PLACEHOLDER, url_quote(pk, safe=RFC3986_SUBDELIMS + "/~:@"))


def action_checkbox(model_admin: admin.ModelAdmin[Any], obj: Any) -> SafeString:
    """A list row's selection checkbox, the same HTML as Django's, without a form widget.

    Django renders a ``CheckboxInput`` through the template engine for every row: a quarter of
    the case list's time at 100 rows. Use as ``action_checkbox = action_checkbox`` on an admin
    with bulk actions.
    """
    return format_html(
        '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
        helpers.ACTION_CHECKBOX_NAME,
        str(obj.pk),
        format_html(_("Select this object for an action - {}"), str(obj)),
    )


def request_actor(request: HttpRequest) -> Actor:
    """The actor of an admin request (computed once per request)."""
    actor: Actor | None = getattr(request, "_workflow_actor", None)
    if actor is None:
        actor = admin_actor(request.user)
        request._workflow_actor = actor  # type: ignore[attr-defined]
    return actor


def may_link_users(request: HttpRequest) -> bool:
    """Whether the admin user may link agents to CRM users: the API's LINK_USERS rule.

    Linking decides whose work a login records, so the admin follows the same matrix as
    ``POST /agents/link-user``: superusers (ADMIN) may link anyone, supervisors only within the
    scope the agents services enforce (``agents.services.ensure_may_link``).
    """
    return can(request_actor(request), Capability.LINK_USERS)
