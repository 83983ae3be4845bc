"""Change history: who changed what money and access depend on, when, and from what to what.

django-simple-history keeps a shadow table per tracked model (`HistoricalTimeEntry`...): one row per
create, save and delete, holding the whole row as it was then, with `history_date`, `history_type`
(+ ~ -), `history_user` and, ours, `history_api_key_public_id`. Models opt in with
`tracked_history(excluded_fields=...)`; secrets (key hashes, encrypted signing secrets) are excluded, so a
history table never holds a copy of one.

Who: simple-history's middleware keeps the request where the model signals can see it. A staff
session's user is `request.user`. A request authenticated by an API key acts as the key: the API
layer says so with `actor_set` (the key's creator as the user, the key's public id beside it),
because that layer alone knows what an API key is; a task or a command has no request and records
nobody. `actor_current()` is what the next history row will record.

What a plain `QuerySet.update()` or `bulk_create()` writes is invisible to simple-history (no signal
fires): writers that do either call `history_record_bulk` with the rows as they now are.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from simple_history.models import HistoricalRecords

from axiomatic.core.errors import NotFoundError

ACTOR_ATTRIBUTE = "history_actor"


@dataclass(frozen=True)
class Actor:
    user: Any | None = None
    api_key_public_id: str | None = None


NOBODY = Actor()


def actor_set(request, *, user, api_key_public_id: str | None) -> None:
    """Record on the (Django) request who its writes are by: a key's creator and the key."""
    setattr(request, ACTOR_ATTRIBUTE, Actor(user=user, api_key_public_id=api_key_public_id))


def _request_actor(request) -> Actor:
    if request is None:
        return NOBODY
    actor = getattr(request, ACTOR_ATTRIBUTE, None)
    if actor is not None:
        return actor
    user = getattr(request, "user", None)
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return Actor(user=user)
    return NOBODY


def actor_current() -> Actor:
    """Who the current request (if any) acts as."""
    return _request_actor(getattr(HistoricalRecords.context, "request", None))


def _history_user(instance=None, request=None, **kwargs):
    """simple-history's `get_user`: never an ApiKeyUser (not a User row), its creator instead."""
    return _request_actor(request).user


class HistoryFields(models.Model):
    """Columns every history table has beside simple-history's own."""

    # The API key a change was made with (its public id, which outlives the key's row).
    history_api_key_public_id = models.CharField(max_length=40, null=True, blank=True)

    class Meta:
        abstract = True


def tracked_history(*, excluded_fields: Sequence[str] = ()) -> HistoricalRecords:
    """The history of a model: every field but `excluded_fields` (secrets, operational clocks).

    A deleted row keeps its history (its last record is the deletion)."""
    return HistoricalRecords(
        bases=(HistoryFields,),
        get_user=_history_user,
        excluded_fields=list(excluded_fields),
        user_related_name="+",
    )


def history_api_key_stamp(sender, history_instance, **kwargs) -> None:
    """`pre_create_historical_record` receiver (connected in CoreConfig.ready): the API key."""
    if isinstance(history_instance, HistoryFields):
        history_instance.history_api_key_public_id = actor_current().api_key_public_id


def history_record_bulk(
    objs: Iterable[models.Model], *, model, created: bool = False, reason: str = ""
) -> int:
    """Record a change for each of `objs`, as they are now, written by a bulk `update()` (or, with
    `created`, a `bulk_create()`), which simple-history cannot see. For updates the caller holds
    the rows' locks and passes them re-read; created rows must have their primary keys. One INSERT
    per 500 records; returns how many were written."""
    objs = list(objs)
    if not objs:
        return 0
    if any(obj.pk is None for obj in objs):
        raise ValueError("History needs the rows' primary keys: save them first.")
    actor = actor_current()
    model.history.bulk_history_create(
        objs,
        batch_size=500,
        update=not created,
        default_user=actor.user,
        default_change_reason=reason or None,
        custom_historical_attrs={"history_api_key_public_id": actor.api_key_public_id},
    )
    return len(objs)


# -- Reading: what each record changed ----------------------------------------------------------

KINDS = {"+": "created", "~": "updated", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    kind: str  # created, updated, deleted
    user_public_id: str | None
    api_key_public_id: str | None
    reason: str | None
    fields: dict[str, FieldChange]  # model field name -> from, to (foreign keys as public ids)


def _record_before(record):
    """The record before `record` of the same row (None before a creation)."""
    if record.history_type == "+":
        return None
    pk_name = record.instance_type._meta.pk.attname
    return (
        type(record)
        .objects.filter(**{pk_name: getattr(record, pk_name)}, history_id__lt=record.history_id)
        .order_by("-history_id")
        .first()
    )


def _public_ids(related, pks: set) -> dict:
    """Public ids of `related` rows by primary key, deleted rows included where they have history.
    One query (two when some are gone), however many records there are."""
    found = dict(related._base_manager.filter(pk__in=pks).values_list("pk", "public_id"))
    gone = pks - found.keys()
    if gone and hasattr(related._meta, "simple_history_manager_attribute"):
        pk_name = related._meta.pk.attname
        rows = related.history.filter(**{f"{pk_name}__in": gone}).values_list(pk_name, "public_id")
        found.update(rows)
    return found


def history_of(model, **lookups) -> QuerySet:
    """The history records of the row of `model` matching `lookups` (the caller scopes them, e.g.
    `firm=..., public_id=...`), with their users, in no particular order: a deleted row's too. A
    row with no records yet (older than its history) has none; no row and no record: 404."""
    records = model.history.filter(**lookups).select_related("history_user")
    if not records.exists() and not model._default_manager.filter(**lookups).exists():
        raise NotFoundError()
    return records


def history_changes(records: Sequence, *, fields: Sequence[str]) -> list[Change]:
    """What each of `records` (one row's history, oldest first) changed among `fields`.

    A creation lists every field that has a value (from None); an update the fields that differ
    from the record before it (looked up once, for the first record); a deletion usually none.
    The first record of a row that existed before its history began lists its values likewise.
    Foreign keys are given as the related rows' public ids. A fixed number of queries: the record
    before, and one per related model."""
    records = list(records)
    if not records:
        return []
    model = records[0].instance_type
    tracked = [model._meta.get_field(name) for name in fields]
    previous = _record_before(records[0])
    every = [previous, *records] if previous is not None else records
    related = [f for f in tracked if f.is_relation and hasattr(f.related_model, "public_id")]
    pks: dict = {}
    for field in related:
        pks.setdefault(field.related_model, set()).update(getattr(r, field.attname) for r in every)
    ids = {
        m: _public_ids(m, wanted - {None}) if wanted - {None} else {} for m, wanted in pks.items()
    }

    def values(record) -> dict:
        out = {f.name: getattr(record, f.attname) for f in tracked}
        for field in related:
            out[field.name] = ids[field.related_model].get(out[field.name])
        return out

    changes = []
    before = values(previous) if previous is not None else None
    for record in records:
        now = values(record)
        if before is None:
            changed = {k: FieldChange(None, v) for k, v in now.items() if v not in (None, "")}
        else:
            changed = {k: FieldChange(before[k], v) for k, v in now.items() if before[k] != v}
        user = record.history_user
        changes.append(
            Change(
                at=record.history_date,
                kind=KINDS[record.history_type],
                user_public_id=user.public_id if user is not None else None,
                api_key_public_id=record.history_api_key_public_id,
                reason=record.history_change_reason or None,
                fields=changed,
            )
        )
        before = now
    return changes
