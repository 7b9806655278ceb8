"""Admin sign-in with CRM credentials (``auth_service.users``), kept in step with a local user.

Supervisors and admins of the CRM sign in to the Django admin with their CRM username and
password. The first sign-in creates a local Django user of the same username (with an unusable
local password); every sign-in copies the CRM user's state onto it: ``is_staff`` for SUPERVISOR
and ADMIN, ``is_superuser`` for ADMIN, membership of the "CRM supervisors" group, and
``is_active`` from the CRM. AGENT users and inactive CRM users are refused (and their local user,
if any, loses admin access). Local accounts made with ``createsuperuser`` keep working through
Django's ``ModelBackend``; a CRM user never takes over a local account that has its own password.

Sign-ins are throttled like the API login (same Redis counters, per username and per IP).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from workflow.actors import ROLE_ADMIN, ROLE_SUPERVISOR
from workflow.auth import services, throttle
from workflow.errors import Throttled
from workflow.models import CrmUser

logger = logging.getLogger(__name__)

SUPERVISORS_GROUP = "CRM supervisors"
ADMIN_ROLES = frozenset({ROLE_SUPERVISOR, ROLE_ADMIN})
# What supervisors may do in the admin (admins are superusers). Nothing is deleted there.
SUPERVISOR_PERMISSIONS = (
    "agents.view_agent",
    "agents.add_agent",
    "agents.change_agent",
    "agents.view_agentlinkaudit",
    "cases.view_customercase",
    "cases.change_customercase",
    "cases.view_customercaseaction",
    "cases.add_customercaseaction",
    "actions.view_actionrecord",
    "assignments.view_customeragent",
    "workflow.view_crmuser",
    "workflow.view_customer",
    "workflow.view_loan",
    "admin.view_logentry",
    "assignments.view_reassignmentflag",
    "payments.view_payment",
    "workflow.view_outboxevent",
    # The contact policy: policies (a change is a new version), their windows and caps,
    # assignments, customer profiles, holds; the ledger is read-only.
    "contacts.view_contactpolicy",
    "contacts.add_contactpolicy",
    "contacts.change_contactpolicy",
    "contacts.view_contactpolicywindow",
    "contacts.add_contactpolicywindow",
    "contacts.change_contactpolicywindow",
    "contacts.view_contactpolicycap",
    "contacts.add_contactpolicycap",
    "contacts.change_contactpolicycap",
    "contacts.view_contactpolicyassignment",
    "contacts.add_contactpolicyassignment",
    "contacts.change_contactpolicyassignment",
    "contacts.view_contactprofile",
    "contacts.add_contactprofile",
    "contacts.change_contactprofile",
    "contacts.view_contacthold",
    "contacts.add_contacthold",
    "contacts.change_contacthold",
    "contacts.view_contactattempt",
    # Promises to pay: types, promises (made in the admin, cancelled in bulk), the payments
    # applied to them, the holiday calendar (a wrong day is changed, never deleted) and the
    # currency mismatches to review.
    "promises.view_promisetype",
    "promises.add_promisetype",
    "promises.change_promisetype",
    "promises.view_paymentpromise",
    "promises.add_paymentpromise",
    "promises.view_promiseappropriation",
    "promises.view_businessholiday",
    "promises.add_businessholiday",
    "promises.change_businessholiday",
    "promises.view_promisecurrencymismatch",
    "promises.change_promisecurrencymismatch",
)


def supervisors_group() -> Group:
    """The group of CRM supervisors, holding exactly ``SUPERVISOR_PERMISSIONS``."""
    group, _ = Group.objects.get_or_create(name=SUPERVISORS_GROUP)
    wanted = set(SUPERVISOR_PERMISSIONS)
    current = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    if current != wanted:
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if f"{permission.content_type.app_label}.{permission.codename}" in wanted
        ]
        group.permissions.set(permissions)
    return group


@transaction.atomic
def sync_local_user(crm_user: CrmUser) -> User | None:
    """Create or update the local user mirroring ``crm_user``; None if it must not sign in."""
    local = User.objects.select_for_update().filter(username=crm_user.username).first()
    if local is not None and local.has_usable_password():
        logger.warning(
            "CRM sign-in refused: a local account with its own password has this username",
            extra={"username": crm_user.username},
        )
        return None
    role = crm_user.role.upper()
    allowed = crm_user.is_active and role in ADMIN_ROLES
    if local is None:
        if not allowed:
            return None
        local = User(username=crm_user.username)
        local.set_unusable_password()
    local.email = crm_user.email
    local.first_name = (crm_user.first_name or "")[:150]
    local.last_name = (crm_user.last_name or "")[:150]
    local.is_active = crm_user.is_active
    local.is_staff = allowed
    local.is_superuser = allowed and role == ROLE_ADMIN
    local.save()
    group = supervisors_group()
    if allowed and role == ROLE_SUPERVISOR:
        local.groups.add(group)
    else:
        local.groups.remove(group)
    return local if allowed else None


class CrmAdminBackend(BaseBackend):
    """Authenticates admin sign-ins against the CRM's users (see the module docstring)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        try:
            throttle.check(username, throttle.client_ip(request))
        except Throttled as exc:
            # PermissionDenied stops every backend, local accounts included.
            raise PermissionDenied(exc.message) from exc
        crm_user = CrmUser.objects.filter(username=username).first()
        if crm_user is None or not services.password_matches(password, crm_user.password_hash):
            return None
        local = sync_local_user(crm_user)
        if local is not None:
            throttle.record_success(username)
        return local

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()


def record_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """``user_login_failed`` receiver: every failed admin sign-in counts towards the limits."""
    username = credentials.get("username")
    if username:
        throttle.record_failure(str(username), throttle.client_ip(request))
