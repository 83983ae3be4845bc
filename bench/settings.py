"""The product's settings, with the benchmark's URLs (bench.urls: the product's + the floor view).

Only the bench's gunicorn runs with these (measure.py sets DJANGO_SETTINGS_MODULE=bench.settings);
the product never serves the floor.
"""

from axiomatic.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
