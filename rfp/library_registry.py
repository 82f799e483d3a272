"""The firm's library takes part in notifications and reminders (import it in RfpConfig.ready()).

A clause past its review date reminds its owner once a week until it is reviewed (saved with a new date).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from pmo_portal import notifications, reminders
from pmo_portal.models import Delivery
from projects.models import Membership, Role

from .services.library import clauses_overdue

notifications.register_kind(
    "rfp.clause_review",
    label=gettext_lazy("Reusable RFP clauses you own that are due for review"),
    sentence=gettext_lazy(
        "The clause “%(title)s” was due for review on %(review_date)s. Check that it is still right and save it with its next review date: until then it cannot go into an RFP."
    ),
    default_delivery=Delivery.IMMEDIATE,
)


def clauses_due_for_review(now):
    """Each clause past its review date, to its owner (still active, still of the firm): once per ISO week."""
    today = timezone.localdate(now)
    year, week, _day = today.isocalendar()
    for clause in clauses_overdue(today):
        yield clause.owner, clause, f"{clause.pk}:{year}-W{week:02d}"


def _edit_url(clause) -> str:
    """The clause's page, reached through a project where its owner is PMO staff (the library lives under one)."""
    code = (
        Membership.objects.filter(user=clause.owner, role=Role.PMO, project__pmo_firm=clause.organization_id)
        .order_by("-project__start_date", "project__code")
        .values_list("project__code", flat=True)
        .first()
    )
    return reverse("rfp:clause_edit", kwargs={"code": code, "clause_pk": clause.pk}) if code else ""


def remind_clause_review(recipient, clause):
    return notifications.notify(
        recipient=recipient,
        kind="rfp.clause_review",
        obj=clause,
        url=_edit_url(clause),
        params={"title": clause.title, "review_date": clause.review_date.isoformat()},
    )


reminders.register_reminder("rfp_clause_review", due_items=clauses_due_for_review, send=remind_clause_review)
