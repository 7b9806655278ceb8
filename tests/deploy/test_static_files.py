"""Static files in production: collected once, served by the app itself (WhiteNoise), no CDN."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``collectstatic`` as the image build runs it, into a folder of its own."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture
def production_client(collected: Path) -> Iterator[Client]:
    """A client whose WhiteNoise serves only the collected files (as with DEBUG off)."""
    with override_settings(
        STATIC_ROOT=collected,
        STORAGES=PRODUCTION_STORAGES,
        WHITENOISE_USE_FINDERS=False,
        DEBUG=False,
    ):
        yield Client()


def _asset(html: str, pattern: str) -> str:
    match = re.search(rf'(?:href|src)="(/static/{pattern})"', html)
    assert match, f"no {pattern} in the page"
    return match.group(1)


@pytest.mark.django_db
def test_the_admin_is_styled_with_debug_off(production_client: Client) -> None:
    page = production_client.get("/admin/login/")
    assert page.status_code == 200
    css = _asset(page.content.decode(), r"admin/css/base\.[0-9a-f]{12}\.css")
    response = production_client.get(css)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "immutable" in response["Cache-Control"]


def test_swagger_ui_is_served_by_the_app_not_a_cdn(production_client: Client) -> None:
    page = production_client.get("/api/v1/collection/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower()
    bundle = _asset(
        html, r"drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle\.[0-9a-f]{12}\.js"
    )
    response = production_client.get(bundle, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response.get("Content-Encoding") == "gzip"


def test_redoc_is_served_by_the_app_not_a_cdn(production_client: Client) -> None:
    page = production_client.get("/api/v1/collection/redoc/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower()
    bundle = _asset(
        html, r"drf_spectacular_sidecar/redoc/bundles/redoc\.standalone\.[0-9a-f]{12}\.js"
    )
    assert production_client.get(bundle).status_code == 200


def test_the_containers_own_host_names_are_allowed_by_default() -> None:
    import socket

    from tests.deploy.helpers import django_json

    hosts = django_json(
        "import json\nfrom django.conf import settings\nprint(json.dumps(settings.ALLOWED_HOSTS))"
    )
    assert {"localhost", "127.0.0.1", "workflow-service", socket.gethostname()} <= set(hosts)
