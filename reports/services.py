"""Share links: create, open (count atomically), revoke."""

import datetime as dt
import hashlib
import hmac
import secrets
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from axiomatic.core.errors import NotFoundError
from reports import events
from reports.models import ReportShare, ReportShareAccess

TOKEN_PREFIX = "tok_"
TOKEN_BYTES = 32
GRANT_BYTES = 16
# Fetches of the page one open grants (the report, its PDF, a reload or two). The link's count
# limits opens; this keeps one open from serving the report to anyone it is forwarded to.
VIEWS_PER_OPEN = 5


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share_url(token: str) -> str:
    # From SITE_URL, never from the request's Host header.
    return settings.SITE_URL + reverse("report-share-open", args=[token])


@transaction.atomic
def share_create(
    *,
    entity,
    book,
    report_type: str,
    date_from: dt.date,
    date_to: dt.date,
    compare: str = "",
    expires_in_days: int,
    max_access_count: int | None,
    created_by=None,
) -> tuple[ReportShare, str]:
    """A new share link; returns it with its token, shown this once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    share = ReportShare.objects.create(
        entity=entity,
        book=book,
        report_type=report_type,
        date_from=date_from,
        date_to=date_to,
        compare=compare or "",
        token_hash=_hash(token),
        created_by=created_by,
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days),
        max_access_count=max_access_count,
    )
    events.share_event("report_share.created", share=share)
    return share, token


class ShareProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED_UP = "used_up"
    # The link works, but its report has grown too long for a page (a general ledger over the
    # inline line cap) or for a PDF rendered inside the request.
    TOO_LONG = "too_long"


STATUS_OF_PROBLEM = {ShareProblem.UNKNOWN: 404, ShareProblem.TOO_LONG: 422}


class ShareUnusable(Exception):
    def __init__(self, problem: ShareProblem):
        super().__init__(problem)
        self.problem = problem
        self.status_code = STATUS_OF_PROBLEM.get(problem, 410)


def _ip_hash(ip: str) -> str:
    # Keyed with the secret so the log cannot be reversed by hashing every IPv4 address.
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def share_open(*, token: str, ip: str, user_agent: str) -> ReportShare:
    """Count one access if the link is usable, in one conditional UPDATE (no lost counts).
    `share.access` on the returned share is the access row; its `grant` opens the page."""
    now = timezone.now()
    digest = _hash(token) if token.startswith(TOKEN_PREFIX) else None
    usable = Q(token_hash=digest, revoked_at__isnull=True, expires_at__gt=now) & (
        Q(max_access_count__isnull=True) | Q(access_count__lt=F("max_access_count"))
    )
    counted = ReportShare.objects.filter(usable).update(
        access_count=F("access_count") + 1, last_accessed_at=now
    )
    share = ReportShare.objects.filter(token_hash=digest).first() if digest else None
    if share is None:
        raise ShareUnusable(ShareProblem.UNKNOWN)
    if not counted:
        if share.revoked_at is not None:
            raise ShareUnusable(ShareProblem.REVOKED)
        if share.expires_at <= now:
            raise ShareUnusable(ShareProblem.EXPIRED)
        raise ShareUnusable(ShareProblem.USED_UP)
    share.access = ReportShareAccess.objects.create(
        share=share,
        ip_hash=_ip_hash(ip),
        # Printable characters only: a NUL (which PostgreSQL refuses in text) or a control
        # character in a header is the client's, not something to store.
        user_agent="".join(c for c in user_agent if c.isprintable())[:300],
        grant=secrets.token_urlsafe(GRANT_BYTES),
    )
    events.share_event("report_share.accessed", share=share)
    return share


def share_page_view(*, share_public_id: str, grant: str) -> ReportShare:
    """Count one fetch of the page an open granted; the link must still be usable (not revoked,
    not expired) and the open's fetches not used up. One conditional UPDATE counts, so racing
    fetches never exceed VIEWS_PER_OPEN."""
    now = timezone.now()
    share = (
        ReportShare.objects.select_related("book", "entity")
        .filter(public_id=share_public_id)
        .first()
    )
    if share is None or not grant:
        raise ShareUnusable(ShareProblem.UNKNOWN)
    if share.revoked_at is not None:
        raise ShareUnusable(ShareProblem.REVOKED)
    if share.expires_at <= now:
        raise ShareUnusable(ShareProblem.EXPIRED)
    counted = ReportShareAccess.objects.filter(
        share=share, grant=grant, views__lt=VIEWS_PER_OPEN
    ).update(views=F("views") + 1)
    if not counted:
        known = ReportShareAccess.objects.filter(share=share, grant=grant).exists()
        raise ShareUnusable(ShareProblem.USED_UP if known else ShareProblem.UNKNOWN)
    return share


@transaction.atomic
def share_revoke(*, entity, public_id: str) -> ReportShare:
    share = (
        ReportShare.objects.select_for_update().filter(entity=entity, public_id=public_id).first()
    )
    if share is None:
        raise NotFoundError()
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        events.share_event("report_share.revoked", share=share)
    return share
