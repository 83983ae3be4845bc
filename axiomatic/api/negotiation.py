"""Content negotiation for endpoints whose `format` query parameter picks the document (JSON, HTML,
PDF, CSV): the view decides from the validated parameter, never from the Accept header, so that a
link pasted into a browser gets the same answer as a client library. A request body is still parsed
by its Content-Type (DRF's default), so a write on the same view answers 415 to a body it cannot read."""

from rest_framework.negotiation import DefaultContentNegotiation


class FormatParamNegotiation(DefaultContentNegotiation):
    """The `format` query parameter chooses the document, not the Accept header."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
