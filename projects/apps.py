from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        # Registrations: the project brief PDF (exports); sign-offs in the approval inbox and notifications;
        # the dictionary in the inbox, notifications and exports.
        from . import dictionary_registry, exports, signoffs  # noqa: F401
