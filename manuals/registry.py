"""Manuals take part in the approval inbox, notifications, reminders, PDF exports and the dictionary's "where used"."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pmo_portal import exports, inbox, notifications, pdf, reminders
from pmo_portal.models import Delivery
from projects import dictionary_usage
from projects.models import Membership, Role
from rfp.markdown import render_markdown

from . import annotations as shapes_mod
from . import services
from .models import Edition, Manual, ScreenshotVersion, Step, VersionState

# --- notifications --------------------------------------------------------------------------------------------

notifications.register_kind("manual.screenshot_changed", label=gettext_lazy("Changed screenshots waiting for your confirmation"), sentence=gettext_lazy("A screenshot of “%(step)s” (%(variant)s) in the manual “%(manual)s” changed (%(percent)s %% of its pixels): look at it and confirm or reject it."), default_delivery=Delivery.IMMEDIATE)  # fmt: skip
notifications.register_kind("manual.screenshot_decided", label=gettext_lazy("Decisions on the screenshots you uploaded"), sentence=gettext_lazy("%(decider)s decided on your screenshot of “%(step)s” in “%(manual)s”: %(decision)s. %(comment)s"), default_delivery=Delivery.IMMEDIATE)  # fmt: skip
notifications.register_kind("manual.review", label=gettext_lazy("Manuals to read before they are published"), sentence=gettext_lazy("%(pmo)s asks you to read the manual “%(manual)s” before it is published."), default_delivery=Delivery.IMMEDIATE)  # fmt: skip
notifications.register_kind("manual.published", label=gettext_lazy("New editions of manuals you read"), sentence=gettext_lazy("Edition %(edition)s of the manual “%(manual)s” is published."), default_delivery=Delivery.DIGEST)  # fmt: skip
notifications.register_kind("manual.screen_report", label=gettext_lazy("Readers whose screen looks different from a manual"), sentence=gettext_lazy("%(reader)s says their screen looks different at step %(number)s “%(step)s” of “%(manual)s”: %(comment)s"), default_delivery=Delivery.IMMEDIATE)  # fmt: skip
notifications.register_kind("manual.report_resolved", label=gettext_lazy("Answers to your reports about a manual"), sentence=gettext_lazy("%(pmo)s dealt with your report about “%(step)s” in “%(manual)s”: %(resolution)s"), default_delivery=Delivery.IMMEDIATE)  # fmt: skip


def _waiting_sentence(params) -> str:
    count = params["count"] if isinstance(params.get("count"), int) else 0
    return ngettext(
        "The manual “%(manual)s” cannot be published: %(count)s changed screenshot has waited for a confirmation since %(since)s.",
        "The manual “%(manual)s” cannot be published: %(count)s changed screenshots have waited for a confirmation since %(since)s.",
        count,
    ) % params


notifications.register_kind("manual.screenshots_waiting", label=gettext_lazy("Reminders of screenshots waiting for confirmation"), sentence=_waiting_sentence, default_delivery=Delivery.IMMEDIATE)  # fmt: skip
notifications.register_kind("manual.review_due", label=gettext_lazy("Reminders to re-read published manuals"), sentence=gettext_lazy("The manual “%(manual)s” was last reviewed on %(reviewed)s. Check it against today's screens, then mark it reviewed."), default_delivery=Delivery.IMMEDIATE)  # fmt: skip

# --- the approval inbox: changed screenshots the client PM was named to confirm --------------------------------


def _summary(version: ScreenshotVersion) -> str:
    shot = version.screenshot
    params = {"manual": shot.step.manual.title, "step": shot.step.title, "variant": shot.variant or _("all environments"), "percent": version.changed_percent or 0}  # fmt: skip
    if version.touched:
        return _("Manual “%(manual)s”, step “%(step)s” (%(variant)s): the screenshot changed (%(percent)s %%) where a callout points — the element it points at may have moved.") % params  # fmt: skip
    return _("Manual “%(manual)s”, step “%(step)s” (%(variant)s): the screenshot changed (%(percent)s %%).") % params


inbox.register(
    inbox.InboxKind(
        key="screenshot",
        label=gettext_lazy("Changed screenshot"),
        pending=lambda user: ScreenshotVersion.objects.waiting_for(user),
        visible=lambda user: ScreenshotVersion.objects.visible_to(user).select_related("screenshot__step__manual__project", "screenshot__variant", "decided_by"),  # fmt: skip
        summary=_summary,
        waiting_since=lambda version: version.uploaded_at,
        project=lambda version: version.screenshot.step.manual.project,
        url=lambda version: version.get_absolute_url(),
        approve=lambda actor, version, comment: services.version_confirm(actor=actor, version=version, comment=comment),
        reject=lambda actor, version, comment: services.version_reject(actor=actor, version=version, comment=comment),
        can_decide=lambda user, version: user.has_perm("manuals.confirm_screenshot", version),
        approver_roles=("client_pm",),
    )
)

# --- reminders ------------------------------------------------------------------------------------------------


def screenshots_waiting(now):
    """Manuals held by changed screenshots waiting more than a day: to whoever may confirm them, once a day.

    A client PM named as reviewer is reminded by the approval inbox's own reminder, so not here.
    """
    waiting = ScreenshotVersion.objects.filter(screenshot__step__manual=OuterRef("pk"), state=VersionState.AWAITING, uploaded_at__lt=now - timedelta(days=1))  # fmt: skip
    manuals = Manual.objects.filter(Exists(waiting)).select_related("project", "reviewer")  # fmt: skip
    for manual in manuals:
        versions = list(ScreenshotVersion.objects.filter(screenshot__step__manual=manual, state=VersionState.AWAITING).select_related("uploaded_by"))  # fmt: skip
        people = {}
        for version in versions:
            for person in services.confirmers(manual, exclude=version.uploaded_by):
                people[person.pk] = person
        client_pms = set(Membership.objects.filter(project=manual.project, role=Role.CLIENT_PM).values_list("user_id", flat=True))  # fmt: skip
        for person in people.values():
            if manual.reviewer_id == person.pk and person.pk in client_pms:
                continue
            yield person, (manual, len(versions), min(v.uploaded_at for v in versions)), f"{manual.pk}:{person.pk}:{now.date()}"


def remind_screenshots_waiting(recipient, item):
    manual, count, since = item
    return notifications.notify(recipient=recipient, kind="manual.screenshots_waiting", project=manual.project, obj=manual, url=manual.get_absolute_url(), params={"manual": manual.title, "count": count, "since": since.date().isoformat()})  # fmt: skip


def manuals_review_due(now):
    """Published manuals nobody re-read for the project's number of months: to their author, once a month."""
    for manual in Manual.objects.filter(edition__gt=0, reviewed_at__isnull=False).select_related("project__manual_settings", "created_by"):  # fmt: skip
        months = getattr(getattr(manual.project, "manual_settings", None), "review_months", 6)
        if manual.reviewed_at < now - timedelta(days=30 * months):
            yield manual.created_by, manual, f"{manual.pk}:{now:%Y-%m}"


def remind_review_due(recipient, manual):
    return notifications.notify(recipient=recipient, kind="manual.review_due", project=manual.project, obj=manual, url=manual.get_absolute_url(), params={"manual": manual.title, "reviewed": manual.reviewed_at.date().isoformat()})  # fmt: skip


reminders.register_reminder("manual_screenshots_waiting", due_items=screenshots_waiting, send=remind_screenshots_waiting)
reminders.register_reminder("manual_review_due", due_items=manuals_review_due, send=remind_review_due)

# --- "where used": the dictionary finds its terms in manual steps ---------------------------------------------

dictionary_usage.register(
    dictionary_usage.UsageSource(
        key="manual_step",
        label=gettext_lazy("Manual steps"),
        documents=lambda project: Step.objects.filter(manual__project=project).select_related("manual__project", "manual__created_by"),  # fmt: skip
        visible=lambda user: Step.objects.visible_to(user),
        text_fields=("title", "instruction", "expected"),
        title=lambda step: f"{step.manual.title} — {step.title}",
        url=lambda step: step.manual.get_absolute_url() + f"#step-{step.pk}",
        authors=lambda step: [step.manual.created_by],
    )
)

# --- PDF exports ----------------------------------------------------------------------------------------------


def _figure(shot: dict, uid: str, alt: str) -> dict:
    return {
        "src": shot.get("data") or pdf.storage_url(shot["file"]), "width": shot["width"], "height": shot["height"], "alt": alt, "uid": uid,
        "shapes": shapes_mod.to_pixels(shot["annotations"], shot["width"], shot["height"]),
    }  # fmt: skip


def _labelled_shots(step: dict, variants: list[dict]) -> list[tuple[str, dict]]:
    """(environment label, figure) of a step: the shared picture first, then each environment's own."""
    shots = step["shots"]
    names = {str(v["id"]): v["name"] for v in variants}
    ordered = [("", shots["all"], "all")] if "all" in shots else []
    ordered += [(names[str(v["id"])], shots[str(v["id"])], str(v["id"])) for v in variants if str(v["id"]) in shots]
    return [(label, _figure(shot, f"s{step['number']}-{key}", f"{step['number']}. {step['title']}")) for label, shot, key in ordered]  # fmt: skip


def build_manual_document(*, title: str, language: str, project, snapshot: dict, editions: list[Edition], version: str, approved_by: str = "", approved_at=None) -> pdf.Document:  # noqa: E501
    steps = [(s, render_markdown(s["instruction"]), _labelled_shots(s, snapshot["variants"])) for s in snapshot["steps"]]
    with translation.override(language):
        toc = [pdf.Section(f"step-{s['number']}", f"{s['number']}. {s['title']}") for s, _html, _shots in steps]
        change_log = [{"version": e.number, "date": e.published_at, "author": str(e.published_by), "summary": change_summary(e)} for e in editions]  # fmt: skip
        return pdf.Document(
            template_name="pdf/manual.html",
            context={"steps": steps, "snapshot": snapshot, "variants": snapshot["variants"]},
            language=language, title=title, project_name=f"{project.code} {project.name}", version=version,
            approved_by=approved_by, approved_at=approved_at, sections=toc, change_log=change_log,
        )  # fmt: skip


def change_summary(edition: Edition) -> str:
    """The change log of an edition in words, in the active language: the note, then one line per changed step."""
    lines = [edition.note] if edition.note else []
    for entry in edition.change_log:
        lines.append(f"{entry['step']}. {entry['title']}: {', '.join(describe_change(w) for w in entry['what'])}")
    return "\n".join(lines) or _("No changes.")


def describe_change(what: str) -> str:
    kind, _sep, variant = what.partition(":")
    where = variant or _("all environments")
    return {
        "added": _("new step"),
        "removed": _("step removed"),
        "text": _("text changed"),
        "moved": _("moved"),
        "screenshot": _("screenshot changed (%(where)s)") % {"where": where},
        "annotations": _("annotations changed (%(where)s)") % {"where": where},
    }.get(kind, kind)


def _edition_document(edition: Edition, language: str, user) -> pdf.Document:
    manual = edition.manual
    editions = list(manual.editions.filter(number__lte=edition.number).select_related("published_by").order_by("number"))  # fmt: skip
    return build_manual_document(
        title=edition.title, language=edition.language, project=manual.project, snapshot=edition.snapshot, editions=editions,
        version=str(edition.number), approved_by=str(edition.published_by), approved_at=edition.published_at,
    )  # fmt: skip


def _working_copy_document(manual: Manual, language: str, user) -> pdf.Document:
    """The draft as it stands, for the PMO and the client PM to read on paper; never while a picture waits."""
    if services.publish_blockers(manual):
        raise exports.ExportFailed(_("The manual cannot be exported while screenshots wait for confirmation."))
    snapshot = services.preview_snapshot(manual)
    editions = list(manual.editions.select_related("published_by").order_by("number"))
    with translation.override(manual.language):
        version = _("working draft")
    return build_manual_document(title=manual.title, language=manual.language, project=manual.project, snapshot=snapshot, editions=editions, version=version)  # fmt: skip


exports.register(
    exports.ExportKind(
        key="manual_edition",
        load=lambda object_id: Edition.objects.select_related("manual__project", "published_by").get(pk=object_id),
        visible=lambda user: Edition.objects.visible_to(user),
        permission="manuals.view_edition",
        project=lambda edition: edition.manual.project,
        title=lambda edition: f"{edition.title} #{edition.number}",
        document=_edition_document,
    )
)
exports.register(
    exports.ExportKind(
        key="manual",
        load=lambda object_id: Manual.objects.select_related("project").get(pk=object_id),
        visible=lambda user: Manual.objects.visible_to(user),
        permission="manuals.view_working_copy",
        project=lambda manual: manual.project,
        title=lambda manual: manual.title,
        document=_working_copy_document,
    )
)
