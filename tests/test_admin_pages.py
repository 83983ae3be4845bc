"""Every model registered in the admin opens for a superuser: changelist, search, and a change form."""

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(settings, tmp_path):
    settings.DEBUG = True
    call_command(
        "seed_demo", "--credentials-file", str(tmp_path / "demo.json"), stdout=io.StringIO()
    )
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_admin_page_opens(root_client):
    checked: list[str] = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{prefix}_changelist")
        response = root_client.get(changelist)
        checked.append(changelist)
        assert response.status_code == 200, changelist
        if model_admin.search_fields:
            assert root_client.get(changelist, {"q": "a"}).status_code == 200, changelist
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"{prefix}_change", args=[obj.pk])
            assert root_client.get(change).status_code == 200, change
    assert len(checked) >= 20
