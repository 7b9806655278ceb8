"""Hostile input on every operation of the API, generated from its OpenAPI document.

For each operation (``tests/security/surface.py`` reads them from the served schema), each
kind of hostile input below is sent as the ADMIN caller (every capability, no scope, so the
request reaches validation). Each must be a clear 4xx in the envelope (naming the field or
parameter where one is at fault) and store nothing: the row counts of every table of the
bank's schemas are equal before and after.

- bodies: over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), nested 10,000 deep (400), a wrong or
  missing content type (415), invalid UTF-8 (400), a duplicated key (400 naming the key: a
  body whose meaning depends on which parser reads it is refused, never guessed);
- body fields: NUL bytes, unknown enum values, days far in the past or future, numbers beyond
  int64, ``NaN``, ``Infinity`` and ``1e309`` (400 naming the field);
- query parameters: page and page size 0, -1, 10^9, beyond int64; LIKE and regex
  metacharacters and SQL fragments (matched literally: an empty page, or a 400 naming the
  parameter when it has a format); NUL bytes (400 naming the parameter); unknown enum values;
  days far away; numbers beyond int64;
- path parameters: the same metacharacters and fragments (404, or an empty answer).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.test import Client

from tests.security.surface import (
    Operation,
    Param,
    World,
    build_world,
    openapi_document,
    operations,
    row_counts,
)

pytestmark = pytest.mark.django_db

OPERATIONS = operations(openapi_document())
BODY_OPERATIONS = [op for op in OPERATIONS if op.has_body]
QUERY_OPERATIONS = [op for op in OPERATIONS if op.query_params]
PATH_OPERATIONS = [op for op in OPERATIONS if op.path_params]

# Matched literally by every text filter; a parameter with a format refuses them.
METACHARACTERS = [
    "%",
    "_",
    "\\",
    "%_%",
    ".*",
    "[a-z]+",
    "(?i)^a",
    "' OR '1'='1",
    "1; DROP TABLE workflow_service.agents; --",
    '" OR 1=1 --',
    "*",
    "$regex",
]
NUL = "a\x00b"
BEYOND_INT64 = str(2**63)
# Raw JSON tokens: Python's json module reads them (as nan, inf), JSON does not have them.
RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "-1e309", str(10**30)]


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def client(world: World) -> Client:
    return Client(HTTP_AUTHORIZATION=world.authorization)


def _refused(response: Any, statuses: tuple[int, ...], field: str | None, what: str) -> None:
    """A 4xx of ``statuses`` in the envelope, naming ``field`` when given."""
    assert response.status_code in statuses, (what, response.status_code, response.content[:500])
    body = json.loads(response.content)
    assert body["success"] is False and body["data"] is None and body["errors"], (what, body)
    assert all(e.get("code") and e.get("message") for e in body["errors"]), (what, body)
    if field is not None:
        fields = [e.get("field") for e in body["errors"]]
        assert field in fields, (what, body)


def _refused_or_empty(response: Any, field: str, what: str) -> None:
    """A 400/404 naming the parameter, or a success in which nothing matched."""
    if response.status_code in (400, 404):
        _refused(response, (400, 404), field if response.status_code == 400 else None, what)
        return
    assert response.status_code == 200, (what, response.status_code, response.content[:500])
    data = json.loads(response.content)["data"]
    if isinstance(data, dict) and "pagination" in data:
        items = [v for k, v in data.items() if k != "pagination" and isinstance(v, list)]
        assert items == [[]], (what, data)


def _set(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """A copy of ``body`` with the (possibly nested) field set to ``value``."""
    copy = json.loads(json.dumps(body))
    *parents, last = dotted.split(".")
    target = copy
    for name in parents:
        if not isinstance(target.get(name), dict):
            target[name] = {}
        target = target[name]
    target[last] = value
    return copy


def _with_raw(body: dict[str, Any], dotted: str, token: str) -> bytes:
    """The body as JSON text with the field's value replaced by the raw ``token``."""
    marker = "\ue000RAW\ue000"
    text = json.dumps(_set(body, dotted, marker))
    return text.replace(json.dumps(marker), token).encode()


def _send(
    client: Client,
    op: Operation,
    url: str,
    data: bytes,
    content_type: str = "application/json",
) -> Any:
    return client.generic(op.method, url, data=data, content_type=content_type)


@pytest.fixture
def nothing_stored(world: World) -> Any:
    before = row_counts()
    yield
    assert row_counts() == before


def _id(op: Operation) -> str:
    return op.operation_id


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
def test_the_base_request_of_each_operation_succeeds(
    op: Operation, world: World, client: Client
) -> None:
    """The requests below spoil this one: it must succeed, or a refusal would prove nothing."""
    url = world.url(op)
    if op.has_body:
        response = _send(client, op, url, json.dumps(world.body(op)).encode())
    else:
        response = client.generic(op.method, f"{url}?{urlencode(world.query(op))}")
    # A contact the policy blocks is answered 422 with the decision (time of day decides).
    accepted = (200, 201, 422) if op.operation_id == "contact_attempts_reserve" else (200, 201)
    assert response.status_code in accepted, response.content[:500]


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("op", BODY_OPERATIONS, ids=_id)
def test_a_malformed_body_is_refused(op: Operation, world: World, client: Client) -> None:
    url = world.url(op)
    base = world.body(op)
    text = json.dumps(base).encode()
    first = next(iter(base))

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    oversized = json.dumps(_set(base, first, "x" * (limit + 1))).encode()
    _refused(_send(client, op, url, oversized), (413,), None, "over the size limit")

    deep = b"[" * 10_000 + b"]" * 10_000
    _refused(_send(client, op, url, deep), (400,), None, "array nested 10,000 deep")
    deep_field = _with_raw(base, first, "[" * 10_000 + "]" * 10_000)
    _refused(_send(client, op, url, deep_field), (400,), None, "field nested 10,000 deep")
    deep_object = _with_raw(base, first, '{"a":' * 10_000 + "1" + "}" * 10_000)
    _refused(_send(client, op, url, deep_object), (400,), None, "object nested 10,000 deep")

    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        _refused(_send(client, op, url, text, content_type), (415,), None, content_type)
    _refused(_send(client, op, url, text, ""), (415,), None, "no content type")

    invalid_utf8 = text.replace(b"{", b'{"\xff\xfe": "\xc3\x28", ', 1)
    _refused(_send(client, op, url, invalid_utf8), (400,), None, "invalid UTF-8")
    _refused(_send(client, op, url, b"\xff\xfe{}"), (400,), None, "invalid UTF-8 only")

    duplicated = b'{"%s": %s, ' % (first.encode(), json.dumps(base[first]).encode())
    duplicated += text[1:]
    _refused(_send(client, op, url, duplicated), (400,), first, "duplicate key")


def _field_values(param: Param) -> list[tuple[str, bytes | Any]]:
    """(label, value) pairs: a value, or raw JSON text as bytes."""
    values: list[tuple[str, Any]] = [("NUL byte", NUL)]
    if param.kind == "enum":
        values += [("unknown enum", "NOT_A_VALUE"), ("enum + SQL", "CALL' OR '1'='1")]
    if param.kind == "uuid":
        values += [("SQL in uuid", "' OR 1=1 --"), ("LIKE in uuid", "%")]
    if param.kind == "date":
        values += [("far past", "0001-01-01"), ("far future", "9999-12-31")]
    if param.kind == "date-time":
        values += [
            ("far past", "0001-01-01T00:00:00Z"),
            ("far future", "9999-12-31T23:59:59Z"),
            ("beyond year 9999", "10000-01-01T00:00:00Z"),
        ]
    if param.kind in ("integer", "number", "boolean", "object", "date-time", "date"):
        values += [(f"raw {token}", token.encode()) for token in RAW_NUMBERS]
    if param.kind in ("integer", "number"):
        values += [("beyond int64", 2**63), ("below int64", -(2**63) - 1)]
    return values


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("op", [op for op in BODY_OPERATIONS if op.body_fields], ids=_id)
def test_a_hostile_body_field_is_refused_naming_it(
    op: Operation, world: World, client: Client
) -> None:
    url = world.url(op)
    base = world.body(op)
    for param in op.body_fields:
        for label, value in _field_values(param):
            if isinstance(value, bytes):
                data = _with_raw(base, param.name, value.decode())
            else:
                data = json.dumps(_set(base, param.name, value)).encode()
            _refused(_send(client, op, url, data), (400,), param.name, f"{param.name}: {label}")


def _query_values(param: Param) -> list[tuple[str, str, bool]]:
    """(label, value, must_refuse): must_refuse means a 400 naming the parameter."""
    strict = param.kind in ("enum", "uuid", "date", "integer", "number", "boolean")
    values = [(f"meta {v!r}", v, strict) for v in METACHARACTERS] + [("NUL byte", NUL, True)]
    if param.name in ("page", "pageSize"):
        values += [(f"{param.name}={v}", v, True) for v in ("0", "-1", "1e3", "NaN")]
        # A page past the last one is an empty list (README, "The API"); a size is bounded.
        for big in ("1000000000", BEYOND_INT64):
            values += [(f"{param.name}={big}", big, param.name == "pageSize")]
    elif param.kind == "integer":
        values += [(v, v, True) for v in (BEYOND_INT64, "-" + BEYOND_INT64, "NaN", "1e309")]
    if param.kind == "enum":
        values += [("unknown enum", "NOT_A_VALUE", True)]
    if param.kind == "date":
        values += [("far past", "0001-01-01", False), ("far future", "9999-12-31", False)]
        values += [("no such day", "2026-02-30", True)]
    return values


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("op", QUERY_OPERATIONS, ids=_id)
def test_hostile_query_parameters_are_refused_or_match_nothing(
    op: Operation, world: World, client: Client
) -> None:
    url = world.url(op)
    for param in op.query_params:
        for label, value, must_refuse in _query_values(param):
            query = {**world.query(op), param.name: value}
            response = client.generic(op.method, f"{url}?{urlencode(query)}")
            what = f"{param.name}: {label}"
            if must_refuse:
                _refused(response, (400,), param.name, what)
            else:
                _refused_or_empty(response, param.name, what)


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("op", PATH_OPERATIONS, ids=_id)
def test_hostile_path_parameters_are_refused_or_match_nothing(
    op: Operation, world: World, client: Client
) -> None:
    for param in op.path_params:
        for value in [*METACHARACTERS, NUL, "..", "../agents", "9" * 40]:
            url = world.url(op, **{param.name: quote(value, safe="")})
            if op.has_body:
                response = _send(client, op, url, json.dumps(world.body(op)).encode())
                _refused(response, (400, 404), None, f"{param.name}={value!r}")
            else:
                response = client.generic(op.method, f"{url}?{urlencode(world.query(op))}")
                _refused_or_empty(response, param.name, f"{value!r}")


def test_the_table_covers_every_operation_of_the_router() -> None:
    """The OpenAPI document the table is generated from lists every route x method served."""
    from tests.security.policy import operations as router_operations

    documented = {(op.method, op.path) for op in OPERATIONS}
    for served in router_operations():
        path = "/" + settings.API_PREFIX + re.sub(r"<\w+:(\w+)>", r"{\1}", served.route)
        assert (served.method, path) in documented, served.name
