"""The API's version: a date, answered in `Axiomatic-Version` on every response under /api/.

The version changes only with a breaking change (README "Versioning", ADR 0033; CHANGELOG.md lists
every change). Additions (new endpoints, optional parameters, response fields and headers, webhook
event types) ship within the version.
"""

API_VERSION = "2026-12-01"
VERSION_HEADER = "Axiomatic-Version"
