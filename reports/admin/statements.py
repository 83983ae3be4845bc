from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from axiomatic.admin_site import AdminPage
from axiomatic.api.form_fields import IsoDateField
from axiomatic.core.errors import ApplicationError
from axiomatic.entities.admin_scope import refusal_text, staff_scope
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import Book
from reports import documents
from reports.admin.shares import opens_text, period_text, report_title, share_state, when
from reports.models import ReportShare
from reports.rendering import render_html, render_pdf, statement_context
from reports.serializers import MAX_REPORT_RANGE_DAYS
from reports.services import share_create, share_url
from reports.spreadsheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_stream,
    export_filename,
    render_xlsx,
)
from reports.statements import (
    COMPARABLE_REPORTS,
    COMPARE_TITLES,
    TITLES,
    CompareMode,
    ReportType,
    build_statement,
)

# -- The statements page ----------------------------------------------------------------------------
#
# Staff pick an entity their firm reaches, one of its books, a report, a period and a comparison,
# and see the statement inside the admin, open the statement page, or download it as PDF, CSV or
# XLSX: the same statement, built once by `build_statement` and drawn by the same code as the API's
# (rendering, spreadsheets). The entities offered are the staff scope's (a superuser's: all), and
# the form accepts nothing else: another firm's entity or book is refused exactly like an id that
# names nothing ("Select a valid choice").

REPORT_CHOICES = [(report.value, TITLES[report]) for report in ReportType]
COMPARE_CHOICES = [("", "None"), *((mode.value, COMPARE_TITLES[mode]) for mode in CompareMode)]
# What each button gives, and the API's format it answers as (for the API's length limits).
FORMATS = {"show": "html", "page": "html", "pdf": "pdf", "csv": "csv", "xlsx": "xlsx"}


class StatementQueryForm(forms.Form):
    """What statement to build. `cleaned_data` holds the Entity and the Book themselves."""

    entity = forms.ChoiceField()
    book = forms.ChoiceField(required=False, help_text="Empty: the entity's primary book.")
    report = forms.ChoiceField(choices=REPORT_CHOICES, initial=ReportType.BALANCE_SHEET)
    date_from = IsoDateField(label="From")
    date_to = IsoDateField(label="To")
    compare = forms.ChoiceField(choices=COMPARE_CHOICES, required=False, label="Compare with")

    def __init__(self, data=None, *, entities: list[Entity], books: list[Book]):
        today = timezone.localdate()
        super().__init__(
            data, initial={"date_from": today.replace(month=1, day=1), "date_to": today}
        )
        self.entities = {entity.public_id: entity for entity in entities}
        self.books = {book.public_id: book for book in books}
        self.fields["entity"].choices = [
            ("", "Choose an entity"),
            *((e.public_id, e.name) for e in entities),
        ]
        names = {entity.pk: entity.name for entity in entities}
        grouped: dict[int, list[tuple[str, str]]] = {}
        for book in books:
            label = f"{book.name} ({book.get_basis_display().lower()} basis)"
            grouped.setdefault(book.entity_id, []).append((book.public_id, label))
        self.fields["book"].choices = [
            ("", "Primary book"),
            *((names[pk], choices) for pk, choices in grouped.items()),
        ]

    def clean_entity(self) -> Entity:
        return self.entities[self.cleaned_data["entity"]]

    def clean_report(self) -> ReportType:
        return ReportType(self.cleaned_data["report"])

    def clean_compare(self) -> CompareMode | None:
        return CompareMode(self.cleaned_data["compare"]) if self.cleaned_data["compare"] else None

    def clean(self):
        data = super().clean()
        entity = data.get("entity")
        if entity is not None and "book" in data:
            data["book"] = self._book(entity, data["book"])
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_from", "Must not be after To.")
        elif start and end and (end - start).days > MAX_REPORT_RANGE_DAYS:
            self.add_error("date_from", f"The range may span at most {MAX_REPORT_RANGE_DAYS} days.")
        report = data.get("report")
        if data.get("compare") and report and report not in COMPARABLE_REPORTS:
            self.add_error("compare", f"The {TITLES[report].lower()} has no comparison column.")
        return data

    def _book(self, entity: Entity, public_id: str) -> Book | None:
        if not public_id:
            mine = [b for b in self.books.values() if b.entity_id == entity.pk]
            book = next((b for b in mine if b.is_primary), mine[0] if mine else None)
            if book is None:
                self.add_error("book", f"{entity.name} has no books.")
            return book
        book = self.books[public_id]
        if book.entity_id != entity.pk:
            self.add_error("book", f"{book.name} is not a book of {entity.name}.")
            return None
        return book


def _offered(request) -> tuple[list[Entity], list[Book]]:
    """The entities this staff member reaches (all, for a superuser) and their books: two queries."""
    scope = staff_scope(request)
    entities = Entity.objects.order_by("name", "id")
    if scope is not None:
        entities = entities.filter(pk__in=scope.entity_ids)
    entities = list(entities)
    books = Book.objects.filter(entity__in=[e.pk for e in entities]).order_by("entity__name", "id")
    return entities, list(books)


def _may_write(request, entity: Entity) -> bool:
    scope = staff_scope(request)
    return scope is None or entity.pk in scope.writable_entity_ids


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _download(statement, output: str) -> HttpResponse:
    if output == "csv":
        response = StreamingHttpResponse(csv_stream(statement), content_type=CSV_CONTENT_TYPE)
    elif output == "xlsx":
        response = HttpResponse(render_xlsx(statement), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(render_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(statement, output)}"'
    return _private(response)


def _long_pdf(request, statement, cleaned: dict) -> None:
    """A PDF over the page limit: rendered in the background, delivered as a share link (the API's
    rule), for staff who may write; a message either way."""
    try:
        deferred = documents.deferred_pdf_create(
            entity=cleaned["entity"],
            book=cleaned["book"],
            statement=statement,
            can_write=_may_write(request, cleaned["entity"]),
            created_by=request.user,
        )
    except ApplicationError as error:
        messages.error(request, refusal_text(error))
        return
    messages.info(
        request,
        f"This PDF is about {deferred.pages} pages: it is being rendered and will be at "
        f"{share_url(deferred.token)} (the link is shown this once, and stays valid "
        f"{documents.DEFERRED_PDF_DAYS} days).",
    )


def _output_urls(request) -> dict[str, str]:
    query = request.GET.copy()
    urls = {}
    for output in FORMATS:
        query["output"] = output
        urls[output] = f"{request.path}?{query.urlencode()}"
    return urls


def _answer(request, statement, cleaned: dict, context: dict) -> HttpResponse:
    """The chosen output of a built statement: inside the admin, the statement page or a file.
    The API's length limits hold here too (a ledger too long for a page, a PDF over the pages we
    render), and a long PDF is rendered in the background, as the API does."""
    output = request.GET.get("output", "show")
    output = output if output in FORMATS else "show"
    urls = _output_urls(request)
    problem = documents.too_long_problem(statement, FORMATS[output])
    if problem:
        messages.error(request, problem)
    elif output == "pdf" and not documents.renders_inline(statement):
        _long_pdf(request, statement, cleaned)
    elif output in ("pdf", "csv", "xlsx"):
        return _download(statement, output)
    elif output == "page":
        html = render_html(statement, pdf_url=urls["pdf"])
        return _private(HttpResponse(html, content_type="text/html; charset=utf-8"))
    else:
        return _show(request, statement, cleaned, context)
    return _private(TemplateResponse(request, "admin/reports/statements.html", context))


# -- Share links of the statement -------------------------------------------------------------------
#
# A statement on the page can be shared: a POST with the same query (the page's URL) and how long the
# link lives makes it through `share_create`, the API's service, for staff who may write for the
# entity (the API's rule: a member or an admin; a viewer gets no button and a 403). The token is
# shown this once, in the answer to that POST, and never stored.

EXPIRY_CHOICES = [("1", "1 day"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days")]
RECENT_SHARES = 10


class ShareLinkForm(forms.Form):
    expires_in_days = forms.TypedChoiceField(
        choices=EXPIRY_CHOICES, coerce=int, initial="7", label="Link valid for"
    )
    max_access_count = forms.IntegerField(
        min_value=1,
        max_value=1_000_000,
        required=False,
        label="Opens allowed",
        help_text="Empty: any number until it expires.",
    )


def _recent_shares(entity: Entity) -> list[dict]:
    """The entity's latest share links, for the list under the statement: one query."""
    now = timezone.now()
    shares = ReportShare.objects.filter(entity=entity).order_by("-id")[:RECENT_SHARES]
    return [
        {
            "public_id": share.public_id,
            "url": reverse("admin:reports_reportshare_change", args=[share.pk]),
            "report": report_title(share.report_type),
            "period": period_text(share),
            "expires": when(share.expires_at),
            "state": share_state(share, now),
            "opens": opens_text(share),
            "last_opened": when(share.last_accessed_at) or "-",
        }
        for share in shares
    ]


def _share_link(request, statement, cleaned: dict, context: dict) -> HttpResponse:
    if not _may_write(request, cleaned["entity"]):
        raise PermissionDenied("Making a share link takes a member or admin of the firm.")
    share_form = ShareLinkForm(request.POST, prefix="share")
    context["share_form"] = share_form
    if share_form.is_valid():
        try:
            share, token = share_create(
                entity=cleaned["entity"],
                book=cleaned["book"],
                report_type=cleaned["report"].value,
                date_from=cleaned["date_from"],
                date_to=cleaned["date_to"],
                compare=cleaned["compare"].value if cleaned["compare"] else "",
                expires_in_days=share_form.cleaned_data["expires_in_days"],
                max_access_count=share_form.cleaned_data["max_access_count"],
                created_by=request.user,
            )
        except ApplicationError as error:
            messages.error(request, refusal_text(error))
        else:
            context["created_share"] = {
                "url": share_url(token),
                "expires": when(share.expires_at),
                "admin_url": reverse("admin:reports_reportshare_change", args=[share.pk]),
            }
            context["share_form"] = ShareLinkForm(prefix="share")
    return _show(request, statement, cleaned, context)


def _show(request, statement, cleaned: dict, context: dict) -> HttpResponse:
    entity = cleaned["entity"]
    context |= {
        **statement_context(statement),
        "urls": _output_urls(request),
        "may_share": _may_write(request, entity),
        "recent_shares": _recent_shares(entity),
        "shares_url": reverse("admin:reports_reportshare_changelist")
        + f"?entity__id__exact={entity.pk}",
    }
    context.setdefault("share_form", ShareLinkForm(prefix="share"))
    return _private(TemplateResponse(request, "admin/reports/statements.html", context))


def statements_view(request):
    entities, books = _offered(request)
    form = StatementQueryForm(request.GET or None, entities=entities, books=books)
    context = {**admin.site.each_context(request), "title": "Statements", "form": form}
    if not entities:
        messages.warning(request, "Your firm reaches no entity yet.")
    if not (form.is_bound and form.is_valid()):
        # A POST naming an entity or book out of reach (or junk) changes nothing: the form's error.
        return _private(TemplateResponse(request, "admin/reports/statements.html", context))
    cleaned = form.cleaned_data
    statement = build_statement(
        report=cleaned["report"],
        book=cleaned["book"],
        date_from=cleaned["date_from"],
        date_to=cleaned["date_to"],
        compare=cleaned["compare"],
    )
    if request.method == "POST":
        return _share_link(request, statement, cleaned, context)
    return _answer(request, statement, cleaned, context)


def _may_view_statements(request) -> bool:
    model_admin = admin.site._registry.get(ReportShare)
    return bool(model_admin and model_admin.has_view_permission(request))


admin.site.register_page(
    AdminPage(
        app_label="reports",
        slug="statements",
        name="Statements",
        view=statements_view,
        has_permission=_may_view_statements,
    )
)
