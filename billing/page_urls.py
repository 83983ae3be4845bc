"""The billed client's invoice pages (billing.pages), beside practice's /client/ home page."""

from django.urls import path

from billing import pages

urlpatterns = [
    path("client/invoices/<str:invoice_id>", pages.client_invoice_page, name="client-invoice"),
    path(
        "client/invoices/<str:invoice_id>/pdf",
        pages.client_invoice_pdf,
        name="client-invoice-pdf",
    ),
]
