from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManualsConfig(AppConfig):
    name = "manuals"
    verbose_name = _("Screenshot manuals")

    def ready(self):
        # Changed screenshots in the approval inbox, notifications, reminders, PDF exports, "where used" and rules.
        from . import registry, rules  # noqa: F401
