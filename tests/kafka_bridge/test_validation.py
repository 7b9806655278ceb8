"""Payload schemas reject what a handler could not use, with errors naming the field."""

from __future__ import annotations

from kafka_bridge import schemas
from tests.kafka_bridge.events import payment_event
from workflow.event_schema import Field, Schema, parse_datetime_utc, parse_decimal


def test_a_payment_recorded_event_as_the_payment_service_sends_it_is_valid() -> None:
    assert schemas.PAYMENT_RECEIVED.validate(payment_event()) == []


def test_it_names_every_missing_or_mistyped_field_with_its_path() -> None:
    event = payment_event(amount="abc")
    del event["event_id"]
    del event["payment"]["payment_date"]
    event["payment"]["cif"] = 42
    errors = schemas.PAYMENT_RECEIVED.validate(event)
    assert "event_id: is required" in errors
    assert "payment.payment_date: is required" in errors
    assert any(e.startswith("payment.amount: expected a decimal number") for e in errors)
    assert "payment.cif: expected a string, got int 42" in errors


def test_amounts_must_fit_the_column_exactly() -> None:
    assert schemas.PAYMENT.validate(payment_event(amount=1500000)["payment"]) == []
    assert schemas.PAYMENT.validate(payment_event(amount="10.50")["payment"]) == []
    assert schemas.PAYMENT.validate(payment_event(amount="10.125")["payment"]) == [
        "amount: has more than 2 decimal places"
    ]
    assert schemas.PAYMENT.validate(payment_event(amount="1e20")["payment"]) == [
        "amount: does not fit 18 digits with 2 decimals"
    ]
    assert schemas.PAYMENT.validate(payment_event(amount=True)["payment"]) != []
    assert parse_decimal(1500000.5) == parse_decimal("1500000.50")


def test_a_payment_id_may_be_a_number_but_not_empty() -> None:
    assert schemas.PAYMENT.validate(payment_event(payment_id=12345)["payment"]) == []  # type: ignore[arg-type]
    event = payment_event()
    event["payment"]["id"] = ""
    assert schemas.PAYMENT.validate(event["payment"]) == ["id: must not be empty"]


def test_null_is_accepted_only_where_the_schema_says_so() -> None:
    event = payment_event(cif=None, loan_account_number=None)
    assert schemas.PAYMENT_RECEIVED.validate(event) == []
    event["payment"]["amount"] = None
    assert schemas.PAYMENT_RECEIVED.validate(event) == ["payment.amount: must not be null"]


def test_a_payload_that_is_not_an_object_is_rejected() -> None:
    assert schemas.PAYMENT_RECEIVED.validate([1, 2]) == [
        "payload: expected a JSON object, got list [1, 2]"
    ]
    assert schemas.PAYMENT_RECEIVED.validate(payment_event() | {"payment": "x"}) == [
        "payment: expected a JSON object, got 'x'"
    ]


def test_auth_service_user_events_follow_design_section_5() -> None:
    envelope = {"id": "6f1c4a55-6a57-4b7e-9d1f-0a4d8c1f2b3c", "timestamp": "2026-03-10T02:30:00Z"}
    user = "0b3a7c2e-3f7e-4d7e-8a3b-5a9d2c1e4f60"
    created = {**envelope, "version": "1.0", "userId": user, "username": "an", "email": "a@b.c"}
    assert schemas.USER_CREATED.validate(created | {"role": "AGENT"}) == []
    assert schemas.USER_CREATED.validate(created) == ["role: is required"]
    assert schemas.USER_UPDATED.validate({**envelope, "userId": user, "isActive": False}) == []
    assert schemas.USER_UPDATED.validate({**envelope, "userId": user, "isActive": "no"}) == [
        "isActive: expected true or false, got 'no'"
    ]
    assert schemas.USER_DEACTIVATED.validate({**envelope, "userId": "nope"}) == [
        "userId: expected a UUID string, got 'nope'"
    ]


def test_choices_lengths_and_dates() -> None:
    schema = Schema(
        {
            "kind": Field("string", choices=("A", "B")),
            "code": Field("string", max_length=3),
            "day": Field("date"),
        }
    )
    assert schema.validate({"kind": "A", "code": "abc", "day": "2026-03-10"}) == []
    assert schema.validate({"kind": "C", "code": "abcd", "day": "10/03/2026"}) == [
        "kind: must be one of A, B, got 'C'",
        "code: is longer than 3 characters",
        "day: expected an ISO-8601 date string (YYYY-MM-DD), got '10/03/2026'",
    ]


def test_timestamps_are_read_as_utc_and_a_naive_one_is_taken_as_utc() -> None:
    assert parse_datetime_utc("2026-03-10T09:30:00+07:00").isoformat() == (
        "2026-03-10T02:30:00+00:00"
    )
    assert parse_datetime_utc("2026-03-10T02:30:00").isoformat() == "2026-03-10T02:30:00+00:00"
    assert parse_datetime_utc("2026-03-10T02:30:00Z").isoformat() == "2026-03-10T02:30:00+00:00"
