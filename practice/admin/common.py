"""What the practice admin pages share: refusals shown as the API's messages, actions through
services, read-only pages for firm staff."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.admin_scope import refusal_text, staff_scope


def _refusal(error: ApplicationError) -> ValidationError:
    return ValidationError(refusal_text(error))


def _staff_readonly(model_admin, request, fields):
    """All fields read-only for firm staff (their changes go through actions), as given otherwise."""
    if staff_scope(request) is None:
        return fields
    return [f.name for f in model_admin.model._meta.concrete_fields if f.name != "id"]


def _run_action(model_admin, request, objects, service, done: str) -> None:
    ok = 0
    for obj in objects:
        try:
            service(obj)
            ok += 1
        except ApplicationError as error:
            model_admin.message_user(request, f"{obj}: {refusal_text(error)}", messages.ERROR)
    if ok:
        model_admin.message_user(request, done.format(count=ok), messages.SUCCESS)
