"""dj-stripe's tables for the test databases, as one migration made from its models
(`MIGRATION_MODULES` in axiomatic/test_settings.py): replaying its own history costs ~150 s of CPU
per test database. `make check` fails if this drifts from the installed dj-stripe's models;
regenerate it with `make djstripe-test-migration`."""
