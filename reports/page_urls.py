from django.urls import path

from reports import views

urlpatterns = [
    path("view/<str:signed>", views.share_view_page, name="report-share-view"),
]
