"""The floor the statements are measured against: a bare Django view that runs the statements'
monthly-balance query and returns its rows as JSON.

No DRF, no authentication, no template, no chart of accounts, no statement built: the request goes
through gunicorn and Django's middleware (as every product request does), runs the query and
serializes the rows. `GET /bench/floor?book=<pk>&to=YYYY-MM-DD` -> `{"rows": [[account id, debit
cents, credit cents], ...]}` in account id order.

The query is the one `axiomatic.ledger.selectors.account_balances` runs for an as-of date `to`
(what the trial balance and the balance sheet ask for): the whole months before the month after
`to` from AccountMonthBalance when `to` is a month's last day; otherwise the whole months before
`to`'s month plus that month's lines up to `to`.
"""

import datetime as dt

from django.db.models import Sum
from django.http import HttpResponseBadRequest, JsonResponse

from axiomatic.ledger.models import AccountMonthBalance, JournalLine


def month_balance_rows(*, book_id: int, date_to: dt.date) -> list[tuple[int, int, int]]:
    """(account id, debit cents, credit cents) of the book's accounts with any amount to `date_to`."""
    month = date_to.replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    whole_to = next_month if date_to == next_month - dt.timedelta(days=1) else month
    totals: dict[int, list[int]] = {}
    months = (
        AccountMonthBalance.objects.filter(book_id=book_id, month__lt=whole_to)
        .order_by()
        .values("account_id")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    )
    parts = [months]
    if whole_to == month:
        parts.append(
            JournalLine.objects.filter(book_id=book_id, date__gte=month, date__lte=date_to)
            .order_by()
            .values("account_id")
            .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        )
    for part in parts:
        for row in part:
            total = totals.setdefault(row["account_id"], [0, 0])
            total[0] += row["debit"]
            total[1] += row["credit"]
    return [(account, *totals[account]) for account in sorted(totals)]


def floor(request):
    try:
        book_id = int(request.GET["book"])
        date_to = dt.date.fromisoformat(request.GET["to"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("book=<pk>&to=YYYY-MM-DD")
    return JsonResponse({"rows": month_balance_rows(book_id=book_id, date_to=date_to)})
