"""The shipped contact-policy presets and their default assignments (contacts/presets.py)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from contacts.presets import install_presets, remove_presets


def install(apps: Any, schema_editor: Any) -> None:
    install_presets(schema_editor.connection)


def remove(apps: Any, schema_editor: Any) -> None:
    remove_presets(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_models")]
    operations = [migrations.RunPython(install, remove, elidable=False)]
