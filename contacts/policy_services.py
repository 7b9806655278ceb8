"""Writes of the contact-policy configuration: policies (new version on change), assignments,
customer profiles and holds. The admin calls these; every check raises ``ValidationFailed`` on
the field at fault, so the admin shows it next to that field."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from contacts.enums import CapScope, Channel, HoldType, Party
from contacts.models import (
    ContactHold,
    ContactPolicy,
    ContactPolicyAssignment,
    ContactPolicyCap,
    ContactPolicyWindow,
    ContactProfile,
)
from contacts.rules import Cap
from workflow.actors import Actor
from workflow.checks import check_choice
from workflow.enums import ActionResult
from workflow.errors import Conflict, NotFound, ValidationFailed


@dataclass(frozen=True)
class WindowSpec:
    channel: str
    starts: dt.time
    ends: dt.time


@dataclass(frozen=True)
class CapSpec:
    scope: str
    days: int
    max_attempts: int
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicySpec:
    """Everything a policy version holds (the admin form, or a copy of a version)."""

    name: str
    channels: tuple[str, ...]
    parties: tuple[str, ...]
    attempt_types: tuple[str, ...]
    attempt_results: tuple[str, ...] = ()
    conversation_results: tuple[str, ...] = ()
    block_days: int = 0
    block_channels: tuple[str, ...] = ()
    reservation_minutes: int = 15
    description: str = ""
    source: str = ""
    windows: tuple[WindowSpec, ...] = ()
    caps: tuple[CapSpec, ...] = field(default_factory=tuple)


def _choices(values: Sequence[str], enum: type, *, field: str, required: bool = False) -> None:
    if required and not values:
        raise ValidationFailed(f"{field}: choose at least one.", field=field)
    for value in values:
        check_choice(value, enum, field=field)


def check_policy(spec: PolicySpec) -> None:
    """A policy that makes sense: known channels, parties and results, windows that open
    before they close, one window per channel, caps with a positive limit over 1-365 days and
    one cap per key."""
    if not spec.name.strip():
        raise ValidationFailed("name: give the policy a name.", field="name")
    _choices(spec.channels, Channel, field="channels", required=True)
    _choices(spec.parties, Party, field="parties", required=True)
    _choices(spec.attempt_types, Channel, field="attempt_types", required=True)
    _choices(spec.attempt_results, ActionResult, field="attempt_results")
    _choices(spec.conversation_results, ActionResult, field="conversation_results")
    _choices(spec.block_channels, Channel, field="block_channels")
    if not 0 <= spec.block_days <= 365:
        raise ValidationFailed("block_days must be between 0 and 365.", field="block_days")
    if spec.block_days and not spec.conversation_results:
        raise ValidationFailed(
            "A block after a conversation needs the results that are a conversation.",
            field="conversation_results",
        )
    if not 1 <= spec.reservation_minutes <= 240:
        raise ValidationFailed(
            "reservation_minutes must be between 1 and 240.", field="reservation_minutes"
        )
    seen: set[str] = set()
    for window in spec.windows:
        check_choice(window.channel, Channel, field="windows")
        if window.channel in seen:
            raise ValidationFailed(f"Two windows for {window.channel}.", field="windows")
        seen.add(window.channel)
        if not window.starts < window.ends:
            raise ValidationFailed(
                f"The {window.channel} window must start before it ends "
                f"({window.starts:%H:%M} is not before {window.ends:%H:%M}).",
                field="windows",
            )
    keys: set[str] = set()
    for cap in spec.caps:
        check_choice(cap.scope, CapScope, field="caps")
        _choices(cap.channels, Channel, field="caps")
        if not 1 <= cap.days <= 365:
            raise ValidationFailed("A cap counts over 1 to 365 days.", field="caps")
        if not 1 <= cap.max_attempts <= 1000:
            raise ValidationFailed("A cap allows 1 to 1000 attempts.", field="caps")
        key = Cap(cap.scope, cap.days, cap.max_attempts, frozenset(cap.channels)).key
        if key in keys:
            raise ValidationFailed(f"Two caps {key}: merge them.", field="caps")
        keys.add(key)


def _write_version(*, code: str, version: int, spec: PolicySpec, actor: Actor) -> ContactPolicy:
    policy = ContactPolicy.objects.create(
        code=code,
        version=version,
        name=spec.name.strip(),
        description=spec.description,
        source=spec.source,
        is_preset=False,
        is_current=True,
        channels=list(spec.channels),
        parties=list(spec.parties),
        attempt_types=list(spec.attempt_types),
        attempt_results=list(spec.attempt_results),
        conversation_results=list(spec.conversation_results),
        block_days=spec.block_days,
        block_channels=list(spec.block_channels),
        reservation_minutes=spec.reservation_minutes,
        created_by=actor.username,
    )
    ContactPolicyWindow.objects.bulk_create(
        ContactPolicyWindow(policy=policy, channel=w.channel, starts=w.starts, ends=w.ends)
        for w in spec.windows
    )
    ContactPolicyCap.objects.bulk_create(
        ContactPolicyCap(
            policy=policy,
            scope=c.scope,
            days=c.days,
            max_attempts=c.max_attempts,
            channels=list(c.channels),
        )
        for c in spec.caps
    )
    return policy


def spec_of(policy: ContactPolicy) -> PolicySpec:
    """The spec of a stored version (to copy it)."""
    return PolicySpec(
        name=policy.name,
        description=policy.description,
        source=policy.source,
        channels=tuple(policy.channels),
        parties=tuple(policy.parties),
        attempt_types=tuple(policy.attempt_types),
        attempt_results=tuple(policy.attempt_results),
        conversation_results=tuple(policy.conversation_results),
        block_days=policy.block_days,
        block_channels=tuple(policy.block_channels),
        reservation_minutes=policy.reservation_minutes,
        windows=tuple(WindowSpec(w.channel, w.starts, w.ends) for w in policy.windows.all()),
        caps=tuple(
            CapSpec(c.scope, c.days, c.max_attempts, tuple(c.channels)) for c in policy.caps.all()
        ),
    )


@transaction.atomic
def policy_create(*, code: str, spec: PolicySpec, actor: Actor) -> ContactPolicy:
    """A new policy ``code`` (version 1)."""
    code = code.strip().upper()
    if not code or len(code) > 50 or not code.replace("_", "").replace("-", "").isalnum():
        raise ValidationFailed(
            "code: up to 50 letters, digits, '_' or '-' (e.g. VN_BANK_2026).", field="code"
        )
    check_policy(spec)
    if ContactPolicy.objects.filter(code=code).exists():
        raise Conflict(f"A policy {code} exists already; edit it instead.", field="code")
    return _write_version(code=code, version=1, spec=spec, actor=actor)


@transaction.atomic
def policy_save(*, policy_id: uuid.UUID, spec: PolicySpec, actor: Actor) -> ContactPolicy:
    """Change policy ``policy_id`` (its current version): write the next version, which every
    later decision uses; the old one stays for the decisions that used it. Presets are not
    changed (copy one instead)."""
    current = ContactPolicy.objects.select_for_update().filter(id=policy_id).first()
    if current is None:
        raise NotFound(f"No policy version {policy_id}.")
    if current.is_preset:
        raise ValidationFailed("A shipped preset is not edited: copy it, then edit the copy.")
    if not current.is_current:
        raise Conflict(f"{current} is no longer current; edit the current version instead.")
    check_policy(spec)
    ContactPolicy.objects.filter(id=current.id).update(
        is_current=False, superseded_at=timezone.now()
    )
    return _write_version(code=current.code, version=current.version + 1, spec=spec, actor=actor)


@transaction.atomic
def policy_copy(*, policy_id: uuid.UUID, code: str, actor: Actor) -> ContactPolicy:
    """A new editable policy ``code`` with the rules of version ``policy_id`` (e.g. a preset)."""
    source = ContactPolicy.objects.prefetch_related("windows", "caps").filter(id=policy_id).first()
    if source is None:
        raise NotFound(f"No policy version {policy_id}.")
    spec = spec_of(source)
    name = f"Copy of {source.name}"[:100]
    return policy_create(code=code, spec=PolicySpec(**{**spec.__dict__, "name": name}), actor=actor)


@transaction.atomic
def assignment_save(
    *,
    assignment_id: uuid.UUID | None = None,
    policy_code: str,
    cif: str | None,
    jurisdiction: str | None,
    product_type: str | None,
    priority: int = 100,
    note: str = "",
    actor: Actor,
) -> ContactPolicyAssignment:
    """Create or change which policy applies to a cif, or by jurisdiction and loan product."""
    if not ContactPolicy.objects.filter(code=policy_code, is_current=True).exists():
        raise ValidationFailed(f"No policy {policy_code}.", field="policy_code")
    cif, jurisdiction, product_type = (
        (value or "").strip() or None for value in (cif, jurisdiction, product_type)
    )
    jurisdiction = jurisdiction.upper() if jurisdiction else None
    if cif and (jurisdiction or product_type):
        raise ValidationFailed(
            "Give a cif, or a jurisdiction and/or a product, not both.", field="cif"
        )
    clash = ContactPolicyAssignment.objects.filter(
        cif=cif, jurisdiction=jurisdiction, product_type=product_type
    )
    if assignment_id is not None:
        clash = clash.exclude(id=assignment_id)
    if clash.exists():
        raise Conflict("Another assignment has this scope; change that one.", field="cif")
    values = {
        "policy_code": policy_code,
        "cif": cif,
        "jurisdiction": jurisdiction,
        "product_type": product_type,
        "priority": priority,
        "note": note,
    }
    if assignment_id is None:
        return ContactPolicyAssignment.objects.create(**values, created_by=actor.username)
    ContactPolicyAssignment.objects.filter(id=assignment_id).update(**values)
    return ContactPolicyAssignment.objects.get(id=assignment_id)


@transaction.atomic
def assignment_delete(*, assignment_id: uuid.UUID, actor: Actor) -> None:
    """Remove an assignment; the one for every customer stays (there must always be one)."""
    row = ContactPolicyAssignment.objects.filter(id=assignment_id).first()
    if row is None:
        return
    if row.cif is None and row.jurisdiction is None and row.product_type is None:
        raise ValidationFailed(
            "The assignment for every customer cannot be removed; point it at another policy."
        )
    row.delete()


@transaction.atomic
def profile_set(
    *, cif: str, jurisdiction: str | None, time_zone: str | None, actor: Actor
) -> ContactProfile:
    """Set a customer's jurisdiction and time zone (None: the bank's zone)."""
    time_zone = (time_zone or "").strip() or None
    if time_zone is not None:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationFailed(
                f"Unknown time zone {time_zone!r} (e.g. America/New_York).", field="time_zone"
            ) from exc
    profile, _ = ContactProfile.objects.update_or_create(
        cif=cif,
        defaults={
            "jurisdiction": (jurisdiction or "").strip().upper() or None,
            "time_zone": time_zone,
            "updated_at": timezone.now(),
            "updated_by": actor.username,
        },
    )
    return profile


def _check_hold(
    *,
    hold_type: str,
    channels: Sequence[str],
    starts_at: dt.datetime,
    expires_at: dt.datetime | None,
    review_date: dt.date | None,
    reason: str,
) -> None:
    check_choice(hold_type, HoldType, field="hold_type")
    _choices(channels, Channel, field="channels")
    if expires_at is not None and expires_at <= starts_at:
        raise ValidationFailed("The hold must expire after it starts.", field="expires_at")
    if review_date is not None and review_date < starts_at.date():
        raise ValidationFailed("The review date must not be before the start.", field="review_date")
    if not reason.strip():
        raise ValidationFailed("Say why the customer is on hold.", field="reason")


@transaction.atomic
def hold_create(
    *,
    cif: str,
    hold_type: str,
    channels: Sequence[str] = (),
    starts_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    review_date: dt.date | None = None,
    reason: str,
    actor: Actor,
) -> ContactHold:
    """Put a customer on hold for ``channels`` (all when none) from ``starts_at`` (now)."""
    starts_at = starts_at or timezone.now()
    _check_hold(
        hold_type=hold_type,
        channels=channels,
        starts_at=starts_at,
        expires_at=expires_at,
        review_date=review_date,
        reason=reason,
    )
    return ContactHold.objects.create(
        cif=cif,
        hold_type=hold_type,
        channels=list(channels),
        starts_at=starts_at,
        expires_at=expires_at,
        review_date=review_date,
        reason=reason.strip(),
        created_by=actor.username,
    )


@transaction.atomic
def hold_update(
    *,
    hold_id: uuid.UUID,
    channels: Sequence[str],
    expires_at: dt.datetime | None,
    review_date: dt.date | None,
    reason: str,
    actor: Actor,
) -> ContactHold:
    """Change a hold's channels, expiry, review date or reason (its type and start stay: the
    decisions taken under it must still be explained)."""
    hold = ContactHold.objects.select_for_update().filter(id=hold_id).first()
    if hold is None:
        raise NotFound(f"No hold {hold_id}.")
    _check_hold(
        hold_type=hold.hold_type,
        channels=channels,
        starts_at=hold.starts_at,
        expires_at=expires_at,
        review_date=review_date,
        reason=reason,
    )
    ContactHold.objects.filter(id=hold_id).update(
        channels=list(channels),
        expires_at=expires_at,
        review_date=review_date,
        reason=reason.strip(),
    )
    return ContactHold.objects.get(id=hold_id)


@transaction.atomic
def hold_lift(*, hold_id: uuid.UUID, reason: str, actor: Actor) -> ContactHold:
    """End a hold now (kept, with who lifted it, when and why)."""
    if not reason.strip():
        raise ValidationFailed("Say why the hold is lifted.", field="lift_reason")
    hold = ContactHold.objects.select_for_update().filter(id=hold_id).first()
    if hold is None:
        raise NotFound(f"No hold {hold_id}.")
    if hold.lifted_at is not None:
        return hold
    ContactHold.objects.filter(id=hold_id).update(
        lifted_at=timezone.now(), lifted_by=actor.username, lift_reason=reason.strip()
    )
    return ContactHold.objects.get(id=hold_id)
