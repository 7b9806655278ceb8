"""What ``OPTIONS`` answers: the view's name, description, renderers and parsers."""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request


class ApiMetadata(SimpleMetadata):
    """DRF's metadata without the per-method field listing (``actions``).

    Viewsets declare no ``serializer_class``: each action names its own input and output
    serializers, and the OpenAPI document describes them.
    """

    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        return {}
