"""The reports API (statements, share links) and the pages a share link leads to."""

from django.core import signing
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from axiomatic.api.access import entity_for_request
from axiomatic.api.client_ip import client_ip
from axiomatic.api.negotiation import FormatParamNegotiation
from axiomatic.api.pagination import keyset_pagination
from axiomatic.api.schema import ErrorSerializer, error_responses
from axiomatic.api.throttling import ApiRateThrottle, ReportRenderThrottle, ShareLinkThrottle
from axiomatic.api.views import ApiViewSet
from axiomatic.core.errors import NotFoundError, field_errors
from axiomatic.core.ids import is_public_id
from axiomatic.ledger.selectors import book_get
from reports import documents, selectors, services, spreadsheets, statements
from reports import schema_examples as examples
from reports.models import ReportDocument, ReportShare
from reports.rendering import render_html, render_pdf
from reports.serializers import (
    DeferredPdfSerializer,
    ShareAccessLogSerializer,
    ShareAccessSerializer,
    ShareCreatedSerializer,
    ShareCreateSerializer,
    ShareEnvelopeSerializer,
    ShareListQuerySerializer,
    SharePageSerializer,
    ShareSerializer,
    StatementJsonSerializer,
    StatementQuerySerializer,
)

READ = error_responses(400, 401, 403, 404)
WRITE = error_responses(400, 401, 403, 404)
SHARE_VIEW_SALT = "reports.share-view"
SHARE_VIEW_MAX_AGE = 300  # seconds a redirect target stays valid


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _attachment(response: HttpResponse, statement, ext: str) -> HttpResponse:
    filename = spreadsheets.export_filename(statement, ext)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _statement_response(statement, fmt: str, *, pdf_url: str | None = None):
    if fmt == "json":
        return Response(statement.as_json())
    if fmt == "pdf":
        response = HttpResponse(render_pdf(statement), content_type="application/pdf")
        filename = spreadsheets.export_filename(statement, "pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
    if fmt == "csv":
        # Streamed: a general ledger's lines go out as the cursor reads them, never all in memory.
        response = StreamingHttpResponse(
            spreadsheets.csv_stream(statement), content_type=spreadsheets.CSV_CONTENT_TYPE
        )
        return _attachment(response, statement, "csv")
    if fmt == "xlsx":
        response = HttpResponse(
            spreadsheets.render_xlsx(statement), content_type=spreadsheets.XLSX_CONTENT_TYPE
        )
        return _attachment(response, statement, "xlsx")
    return HttpResponse(
        render_html(statement, pdf_url=pdf_url), content_type="text/html; charset=utf-8"
    )


class StatementViewSet(ApiViewSet):
    throttle_classes = [ApiRateThrottle, ReportRenderThrottle]
    query_serializer_class = StatementQuerySerializer
    content_negotiation_class = FormatParamNegotiation
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="reports_statement",
        summary="A financial statement as HTML (default), PDF, JSON, CSV or XLSX",
        examples=examples.STATEMENT,
        description=(
            "Trial balance and balance sheet as of `to`; income statement, cash flow and general "
            "ledger over `from`..`to`. `compare` adds the comparison period's figures to every "
            "row and total. A general ledger answers at most 10,000 lines as HTML or JSON and "
            "20,000 as XLSX (CSV streams any number): over that, 400 `statement_too_long`."
        ),
        parameters=[StatementQuerySerializer],
        responses={
            # JSON first: generated clients type the answer by the first content type listed.
            (200, "application/json"): StatementJsonSerializer,
            (200, "text/html"): OpenApiResponse(
                OpenApiTypes.STR, description="The statement page."
            ),
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="format=pdf"
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="format=csv: a header block, then the table (streamed).",
            ),
            (200, spreadsheets.XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="format=xlsx: one workbook."
            ),
            (202, "application/json"): OpenApiResponse(
                DeferredPdfSerializer,
                description=(
                    "format=pdf of a statement over 10 pages: rendered in the background and "
                    "delivered through the share link returned here."
                ),
            ),
            **READ,
        },
    )
    def retrieve(self, request):
        query = self.query
        access = entity_for_request(request, query["entityId"])
        book = book_get(entity=access.entity, public_id=query["bookId"])
        if book is None:
            raise NotFoundError()
        fmt = query["format"]
        statement = statements.build_statement(
            report=query["report"],
            book=book,
            date_from=query["from"],
            date_to=query["to"],
            compare=query.get("compare"),
        )
        documents.too_long_check(statement, fmt)
        if fmt == "pdf" and not documents.renders_inline(statement):
            # Too long for a request: rendered by a task, delivered through a share link.
            deferred = documents.deferred_pdf_create(
                entity=access.entity,
                book=book,
                statement=statement,
                can_write=access.can_write,
                created_by=access.actor,
            )
            return _deferred_pdf_response(deferred)
        return _statement_response(statement, fmt)


def _deferred_pdf_response(deferred: documents.DeferredPdf) -> Response:
    return Response(
        {
            "status": "rendering",
            "estimatedPages": deferred.pages,
            "shareUrl": services.share_url(deferred.token),
            "link": ShareSerializer(deferred.share).data,
        },
        status=status.HTTP_202_ACCEPTED,
    )


class ShareViewSet(mixins.ListModelMixin, ApiViewSet):
    query_serializer_class = ShareListQuerySerializer
    serializer_class = ShareSerializer
    pagination_class = keyset_pagination("links", ("-id",))

    def get_queryset(self):
        access = entity_for_request(self.request, self.query["entityId"])
        return selectors.share_list(entity=access.entity)

    def _share(self, share_id: str, *, write: bool = False) -> ReportShare:
        if not is_public_id(share_id, "shr"):
            raise field_errors({"id": ["Not a valid shr_ id."]})
        share = selectors.share_get(public_id=share_id)
        if share is None:
            raise NotFoundError()
        entity_for_request(self.request, share.entity.public_id, write=write)
        return share

    @extend_schema(
        operation_id="reports_share_list",
        summary="List an entity's share links",
        description=(
            "The entity's share links, newest first: what each shows, when it expires, how often "
            "it was opened and whether it was revoked. Tokens are never listed."
        ),
        examples=examples.SHARE_LIST,
        parameters=[ShareListQuerySerializer],
        responses={200: SharePageSerializer, **READ},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="reports_share_create",
        summary="Create a time-limited shareable link to a report",
        description=(
            "A link anyone can open without an account, to one statement of the entity's books, "
            "until it expires (1 to 90 days) or has been opened `maxAccessCount` times. Its token "
            "is in `shareUrl`, shown only in this answer."
        ),
        examples=examples.SHARE_CREATE,
        request=ShareCreateSerializer,
        responses={201: ShareCreatedSerializer, **WRITE},
    )
    def create(self, request):
        data = self.body(ShareCreateSerializer)
        access = entity_for_request(request, data["entityId"], write=True)
        parameters = data["parameters"]
        book = book_get(entity=access.entity, public_id=parameters["bookId"])
        if book is None:
            raise field_errors({"parameters.bookId": ["No such book for this entity."]})
        share, token = services.share_create(
            entity=access.entity,
            book=book,
            report_type=data["reportType"],
            date_from=parameters["from"],
            date_to=parameters["to"],
            compare=parameters.get("compare", ""),
            expires_in_days=data["expiresInDays"],
            max_access_count=data["maxAccessCount"],
            created_by=access.actor,
        )
        body = {
            "id": share.public_id,
            "shareUrl": services.share_url(token),
            "expiresAt": share.expires_at,
        }
        return Response(ShareCreatedSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="reports_share_accesses",
        summary="The access log of a share link",
        description=(
            "Each time the link was opened: when, a hash of the address (never the address itself)"
            " and the browser's user agent."
        ),
        examples=examples.SHARE_ACCESSES,
        responses={200: ShareAccessLogSerializer, **READ},
    )
    def accesses(self, request, share_id: str):
        share = self._share(share_id)
        rows = selectors.share_access_list(share=share)
        return Response({"accesses": ShareAccessSerializer(rows, many=True).data})

    @extend_schema(
        operation_id="reports_share_revoke",
        summary="Revoke a share link: the next open is refused",
        description="The link stops opening at once, for everyone; its access log stays.",
        examples=examples.SHARE_REVOKE,
        request=None,
        responses={200: ShareEnvelopeSerializer, **WRITE},
    )
    def revoke(self, request, share_id: str):
        share = self._share(share_id, write=True)
        share = services.share_revoke(entity=share.entity, public_id=share.public_id)
        share = selectors.share_get(public_id=share.public_id)
        return Response({"link": ShareSerializer(share).data})


def _share_problem_page(request, error: services.ShareUnusable) -> HttpResponse:
    response = render(
        request, "reports/share_unusable.html", {"problem": error.problem}, status=error.status_code
    )
    response.api_passthrough = True  # a page for people, not the API's JSON error
    return _private(response)


def _too_many_page(request, wait: float) -> HttpResponse:
    response = render(
        request, "reports/share_unusable.html", {"problem": "rate_limited"}, status=429
    )
    response["Retry-After"] = str(int(wait))
    response.api_passthrough = True
    return _private(response)


class ShareOpenViewSet(ApiViewSet):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ShareLinkThrottle]
    # Why no HEAD: link-preview bots send it, and each open counts towards maxAccessCount.
    http_method_names = ["get"]

    @extend_schema(
        operation_id="reports_share_open",
        summary="Open a share link: redirects to the rendered report",
        description=(
            "Public (no key): the token is the credential. Each open counts towards the link's "
            "`maxAccessCount` and is logged; the answer redirects to a short-lived signed page of "
            "the rendered report. An unknown, expired, revoked or used-up link answers an HTML "
            "page saying so."
        ),
        auth=[],
        responses={
            302: OpenApiResponse(description="To a short-lived signed URL of the rendered report."),
            (404, "text/html"): OpenApiResponse(
                OpenApiTypes.STR, description="Unknown or tampered link (HTML page)."
            ),
            (410, "text/html"): OpenApiResponse(
                OpenApiTypes.STR, description="Expired or revoked link (HTML page)."
            ),
            429: OpenApiResponse(ErrorSerializer, description="Too many opens from this address."),
        },
    )
    def open(self, request, token: str):
        try:
            share = services.share_open(
                token=token,
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except services.ShareUnusable as error:
            return _share_problem_page(request, error)
        signed = signing.TimestampSigner(salt=SHARE_VIEW_SALT).sign(
            f"{share.public_id}.{share.access.grant}"
        )
        return _private(redirect(reverse("report-share-view", args=[signed])))


def _document_response(request, document: ReportDocument) -> HttpResponse:
    if document.status == ReportDocument.Status.READY:
        response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="report.pdf"'
        return response
    failed = document.status == ReportDocument.Status.FAILED
    response = render(
        request,
        "reports/document_pending.html",
        {"pages": document.estimated_pages, "failed": failed},
        status=503 if failed else 202,
    )
    if not failed:
        response["Retry-After"] = "15"
    return response


@require_safe
def share_view_page(request, signed: str):
    """The rendered report behind a share link, for a few minutes and a few fetches after the link
    was opened, and only while the link itself is usable (not revoked, not expired)."""
    throttle = ShareLinkThrottle()  # the same per-address budget as opening the link
    if not throttle.allow_request(request, None):
        return _too_many_page(request, throttle.wait())
    try:
        payload = signing.TimestampSigner(salt=SHARE_VIEW_SALT).unsign(
            signed, max_age=SHARE_VIEW_MAX_AGE
        )
    except signing.SignatureExpired:
        return _share_problem_page(request, services.ShareUnusable(services.ShareProblem.EXPIRED))
    except signing.BadSignature:
        return _share_problem_page(request, services.ShareUnusable(services.ShareProblem.UNKNOWN))
    public_id, _, grant = payload.partition(".")
    try:
        share = services.share_page_view(share_public_id=public_id, grant=grant)
    except services.ShareUnusable as error:
        return _share_problem_page(request, error)
    # A link made for a long PDF serves that document, or says it is not ready yet: building the
    # statement first would run its grouped balance query for nothing.
    document = selectors.document_for_share(share=share)
    if document is not None:
        return _private(_document_response(request, document))
    statement = statements.build_statement(
        report=share.report_type,
        book=share.book,
        date_from=share.date_from,
        date_to=share.date_to,
        compare=share.compare,
    )
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    # The page renders inside this request: a report grown past what a page holds, or a PDF past
    # the inline pages, is refused (a long PDF is a link of its own: format=pdf on the API).
    if not documents.renders_in_request(statement, fmt):
        return _share_problem_page(request, services.ShareUnusable(services.ShareProblem.TOO_LONG))
    pdf_url = reverse("report-share-view", args=[signed]) + "?format=pdf"
    return _private(_statement_response(statement, fmt, pdf_url=pdf_url))
