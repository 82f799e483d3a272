"""Vendors and an issued RFP take part in notifications (invitations, questions, published answers, addenda).

Imported by ``rfp/services/vendors.py`` (so the kinds exist wherever the services run) and by ``RfpConfig.ready``.
"""

from django.utils.translation import gettext_lazy

from pmo_portal import notifications
from pmo_portal.models import Delivery

notifications.register_kind(
    "rfp.invited",
    label=gettext_lazy("Invitations of your company to an RFP"),
    sentence=gettext_lazy(
        "Your company is invited to answer the RFP “%(rfp)s”. Read it, ask your questions and submit your proposal before the deadlines shown on its pages."
    ),
)
notifications.register_kind(
    "rfp.vendor_question",
    label=gettext_lazy("Vendors' questions about an RFP"),
    sentence=gettext_lazy("%(vendor)s asked a question about the RFP “%(rfp)s”."),
    default_delivery=Delivery.DIGEST,
)
notifications.register_kind(
    "rfp.answer_published",
    label=gettext_lazy("Answers published to the vendors of an RFP"),
    sentence=gettext_lazy("A new answer to a vendor question about the RFP “%(rfp)s” is published: %(summary)s"),
)
notifications.register_kind(
    "rfp.addendum",
    label=gettext_lazy("Addenda to an RFP"),
    sentence=gettext_lazy(
        "The RFP “%(rfp)s” has changed: addendum version %(version)s is published with the answer to a vendor question. Read what changed before you submit your proposal."
    ),
)
