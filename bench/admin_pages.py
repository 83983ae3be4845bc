"""The admin group of `bench measure`: every page a firm's staff member opens, timed over HTTP.

A staff member of the seeded firm (its ADMIN, who sees every page a member sees and the add pages)
is signed in with a session made by the session engine, as a login would make it; the session
cookie goes with every request to the bench's gunicorn. The pages:

- the index (the firm's dashboard);
- every registered ModelAdmin this user may view (dj-stripe's and the platform's own tables are
  superusers' and drop out by the admin's own permission checks): its changelist, its add page
  (where the user may add) and the change page of one object of the firm's (where there is one);
  the firm's big lists (more than `BIG_LIST` rows) also with a search, a page deep in the list, a
  year of the date hierarchy and a related-field filter;
- every registered AdminPage (`admin.site._pages`) the user may open, with the query a person
  would send (`PAGE_QUERIES`);
- the issue's journeys' pages by URL name (`JOURNEYS`), when registered: a name that does not
  resolve yet is printed and skipped.

Each URL is first fetched once in this process with Django's test client against the same
database, to check it answers 200 and to count its queries (and the COUNT queries with no LIMIT
inside, the full counts issue 20 forbids); then it is timed over HTTP like the API cases (warm-up,
then the runs; median and p95 by nearest rank). A page at or over `TARGET_MS` (median or p95)
misses the issue's target.
"""

import re
from importlib import import_module
from urllib.parse import urlencode

TARGET_MS = 300
BIG_LIST = 1_000  # rows in the firm's changelist above which its variants are measured too
DEEP_PAGE = 50

# The journeys: (label, URL name, query builder name). Pages register as
# admin:<app>_<slug>; those not on main yet are reported as skipped.
JOURNEYS = [
    ("client add", "admin:practice_clientlink_add", None),
    # Planning (journey 2) is the engagement's own change page, with its Plan card and tasks: it is
    # measured with the ModelAdmin rows ("practice.engagement change").
    ("timesheet", "admin:practice_timesheet", "week"),
    ("approvals", "admin:practice_approvals", None),
    ("budgets", "admin:practice_budgets", None),
    ("realization", "admin:billing_realization", "period"),
    ("new invoice", "admin:billing_new_invoice", "client"),
    ("statements", "admin:reports_statements", "statement"),
]


def _session_cookie(user) -> str:
    """A signed-in session for `user`, stored by the configured session engine, as a cookie."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _staff_user(state: dict):
    from axiomatic.entities.models import Entity, Membership, Role

    firm = Entity.objects.get(public_id=state["firm_entity_id"])
    membership = (
        Membership.objects.filter(entity=firm, role=Role.ADMIN, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if membership is None:
        raise RuntimeError("The seeded firm has no ADMIN to sign in")
    if not membership.user.is_staff:
        raise RuntimeError("The seeded firm's ADMIN has no staff flag: the admin is closed to them")
    return firm, membership.user


def _request(user):
    """A request as `user`, for the admin's own permission checks (which pages to open)."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _queries(firm, state: dict) -> dict[str, dict]:
    """Typical query strings, by builder name."""
    import datetime as dt

    from practice.models import ClientLink

    link = (
        ClientLink.objects.filter(
            firm=firm, client__public_id=state["big_client_entity_id"], archived_at__isnull=True
        )
        .select_related("client")
        .first()
    )
    date_to = dt.date.fromisoformat(state["date_to"])
    monday = date_to - dt.timedelta(days=date_to.weekday())
    year_start = date_to.replace(month=1, day=1)
    return {
        "week": {"week": monday.isoformat()},
        "period": {"from": year_start.isoformat(), "to": date_to.isoformat()},
        "client": {"client": link.client.public_id} if link else {},
        "statement": {
            "entity": state["big_client_entity_id"],
            "report": "trial_balance",
            "date_from": year_start.isoformat(),
            "date_to": date_to.isoformat(),
        },
        "firm": {"firm": firm.public_id, "as_of": date_to.isoformat()},
    }


# AdminPages on main (url_name -> query builder name); others are opened with no query.
PAGE_QUERIES = {
    "billing_ar_aging": "firm",
    "billing_wip": "firm",
    "reports_statements": "statement",
    "practice_timesheet": "week",
    "billing_realization": "period",
    "billing_new_invoice": "client",
}


def _variants(model_admin, request, changelist: str, rows: int) -> list[tuple[str, str]]:
    """A big changelist's other common views: a search, a deep page, a year, a filter."""
    from django.core.exceptions import FieldDoesNotExist

    out = []
    if model_admin.search_fields:
        out.append(("search", f"{changelist}?{urlencode({'q': 'client'})}"))
    deep = min(DEEP_PAGE, -(-rows // model_admin.list_per_page))  # the last page if sooner
    out.append((f"page {deep}", f"{changelist}?p={deep}"))
    if model_admin.date_hierarchy:
        queryset = model_admin.get_queryset(request)
        last = queryset.order_by(f"-{model_admin.date_hierarchy}").values_list(
            model_admin.date_hierarchy, flat=True
        )[:1]
        if last:
            out.append(
                (
                    f"{last[0].year}",
                    f"{changelist}?{model_admin.date_hierarchy}__year={last[0].year}",
                )
            )
    for item in model_admin.get_list_filter(request):
        name = item[0] if isinstance(item, tuple) else item
        if not isinstance(name, str):
            continue
        try:
            field = model_admin.model._meta.get_field(name)
        except FieldDoesNotExist:  # a lookup through relations: not a variant
            continue
        if field.is_relation and field.many_to_one:
            value = (
                model_admin.get_queryset(request)
                .order_by()
                .values_list(field.attname, flat=True)
                .first()
            )
            if value is not None:
                query = urlencode({f"{name}__{field.target_field.name}__exact": value})
                out.append((f"filter by {name}", f"{changelist}?{query}"))
                break
    return out


def admin_urls(firm, user, state: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, path) of every page to measure, and notes on what was skipped."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    request = _request(user)
    queries = _queries(firm, state)
    urls: list[tuple[str, str]] = [("index (dashboard)", reverse("admin:index"))]
    notes: list[str] = []
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        opts = model._meta
        label = f"{opts.app_label}.{opts.model_name}"
        if opts.app_label == "djstripe" or not (
            model_admin.has_module_permission(request) and model_admin.has_view_permission(request)
        ):
            continue
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = reverse(f"{prefix}_changelist")
        urls.append((f"{label} changelist", changelist))
        queryset = model_admin.get_queryset(request)
        rows = queryset.order_by()[:10_001].count()
        if rows > BIG_LIST:
            for name, path in _variants(model_admin, request, changelist, rows):
                urls.append((f"{label} changelist, {name}", path))
        if model_admin.has_add_permission(request):
            urls.append((f"{label} add", reverse(f"{prefix}_add")))
        pk = queryset.order_by("pk").values_list("pk", flat=True).first()
        if pk is None:
            notes.append(f"{label}: no object of the firm's, no change page measured")
        else:
            urls.append((f"{label} change", reverse(f"{prefix}_change", args=[pk])))
    pages = {}
    for page in admin.site._pages:
        if not page.has_permission(request):
            notes.append(f"page {page.url_name}: not open to the firm's ADMIN, skipped")
            continue
        path = reverse(f"admin:{page.url_name}")
        query = queries.get(PAGE_QUERIES.get(page.url_name, ""), {})
        full = f"{path}?{urlencode(query)}" if query else path
        pages[f"admin:{page.url_name}"] = full
        urls.append((f"page {page.name}" + (" (with a query)" if query else ""), full))
    seen_journeys = set()
    for journey, name, builder in JOURNEYS:
        if journey in seen_journeys:
            continue
        try:
            path = reverse(name)
        except NoReverseMatch:
            notes.append(f"journey {journey}: {name} is not registered (not merged yet), skipped")
            continue
        seen_journeys.add(journey)
        query = queries.get(builder or "", {})
        full = pages.get(name) or (f"{path}?{urlencode(query)}" if query else path)
        if any(p == full for _, p in urls):
            continue  # measured above as a page or an add page
        urls.append((f"journey {journey}", full))
    return urls, notes


_UNBOUNDED_COUNT = re.compile(r"COUNT\(\*\)", re.I)


def _unbounded_counts(sqls: list[str]) -> int:
    """COUNT(*) queries with no LIMIT inside: a count of every row that matches."""
    return sum(1 for sql in sqls if _UNBOUNDED_COUNT.search(sql) and " LIMIT " not in sql.upper())


def in_process(user, path: str) -> dict:
    """The page fetched once here with Django's test client: its status and its queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
        client.get(path)  # the first request pays one-off look-ups (content types, ...)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
    sqls = [q["sql"] for q in captured.captured_queries]
    return {
        "status": response.status_code,
        "queries": len(sqls),
        "unboundedCounts": _unbounded_counts(sqls),
        "location": response.get("Location", ""),
    }


def admin_pages(ctx, *, timed, summary) -> list[dict]:
    api, state = ctx["api"], ctx["state"]
    firm, user = _staff_user(state)
    cookie = _session_cookie(user)
    urls, notes = admin_urls(firm, user, state)
    for note in notes:
        print(f"  note: {note}")
    results = []
    for label, path in urls:
        checked = in_process(user, path)
        result = {"group": "admin", "case": f"{label}: {path}", "path": path, **checked}
        if checked["status"] != 200:
            result["skipped"] = f"answered {checked['status']} {checked['location']}".strip()
            results.append(result)
            ctx["progress"](result)
            continue

        def get(path=path):
            status, data, seconds = api.request("GET", path, headers={"Cookie": cookie})
            if status != 200:
                raise RuntimeError(f"GET {path} -> {status}: {data[:200]!r}")
            return seconds

        h = summary(timed(get, warmup=ctx["warmup"], runs=ctx["runs"]))
        result["http"] = h
        result["targets"] = {
            f"median<{TARGET_MS}ms": h["medianMs"] < TARGET_MS,
            f"p95<{TARGET_MS}ms": h["p95Ms"] < TARGET_MS,
            "no unbounded COUNT": checked["unboundedCounts"] == 0,
        }
        results.append(result)
        ctx["progress"](result)
    return results
