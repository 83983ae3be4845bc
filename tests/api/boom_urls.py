"""The real URLconf plus views that fail on purpose, to test the error shape of the unexpected."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes

from axiomatic.urls import urlpatterns as real_urlpatterns


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def drf_boom(request):
    raise RuntimeError("secret internal detail")


def django_boom(request):
    raise ValueError("secret internal detail")


def plain_html_error(request):
    return HttpResponse("<h1>Bad</h1>", status=400, content_type="text/html")


urlpatterns = [
    path("api/test/drf-boom", drf_boom),
    path("api/test/django-boom", django_boom),
    path("api/test/html-error", plain_html_error),
    path("outside/boom", django_boom),
    # Failing views under paths that carry a token, as share links and invitations do.
    path("api/test/boom/<str:token>", drf_boom),
    path("api/test/plain-boom/<str:token>", django_boom),
    path("outside/boom/<str:token>", django_boom),
    *real_urlpatterns,
]
