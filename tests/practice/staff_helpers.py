"""What the staff, rates and settings tests share: the paths, more people of Firm A (a MEMBER in a
session, an API key made by a MEMBER), and rates set straight through the service."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from axiomatic.entities.models import Entity, Role
from axiomatic.entities.services import api_key_create
from practice.models import StaffRate
from tests.conftest import Persona
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api

STAFF = "/api/practice/staff"
SETTINGS = "/api/practice/settings"
STAFF_KEYS = {"userId", "email", "name", "role", "rate", "rates"}
SETTINGS_KEYS = {
    "requireApproval",
    "timeLockDate",
    "timeRounding",
    "defaultRate",
    "paymentTermsDays",
}
DEFAULT_SETTINGS = {
    "requireApproval": False,
    "timeLockDate": None,
    "timeRounding": {"minutes": 0, "mode": "up"},
    "defaultRate": None,
    "paymentTermsDays": 30,
}


def rates_url(user_public_id: str) -> str:
    return f"{STAFF}/{user_public_id}/rates"


def session_persona(firm: Entity, email: str, role: str = Role.MEMBER, **user_fields) -> Persona:
    """A person of `firm` with `role`, calling in a staff session."""
    user = UserFactory(email=email, is_staff=True, **user_fields)
    MembershipFactory(user=user, entity=firm, role=role)
    client = APIClient()
    client.force_login(user)
    return Persona(user=user, firm=firm, client=client)


def key_persona(firm: Entity, email: str, role: str = Role.MEMBER) -> Persona:
    """A person of `firm` with `role`, calling with an API key they created."""
    user = UserFactory(email=email, is_staff=True)
    MembershipFactory(user=user, entity=firm, role=role)
    issued = api_key_create(firm=firm, name=f"{email} key", created_by=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    return Persona(user=user, firm=firm, client=client, key=issued.key)


def rate(firm, user, cents: int, day: dt.date) -> StaffRate:
    """A staff rate written straight to the table (set-up, not the subject of the test)."""
    return StaffRate.objects.create(firm=firm, user=user, rate_cents=cents, effective_from=day)


def staff_of(persona, **params) -> dict:
    """The persona's firm's staff, by email."""
    body = api(persona).get(STAFF, {"firmEntityId": persona.firm.public_id, **params})
    return {member["email"]: member for member in body["staff"]}


def count_queries(persona, path: str, params: dict) -> int:
    api(persona).get(path, params)  # warm up: the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        api(persona).get(path, params)
    return len(ctx.captured_queries)
