"""The contact-policy pages for supervisors: copy a preset, edit it (a new version), holds with
validation, and the ledger filtered by kind and team."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from contacts.models import ContactAttempt, ContactHold, ContactPolicy
from contacts.presets import VIETNAM, install_presets
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BASE = "/admin/contacts/"


def policy_form(policy: ContactPolicy, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": policy.name,
        "description": policy.description,
        "source": policy.source,
        "channels": policy.channels,
        "parties": policy.parties,
        "attempt_types": policy.attempt_types,
        "conversation_results": policy.conversation_results,
        "block_days": policy.block_days,
        "reservation_minutes": policy.reservation_minutes,
        "windows-TOTAL_FORMS": 1,
        "windows-INITIAL_FORMS": 0,
        "windows-0-channel": "CALL",
        "windows-0-starts": "08:00",
        "windows-0-ends": "20:00",
        "caps-TOTAL_FORMS": 1,
        "caps-INITIAL_FORMS": 0,
        "caps-0-scope": "CUSTOMER",
        "caps-0-days": 1,
        "caps-0-max_attempts": 3,
        "caps-0-channels": ["CALL"],
    }
    data.update(changes)
    return data


def test_a_supervisor_copies_a_preset_and_an_edit_writes_a_new_version(supervisor: Client) -> None:
    install_presets()
    preset = ContactPolicy.objects.get(code=VIETNAM)
    assert supervisor.get(f"{BASE}contactpolicy/{preset.id}/change/").status_code == 200

    response = supervisor.post(
        f"{BASE}contactpolicy/",
        {"action": "copy_policies", "_selected_action": [str(preset.id)]},
    )
    assert response.status_code == 302
    copy = ContactPolicy.objects.get(code__startswith=f"{VIETNAM}_COPY_")
    assert (copy.version, copy.is_preset, copy.windows.count(), copy.caps.count()) == (
        1,
        False,
        4,
        1,
    )

    response = supervisor.post(
        f"{BASE}contactpolicy/{copy.id}/change/", policy_form(copy, name="Our bank")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    versions = ContactPolicy.objects.filter(code=copy.code).order_by("version")
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    current = versions[1]
    assert current.name == "Our bank" and current.created_by == "sup.admin"
    assert [(w.channel, f"{w.starts:%H:%M}", f"{w.ends:%H:%M}") for w in current.windows.all()] == [
        ("CALL", "08:00", "20:00")
    ]
    assert [(c.days, c.max_attempts, c.channels) for c in current.caps.all()] == [(1, 3, ["CALL"])]
    # The superseded version and the preset are read-only.
    page = supervisor.get(f"{BASE}contactpolicy/{versions[0].id}/change/").content.decode()
    assert 'name="_save"' not in page


def test_a_window_that_closes_before_it_opens_is_refused_with_a_clear_error(
    supervisor: Client,
) -> None:
    install_presets()
    preset = ContactPolicy.objects.get(code=VIETNAM)
    supervisor.post(
        f"{BASE}contactpolicy/", {"action": "copy_policies", "_selected_action": [str(preset.id)]}
    )
    copy = ContactPolicy.objects.get(code__startswith=f"{VIETNAM}_COPY_")

    response = supervisor.post(
        f"{BASE}contactpolicy/{copy.id}/change/",
        policy_form(copy, **{"windows-0-starts": "21:00", "windows-0-ends": "07:00"}),
    )

    assert response.status_code == 200
    assert "The CALL window must start before it ends" in response.content.decode()
    assert ContactPolicy.objects.filter(code=copy.code).count() == 1


def test_holds_are_validated_and_lifted(supervisor: Client) -> None:
    customer = CustomerFactory()
    form = {
        "cif": customer.cif,
        "hold_type": "HARDSHIP",
        "channels": ["CALL"],
        "starts_at_0": "2026-03-10",
        "starts_at_1": "09:00:00",
        "expires_at_0": "2026-03-01",
        "expires_at_1": "09:00:00",
        "reason": "Lost job.",
    }

    refused = supervisor.post(f"{BASE}contacthold/add/", form)
    assert refused.status_code == 200
    assert "The hold must expire after it starts." in refused.content.decode()

    saved = supervisor.post(f"{BASE}contacthold/add/", {**form, "expires_at_0": "2026-04-01"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    hold = ContactHold.objects.get(cif=customer.cif)
    assert hold.channels == ["CALL"] and hold.created_by == "sup.admin"

    supervisor.post(
        f"{BASE}contacthold/", {"action": "lift_holds", "_selected_action": [str(hold.id)]}
    )
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by == "sup.admin"


def test_the_ledger_lists_blocked_attempts_and_overrides_per_team(supervisor: Client) -> None:
    common = {"channel": "CALL", "party": "BORROWER", "created_by": "x", "counts_as_attempt": False}
    from django.utils import timezone

    now = timezone.now()
    ContactAttempt.objects.create(
        cif="CIFBLOCKNORTH1",
        status="REFUSED",
        rule="CUSTOMER_1D",
        team="North",
        attempted_at=now,
        **common,
    )
    ContactAttempt.objects.create(
        cif="CIFBLOCKSOUTH2",
        status="REFUSED",
        rule="TIME_WINDOW",
        team="South",
        attempted_at=now,
        **common,
    )
    ContactAttempt.objects.create(
        cif="CIFOVERRIDE3",
        status="RESERVED",
        rule="CUSTOMER_1D",
        override_reason="Asked to call back",
        team="North",
        attempted_at=now,
        **common,
    )

    blocked = supervisor.get(f"{BASE}contactattempt/?kind=blocked&team=North").content.decode()
    overrides = supervisor.get(f"{BASE}contactattempt/?kind=overrides").content.decode()

    # Cifs no random CSRF token or date on the page can contain by chance.
    assert "CIFBLOCKNORTH1" in blocked
    assert "CIFBLOCKSOUTH2" not in blocked and "CIFOVERRIDE3" not in blocked
    assert "Asked to call back" in overrides and "CIFBLOCKNORTH1" not in overrides


def test_the_ledger_tells_a_reservation_that_lapsed_unused(supervisor: Client) -> None:
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    common = {"channel": "CALL", "party": "BORROWER", "created_by": "x", "counts_as_attempt": True}
    for cif, expires in (("C-LIVE", now + dt.timedelta(minutes=5)), ("C-GONE", now)):
        ContactAttempt.objects.create(
            cif=cif, status="RESERVED", attempted_at=now, expires_at=expires, **common
        )

    page = supervisor.get(f"{BASE}contactattempt/").content.decode()

    # One row of each; only the one past its expiry is told lapsed.
    assert "C-LIVE" in page and "C-GONE" in page
    assert page.count("Reserved (lapsed unused)") == 1
