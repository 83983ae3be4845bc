"""Keyset pagination: every row once, in order, and a deep page that starts at its cursor."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.api.pagination import keyset_page
from axiomatic.entities.models import Entity
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def walk(ordering, limit):
    queryset = Entity.objects.filter(industry="Paging")
    seen, cursor = [], None
    while True:
        page = keyset_page(queryset, ordering=ordering, limit=limit, cursor=cursor, salt="t")
        seen.extend(page.items)
        if not page.has_more:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("ordering", [("-name", "-id"), ("name", "id")])
def test_pages_walk_ties_on_the_leading_field_once_each_in_order(ordering):
    for name in ["Alpha", "Alpha", "Bravo", "Bravo", "Bravo", "Charlie"]:
        EntityFactory(name=name, industry="Paging")
    expected = list(Entity.objects.filter(industry="Paging").order_by(*ordering))

    for limit in (1, 2, 4):
        assert walk(ordering, limit) == expected


def test_a_page_after_a_cursor_bounds_the_leading_field_so_an_index_range_can_start_there():
    for name in ["Alpha", "Bravo", "Charlie"]:
        EntityFactory(name=name, industry="Paging")
    queryset = Entity.objects.filter(industry="Paging")
    first = keyset_page(queryset, ordering=("-name", "-id"), limit=1, cursor=None, salt="t")

    with CaptureQueriesContext(connection) as captured:
        keyset_page(
            queryset, ordering=("-name", "-id"), limit=1, cursor=first.next_cursor, salt="t"
        )

    (sql,) = [q["sql"] for q in captured.captured_queries]
    # Not only inside the OR: a plain bound that an index range on (name, id) can use.
    assert '"entities_entity"."name" <= ' in sql
