"""The contact policies shipped as data, with their sources (README, "Contact policy").

A supervisor copies a preset in the admin and edits the copy; presets themselves stay as
shipped. A fresh installation assigns the Vietnam preset to every customer (the reference bank
is in Vietnam) and each other preset to customers of its jurisdiction (``contact_customer_
profiles.jurisdiction``: ``US``, ``IN``, ``SA``). The figures below are the regulators' as the
sources state them; have compliance confirm the current texts before relying on a preset.
"""

from __future__ import annotations

from typing import Any

from django.db import connection as default_connection

ALL_CHANNELS = ["CALL", "VISIT", "EMAIL", "SMS", "LETTER"]
LIABLE_PARTIES = ["BORROWER", "CO_BORROWER", "GUARANTOR"]
# Results that tell the right party was reached (everything but NO_CONTACT).
CONVERSATION_RESULTS = [
    "PROMISE_TO_PAY",
    "PAYMENT_MADE",
    "REFUSED_TO_PAY",
    "DISPUTE",
    "PARTIAL_PAYMENT",
    "RESCHEDULED",
]
INSTALLER = "system:contact-presets"

VIETNAM = "VN_CIRCULAR_18_2019"
US_REGULATION_F = "US_REGULATION_F"
INDIA_RBI = "IN_RBI_RECOVERY_AGENTS"
SAUDI_SAMA = "SA_SAMA_COLLECTION"
DEFAULT_PRESET = VIETNAM


def _windows(start: str, end: str, channels: list[str]) -> list[tuple[str, str, str]]:
    return [(channel, start, end) for channel in channels]


PRESETS: list[dict[str, Any]] = [
    {
        "code": VIETNAM,
        "name": "Vietnam: finance companies (Circular 43/2016 as amended by 18/2019)",
        "jurisdiction": "VN",
        "source": (
            "State Bank of Vietnam, Circular 43/2016/TT-NHNN on consumer lending by finance "
            "companies, as amended by Circular 18/2019/TT-NHNN (in force 1 January 2020): debt "
            "reminders at most 5 times a day, only from 07:00 to 21:00, and never to people "
            "who have no obligation to repay the debt."
        ),
        "description": (
            "5 reminders per customer per local day (calls, visits, e-mails, SMS); 07:00-21:00 "
            "for every channel but letters; borrower, co-borrower and guarantor only."
        ),
        "channels": ALL_CHANNELS,
        "parties": LIABLE_PARTIES,
        "attempt_types": ["CALL", "VISIT", "EMAIL", "SMS"],
        "windows": _windows("07:00", "21:00", ["CALL", "VISIT", "EMAIL", "SMS"]),
        "caps": [("CUSTOMER", 1, 5, [])],
        "block_days": 0,
        "block_channels": [],
    },
    {
        "code": US_REGULATION_F,
        "name": "United States: Regulation F (third-party debt collectors)",
        "jurisdiction": "US",
        "source": (
            "12 CFR part 1006 (CFPB Regulation F, in force 30 November 2021): section "
            "1006.14(b)(2) presumes harassment when a collector places more than 7 telephone "
            "calls within 7 consecutive days, or a call within 7 consecutive days after a "
            "telephone conversation (the day of the conversation is the first day), about a "
            "debt; section 1006.6(b)(1)(i) holds communications before 08:00 or after 21:00 "
            "at the consumer's location inconvenient; sections 1006.6(d) and 1006.10 restrict "
            "communications with third parties to acquiring location information. The engine "
            "counts per customer (all of the customer's debts together): stricter than per debt."
        ),
        "description": (
            "7 calls per customer in 7 local days; no call for 7 days after a telephone "
            "conversation; 08:00-21:00 customer's time; consumers (borrower, co-borrower, "
            "guarantor) only."
        ),
        "channels": ALL_CHANNELS,
        "parties": LIABLE_PARTIES,
        "attempt_types": ["CALL"],
        "windows": _windows("08:00", "21:00", ["CALL", "VISIT", "EMAIL", "SMS"]),
        "caps": [("CUSTOMER", 7, 7, ["CALL"])],
        "block_days": 7,
        "block_channels": ["CALL"],
    },
    {
        "code": INDIA_RBI,
        "name": "India: RBI recovery-agent guidelines (08:00-19:00)",
        "jurisdiction": "IN",
        "source": (
            "Reserve Bank of India, guidelines on the engagement of recovery agents as "
            "tightened by its circular of 12 August 2022 (Outsourcing of Financial Services - "
            "Responsibilities of regulated entities employing Recovery Agents): no calls to "
            "borrowers before 08:00 or after 19:00, no harassment of family members, referees "
            "or friends."
        ),
        "description": "08:00-19:00 for every channel but letters; liable parties only.",
        "channels": ALL_CHANNELS,
        "parties": LIABLE_PARTIES,
        "attempt_types": ["CALL", "VISIT", "EMAIL", "SMS"],
        "windows": _windows("08:00", "19:00", ["CALL", "VISIT", "EMAIL", "SMS"]),
        "caps": [],
        "block_days": 0,
        "block_channels": [],
    },
    {
        "code": SAUDI_SAMA,
        "name": "Saudi Arabia: SAMA collection rules (10 attempts per number in 30 days)",
        "jurisdiction": "SA",
        "source": (
            "Saudi Central Bank (SAMA) rules on the collection of consumer debts: at most 10 "
            "contact attempts per telephone number in 30 days (calls and text messages)."
        ),
        "description": "10 calls or SMS per contact point in 30 local days; liable parties only.",
        "channels": ALL_CHANNELS,
        "parties": LIABLE_PARTIES,
        "attempt_types": ["CALL", "VISIT", "EMAIL", "SMS"],
        "windows": [],
        "caps": [("CONTACT_POINT", 30, 10, ["CALL", "SMS"])],
        "block_days": 0,
        "block_channels": [],
    },
]


def install_presets(connection: Any = None) -> int:
    """Insert the presets that are missing (by code) and their default assignments.

    Idempotent; returns how many presets it inserted. ``connection`` is the migration's
    (``schema_editor.connection``) or the default one. A preset a supervisor has since
    changed (a later version) is left alone.
    """
    connection = connection or default_connection
    inserted = 0
    with connection.cursor() as cursor:
        for preset in PRESETS:
            cursor.execute(
                """
                INSERT INTO workflow_service.contact_policies
                    (code, version, name, description, source, is_preset, is_current, channels,
                     parties, attempt_types, attempt_results, conversation_results, block_days,
                     block_channels, reservation_minutes, created_by)
                SELECT %s, 1, %s, %s, %s, true, true, %s, %s, %s, '{}', %s, %s, %s, 15, %s
                WHERE NOT EXISTS (
                    SELECT 1 FROM workflow_service.contact_policies WHERE code = %s)
                RETURNING id
                """,
                [
                    preset["code"],
                    preset["name"],
                    preset["description"],
                    preset["source"],
                    preset["channels"],
                    preset["parties"],
                    preset["attempt_types"],
                    CONVERSATION_RESULTS,
                    preset["block_days"],
                    preset["block_channels"],
                    INSTALLER,
                    preset["code"],
                ],
            )
            row = cursor.fetchone()
            if row is None:
                continue
            inserted += 1
            for channel, start, end in preset["windows"]:
                cursor.execute(
                    "INSERT INTO workflow_service.contact_policy_windows"
                    " (policy_id, channel, starts, ends) VALUES (%s, %s, %s, %s)",
                    [row[0], channel, start, end],
                )
            for scope, days, limit, channels in preset["caps"]:
                cursor.execute(
                    "INSERT INTO workflow_service.contact_policy_caps"
                    " (policy_id, scope, days, max_attempts, channels) VALUES (%s, %s, %s, %s, %s)",
                    [row[0], scope, days, limit, channels],
                )
        assignments = [(DEFAULT_PRESET, None, "Every customer until a supervisor assigns another")]
        assignments += [
            (preset["code"], preset["jurisdiction"], f"Customers of {preset['jurisdiction']}")
            for preset in PRESETS
        ]
        for code, jurisdiction, note in assignments:
            cursor.execute(
                """
                INSERT INTO workflow_service.contact_policy_assignments
                    (policy_code, jurisdiction, note, created_by)
                VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING
                """,
                [code, jurisdiction, note, INSTALLER],
            )
    return inserted


def remove_presets(connection: Any = None) -> None:
    """Undo :func:`install_presets` where nothing refers to the presets any more."""
    connection = connection or default_connection
    codes = [preset["code"] for preset in PRESETS]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM workflow_service.contact_policy_assignments WHERE created_by = %s",
            [INSTALLER],
        )
        cursor.execute(
            """
            DELETE FROM workflow_service.contact_policies p
             WHERE p.code = ANY(%s) AND p.is_preset AND NOT EXISTS (
                   SELECT 1 FROM workflow_service.contact_attempts a WHERE a.policy_id = p.id)
            """,
            [codes],
        )
