"""Models moved between apps keep their admin permissions on databases that already had them.

The outbox model moved from ``kafka_bridge`` to ``workflow`` and payments to their own app
(state-only migrations: the tables never move). Their content types move with them, so the
permissions that groups and users already hold keep pointing at the same rows.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

MOVES = [
    ("workflow.migrations.0011_outbox_model", "outboxevent", "workflow"),
    ("payments.migrations.0001_initial", "payment", "payments"),
]


def _as_before_the_move(model: str, new_app: str) -> tuple[ContentType, Permission, Group]:
    """The content type, a view permission and a group holding it, as an existing database
    had them under the Kafka bridge."""
    ContentType.objects.filter(app_label=new_app, model=model).delete()
    old = ContentType.objects.create(app_label="kafka_bridge", model=model)
    permission = Permission.objects.create(
        content_type=old, codename=f"view_{model}", name=f"Can view {model}"
    )
    group = Group.objects.create(name=f"readers of {model}")
    group.permissions.add(permission)
    return old, permission, group


@pytest.mark.django_db
@pytest.mark.parametrize(("migration", "model", "new_app"), MOVES)
def test_a_moved_model_keeps_its_content_type_and_the_permissions_granted_on_it(
    migration: str, model: str, new_app: str
) -> None:
    content_type, permission, group = _as_before_the_move(model, new_app)
    module: Any = importlib.import_module(migration)

    module.forwards(apps, None)

    content_type.refresh_from_db()
    assert content_type.app_label == new_app
    assert group.permissions.get() == permission
    assert Group.objects.filter(permissions__codename=f"view_{model}").get() == group
    assert not ContentType.objects.filter(app_label="kafka_bridge", model=model).exists()

    module.backwards(apps, None)

    content_type.refresh_from_db()
    assert content_type.app_label == "kafka_bridge"
    assert group.permissions.get() == permission
