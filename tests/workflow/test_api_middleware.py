"""Django's messages are set up for the admin's pages, not for API requests
(``workflow.api.middleware.MessagesOutsideApiMiddleware``)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.api import bearer_for
from tests.factories import CrmUserFactory

pytestmark = pytest.mark.django_db


def test_an_api_request_gets_no_message_store() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer_for(CrmUserFactory(role="SUPERVISOR")))
    response = client.get(f"/{settings.API_PREFIX}agents")
    assert response.status_code == 200
    assert not hasattr(response.wsgi_request, "_messages")


def test_an_admin_page_keeps_its_message_store() -> None:
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    assert hasattr(response.wsgi_request, "_messages")
