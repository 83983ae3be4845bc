from django.urls import path

from practice import pages

urlpatterns = [
    path("invitations/accept/<str:token>", pages.invitation_accept_page, name="invitation-accept"),
    path("client/", pages.client_home, name="client-home"),
]
