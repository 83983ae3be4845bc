"""Steps the delivery tests share: register an endpoint over HTTP, log time to cause an event."""

import re
from pathlib import Path

HOOKS = "/api/practice/webhooks"
TIME = "/api/practice/time"


def register(persona, receiver, events=("*",)) -> tuple[str, str]:
    """The new endpoint's id and its secret as the API showed it."""
    response = persona.client.post(
        HOOKS,
        {"firmEntityId": persona.firm.public_id, "url": receiver.url, "events": list(events)},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["webhook"]["id"], response.json()["secret"]


def rotate(persona, webhook_id) -> str:
    """The endpoint's new secret as the API showed it."""
    response = persona.client.post(
        f"{HOOKS}/{webhook_id}/rotate-secret",
        {"firmEntityId": persona.firm.public_id},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()["secret"]


def log_time(persona, client_id, hours=1.5, description="Reconciliation", **extra):
    response = persona.client.post(
        TIME,
        {
            "firmEntityId": persona.firm.public_id,
            "entityId": client_id,
            "date": "2026-11-02",
            "hours": hours,
            "description": description,
            **extra,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["entry"]


def readme_snippet(first_line: str) -> str:
    """The README's python block that starts with `first_line` (a comment), to run it as written."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    match = re.search(rf"```python\n({re.escape(first_line)}.*?)```", readme, re.S)
    assert match, f"README.md has no python block starting {first_line!r}"
    return match.group(1)
