"""Configuration from the environment, checked in fresh interpreters (settings load once per process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "SITE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "STRIPE_SECRET_KEY",
    "STRIPE_API_BASE",
    "STRIPE_WEBHOOK_SECRET",
)

PROBE = """
import json, django
from django.conf import settings
django.setup()
from axiomatic.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER, "broker": app.conf.broker_url,
    "celery_eager": app.conf.task_always_eager,
    "cache": settings.CACHES["default"]["BACKEND"],
    "email_backend": settings.EMAIL_BACKEND, "email_host": getattr(settings, "EMAIL_HOST", None),
    "email_port": getattr(settings, "EMAIL_PORT", None),
    "site": settings.SITE_URL, "hosts": settings.ALLOWED_HOSTS, "debug": settings.DEBUG,
    "secret_len": len(settings.SECRET_KEY), "secret": settings.SECRET_KEY,
    "stripe_key": settings.STRIPE_SECRET_KEY, "stripe_base": settings.STRIPE_API_BASE,
    "logins": [settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds(),
               settings.PASSWORD_RESET_LIMIT],
}))
"""


def probe(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in NAMES}
    clean["DJANGO_SETTINGS_MODULE"] = "axiomatic.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(**env) -> dict:
    done = probe(**env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_embedded_defaults_with_debug():
    s = settings_with(DEBUG="true")
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(ROOT / "db.sqlite3")
    assert s["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in s["options"]["init_command"]
    assert s["eager"] is True and s["celery_eager"] is True
    assert s["cache"].endswith("LocMemCache")
    assert s["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert s["site"] == "http://127.0.0.1:8000"
    assert {"127.0.0.1", "localhost"} <= set(s["hosts"])
    assert s["secret_len"] >= 50
    assert s["stripe_key"] == ""


def test_the_development_secret_is_random_per_process():
    assert settings_with(DEBUG="true")["secret"] != settings_with(DEBUG="true")["secret"]


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    done = probe(DEBUG="false")
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr


def test_production_like_settings_from_the_environment():
    s = settings_with(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        DATABASE_URL="postgres://app:pw@db.internal:5433/axiomatic",
        REDIS_URL="redis://cache.internal:6380/2",
        EMAIL_URL="smtp://mail.internal:2525",
        SITE_URL="https://practice.example.test/",
        STRIPE_SECRET_KEY="sk_test_" + "a" * 24,
        STRIPE_API_BASE="http://127.0.0.1:8420",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "axiomatic"
    assert s["eager"] is False and s["celery_eager"] is False
    assert s["broker"] == "redis://cache.internal:6380/2"
    assert s["cache"].endswith("RedisCache")
    assert s["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["email_host"], s["email_port"]) == ("mail.internal", 2525)
    assert s["site"] == "https://practice.example.test"
    assert s["hosts"] == ["practice.example.test"]
    assert s["stripe_key"].startswith("sk_test_")
    assert s["stripe_base"] == "http://127.0.0.1:8420"


def test_celery_broker_url_wins_over_redis_url_and_hosts_can_be_listed():
    s = settings_with(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        REDIS_URL="redis://127.0.0.1:6379/1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
        ALLOWED_HOSTS="a.example.test,b.example.test",
    )
    assert s["broker"] == "redis://127.0.0.1:6379/3"
    assert s["hosts"] == ["a.example.test", "b.example.test"]


@pytest.mark.parametrize("site", ["ftp://x", "not a url", "/relative"])
def test_a_bad_site_url_is_refused_with_a_clear_message(site):
    done = probe(DEBUG="true", SITE_URL=site)
    assert done.returncode != 0
    assert "SITE_URL" in done.stderr


def test_login_limits_come_from_the_environment_with_defaults():
    assert settings_with(DEBUG="true")["logins"] == [5, 15 * 60, 5]
    tuned = settings_with(
        DEBUG="true", AXES_FAILURE_LIMIT="8", AXES_COOLOFF_MINUTES="30", PASSWORD_RESET_LIMIT="3"
    )
    assert tuned["logins"] == [8, 30 * 60, 3]


def test_env_example_lists_every_operator_setting():
    text = (ROOT / ".env.example").read_text()
    for name in NAMES:
        assert f"{name}=" in text, name
