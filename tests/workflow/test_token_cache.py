"""Access tokens verified once per process (``workflow.auth.tokens._verified``): a cached token
is still refused once expired, under another secret, or when it was never valid."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from django.test import override_settings

from workflow.auth import tokens
from workflow.errors import Unauthenticated


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    tokens._verified.clear()
    yield
    tokens._verified.clear()


def access() -> str:
    token, _ = tokens.mint_access(
        user_id="7d4f3f2e-0000-4000-8000-000000000001",
        username="someone",
        roles=["AGENT"],
        session_id="s1",
    )
    return token


def test_a_second_decode_does_not_verify_the_signature_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = access()
    first = tokens.decode(token)

    def must_not_run() -> Any:
        raise AssertionError("the signature was checked again")

    monkeypatch.setattr(tokens, "_backend", must_not_run)
    again = tokens.decode(token)
    assert again == first
    again["username"] = "changed"  # a caller's change does not reach the cache
    assert tokens.decode(token)["username"] == "someone"


def test_a_cached_token_is_refused_once_expired() -> None:
    with override_settings(JWT_EXPIRES_SECONDS=-60):
        token = access()  # expired a minute ago, beyond the leeway
    # As if this process had verified it while it was still valid.
    claims = jwt.decode(token, options={"verify_signature": False})
    tokens._remember(token, claims)

    with pytest.raises(Unauthenticated) as refused:
        tokens.decode(token)
    assert refused.value.message == "Invalid token: Token is expired."
    assert not tokens._verified


def test_a_cached_token_is_refused_under_another_secret() -> None:
    token = access()
    tokens.decode(token)

    with override_settings(JWT_SECRET="another-secret-of-at-least-thirty-two-bytes"):
        with pytest.raises(Unauthenticated):
            tokens.decode(token)


def test_a_refresh_token_is_never_taken_for_a_cached_access_token() -> None:
    refresh, _ = tokens.mint_refresh(
        user_id="7d4f3f2e-0000-4000-8000-000000000001", session_id="s1"
    )
    with pytest.raises(Unauthenticated):
        tokens.decode(refresh)
    with pytest.raises(Unauthenticated):
        tokens.decode(refresh)  # refused again: the refusal was not remembered as valid
    assert tokens.decode(refresh, refresh=True)["type"] == "refresh"
    assert not tokens._verified


def test_the_cache_keeps_at_most_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "VERIFIED_MAX", 3)
    minted = [access() for _ in range(5)]
    for token in minted:
        tokens.decode(token)
    assert len(tokens._verified) == 3
    assert [key[1] for key in tokens._verified] == minted[2:]  # the oldest went first
