"""The admin back-office (OWASP API5/API8 for the Django admin): CSRF enforced on every POST,
framing refused (clickjacking), a supervisor reaches only what their Django permissions allow,
whatever URL they type, and every admin write leaves an audit entry (``LogEntry``, the "Audit
log" page). Every registered ModelAdmin, its pages, its extra URLs and its actions are walked
on the demo data (``seed_demo``); nothing is listed by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import URLPattern, reverse

from tests.admin.conftest import crm_signed_in
from tests.api import client_for
from tests.factories import TEST_PASSWORD, CrmUserFactory

pytestmark = pytest.mark.django_db

STANDARD_VIEWS = {"changelist", "add", "change", "delete", "history", "autocomplete"}


@pytest.fixture(autouse=True)
def _demo_data(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo")
    capsys.readouterr()


def _request_of(username: str) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username=username)
    return request


@dataclass(frozen=True)
class Page:
    """One admin URL of a ModelAdmin and the Django permission its content needs."""

    model_admin: admin.ModelAdmin[Any]
    url: str
    needs: tuple[str, ...]  # any of these permissions (codename with app label)

    def __str__(self) -> str:
        return self.url


def _perm(model_admin: admin.ModelAdmin[Any], action: str) -> str:
    opts = model_admin.model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def admin_pages() -> Iterator[Page]:
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        view_or_change = (_perm(model_admin, "view"), _perm(model_admin, "change"))
        yield Page(model_admin, reverse(f"{prefix}_changelist"), view_or_change)
        yield Page(model_admin, reverse(f"{prefix}_add"), (_perm(model_admin, "add"),))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pk = str(first.pk)
            yield Page(model_admin, reverse(f"{prefix}_change", args=[pk]), view_or_change)
            yield Page(model_admin, reverse(f"{prefix}_history", args=[pk]), view_or_change)
            yield Page(
                model_admin, reverse(f"{prefix}_delete", args=[pk]), (_perm(model_admin, "delete"),)
            )
        # Extra URLs of the ModelAdmin (get_urls beyond the standard views): at least a view.
        for pattern in model_admin.get_urls():
            if isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.converters:
                suffix = pattern.name.rsplit("_", 1)[-1]
                if pattern.name.startswith(f"{opts.app_label}_{opts.model_name}_") and (
                    suffix not in STANDARD_VIEWS
                ):
                    yield Page(model_admin, reverse(f"admin:{pattern.name}"), view_or_change)


def _checksum() -> dict[str, str]:
    """A digest of every row of the bank's schemas (what an admin write would change)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('workflow_service', 'auth_service')
              AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            """
        )
        tables = [row[0] for row in cursor.fetchall()]
        digests = {}
        for table in tables:
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
                f"FROM {table} t"
            )
            digests[table] = cursor.fetchone()[0]
        return digests


def test_a_supervisor_reaches_only_what_their_permissions_allow() -> None:
    supervisor = crm_signed_in("sup.walk", "SUPERVISOR")
    crm_admin = crm_signed_in("adm.walk", "ADMIN")
    sup_user = User.objects.get(username="sup.walk")
    admin_request = _request_of("adm.walk")
    pages = list(admin_pages())
    assert len(pages) > 40  # the walk found the registered ModelAdmins

    reached, refused = [], []
    for page in pages:
        answer = supervisor.get(page.url)
        assert answer.status_code != 500, page
        if answer.status_code == 200:
            assert any(sup_user.has_perm(p) for p in page.needs), f"{page} reached by a supervisor"
            reached.append(page.url)
        else:
            assert answer.status_code in (302, 403), (page, answer.status_code)
            refused.append(page.url)
        assert crm_admin.get(page.url).status_code in (200, 302, 403), page
    assert reached and refused  # supervisors use the admin, but not all of it

    # And the admin reaches every changelist its ModelAdmin offers.
    for page in pages:
        if page.url.endswith("/") and page.url.count("/") == 4:
            offered = page.model_admin.has_view_or_change_permission(admin_request)
            assert (crm_admin.get(page.url).status_code == 200) == offered, page


def test_a_supervisor_cannot_run_an_admin_only_action_by_posting_it() -> None:
    supervisor = crm_signed_in("sup.actions", "SUPERVISOR")
    crm_signed_in("adm.actions", "ADMIN")
    sup_request, admin_request = _request_of("sup.actions"), _request_of("adm.actions")
    tried = 0
    for model, model_admin in admin.site._registry.items():
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        theirs = set(model_admin.get_actions(sup_request))
        for name in set(model_admin.get_actions(admin_request)) - theirs:
            before, logged = _checksum(), LogEntry.objects.count()
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            answer = supervisor.post(
                url, {"action": name, "_selected_action": [str(first.pk)], "post": "yes"}
            )
            assert answer.status_code in (200, 302, 403), (url, name)
            assert _checksum() == before, f"{name} on {url} ran for a supervisor"
            assert LogEntry.objects.count() == logged
            tried += 1
    assert tried > 0  # some actions are the admins' alone


def test_every_admin_action_and_delete_that_writes_leaves_an_audit_entry() -> None:
    crm_admin = crm_signed_in("adm.audit", "ADMIN")
    admin_request = _request_of("adm.audit")
    writes = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        posts = [
            (changelist, {"action": name, "_selected_action": [str(first.pk)], "post": "yes"})
            for name in model_admin.get_actions(admin_request)
        ]
        if model_admin.has_delete_permission(admin_request, first):
            delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[first.pk])
            posts.append((delete, {"post": "yes"}))
        for url, data in posts:
            before, logged = _checksum(), LogEntry.objects.count()
            answer = crm_admin.post(url, data)
            assert answer.status_code in (200, 302), (url, data, answer.status_code)
            if _checksum() != before:
                writes += 1
                assert LogEntry.objects.count() > logged, f"{url} {data} wrote without an entry"
    assert writes > 0


def test_every_admin_post_without_a_csrf_token_is_refused() -> None:
    crm_signed_in("adm.csrf", "ADMIN")  # the CRM user and its local Django user
    client = Client(enforce_csrf_checks=True)
    client.get("/admin/login/")
    token = client.cookies["csrftoken"].value
    signed_in = client.post(
        "/admin/login/",
        {"username": "adm.csrf", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 302
    before = _checksum()

    for page in admin_pages():
        answer = client.post(page.url, {"action": "delete_selected", "post": "yes"})
        assert answer.status_code == 403, page
        assert b"CSRF" in answer.content, page
    assert _checksum() == before
    logout = client.post(
        "/admin/logout/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    assert logout.status_code == 200  # the same POST with the token passes the check


def test_admin_and_api_pages_may_not_be_framed() -> None:
    crm_admin = crm_signed_in("adm.frame", "ADMIN")
    api = client_for(CrmUserFactory(role="ADMIN"))

    answers = [
        Client().get("/admin/login/"),
        crm_admin.get("/admin/"),
        crm_admin.get(reverse("admin:agents_agent_changelist")),
        api.get("/api/v1/collection/agents"),
        api.get("/api/v1/collection/docs/"),
    ]

    for answer in answers:
        assert answer["X-Frame-Options"] == "DENY", answer
