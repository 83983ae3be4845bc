"""Reports paths as the contract spells them (docs/adr/0002)."""

from django.urls import path

from reports import views

shares = views.ShareViewSet

urlpatterns = [
    path("pdf", views.StatementViewSet.as_view({"get": "retrieve"}), name="report-statement"),
    path("share", shares.as_view({"get": "list", "post": "create"}), name="report-shares"),
    path(
        "share/<str:share_id>/accesses",
        shares.as_view({"get": "accesses"}),
        name="report-share-accesses",
    ),
    path(
        "share/<str:share_id>/revoke",
        shares.as_view({"post": "revoke"}),
        name="report-share-revoke",
    ),
    path(
        "share/<str:token>",
        views.ShareOpenViewSet.as_view({"get": "open"}),
        name="report-share-open",
    ),
]
