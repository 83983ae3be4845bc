"""The real URLconf plus a streamed API response, to test what a streamed body keeps."""

from django.http import StreamingHttpResponse
from django.urls import path

from axiomatic.core.request_context import current_request_id
from axiomatic.urls import urlpatterns as real_urlpatterns

# The request id current while each chunk was made, appended as the chunks are produced.
SEEN_WHILE_STREAMING: list[str | None] = []


def streamed(request):
    def chunks():
        for number in range(3):
            SEEN_WHILE_STREAMING.append(current_request_id())
            yield f"row {number}\n"

    return StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")


urlpatterns = [path("api/test/streamed", streamed), *real_urlpatterns]
