"""The product's URLs plus the benchmark's floor view (served only under bench.settings)."""

from django.urls import path

from axiomatic.urls import urlpatterns as product
from bench.floor import floor

urlpatterns = [path("bench/floor", floor, name="bench-floor"), *product]
