"""Fill what 0011 added for the books that exist: each account's cash-flow section (as the default
chart gives it) and the monthly balances of every book, from its lines."""

from django.db import migrations
from django.db.models import Sum
from django.db.models.functions import TruncMonth

# The mapping as it stood when this migration was written (axiomatic.ledger.chart holds today's).
SECTIONS = {
    "cash": "cash",
    "accumulated_depreciation": "non_cash",
    "fixed_asset": "investing",
    "long_term_debt": "financing",
    "owner_equity": "financing",
    "owner_draw": "financing",
    "retained_earnings": "financing",
}


def backfill(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    JournalLine = apps.get_model("ledger", "JournalLine")
    AccountMonthBalance = apps.get_model("ledger", "AccountMonthBalance")
    Account.objects.filter(type__in=["revenue", "expense"]).update(cash_flow_section="net_income")
    Account.objects.filter(type="equity").update(cash_flow_section="financing")
    for subtype, section in SECTIONS.items():
        Account.objects.filter(subtype=subtype).exclude(type__in=["revenue", "expense"]).update(
            cash_flow_section=section
        )
    AccountMonthBalance.objects.all().delete()
    months = (
        JournalLine.objects.order_by()
        .annotate(month=TruncMonth("date"))
        .values("book_id", "account_id", "month")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    )
    AccountMonthBalance.objects.bulk_create(
        (
            AccountMonthBalance(
                book_id=row["book_id"],
                account_id=row["account_id"],
                month=row["month"],
                debit_cents=row["debit"],
                credit_cents=row["credit"],
            )
            for row in months.iterator()
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_monthly_balances_cash_flow")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
