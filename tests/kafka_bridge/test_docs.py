"""docs/events.md names every topic and every field of the payload schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka_bridge import schemas, topics
from workflow.event_schema import Schema

DOC = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text(encoding="utf-8")


def field_names(schema: Schema, prefix: str = "") -> list[str]:
    names = []
    for name, field in schema.fields.items():
        names.append(prefix + name)
        if field.schema is not None and field.schema is not schemas.ACTOR:
            names.extend(field_names(field.schema, prefix=f"{prefix}{name}."))
    return names


@pytest.mark.parametrize("topic", [*schemas.CONSUMED, *schemas.PRODUCED])
def test_every_field_of_every_schema_is_documented(topic: str) -> None:
    schema = {**schemas.CONSUMED, **schemas.PRODUCED}[topic]
    assert f"`{topic}`" in DOC
    missing = [name for name in field_names(schema) if f"`{name}`" not in DOC]
    assert missing == []


def test_every_topic_of_design_section_5_is_documented() -> None:
    names = [
        value
        for name, value in vars(topics).items()
        if name.isupper() and isinstance(value, str) and value.count(".") == 2
    ]
    assert [name for name in names if f"`{name}`" not in DOC] == []
