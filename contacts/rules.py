"""The contact-policy rules as pure functions: one decision for the gate, the check and the audit.

:func:`evaluate` answers "may ``party`` be contacted on ``channel`` at ``at``?" from a policy
version and the facts about the customer (time zone, holds, earlier contacts). The reservation
(``POST contact-attempts``), the check (``GET contact-policy/check``), the flag set when an
action is recorded and the replay of ``manage.py audit_contacts`` all call it, so they cannot
disagree. Nothing here touches the database.

Definitions (README, "Contact policy"):

- Days are the customer's local calendar days (``Facts.zone``: the customer's time zone, else
  ``BUSINESS_TIME_ZONE``). A cap over N days counts the contacts of the current local day and
  the N-1 days before it, so a daylight-saving change never stretches or shrinks a window.
- A cap is reached when the contacts it counts (attempts on its channels) equal its limit: one
  more would exceed it.
- A time window allows ``start <= local time < end``.
- The block after a conversation covers the local day of the conversation and the
  ``block_days - 1`` days after it (Regulation F counts the day of the conversation as day 1).
- A hold suppresses its channels (all when it names none) from its start until its expiry or
  its lift.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from contacts.enums import CapScope, Rule

# The earliest allowed moment is searched by jumping from one blocking rule's end to the next;
# each jump moves forward, so a handful suffices. More means the rules never clear together.
MAX_JUMPS = 64


@dataclass(frozen=True)
class Cap:
    """At most ``limit`` attempts per customer (or contact point) over ``days`` local days."""

    scope: str
    days: int
    limit: int
    channels: frozenset[str] = frozenset()  # empty: every channel

    @property
    def key(self) -> str:
        """The cap's name in ``remaining`` and as a rule: ``CUSTOMER_1D``,
        ``CUSTOMER_7D_CALL``, ``CONTACT_POINT_30D_CALL_SMS``."""
        suffix = "".join(f"_{channel}" for channel in sorted(self.channels))
        return f"{self.scope}_{self.days}D{suffix}"

    def applies_to(self, channel: str) -> bool:
        return not self.channels or channel in self.channels


@dataclass(frozen=True)
class Window:
    """Contact allowed from ``start`` (inclusive) to ``end`` (exclusive), local time."""

    start: dt.time
    end: dt.time

    def allows(self, local: dt.time) -> bool:
        return self.start <= local < self.end


@dataclass(frozen=True)
class Policy:
    """One version of a contact policy (``contact_policies`` with its windows and caps)."""

    code: str
    version: int
    name: str
    channels: frozenset[str]
    parties: frozenset[str]
    windows: Mapping[str, Window] = field(default_factory=dict)
    caps: tuple[Cap, ...] = ()
    attempt_types: frozenset[str] = frozenset()
    attempt_results: frozenset[str] = frozenset()  # empty: every result
    conversation_results: frozenset[str] = frozenset()
    block_days: int = 0
    block_channels: frozenset[str] = frozenset()  # empty: every channel
    reservation_minutes: int = 15
    id: uuid.UUID | None = None

    def counts_as_attempt(self, channel: str, result: str | None = None) -> bool:
        """Whether a contact on ``channel`` (with ``result``, once known) is an attempt."""
        if channel not in self.attempt_types:
            return False
        return result is None or not self.attempt_results or result in self.attempt_results

    def is_conversation(self, result: str | None) -> bool:
        """Whether ``result`` means the right party was spoken to."""
        return result is not None and result in self.conversation_results

    def blocks_after_conversation(self, channel: str) -> bool:
        return self.block_days > 0 and (not self.block_channels or channel in self.block_channels)


@dataclass(frozen=True)
class Hold:
    """A hold: ``channels`` suppressed (all when empty) in ``[starts_at, ends_at)``."""

    hold_type: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    channels: frozenset[str] = frozenset()
    id: uuid.UUID | None = None

    def suppresses(self, channel: str, at: dt.datetime) -> bool:
        if self.channels and channel not in self.channels:
            return False
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


@dataclass(frozen=True)
class Contact:
    """An earlier contact: when, on which channel, whether it is an attempt / a conversation."""

    at: dt.datetime
    channel: str
    counts: bool = True
    conversation: bool = False


@dataclass(frozen=True)
class Facts:
    """What the decision depends on besides the policy and the request."""

    zone: dt.tzinfo
    holds: tuple[Hold, ...] = ()
    customer_contacts: tuple[Contact, ...] = ()
    point_contacts: tuple[Contact, ...] = ()  # the contact point's, across customers

    def before(self, at: dt.datetime) -> Facts:
        """These facts without the contacts after ``at`` (a replay or a backdated record)."""
        return Facts(
            zone=self.zone,
            holds=self.holds,
            customer_contacts=tuple(c for c in self.customer_contacts if c.at <= at),
            point_contacts=tuple(c for c in self.point_contacts if c.at <= at),
        )


@dataclass(frozen=True)
class Breach:
    """One rule that forbids the contact at a moment, and the earliest moment it stops to."""

    rule: str
    message: str
    lifts_at: dt.datetime | None  # None: not by waiting (a channel, a party, an open hold)
    limit: int | None = None
    count: int | None = None
    hold_type: str | None = None


@dataclass(frozen=True)
class Decision:
    """The answer of the gate: ``allowed``, the first ``rule`` broken, the cap figures and the
    next allowed moment (in the customer's zone; None when waiting never helps)."""

    allowed: bool
    rule: str | None
    message: str
    at: dt.datetime
    next_allowed_at: dt.datetime | None
    remaining: dict[str, int]
    limit: int | None = None
    count: int | None = None
    hold_type: str | None = None
    policy_id: uuid.UUID | None = None
    policy_code: str | None = None
    policy_version: int | None = None

    def detail(self) -> dict[str, object]:
        """The breach as stored with a flagged contact (JSON-ready)."""
        return {
            "rule": self.rule,
            "message": self.message,
            "limit": self.limit,
            "count": self.count,
            "holdType": self.hold_type,
            "policyCode": self.policy_code,
            "policyVersion": self.policy_version,
        }


def local_day_start(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The first instant (UTC) of the local calendar ``day`` in ``zone``.

    Where a daylight-saving gap swallows midnight (America/Santiago), the day begins as the
    clock jumps over it (see :func:`local_moment`).
    """
    return local_moment(day, dt.time.min, zone)


def local_moment(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The first instant (UTC) at which the local time of ``day`` in ``zone`` is ``time`` or later.

    That is ``day`` at ``time`` unless a daylight-saving start skips ``time`` (New York,
    2026-03-08: 02:00-02:59 does not exist); then it is the instant the clock jumps over it
    (03:00 EDT for any time from 02:00 to 02:59). ``datetime`` with fold 0 would read a skipped
    time with the offset before the change, which lands after the jump by as much as ``time``
    is into the gap (02:30 would read as 03:30 EDT, half an hour late).
    """
    wall = dt.datetime.combine(day, time)
    after = wall.replace(tzinfo=zone).astimezone(dt.UTC)  # fold 0
    if after.astimezone(zone).replace(tzinfo=None) == wall:
        return after  # the time exists
    # In a gap: fold 1 reads it with the offset after the change, which lands before the jump.
    # The jump is the one change of offset between the two readings: find its second.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)
    offset_after = after.astimezone(zone).utcoffset()
    low, high = 0, int((after - before).total_seconds())  # the offset changes in (low, high]
    while high - low > 1:
        middle = (low + high) // 2
        moment = before + dt.timedelta(seconds=middle)
        if moment.astimezone(zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return before + dt.timedelta(seconds=high)


def _local_date(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return moment.astimezone(zone).date()


def _window_breach(window: Window, at: dt.datetime, zone: dt.tzinfo) -> Breach | None:
    local = at.astimezone(zone)
    if window.allows(local.time().replace(tzinfo=None)):
        return None
    day = local.date() if local.time() < window.start else local.date() + dt.timedelta(days=1)
    opens = local_moment(day, window.start, zone)
    if opens <= at:
        # Clocks set back (a daylight-saving end) repeat an hour: the opening passed before the
        # change comes again after it, with the later offset.
        wall = dt.datetime.combine(day, window.start)
        opens = wall.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)
    if opens <= at:
        opens = local_moment(day + dt.timedelta(days=1), window.start, zone)
    return Breach(
        Rule.TIME_WINDOW,
        f"Outside the allowed hours {window.start:%H:%M}-{window.end:%H:%M} (customer's time).",
        lifts_at=opens,
    )


def _cap_breach(
    cap: Cap, contacts: Sequence[Contact], at: dt.datetime, zone: dt.tzinfo
) -> tuple[int, Breach | None]:
    """How many contacts the cap counts at ``at``, and its breach when it is reached."""
    first_day = _local_date(at, zone) - dt.timedelta(days=cap.days - 1)
    days = sorted(
        day
        for day in (
            _local_date(c.at, zone)
            for c in contacts
            if c.counts and c.at <= at and cap.applies_to(c.channel)
        )
        if day >= first_day
    )
    count = len(days)
    if count < cap.limit:
        return count, None
    # The window must slide past the oldest (count - limit + 1) contacts it holds.
    lifts_at = local_day_start(days[count - cap.limit] + dt.timedelta(days=cap.days), zone)
    scope = "the customer" if cap.scope == CapScope.CUSTOMER else "this contact point"
    period = "today" if cap.days == 1 else f"in {cap.days} days"
    return count, Breach(
        cap.key,
        f"{count} of at most {cap.limit} attempts on {scope} {period}.",
        lifts_at=lifts_at,
        limit=cap.limit,
        count=count,
    )


def _conversation_breach(
    policy: Policy, facts: Facts, channel: str, at: dt.datetime
) -> Breach | None:
    if not policy.blocks_after_conversation(channel):
        return None
    conversations = [
        c.at
        for c in facts.customer_contacts
        if c.conversation
        and c.at <= at
        and (not policy.block_channels or c.channel in policy.block_channels)
    ]
    if not conversations:
        return None
    last = max(conversations)
    ends = _local_date(last, facts.zone) + dt.timedelta(days=policy.block_days)
    if _local_date(at, facts.zone) >= ends:
        return None
    return Breach(
        Rule.CONVERSATION_BLOCK,
        f"A conversation took place less than {policy.block_days} days ago.",
        lifts_at=local_day_start(ends, facts.zone),
    )


def breaches(
    policy: Policy, facts: Facts, *, channel: str, party: str, at: dt.datetime
) -> list[Breach]:
    """Every rule that forbids the contact at ``at``, in the order decisions cite them."""
    found: list[Breach] = []
    if channel not in policy.channels:
        found.append(Breach(Rule.CHANNEL_NOT_ALLOWED, f"{channel} is not allowed.", lifts_at=None))
    if party not in policy.parties:
        found.append(
            Breach(
                Rule.PARTY_NOT_ALLOWED,
                f"{party} may not be contacted (not liable for the debt).",
                lifts_at=None,
            )
        )
    for hold in facts.holds:
        if hold.suppresses(channel, at):
            found.append(
                Breach(
                    Rule.HOLD,
                    f"The customer is on hold ({hold.hold_type}).",
                    lifts_at=hold.ends_at,
                    hold_type=hold.hold_type,
                )
            )
    window = policy.windows.get(channel)
    if window is not None:
        breach = _window_breach(window, at, facts.zone)
        if breach is not None:
            found.append(breach)
    conversation = _conversation_breach(policy, facts, channel, at)
    if conversation is not None:
        found.append(conversation)
    for cap in policy.caps:
        if cap.applies_to(channel):
            contacts = (
                facts.customer_contacts if cap.scope == CapScope.CUSTOMER else facts.point_contacts
            )
            _, breach = _cap_breach(cap, contacts, at, facts.zone)
            if breach is not None:
                found.append(breach)
    return found


def next_allowed(
    policy: Policy, facts: Facts, *, channel: str, party: str, at: dt.datetime
) -> dt.datetime | None:
    """The earliest moment from ``at`` on at which the contact is allowed, were nobody to
    contact the customer meanwhile; None when waiting never makes it allowed."""
    moment = at
    for _ in range(MAX_JUMPS):
        found = breaches(policy, facts, channel=channel, party=party, at=moment)
        if not found:
            return moment
        if any(breach.lifts_at is None for breach in found):
            return None
        moment = max(breach.lifts_at for breach in found if breach.lifts_at is not None)
    return None


def remaining(
    policy: Policy, facts: Facts, *, channel: str, at: dt.datetime, allowed: bool
) -> dict[str, int]:
    """Per cap on ``channel``: the attempts left after this one (when it is allowed)."""
    left: dict[str, int] = {}
    for cap in policy.caps:
        if cap.applies_to(channel):
            contacts = (
                facts.customer_contacts if cap.scope == CapScope.CUSTOMER else facts.point_contacts
            )
            count, _ = _cap_breach(cap, contacts, at, facts.zone)
            left[cap.key] = max(0, cap.limit - count - (1 if allowed else 0))
    return left


def evaluate(
    policy: Policy, facts: Facts, *, channel: str, party: str, at: dt.datetime
) -> Decision:
    """The gate's decision for one contact at ``at`` (see the module docstring)."""
    facts = facts.before(at)
    found = breaches(policy, facts, channel=channel, party=party, at=at)
    allowed = not found
    first = found[0] if found else None
    following = at if allowed else next_allowed(policy, facts, channel=channel, party=party, at=at)
    return Decision(
        allowed=allowed,
        rule=first.rule if first else None,
        message=first.message if first else "Allowed.",
        at=at,
        next_allowed_at=following.astimezone(facts.zone) if following else None,
        remaining=remaining(policy, facts, channel=channel, at=at, allowed=allowed),
        limit=first.limit if first else None,
        count=first.count if first else None,
        hold_type=first.hold_type if first else None,
        policy_id=policy.id,
        policy_code=policy.code,
        policy_version=policy.version,
    )


def no_policy(at: dt.datetime, zone: dt.tzinfo) -> Decision:
    """The decision when no policy applies to the customer: refused (fail closed)."""
    return Decision(
        allowed=False,
        rule=Rule.NO_POLICY,
        message="No contact policy applies to this customer; a supervisor must assign one.",
        at=at,
        next_allowed_at=None,
        remaining={},
    )


def reservation_expiry(
    policy: Policy, facts: Facts, *, channel: str, at: dt.datetime, within_window: bool = True
) -> dt.datetime:
    """When a reservation granted at ``at`` lapses: after ``reservation_minutes``, and never
    past the start of a coming hold, nor (``within_window``) past the end of today's window of
    the channel. An override may be granted outside the window, so it lapses by time alone."""
    expires = at + dt.timedelta(minutes=policy.reservation_minutes)
    window = policy.windows.get(channel)
    if within_window and window is not None:
        local = at.astimezone(facts.zone)
        expires = min(expires, local_moment(local.date(), window.end, facts.zone))
    for hold in facts.holds:
        if (not hold.channels or channel in hold.channels) and hold.starts_at > at:
            expires = min(expires, hold.starts_at)
    return expires


def zone_named(name: str | None, default: str) -> zoneinfo.ZoneInfo:
    """The customer's zone (``name``), else ``default`` (the business time zone)."""
    return zoneinfo.ZoneInfo(name or default)


def contacts_from(rows: Iterable[tuple[dt.datetime, str, bool, bool]]) -> tuple[Contact, ...]:
    """Contacts from ``(at, channel, counts, conversation)`` rows."""
    return tuple(
        Contact(at, channel, counts, conversation) for at, channel, counts, conversation in rows
    )
