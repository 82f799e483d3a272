from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RfpConfig(AppConfig):
    name = "rfp"
    verbose_name = _("RFP drafting")

    def ready(self):
        # Registrations: the RFP in the approval inbox, notifications, PDF exports and the dictionary's "where used";
        # vendors' invitations, questions and answers; the evaluation's recommendation in the inbox and its PDF;
        # reminders of clauses due for review.
        from . import evaluation_registry, library_registry, registry, vendor_registry  # noqa: F401
