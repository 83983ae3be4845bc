"""Base classes for API views."""

from functools import cached_property

from rest_framework import viewsets


class ApiViewSet(viewsets.GenericViewSet):
    """A viewset whose query parameters are validated by `query_serializer_class` (400 on bad input)."""

    query_serializer_class = None

    @cached_property
    def query(self) -> dict:
        serializer = self.query_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
