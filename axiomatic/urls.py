from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from axiomatic.api.views_health import health

urlpatterns = [
    path("admin/", admin.site.urls),
    # Stripe's webhooks, verified and stored by dj-stripe: /stripe/webhook/<endpoint uuid>/
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
    path("api/ledger/", include("axiomatic.ledger.urls")),
    path("api/practice/", include("axiomatic.webhooks.urls")),
    path("api/practice/", include("billing.urls")),
    path("api/practice/", include("practice.urls")),
    path("api/reports/", include("reports.urls")),
    path("reports/", include("reports.page_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("axiomatic.accounts.urls")),
    path("", include("billing.page_urls")),
    path("", include("practice.page_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("health", health, name="health"),
]
