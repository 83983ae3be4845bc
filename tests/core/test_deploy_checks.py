"""`manage.py check --deploy` warns about each embedded default that is wrong in production (a
per-process cache, email that is not sent, Celery without a broker, SQLite) and is quiet once the
real part is configured. Run in fresh interpreters: settings are read once per process."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from axiomatic.core.checks import production_services_check
from tests.test_configuration import NAMES

ROOT = Path(__file__).resolve().parent.parent.parent
OURS = re.compile(r"\(axiomatic\.W\d{3}\)")
WARNING_OF = {
    "cache": "axiomatic.W001",
    "email": "axiomatic.W002",
    "celery": "axiomatic.W003",
    "database": "axiomatic.W004",
}
# What `make check` gives its production run: real parts, which the check never connects to.
# REDIS_URL backs the cache and is the Celery broker.
MAKE_CHECK = {
    "DATABASE_URL": "postgres://axiomatic@db.invalid:5432/axiomatic",
    "REDIS_URL": "redis://cache.invalid:6379/0",
    "EMAIL_URL": "smtp://mail.invalid:25",
}
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2,
    "SITE_URL": "https://practice.example.com",
}
SCENARIOS = {
    "all defaults": PRODUCTION,
    "all real": {**PRODUCTION, **MAKE_CHECK},
    "debug on": {"DEBUG": "true"},
}


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> dict[str, tuple[int, str]]:
    """`check --deploy --fail-level WARNING` of every scenario, run side by side."""
    sqlite = tmp_path_factory.mktemp("deploy") / "db.sqlite3"
    # Nothing of the test run's own environment: other tests set DJANGO_ALLOW_ASYNC_UNSAFE, which
    # Django's deploy checks refuse, and our variables are what each scenario decides.
    base = {k: v for k, v in os.environ.items() if k not in NAMES and not k.startswith("DJANGO_")}
    base["DJANGO_SETTINGS_MODULE"] = "axiomatic.settings"
    base["DATABASE_URL"] = f"sqlite:///{sqlite}"  # the default engine, outside the project folder
    running = {
        name: subprocess.Popen(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env={**base, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, env in SCENARIOS.items()
    }
    outputs = {name: p.communicate(timeout=120)[0] for name, p in running.items()}
    return {name: (running[name].returncode, outputs[name]) for name in running}


def our_warnings(output: str) -> set[str]:
    return {match.strip("()") for match in OURS.findall(output)}


def test_the_development_defaults_with_debug_off_give_every_warning(checked):
    status, output = checked["all defaults"]
    assert our_warnings(output) == set(WARNING_OF.values()), output
    assert status != 0  # --fail-level WARNING: make check fails on them
    for variable in ("REDIS_URL", "EMAIL_URL", "CELERY_BROKER_URL", "DATABASE_URL"):
        assert variable in output  # each hint names what to set


def test_real_parts_pass_the_production_check(checked):
    status, output = checked["all real"]
    assert our_warnings(output) == set(), output
    assert status == 0, output
    makefile = (ROOT / "Makefile").read_text()
    assert all(
        f"{name}={url}" in makefile for name, url in MAKE_CHECK.items()
    )  # what make check runs


def test_with_debug_on_the_defaults_are_intended_and_nothing_is_said(checked):
    assert our_warnings(checked["debug on"][1]) == set()


# In process, one part at a time: what the settings make of each variable, in override_settings.
REAL_SETTINGS = {
    "cache": {
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://cache.invalid:6379/0",
            }
        }
    },
    "email": {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
    "celery": {"CELERY_TASK_ALWAYS_EAGER": False, "CELERY_BROKER_URL": "redis://broker.invalid/1"},
    "database": {"DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql"}}},
}
DEFAULT_SETTINGS = {
    "cache": {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}},
    "email": {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
    "celery": {"CELERY_TASK_ALWAYS_EAGER": True, "CELERY_BROKER_URL": ""},
    "database": {"DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3"}}},
}


def ids_with(debug: bool, default_parts: set[str]) -> set[str]:
    chosen: dict = {"DEBUG": debug}
    for part in REAL_SETTINGS:
        chosen.update((DEFAULT_SETTINGS if part in default_parts else REAL_SETTINGS)[part])
    # Only the check reads these DATABASES and CACHES: no connection is made or replaced.
    with pytest.warns(UserWarning, match="DATABASES"), override_settings(**chosen):
        return {warning.id for warning in production_services_check()}


@pytest.mark.parametrize("part", list(REAL_SETTINGS))
def test_each_part_left_at_its_default_gives_its_own_warning(part):
    assert ids_with(False, {part}) == {WARNING_OF[part]}
    assert ids_with(True, {part}) == set()


def test_a_dummy_cache_counts_nothing_and_is_warned_about_too():
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(DEBUG=False, CACHES=dummy):
        assert WARNING_OF["cache"] in {warning.id for warning in production_services_check()}
