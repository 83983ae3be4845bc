"""Billing paths under /api/practice/billing, as the contract spells them (docs/adr/0002)."""

from django.urls import path

from billing import views, views_receivables

urlpatterns = [
    path(
        "billing",
        views.BillingOverviewViewSet.as_view({"get": "retrieve"}),
        name="billing-overview",
    ),
    path(
        "billing/invoice", views.InvoiceViewSet.as_view({"post": "create"}), name="billing-invoice"
    ),
    path(
        "billing/invoices",
        views.InvoiceListViewSet.as_view({"get": "list"}),
        name="billing-invoices",
    ),
    path(
        "billing/invoices/<str:invoice_id>",
        views.InvoiceDetailViewSet.as_view({"get": "retrieve"}),
        name="billing-invoice-detail",
    ),
    path(
        "billing/invoices/<str:invoice_id>/send",
        views.InvoiceViewSet.as_view({"post": "send"}),
        name="billing-invoice-send",
    ),
    path(
        "billing/invoices/<str:invoice_id>/void",
        views.InvoiceViewSet.as_view({"post": "void"}),
        name="billing-invoice-void",
    ),
    path(
        "billing/invoices/<str:invoice_id>/history",
        views.InvoiceViewSet.as_view({"get": "history"}),
        name="billing-invoice-history",
    ),
    path(
        "billing/invoices/<str:invoice_id>/payments",
        views.InvoiceViewSet.as_view({"post": "pay"}),
        name="billing-invoice-payments",
    ),
    path(
        "billing/payments", views.PaymentViewSet.as_view({"get": "list"}), name="billing-payments"
    ),
    path(
        "billing/payments/<str:payment_id>/void",
        views.PaymentViewSet.as_view({"post": "void"}),
        name="billing-payment-void",
    ),
    path(
        "billing/ar-aging",
        views_receivables.ReceivablesViewSet.as_view({"get": "aging"}),
        name="billing-ar-aging",
    ),
    path(
        "billing/wip",
        views_receivables.ReceivablesViewSet.as_view({"get": "wip"}),
        name="billing-wip",
    ),
    path(
        "billing/realization",
        views_receivables.RealizationViewSet.as_view({"get": "retrieve"}),
        name="billing-realization",
    ),
]
