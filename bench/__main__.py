"""`make bench`: seed a large partner firm on PostgreSQL, then measure the hot paths over HTTP.

    python -m bench seed --scale 1.0     # (re)creates the bench database, migrates, seeds
    python -m bench measure               # gunicorn on loopback, timings, load, table + JSON

Both read DATABASE_URL (default: the axiomatic_bench database on the local PostgreSQL) and
REDIS_URL (default: Redis db 12). The seed writes artifacts/bench/state.json (the firm, its API key
and what was seeded); measure reads it and writes artifacts/bench/results-<time>.json and
artifacts/bench/latest.json.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "bench"
STATE = ARTIFACTS / "state.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/axiomatic_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"


def _environment() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "axiomatic.settings")
    os.environ.setdefault("DEBUG", "false")
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")


def _recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def cmd_seed(args) -> None:
    import secrets

    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    # The seed's whole-book statements (the checks over a 10M-line book take minutes) run without
    # the product's statement timeout (DB_STATEMENT_TIMEOUT_MS, 30 s by default; 0 turns it off).
    os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")
    _environment()
    started = time.monotonic()
    print(f"Recreating {urlparse(os.environ['DATABASE_URL']).path.lstrip('/')} ...", flush=True)
    _recreate_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    print("Migrating (dj-stripe's migrations take about a minute) ...", flush=True)
    t0 = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_seconds = time.monotonic() - t0

    from bench.seed import seed

    seeded = seed(scale=args.scale)
    seeded.seconds["migrate"] = round(migrate_seconds, 1)
    seeded.seconds = {k: round(v, 1) for k, v in seeded.seconds.items()}
    total = time.monotonic() - started
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    state = {
        "scale": args.scale,
        "databaseUrl": os.environ["DATABASE_URL"],
        "seededAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "totalSeconds": round(total, 1),
        **seeded.__dict__,
    }
    STATE.write_text(json.dumps(state, indent=2))
    print(json.dumps({k: v for k, v in state.items() if k != "api_key"}, indent=2))
    print(f"Seeded in {total:.0f} s; state in {STATE.relative_to(ROOT)}")


def cmd_measure(args) -> None:
    if not STATE.exists():
        sys.exit("Nothing seeded yet: run `python -m bench seed` (or `make bench`) first.")
    state = json.loads(STATE.read_text())
    os.environ.setdefault("DATABASE_URL", state["databaseUrl"])
    import secrets

    # The server and this process share the key, so a cursor minted here is one the server made.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    _environment()
    import django

    django.setup()
    from bench.measure import measure

    measure(state=state, args=args, artifacts=ARTIFACTS)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    seed = sub.add_parser("seed", help="recreate the bench database and seed it")
    seed.add_argument("--scale", type=float, default=1.0, help="1.0 = the full size (default)")
    seed.set_defaults(func=cmd_seed)
    measure = sub.add_parser("measure", help="serve with gunicorn and measure")
    measure.add_argument("--runs", type=int, default=15, help="timed runs per read case")
    measure.add_argument("--warmup", type=int, default=2, help="untimed runs first")
    measure.add_argument("--write-runs", type=int, default=7, help="timed runs per write case")
    measure.add_argument("--port", type=int, default=8765)
    measure.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    measure.add_argument("--load-seconds", type=int, default=20, help="per load phase")
    measure.add_argument("--load-connections", type=int, default=16)
    measure.add_argument("--skip-load", action="store_true")
    measure.add_argument("--only", default="", help="comma-separated groups to run")
    measure.set_defaults(func=cmd_measure)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
