"""Hooks and registries: what a lower layer calls and a higher one plugs in at start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from axiomatic.core.hooks import Hook, Registry
from billing.pages import client_invoices_section
from practice.pages import client_home_sections


def test_a_registry_lists_its_callables_in_registration_order():
    registry = Registry("test section")
    first, second = (lambda: 1), (lambda: 2)
    registry.register("b", first)
    registry.register("a", second)

    assert registry.items() == [("b", first), ("a", second)]
    assert "a" in registry and "c" not in registry
    with pytest.raises(ImproperlyConfigured, match="No test section is registered for 'c'"):
        registry.require("c")


def test_an_unplugged_hook_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="Nothing is connected to the hook 'test'"):
        Hook("test")()


def test_billing_adds_the_invoices_section_to_the_client_home_page():
    assert client_home_sections.items() == [("invoices", client_invoices_section)]
