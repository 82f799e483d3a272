from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "pmo_portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.contrib import admin

        from . import reminders  # noqa: F401  (registers the built-in reminder kinds)

        # Only superusers administer through Django admin; staff flags grant nothing.
        admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
