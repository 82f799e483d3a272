"""Sign-off requests take part in the approval inbox and in notifications (registered when the app loads)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo_portal import inbox, notifications
from pmo_portal.models import Delivery

from . import dictionary_usage, services
from .models import SignOffRequest, SignOffStatus


def _decided_sentence(params) -> str:
    if params["decision"] == SignOffStatus.APPROVED:
        return _("%(approver)s signed off “%(title)s”.") % params
    return _("%(approver)s rejected “%(title)s”: %(comment)s") % params


notifications.register_kind(
    "signoff.requested",
    label=gettext_lazy("Sign-off requests waiting for you"),
    sentence=gettext_lazy("%(requester)s asks you to sign off “%(title)s”: %(summary)s"),
    default_delivery=Delivery.IMMEDIATE,
)
notifications.register_kind(
    "signoff.decided",
    label=gettext_lazy("Answers to your sign-off requests"),
    sentence=_decided_sentence,
    default_delivery=Delivery.IMMEDIATE,
)

inbox.register(
    inbox.InboxKind(
        key="signoff",
        label=gettext_lazy("Sign-off"),
        pending=lambda user: SignOffRequest.objects.waiting_for(user),
        visible=lambda user: SignOffRequest.objects.visible_to(user),
        summary=lambda signoff: f"{signoff.title}: {signoff.summary}",
        waiting_since=lambda signoff: signoff.created_at,
        project=lambda signoff: signoff.project,
        url=lambda signoff: signoff.get_absolute_url(),
        approve=lambda actor, signoff, comment: services.signoff_approve(actor=actor, signoff=signoff, comment=comment),
        reject=lambda actor, signoff, comment: services.signoff_reject(actor=actor, signoff=signoff, comment=comment),
        can_decide=lambda user, signoff: user.has_perm("projects.decide_signoff", signoff),
    )
)

# Sign-off requests are documents the PMO writes: the dictionary's "where used" panel looks in them too.
dictionary_usage.register(
    dictionary_usage.UsageSource(
        key="signoff",
        label=gettext_lazy("Sign-off requests"),
        documents=lambda project: SignOffRequest.objects.filter(project=project).select_related("project", "requested_by"),  # fmt: skip
        visible=lambda user: SignOffRequest.objects.visible_to(user),
        text_fields=("title", "summary", "details"),
        title=lambda signoff: signoff.title,
        url=lambda signoff: signoff.get_absolute_url(),
        authors=lambda signoff: [signoff.requested_by],
    )
)
