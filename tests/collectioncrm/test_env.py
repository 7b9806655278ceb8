from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from collectioncrm import env


def test_it_reads_booleans_in_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, expected in [("true", True), ("1", True), ("YES", True), ("off", False), ("0", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env.env_bool("X_FLAG", not expected) is expected


def test_it_rejects_a_boolean_typo_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", False)


def test_it_requires_a_variable_without_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED is required"):
        env.env_str("X_REQUIRED")


def test_it_rejects_a_non_integer_and_one_below_the_minimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env.env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(ImproperlyConfigured, match=">= 0"):
        env.env_int("X_INT", 1, minimum=0)


def test_it_splits_lists_and_checks_urls_and_brokers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env.env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_URL", "mysql://db/x")
    with pytest.raises(ImproperlyConfigured, match="postgres"):
        env.env_url("X_URL", ("postgres", "postgresql"))
    monkeypatch.setenv("X_BROKERS", "k1:9092,k2")
    with pytest.raises(ImproperlyConfigured, match="host:port"):
        env.env_brokers("X_BROKERS")
    monkeypatch.setenv("X_BROKERS", "k1:9092,k2:9093")
    assert env.env_brokers("X_BROKERS") == "k1:9092,k2:9093"


def test_it_accepts_only_listed_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_LEVEL", "debug")
    assert env.env_choice("X_LEVEL", "INFO", ("DEBUG", "INFO")) == "DEBUG"
    monkeypatch.setenv("X_LEVEL", "verbose")
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        env.env_choice("X_LEVEL", "INFO", ("DEBUG", "INFO"))
