"""Signals the platform sends for the apps above it to react to."""

from django.dispatch import Signal

# Sent by `manage.py seed_demo` once the demo firm, its people and books exist, so each feature app
# adds its own demo data. Arguments: firm (Entity), owner (User), progress (callable(str) -> None).
demo_firm_seeded = Signal()
