"""Django's admin app, with our site (axiomatic.admin_site) as the default `admin.site`.

Kept apart from the site's module: INSTALLED_APPS imports this before any model can load.
"""

from django.contrib.admin.apps import AdminConfig


class AxiomaticAdminConfig(AdminConfig):
    default_site = "axiomatic.admin_site.AxiomaticAdminSite"
