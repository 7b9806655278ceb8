"""``manage.py ensure_topics`` against the real (embedded) broker."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from kafka_bridge.management.commands.ensure_topics import PRODUCED, service_topics
from kafka_bridge.topics import TOPIC_SETTINGS
from tests.kafka_bridge import kafka


@pytest.fixture
def own_topic_names(settings: SettingsWrapper) -> list[str]:
    """Consumed topics renamed to names of this test only (the produced ones are fixed)."""
    names = []
    for setting in TOPIC_SETTINGS.values():
        name = kafka.unique_name(f"test.ensure.{setting.lower()}")
        setattr(settings, setting, name)
        names.append(name)
    return names


def _run(*args: str) -> str:
    out = StringIO()
    call_command("ensure_topics", *args, stdout=out)
    return out.getvalue()


def test_it_lists_the_consumed_dead_letter_and_produced_topics(own_topic_names: list[str]) -> None:
    wanted = service_topics()
    assert wanted[: len(own_topic_names)] == own_topic_names
    assert {f"{name}.dlq" for name in own_topic_names} <= set(wanted)
    assert set(PRODUCED) <= set(wanted)


def test_a_dry_run_creates_nothing(own_topic_names: list[str]) -> None:
    output = _run("--dry-run")
    for name in own_topic_names:
        assert f"missing  {name}" in output
    existing = kafka.admin().list_topics(timeout=10).topics
    assert not set(own_topic_names) & set(existing)


def test_it_creates_the_missing_topics_once_with_the_configured_partitions(
    own_topic_names: list[str], settings: SettingsWrapper
) -> None:
    settings.KAFKA_TOPIC_PARTITIONS = 2
    settings.KAFKA_TOPIC_REPLICATION_FACTOR = 1
    try:
        first = _run()
        for name in own_topic_names:
            assert f"created  {name} (2 partitions x1)" in first
        existing = kafka.admin().list_topics(timeout=10).topics
        for name in service_topics():
            assert name in existing
        for name in own_topic_names:
            assert len(existing[name].partitions) == 2
        assert _run().strip().endswith("all topics exist")
    finally:
        kafka.delete_topics(*own_topic_names, *(f"{name}.dlq" for name in own_topic_names))


def test_a_consumer_picks_up_a_topic_created_after_it_subscribed(
    settings: SettingsWrapper,
) -> None:
    import time

    from kafka_bridge.clients import make_consumer

    settings.KAFKA_AUTO_CREATE_TOPICS = False  # as in production: nobody creates it by accident
    settings.KAFKA_METADATA_REFRESH_MS = 1_000
    topic = kafka.unique_name("test.late.topic")
    consumer = make_consumer(kafka.unique_name("test-late-group"))
    consumer.subscribe([topic])
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            consumer.poll(0.2)
        kafka.create_topics(topic, partitions=1)
        kafka.produce(topic, [("key-1", b'{"late": true}')])
        received = None
        deadline = time.monotonic() + 20
        while received is None and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                received = message
        assert received is not None, "the consumer never saw the topic created after it"
        assert received.value() == b'{"late": true}'
    finally:
        consumer.close()
        kafka.delete_topics(topic)
