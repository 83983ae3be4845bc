"""The WSGI entry point: the application, with what start-up built frozen out of the collector."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_wsgi_application_freezes_what_start_up_built():
    script = (
        "import gc; assert gc.get_freeze_count() == 0\n"
        "import axiomatic.wsgi as w\n"
        "import django.urls\n"
        "assert callable(w.application)\n"
        "assert django.urls.get_resolver().__dict__.get('url_patterns') is not None\n"
        "print(gc.get_freeze_count())\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "axiomatic.test_settings",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    frozen = int(done.stdout.strip().splitlines()[-1])
    assert frozen > 50_000  # modules, models, admin, the URLconf's views: ~190,000 here
