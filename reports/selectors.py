"""Reads of share links and of the long PDFs rendered behind them.

A share link is named by its public id (`shr_...`): on the API by the caller, on the share page by
the id inside the signed URL the link redirected to. These reads do not decide who may see a link:
the API checks access to the link's entity after the read, so a link of an unreachable entity gets
the same 404 as no link at all; the share page trusts the signature.

A long PDF (`ReportDocument`) is rendered once by a task; the share page serves it from here
instead of building the statement again.
"""

from django.db.models import QuerySet

from axiomatic.entities.models import Entity
from reports.models import ReportDocument, ReportShare, ReportShareAccess

# The access log shows the latest opens only, so one response stays bounded however often a link
# was opened (the schema says "the latest 1000 opens").
ACCESS_LOG_LIMIT = 1000


def share_list(*, entity: Entity) -> QuerySet[ReportShare]:
    """An entity's share links, with what their API representation shows."""
    return ReportShare.objects.filter(entity=entity).select_related("entity", "book")


def share_get(*, public_id: str) -> ReportShare | None:
    """One link by its public id, with its entity and its book's entity (the statement's title)."""
    return (
        ReportShare.objects.select_related("entity", "book__entity")
        .filter(public_id=public_id)
        .first()
    )


def share_access_list(*, share: ReportShare) -> QuerySet[ReportShareAccess]:
    """The link's opens, newest first, at most ACCESS_LOG_LIMIT of them."""
    return share.accesses.order_by("-id")[:ACCESS_LOG_LIMIT]


def document_for_share(*, share: ReportShare) -> ReportDocument | None:
    """The long PDF behind a link, if the link was made for one (pending, ready or failed)."""
    return ReportDocument.objects.filter(share=share).first()


def document_get(*, document_id: int) -> ReportDocument | None:
    """A document with its link's book and entity, all that rendering it needs."""
    return (
        ReportDocument.objects.select_related("share__book__entity").filter(pk=document_id).first()
    )
