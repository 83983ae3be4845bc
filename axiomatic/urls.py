from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from axiomatic.api.views_health import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/ledger/", include("axiomatic.ledger.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("health", health, name="health"),
]
