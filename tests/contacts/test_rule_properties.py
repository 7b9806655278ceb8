"""Property-based tests of the rules (hypothesis): generated policies, time zones (US
daylight-saving changes, zones whose midnight moves), midnight boundaries and rolling windows.

A gate is simulated: each generated request is decided by :func:`contacts.rules.evaluate` and,
when allowed, becomes a contact. Whatever the policy and the requests: a cap is never exceeded,
no contact falls outside its window, in a hold or in a block after a conversation, and the
next allowed moment is allowed and is the earliest (a second before it is not).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contacts.rules import Cap, Contact, Facts, Hold, Policy, Window, evaluate, local_moment

CHANNELS = ["CALL", "VISIT", "EMAIL", "SMS", "LETTER"]
PARTIES = ["BORROWER", "CO_BORROWER", "GUARANTOR", "REFERENCE"]
RESULTS = ["NO_CONTACT", "PROMISE_TO_PAY", "REFUSED_TO_PAY"]
ZONES = [
    "Asia/Ho_Chi_Minh",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Santiago",  # its daylight-saving change happens at midnight
    "Asia/Kolkata",
    "Asia/Riyadh",
    "Pacific/Chatham",
    "Europe/London",
]
# Around the US changes of 2026 (8 March, 1 November), Santiago's (5 April, 6 September) and
# an ordinary month end.
BASES = [
    dt.datetime(2026, 3, 6, tzinfo=dt.UTC),
    dt.datetime(2026, 10, 30, tzinfo=dt.UTC),
    dt.datetime(2026, 4, 3, tzinfo=dt.UTC),
    dt.datetime(2026, 9, 4, tzinfo=dt.UTC),
    dt.datetime(2026, 1, 30, 16, tzinfo=dt.UTC),
]
SECOND = dt.timedelta(seconds=1)

channel_sets = st.frozensets(st.sampled_from(CHANNELS), max_size=3)


@st.composite
def windows(draw: st.DrawFn) -> dict[str, Window]:
    result = {}
    for channel in draw(st.lists(st.sampled_from(CHANNELS), unique=True, max_size=4)):
        start = draw(st.integers(0, 20 * 60))
        end = draw(st.integers(start + 30, 24 * 60 - 1))
        result[channel] = Window(dt.time(start // 60, start % 60), dt.time(end // 60, end % 60))
    return result


caps = st.lists(
    st.builds(
        Cap,
        scope=st.sampled_from(["CUSTOMER", "CONTACT_POINT"]),
        days=st.integers(1, 8),
        limit=st.integers(1, 5),
        channels=channel_sets,
    ),
    max_size=3,
    unique_by=lambda cap: cap.key,
)

policies = st.builds(
    Policy,
    code=st.just("GEN"),
    version=st.just(1),
    name=st.just("generated"),
    channels=st.frozensets(st.sampled_from(CHANNELS), min_size=3),
    parties=st.frozensets(st.sampled_from(PARTIES), min_size=1),
    windows=windows(),
    caps=caps.map(tuple),
    attempt_types=st.frozensets(st.sampled_from(CHANNELS), min_size=1),
    conversation_results=st.frozensets(st.sampled_from(RESULTS[1:])),
    block_days=st.integers(0, 8),
    block_channels=channel_sets,
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Policy, ZoneInfo, tuple[Hold, ...], list[tuple]]:
    policy = draw(policies)
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    base = draw(st.sampled_from(BASES))
    minutes = st.integers(0, 12 * 24 * 60)
    holds = tuple(
        Hold(
            hold_type="DISPUTE",
            starts_at=base + dt.timedelta(minutes=start),
            ends_at=(base + dt.timedelta(minutes=start + length)) if length else None,
            channels=channels,
        )
        for start, length, channels in draw(
            st.lists(st.tuples(minutes, st.integers(0, 3 * 24 * 60), channel_sets), max_size=2)
        )
    )
    offsets = sorted(draw(st.lists(minutes, min_size=1, max_size=40)))
    # In time order: two requests in the same minute get their seconds sorted too (the gate
    # decides in the order requests arrive; a later request is never dated before an earlier).
    seconds = sorted(
        draw(st.lists(st.integers(0, 59), min_size=len(offsets), max_size=len(offsets)))
    )
    requests = [
        (
            base + dt.timedelta(minutes=offset, seconds=second),
            draw(st.sampled_from(CHANNELS)),
            draw(st.sampled_from(PARTIES)),
            draw(st.sampled_from(["p1", "p2"])),
            draw(st.sampled_from(RESULTS)),
        )
        for offset, second in zip(offsets, seconds, strict=True)
    ]
    return policy, zone, holds, requests


def facts_for(
    zone: ZoneInfo, holds: tuple[Hold, ...], made: list[tuple[Contact, str]], point: str
) -> Facts:
    return Facts(
        zone=zone,
        holds=holds,
        customer_contacts=tuple(contact for contact, _ in made),
        point_contacts=tuple(contact for contact, p in made if p == point),
    )


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.astimezone(zone).date()


NEW_YORK = ZoneInfo("America/New_York")


def calls_between(start: dt.time, end: dt.time) -> Policy:
    return Policy(
        code="WIN",
        version=1,
        name="window",
        channels=frozenset(CHANNELS),
        parties=frozenset(PARTIES),
        windows={"CALL": Window(start, end)},
        attempt_types=frozenset(CHANNELS),
    )


# Reported by hypothesis: in New York on 2026-03-08 (02:00-02:59 is skipped), a window opening
# at 02:30 was said to open at 03:30 EDT, though it is open from 03:00 EDT, the clock's jump.
@example(
    (
        calls_between(dt.time(2, 30), dt.time(10)),
        NEW_YORK,
        (),
        [(dt.datetime(2026, 3, 8, 6, tzinfo=dt.UTC), "CALL", "BORROWER", "p1", "NO_CONTACT")],
    )
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_gate_never_lets_a_contact_break_the_policy(scenario: tuple) -> None:
    policy, zone, holds, requests = scenario
    made: list[tuple[Contact, str]] = []  # (contact, contact point), in time order
    for at, channel, party, point, result in requests:
        facts = facts_for(zone, holds, made, point)
        decision = evaluate(policy, facts, channel=channel, party=party, at=at)
        assert all(left >= 0 for left in decision.remaining.values())
        if not decision.allowed:
            following = decision.next_allowed_at
            if following is not None:
                assert following > at
                assert evaluate(policy, facts, channel=channel, party=party, at=following).allowed
                # The second before, as an instant: wall-clock arithmetic would land in the
                # hour a DST start skips (Santiago, 2026-09-06 00:59:59 does not exist).
                before = evaluate(
                    policy,
                    facts,
                    channel=channel,
                    party=party,
                    at=following.astimezone(dt.UTC) - SECOND,
                )
                assert not before.allowed
            continue
        # The same instant, in the customer's zone: compared in UTC, since Python never finds
        # a time of a repeated hour (DST ending) equal to one of another zone (PEP 495).
        assert decision.next_allowed_at is not None
        assert decision.next_allowed_at.astimezone(dt.UTC) == at.astimezone(dt.UTC)
        # Window, hold, party, channel: checked by hand, not by the rules module.
        assert channel in policy.channels and party in policy.parties
        window = policy.windows.get(channel)
        if window is not None:
            assert window.start <= at.astimezone(zone).time().replace(tzinfo=None) < window.end
        for hold in holds:
            if not hold.channels or channel in hold.channels:
                assert not (hold.starts_at <= at and (hold.ends_at is None or at < hold.ends_at))
        if policy.block_days and (not policy.block_channels or channel in policy.block_channels):
            for contact, _ in made:
                if contact.conversation and (
                    not policy.block_channels or contact.channel in policy.block_channels
                ):
                    gap = (local_date(at, zone) - local_date(contact.at, zone)).days
                    assert gap >= policy.block_days
        contact = Contact(
            at=at,
            channel=channel,
            counts=policy.counts_as_attempt(channel, result),
            conversation=policy.is_conversation(result),
        )
        made.append((contact, point))

    # No cap is exceeded on any local day, counting back its days from every contact.
    for cap in policy.caps:
        for contact, point in made:
            if not (contact.counts and cap.applies_to(contact.channel)):
                continue
            day = local_date(contact.at, zone)
            counted = [
                other
                for other, other_point in made
                if other.counts
                and cap.applies_to(other.channel)
                and (cap.scope == "CUSTOMER" or other_point == point)
                and other.at <= contact.at
                and 0 <= (day - local_date(other.at, zone)).days < cap.days
            ]
            assert len(counted) <= cap.limit, (cap, day)


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    base=st.sampled_from(BASES),
    minutes=st.lists(st.integers(0, 20 * 24 * 60), min_size=1, max_size=30),
    days=st.integers(1, 9),
    limit=st.integers(1, 4),
)
def test_a_rolling_cap_reopens_exactly_when_its_oldest_day_leaves_the_window(
    zone: str, base: dt.datetime, minutes: list[int], days: int, limit: int
) -> None:
    tz = ZoneInfo(zone)
    policy = Policy(
        code="CAP",
        version=1,
        name="cap",
        channels=frozenset(CHANNELS),
        parties=frozenset(PARTIES),
        caps=(Cap("CUSTOMER", days, limit),),
        attempt_types=frozenset(CHANNELS),
    )
    made: list[Contact] = []
    for offset in sorted(minutes):
        at = base + dt.timedelta(minutes=offset)
        facts = Facts(zone=tz, customer_contacts=tuple(made))
        decision = evaluate(policy, facts, channel="CALL", party="BORROWER", at=at)
        if decision.allowed:
            made.append(Contact(at, "CALL"))
            continue
        assert decision.count == limit
        following = decision.next_allowed_at
        assert following is not None
        # It opens as a local day begins: at midnight, or at 01:00 where a daylight-saving
        # change skips midnight (America/Santiago). The second before is the day before; the
        # subtraction is done on the instant (aware arithmetic in one zone is wall-clock).
        assert (
            following.astimezone(tz).time() == dt.time(0, 0)
            or (following.astimezone(dt.UTC) - dt.timedelta(seconds=1)).astimezone(tz).date()
            < following.astimezone(tz).date()
        )


def test_a_skipped_local_time_is_the_instant_the_clock_jumps_over_it() -> None:
    jump = dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC)  # 02:00 EST becomes 03:00 EDT
    for skipped in (dt.time(2), dt.time(2, 30), dt.time(2, 59, 59)):
        assert local_moment(dt.date(2026, 3, 8), skipped, NEW_YORK) == jump
    assert local_moment(dt.date(2026, 3, 8), dt.time(3), NEW_YORK) == jump
    assert local_moment(dt.date(2026, 3, 8), dt.time(1, 59, 59), NEW_YORK) == jump - SECOND
    # Santiago skips midnight itself (2026-09-06 00:00 -04 becomes 01:00 -03).
    santiago = ZoneInfo("America/Santiago")
    assert local_moment(dt.date(2026, 9, 6), dt.time(0), santiago) == dt.datetime(
        2026, 9, 6, 4, tzinfo=dt.UTC
    )


def test_a_window_opening_in_the_skipped_hour_opens_as_the_clock_jumps() -> None:
    policy = calls_between(dt.time(2, 30), dt.time(10))
    at = dt.datetime(2026, 3, 8, 6, tzinfo=dt.UTC)  # 01:00 EST

    decision = evaluate(policy, Facts(zone=NEW_YORK), channel="CALL", party="BORROWER", at=at)

    assert decision.next_allowed_at == dt.datetime(2026, 3, 8, 3, tzinfo=NEW_YORK)  # EDT


def test_a_window_opening_in_the_repeated_hour_opens_again_the_same_night() -> None:
    # 2026-11-01: 01:00-01:59 happens twice in New York (EDT, then EST). At 01:30 EST the
    # 01:45 opening passed in EDT; it comes again at 01:45 EST, not the next day.
    policy = calls_between(dt.time(1, 45), dt.time(10))
    at = dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)  # 01:30 EST

    decision = evaluate(policy, Facts(zone=NEW_YORK), channel="CALL", party="BORROWER", at=at)

    assert not decision.allowed
    assert decision.next_allowed_at is not None
    # Compared in UTC: Python never finds a time of a repeated hour equal to one of another
    # zone (PEP 495).
    assert decision.next_allowed_at.astimezone(dt.UTC) == dt.datetime(
        2026, 11, 1, 6, 45, tzinfo=dt.UTC
    )
