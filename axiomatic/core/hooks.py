"""Hooks: how a lower layer lets a higher one act without importing it.

Layers point one way (models < selectors < events < services < tasks < views). Sometimes a lower
layer must start something that lives above it: a service queues a Celery task after commit, the
outbox asks the API layer for an event's body. The lower module declares a `Hook` and calls it; the
higher module plugs its callable in at start-up, in its `AppConfig.ready`. The import then points
down, as every import must, and a hook left unplugged fails loudly instead of doing nothing.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Hook:
    """One callable, plugged in once at start-up and called by the layer below."""

    def __init__(self, description: str) -> None:
        self.description = description
        self._target: Callable[..., Any] | None = None

    def connect(self, target: Callable[..., Any]) -> None:
        self._target = target

    @property
    def connected(self) -> bool:
        return self._target is not None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._target is None:
            raise ImproperlyConfigured(
                f"Nothing is connected to the hook {self.description!r}: the app that serves it "
                "connects it in its AppConfig.ready(); check that it is in INSTALLED_APPS."
            )
        return self._target(*args, **kwargs)


class Registry:
    """Callables by key (an event type, say), each registered once at start-up."""

    def __init__(self, description: str) -> None:
        self.description = description
        self._targets: dict[str, Callable[..., Any]] = {}

    def register(self, key: str, target: Callable[..., Any]) -> None:
        self._targets[key] = target

    def __contains__(self, key: str) -> bool:
        return key in self._targets

    def items(self) -> list[tuple[str, Callable[..., Any]]]:
        """Every key with its callable, in the order they were registered (for a registry whose
        callers run them all, such as the sections of a page)."""
        return list(self._targets.items())

    def require(self, key: str) -> None:
        """Fail now, naming what is missing, rather than later where no one sees it."""
        self[key]

    def __getitem__(self, key: str) -> Callable[..., Any]:
        try:
            return self._targets[key]
        except KeyError:
            raise ImproperlyConfigured(
                f"No {self.description} is registered for {key!r}: the app that owns it "
                "registers one in its AppConfig.ready()."
            ) from None
