"""The presets' citations, checked against the texts (contacts/presets.py): the name,
description and source of each shipped version 1 say exactly what the regulation says and what
the preset chose beyond it. Words only: no window, cap or party changes, so no decision made
under these versions would have been different."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from contacts.presets import refresh_preset_texts


def refresh(apps: Any, schema_editor: Any) -> None:
    refresh_preset_texts(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_presets")]
    # Reversing leaves the corrected words in place (nothing depends on them).
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop, elidable=False)]
