"""The floor the statements are measured against: a bare Django view that runs the statements'
monthly-balance query and returns its rows as JSON.

No DRF, no authentication, no template, no chart of accounts, no statement built: the request goes
through gunicorn and Django's middleware (as every product request does), runs the query and
serializes the rows. `GET /bench/floor?book=<pk>&to=YYYY-MM-DD` -> `{"rows": [[account id, debit
cents, credit cents], ...]}` in account id order.

The query is the statements' own: `axiomatic.ledger.selectors.balance_totals`, what
`account_balances` runs for an as-of date `to` (the trial balance and the balance sheet) before it
matches the chart of accounts: the whole months to `to` from AccountMonthBalance, plus, when `to`
is not a month's last day, that month's lines up to `to`.
"""

import datetime as dt

from django.http import HttpResponseBadRequest, JsonResponse
from rest_framework.response import Response
from rest_framework.views import APIView

from axiomatic.ledger.models import Book
from axiomatic.ledger.selectors import balance_totals


def floor(request):
    try:
        book_id = int(request.GET["book"])
        date_to = dt.date.fromisoformat(request.GET["to"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("book=<pk>&to=YYYY-MM-DD")
    # The book by its key alone (no look-up query): the selector only filters on it.
    totals = balance_totals(book=Book(pk=book_id), date_to=date_to)
    return JsonResponse({"rows": [(account, *totals[account]) for account in sorted(totals)]})


# The stack's own floors for the fixed cost (issue 21): 10 constant rows from a bare Django view,
# and a bare DRF APIView (no authentication, permission or throttle) whose OPTIONS is DRF's own,
# with the product's metadata class, both through the product's middleware: an authenticated
# OPTIONS of the API reads as a ratio to the second.
CONSTANT_ROWS = [{"id": f"row_{n:02d}", "n": n} for n in range(10)]


def bare_django(request):
    return JsonResponse({"rows": CONSTANT_ROWS})


class BareDrf(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    def get(self, request):
        return Response({"rows": CONSTANT_ROWS})
