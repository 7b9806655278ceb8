"""The contact policies shipped as data, with their sources (README, "Contact policy").

A supervisor copies a preset in the admin and edits the copy; presets themselves stay as
shipped. A fresh installation assigns the Vietnam preset to every customer (the reference bank
is in Vietnam) and each other preset to customers of its jurisdiction (``contact_customer_
profiles.jurisdiction``: ``US``, ``IN``, ``SA``). The figures below are the regulators' as the
sources state them; where a preset goes beyond the text (a channel counted, a party refused
outright), its description says it is the preset's choice. Have compliance confirm the current
texts before relying on a preset.
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
            "companies, Article 7(2)(dd) as amended by Article 1(7) of Circular "
            "18/2019/TT-NHNN (in force 1 January 2020): a finance company's internal rules "
            "must limit debt reminders to at most 5 a day, at times agreed in the loan "
            "contract but between 07:00 and 21:00, and forbid reminding, demanding or sending "
            "debt-collection information to organisations or persons not liable to repay the "
            "debt (unless a competent authority requires it). It applies to finance "
            "companies' consumer loans."
        ),
        "description": (
            "5 reminders per customer per local day; 07:00-21:00; borrower, co-borrower and "
            "guarantor only. The circular counts reminders of any form; this preset counts "
            "calls, visits, e-mails and SMS and leaves letters out of the cap and the hours "
            "(its choice: edit a copy to count them)."
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
            "12 CFR part 1006 (CFPB Regulation F, in force 30 November 2021), for debt "
            "collectors as the FDCPA defines them (mostly third parties, not a creditor "
            "collecting its own debts): section 1006.14(b)(2)(i) presumes a violation when a "
            "collector places telephone calls to a person about a particular debt more than 7 "
            "times within 7 consecutive days, or within 7 consecutive days after a telephone "
            "conversation with the person about that debt (the day of the conversation is the "
            "first day); the presumption can be rebutted either way, and some calls (with "
            "direct prior consent, unconnected calls) do not count. Section 1006.6(b)(1)(i): "
            "without knowledge to the contrary, a convenient time is after 08:00 and before "
            "21:00 local time at the consumer's location. Sections 1006.6(d) and 1006.10 "
            "limit communications with third parties, chiefly to acquiring location "
            "information."
        ),
        "description": (
            "7 calls per customer in 7 local days; no call for 7 days after a telephone "
            "conversation (results other than NO_CONTACT); 08:00-21:00 customer's time for "
            "calls, visits, e-mails and SMS; borrower, co-borrower and guarantor only. "
            "Stricter than the rule, by choice: calls are counted per customer across all "
            "their debts (not per debt), every recorded call counts (no consent or "
            "unconnected-call exclusions), and reference persons are refused outright rather "
            "than allowed for location information."
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
        "name": "India: RBI recovery-agent instructions (08:00-19:00)",
        "jurisdiction": "IN",
        "source": (
            "Reserve Bank of India, circular 'Outsourcing of Financial Services - "
            "Responsibilities of regulated entities employing Recovery Agents' of 12 August "
            "2022, adding to its fair-practices and outsourcing instructions on recovery "
            "agents: regulated entities and their agents must not call the borrower before "
            "08:00 or after 19:00 for recovery of overdue loans, nor call persistently, nor "
            "intimidate or harass anyone, including intruding upon the privacy of the debtor's "
            "family members, referees and friends. Microfinance loans under the RBI's "
            "microfinance directions of 14 March 2022 are outside that circular. RBI "
            "instructions are periodically consolidated into master directions: confirm the "
            "provision in force."
        ),
        "description": (
            "08:00-19:00 customer's time; borrower, co-borrower and guarantor only. The "
            "circular's hours are for calls; this preset applies them to visits, e-mails and "
            "SMS too, and refuses reference persons outright where the circular forbids "
            "harassing them (its choices). No cap: the circular sets no number."
        ),
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
            "Saudi Central Bank (SAMA), Regulations and Procedures for Collection from Retail "
            "Consumers (circular 39100008340 of 26/7/1439H, 2018), section IV.1.3: attempts to "
            "contact a consumer through their phone number must not exceed ten within 30 "
            "days. SAMA circular 311000008211 (2010): collection calls only to the debtors and "
            "guarantors named in the documents, not to family, relatives or friends, and "
            "within the bank's official working hours. The 2018 rules were replaced by the "
            "Debt Collection Regulations and Procedures for Individual Customers (no. "
            "106889333, March 2025), which set their own standard for telephone "
            "communication; whether it keeps the ten-in-30-days figure was not verified for "
            "this preset: confirm before relying on it."
        ),
        "description": (
            "10 calls or SMS per contact point in 30 local days, across customers; borrower, "
            "co-borrower and guarantor only. Counting SMS to the number as attempts is this "
            "preset's reading; no hours are set (working hours are the bank's own)."
        ),
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


def refresh_preset_texts(connection: Any = None) -> int:
    """Bring the name, description and source of the shipped presets (version 1, as
    installed) to the text above. Only the words change, never a rule: the figures a decision
    uses are the version's windows, caps and arrays, which stay as they are. Returns how many
    presets it changed."""
    connection = connection or default_connection
    changed = 0
    with connection.cursor() as cursor:
        for preset in PRESETS:
            cursor.execute(
                """
                UPDATE workflow_service.contact_policies
                   SET name = %s, description = %s, source = %s
                 WHERE code = %s AND version = 1 AND is_preset AND created_by = %s
                   AND (name, description, source) IS DISTINCT FROM (%s, %s, %s)
                """,
                [
                    preset["name"],
                    preset["description"],
                    preset["source"],
                    preset["code"],
                    INSTALLER,
                    preset["name"],
                    preset["description"],
                    preset["source"],
                ],
            )
            changed += cursor.rowcount
    return changed


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
