"""What OPTIONS answers: the view's name, description and formats.

DRF's default also describes each action's serializer; our views validate through explicit
serializers per action instead of `serializer_class`, and the OpenAPI schema (/api/schema/) is the
description of every request and response, so OPTIONS stays small.
"""

from rest_framework.metadata import BaseMetadata


class ApiMetadata(BaseMetadata):
    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "schema": "/api/schema/",
        }
