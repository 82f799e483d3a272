"""The RFP takes part in the approval inbox, notifications, PDF exports and the dictionary's "where used"."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pmo_portal import exports, inbox, notifications, pdf
from pmo_portal.models import Delivery
from projects import dictionary_usage
from projects.dictionary_lint import find_in_text
from projects.models import BaselineTerm, Term, TermStatus

from . import services
from .markdown import render_markdown
from .models import Rfp, RfpSection, RfpVersion
from .presentation import labelled_requirements

# --- notifications --------------------------------------------------------------------------------------------


def _decided_sentence(params) -> str:
    if params.get("decision") == "approved":
        return _("%(approver)s approved the RFP “%(rfp)s”.") % params
    return _("%(approver)s sent the RFP “%(rfp)s” back: %(comment)s") % params


notifications.register_kind("rfp.review", label=gettext_lazy("RFPs to review and approve"), sentence=gettext_lazy("%(pmo)s asks you to review the RFP “%(rfp)s”: mark each section understood, or ask about it."), default_delivery=Delivery.IMMEDIATE)  # fmt: skip
notifications.register_kind("rfp.pm_question", label=gettext_lazy("The client PM's questions about an RFP"), sentence=gettext_lazy("%(asker)s asks about “%(section)s” of the RFP “%(rfp)s”: %(question)s"), default_delivery=Delivery.IMMEDIATE)  # fmt: skip
notifications.register_kind("rfp.pm_answer", label=gettext_lazy("Answers to your questions about an RFP"), sentence=gettext_lazy("%(answerer)s answered your question about “%(section)s” of the RFP “%(rfp)s”."), default_delivery=Delivery.IMMEDIATE)  # fmt: skip
notifications.register_kind("rfp.decided", label=gettext_lazy("Decisions on the RFPs you submitted"), sentence=_decided_sentence, default_delivery=Delivery.IMMEDIATE)  # fmt: skip

# --- the approval inbox ---------------------------------------------------------------------------------------


def _summary(rfp: Rfp) -> str:
    # The inbox's queryset counts both parts (Rfp.objects.waiting_for); an RFP loaded on its own counts here.
    section_count = rfp.section_count if hasattr(rfp, "section_count") else rfp.sections.count()
    requirement_count = rfp.requirement_count if hasattr(rfp, "requirement_count") else rfp.requirements.count()
    sections = ngettext("%(count)s section", "%(count)s sections", section_count) % {"count": section_count}
    requirements = ngettext("%(count)s requirement", "%(count)s requirements", requirement_count) % {"count": requirement_count}  # fmt: skip
    return _("RFP “%(rfp)s”: %(sections)s, %(requirements)s. Approve it once every section is understood.") % {"rfp": rfp.title, "sections": sections, "requirements": requirements}  # fmt: skip


inbox.register(
    inbox.InboxKind(
        key="rfp",
        label=gettext_lazy("RFP"),
        pending=lambda user: Rfp.objects.waiting_for(user),
        visible=lambda user: Rfp.objects.visible_to(user).select_related("project", "approved_by", "submitted_by"),
        summary=_summary,
        waiting_since=lambda rfp: rfp.submitted_at,
        project=lambda rfp: rfp.project,
        url=lambda rfp: rfp.get_absolute_url(),
        approve=lambda actor, rfp, comment: services.rfp_approve(actor=actor, rfp=rfp, comment=comment),
        reject=lambda actor, rfp, comment: services.rfp_send_back(actor=actor, rfp=rfp, comment=comment),
        can_decide=lambda user, rfp: user.has_perm("rfp.review_rfp", rfp) and rfp.submitted_by_id != user.pk,
        approver_roles=("client_pm",),
    )
)

# --- "where used": the dictionary finds its terms in RFP sections ----------------------------------------------

dictionary_usage.register(
    dictionary_usage.UsageSource(
        key="rfp_section",
        label=gettext_lazy("RFP sections"),
        documents=lambda project: RfpSection.objects.filter(rfp__project=project).select_related("rfp__project", "rfp__created_by"),  # fmt: skip
        visible=lambda user: RfpSection.objects.visible_to(user),
        text_fields=("title", "body"),
        title=lambda section: f"{section.rfp.title} — {section.title}",
        url=lambda section: section.rfp.get_absolute_url() + f"#section-{section.pk}",
        authors=lambda section: [section.rfp.created_by],
    )
)

# --- PDF exports ----------------------------------------------------------------------------------------------


def _glossary(rfp: Rfp, snapshot: dict, user) -> list[dict]:
    """The dictionary terms the RFP uses, as the release pinned at its issue says (or the dictionary today)."""
    texts = [snapshot["title"], *(f"{s['title']}\n{s['body']}" for s in snapshot["sections"])]
    texts += [f"{r['text']}\n{r['acceptance_criteria']}" for r in snapshot["requirements"]]
    used = {finding.term.pk for text in texts for finding in find_in_text(rfp.project, text, user) if not finding.is_problem}
    if rfp.baseline_id:
        entries = BaselineTerm.objects.filter(baseline_id=rfp.baseline_id, term_id__in=used)
        return [{"name": e.name, **e.content} for e in entries]
    terms = Term.objects.filter(pk__in=used, status=TermStatus.APPROVED).order_by("sort_key")
    return [{"name": t.name, "reading": t.reading, "standard_definition": t.standard_definition, "client_definition": t.client_definition, "adopted": t.adopted} for t in terms]  # fmt: skip


def build_rfp_document(rfp: Rfp, snapshot: dict, user, language: str, version: RfpVersion | None) -> pdf.Document:
    """The RFP as a PDF, in its own language: cover with the approval stamp, contents, numbered sections, the
    requirements table, the evaluation criteria and an appendix of the dictionary terms it uses."""
    sections = [(n, s, render_markdown(s["body"])) for n, s in enumerate(snapshot["sections"], start=1)]
    extra = len(sections)
    approved = rfp.approved_by if (version is not None or rfp.status != "draft") and rfp.approved_by_id else None
    versions = RfpVersion.objects.filter(rfp=rfp).select_related("created_by").order_by("number")
    if version is not None:
        versions = versions.filter(number__lte=version.number)
    with translation.override(language):  # headings and labels written here, as the template's, in the RFP's language
        toc = [pdf.Section(f"section-{n}", f"{n}. {s['title']}") for n, s, _html in sections]
        toc += [pdf.Section("requirements", f"{extra + 1}. {_('Requirements')}"), pdf.Section("criteria", f"{extra + 2}. {_('Evaluation criteria')}"), pdf.Section("glossary", _("Appendix: terms used"))]  # fmt: skip
        change_log = [{"version": v.number, "date": v.created_at, "author": str(v.created_by), "summary": f"{v.get_kind_display()}. {v.change_log}".strip()} for v in versions]  # fmt: skip
        return pdf.Document(
            template_name="pdf/rfp.html",
            context={"rfp": rfp, "snapshot": snapshot, "requirements": labelled_requirements(snapshot), "sections": sections, "extra": extra, "glossary": _glossary(rfp, snapshot, user), "baseline": rfp.baseline},  # fmt: skip
            language=language,
            title=snapshot["title"],
            project_name=f"{rfp.project.code} {rfp.project.name}",
            version=str(version.number) if version is not None else _("working draft"),
            approved_by=str(approved or ""),
            approved_at=rfp.approved_at if approved else None,
            sections=toc,
            change_log=change_log,
        )


exports.register(
    exports.ExportKind(
        key="rfp",
        load=lambda object_id: Rfp.objects.select_related("project", "approved_by", "baseline").get(pk=object_id),
        visible=lambda user: Rfp.objects.visible_to(user),
        permission="rfp.view_draft",
        project=lambda rfp: rfp.project,
        title=lambda rfp: rfp.title,
        document=lambda rfp, language, user: build_rfp_document(rfp, services.rfp_snapshot(rfp), user, rfp.language, None),  # fmt: skip
    )
)
exports.register(
    exports.ExportKind(
        key="rfp_version",
        load=lambda object_id: RfpVersion.objects.select_related("rfp__project", "rfp__approved_by", "rfp__baseline").get(pk=object_id),  # fmt: skip
        visible=lambda user: RfpVersion.objects.visible_to(user),
        permission="rfp.view_rfp",
        project=lambda version: version.rfp.project,
        title=lambda version: f"{version.rfp.title} v{version.number}",
        document=lambda version, language, user: build_rfp_document(version.rfp, version.snapshot, user, version.snapshot.get("language", version.rfp.language), version),  # fmt: skip
    )
)
