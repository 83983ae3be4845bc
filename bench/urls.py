"""The product's URLs plus the benchmark's floor view (served only under bench.settings)."""

from django.urls import path

from axiomatic.urls import urlpatterns as product
from bench.floor import BareDrf, bare_django, floor

urlpatterns = [
    path("bench/floor", floor, name="bench-floor"),
    path("bench/bare-django", bare_django, name="bench-bare-django"),
    path("bench/bare-drf", BareDrf.as_view(), name="bench-bare-drf"),
    *product,
]
