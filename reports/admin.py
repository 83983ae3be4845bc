from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from axiomatic.admin_site import AdminPage
from axiomatic.api.form_fields import IsoDateField
from axiomatic.core.errors import ApplicationError
from axiomatic.entities.admin_scope import ScopedAdmin, ScopedInline, refusal_text, staff_scope
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import Book
from reports import documents
from reports.models import ReportShare, ReportShareAccess
from reports.rendering import render_html, render_pdf, statement_context
from reports.serializers import MAX_REPORT_RANGE_DAYS
from reports.services import share_revoke, share_url
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


class ReportShareAccessInline(ScopedInline, admin.TabularInline):
    model = ReportShareAccess
    extra = 0
    can_delete = False
    fields = ("accessed_at", "ip_hash", "user_agent")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportShare)
class ReportShareAdmin(ScopedAdmin):
    """Share links are made through the API (the link is shown once there); staff revoke here."""

    scope_entity = "entity"
    staff_may_add = False
    list_display = (
        "public_id",
        "entity",
        "report_type",
        "date_to",
        "expires_at",
        "access_count",
        "max_access_count",
        "revoked_at",
    )
    list_filter = ("report_type", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("entity",)
    search_fields = ("public_id", "entity__name")
    readonly_fields = (
        "public_id",
        "token_hash",
        "access_count",
        "last_accessed_at",
        "created_by",
        "created_at",
    )
    inlines = (ReportShareAccessInline,)
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Nothing here is edited by hand: a share link is what it was made as, until revoked.
        return [
            f.name for f in self.model._meta.concrete_fields if f.name not in ("id", "token_hash")
        ]

    def get_exclude(self, request, obj=None):
        return ("token_hash",)

    @admin.action(description="Revoke selected share links", permissions=["change"])
    def revoke(self, request, queryset):
        # Say what happened to each selected link: a "success" for nothing revoked misleads.
        already = queryset.filter(revoked_at__isnull=False).count()
        revoked = 0
        for share in queryset.filter(revoked_at__isnull=True).select_related("entity"):
            try:
                share_revoke(entity=share.entity, public_id=share.public_id)
                revoked += 1
            except ApplicationError as error:
                self.message_user(request, f"{share}: {refusal_text(error)}", messages.ERROR)
        if revoked:
            self.message_user(request, f"Revoked {revoked} share link(s).", messages.SUCCESS)
        if already:
            self.message_user(
                request, f"{already} share link(s) were already revoked.", messages.INFO
            )
        if not revoked and not already:
            self.message_user(request, "No share link was revoked.", messages.WARNING)


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
        context |= {**statement_context(statement), "urls": urls}
    return _private(TemplateResponse(request, "admin/reports/statements.html", context))


def statements_view(request):
    entities, books = _offered(request)
    form = StatementQueryForm(request.GET or None, entities=entities, books=books)
    context = {**admin.site.each_context(request), "title": "Statements", "form": form}
    if not entities:
        messages.warning(request, "Your firm reaches no entity yet.")
    if not (form.is_bound and form.is_valid()):
        return _private(TemplateResponse(request, "admin/reports/statements.html", context))
    cleaned = form.cleaned_data
    statement = build_statement(
        report=cleaned["report"],
        book=cleaned["book"],
        date_from=cleaned["date_from"],
        date_to=cleaned["date_to"],
        compare=cleaned["compare"],
    )
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
