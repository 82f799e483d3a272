"""Who gets what at every URL of the project.

TABLE lists each named URL of the portal with one or more cases: the object it is asked for and
the HTTP status each persona must get. A URL pattern missing from TABLE fails
`test_every_url_has_an_entry`, so a new view cannot ship without deciding who may reach it.
Django admin is checked as a whole: every admin URL is for superusers only.

Reading a row: 302 for anonymous is the redirect to sign in; 404 means "you cannot even know it
exists" (another tenant's object); 403 means "you can see it, but your role may not do this".
"""

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import client_for
from .dictionary_factories import baseline, pending_change, prepared_import, term_in
from .factories import UserFactory, notification_for, pending_signoff

PERSONAS = ["anonymous", "pmo", "client_pm", "security", "vendor_a", "vendor_b", "reader", "outsider"]


def statuses(anonymous=302, *, members=200, pmo=None, others=None, outsider=404, **overrides):
    """Expected status per persona: `members` for every Alpha member unless named, `outsider` for the hidden one."""
    table = {name: members for name in PERSONAS}
    table.update(anonymous=anonymous, outsider=outsider)
    if others is not None:
        table.update({name: others for name in ("client_pm", "security", "vendor_a", "vendor_b", "reader")})
    if pmo is not None:
        table["pmo"] = pmo
    table.update(overrides)
    return table


EVERYONE_200 = statuses(200, outsider=200)
SIGNED_IN_200 = statuses(302, outsider=200)
EVERYONE_405 = statuses(405, members=405, outsider=405)
BAD_TOKEN = {"uidb64": "MQ", "token": "bad-token"}
NO_VENDORS = {"vendor_a": 404, "vendor_b": 404}  # vendors never learn that a project has manuals


@dataclass
class Case:
    expected: dict
    kwargs: callable = lambda w: {}  # noqa: E731
    method: str = "get"
    note: str = ""


@dataclass
class World:
    project: object
    hidden_project: object
    members: dict = field(default_factory=dict)  # persona -> Membership in its own project


def pmo_export(w, done=False):
    """An export of the project brief that the PMO consultant asked for (rendered when `done`)."""
    from pmo_portal.models import ExportJob
    from pmo_portal.tasks import run_export

    job = ExportJob.objects.create(kind="project_brief", object_id=str(w.project.pk), title="Brief", project=w.project, language="en", requested_by=w.members["pmo"].user)  # fmt: skip
    if done:
        run_export(str(job.pk))
    return job


def _req(w, status):
    """URL kwargs of an access request of vendor A in ``status`` (made once per status, by the services)."""
    from accounts.models import AccessRequest

    from .access_factories import delegation_for, request_in

    names = {"draft": "Draft", "submitted": "Submitted", "approved": "Approved", "provisioned": "Granted"}
    found = AccessRequest.objects.filter(project=w.project, person__name=names[status], kind="new").first()
    if found is None:
        if status in ("approved", "provisioned") and not w.project.delegations.exists():
            delegation_for(w.project, w.members["pmo"].user)
        found = request_in(w.project, status, person_name=names[status])
    return {"code": w.project.code, "pk": found.pk}


def _term(w, status, project=None):
    """URL kwargs of a term of Alpha in ``status`` ("proposed", "approved", "changing"), under ``project``'s code."""
    return {"code": (project or w.project).code, "pk": term_in(w.project, status).pk}


def _rfp(w, status="draft", project=None, title="保険金請求システム刷新 RFP", **extra):
    """URL kwargs of Alpha's RFP ``title`` in ``status`` (vendor A's company invited once issued; vendor B's never),
    under ``project``'s code, plus ``extra``."""
    from .rfp_factories import rfp_in

    invite = [w.members["vendor_a"].organization] if status in ("issued", "closed") else []
    rfp = rfp_in(w.project, status, invite=invite, title=title)
    return {"code": (project or w.project).code, "pk": rfp.pk, **extra}


def _rfp_v(w, **extra):
    """URL kwargs of Alpha's issued RFP with vendor A's company invited, plus ``extra``."""
    return _rfp(w, "issued", **extra)


def _rfp_issued_version(w) -> int:
    """The id of the version vendor A was issued (for its PDF)."""
    from rfp.models import RfpVersion

    return RfpVersion.objects.get(rfp_id=_rfp_v(w)["pk"], kind="issued").pk


def _rfp_section(w, status="draft"):
    from rfp.models import RfpSection

    kwargs = _rfp(w, status)
    return kwargs | {"section_pk": RfpSection.objects.filter(rfp_id=kwargs["pk"]).order_by("position").first().pk}


def _rfp_requirement(w):
    """URL kwargs of the first requirement of Alpha's draft RFP (a new one when all were deleted)."""
    from rfp import services
    from rfp.models import Requirement, Rfp

    kwargs = _rfp(w)
    found = Requirement.objects.filter(rfp_id=kwargs["pk"]).order_by("position").first()
    found = found or services.requirement_create(actor=w.members["pmo"].user, rfp=Rfp.objects.get(pk=kwargs["pk"]), category="functional", text="請求を受け付けること。", priority="must")  # fmt: skip
    return kwargs | {"req_pk": found.pk}


def _rfp_pm_question(w):
    """URL kwargs of the client PM's question about the first section of Alpha's draft RFP (asked once)."""
    from rfp import services
    from rfp.models import PmQuestion, RfpSection

    kwargs = _rfp_section(w)
    section = RfpSection.objects.get(pk=kwargs.pop("section_pk"))
    question = PmQuestion.objects.filter(section=section).first() or services.section_ask(actor=w.members["client_pm"].user, section=section, text="予算の幅は書くべきですか？")  # fmt: skip
    return kwargs | {"question_pk": question.pk}


def _rfp_answer(w):
    """URL kwargs of the PMO's draft answer to vendor A's question on that RFP."""
    from rfp import services
    from rfp.models import Answer, Rfp

    kwargs = _rfp_v(w)
    found = Answer.objects.filter(rfp_id=kwargs["pk"], published_at__isnull=True).first()
    if found is None:
        rfp = Rfp.objects.get(pk=kwargs["pk"])
        question = services.vendor_question_ask(actor=w.members["vendor_a"].user, rfp=rfp, text="移行対象に過去の請求履歴は含まれますか？")  # fmt: skip
        found = services.answer_create(actor=w.members["pmo"].user, rfp=rfp, question_summary="移行対象に過去の請求履歴は含まれますか？", text="はい、含まれます。", changes_rfp=False, questions=[question])  # fmt: skip
    return kwargs | {"answer_pk": found.pk}


def _rfp_proposal(w, opened=False):
    """URL kwargs of vendor A's proposal on that RFP: sealed, or (``opened``) opened by the PMO after the deadline."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from rfp import services
    from rfp.models import Proposal, Rfp

    kwargs = _rfp_v(w)
    rfp = Rfp.objects.get(pk=kwargs["pk"])
    pdf = SimpleUploadedFile("提案書.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    proposal = Proposal.objects.filter(rfp=rfp).first() or services.proposal_upload(actor=w.members["vendor_a"].user, rfp=rfp, upload=pdf)  # fmt: skip
    if opened and proposal.is_sealed:
        past = timezone.now() - timedelta(minutes=1)
        Rfp.objects.filter(pk=rfp.pk).update(question_deadline=past - timedelta(days=1), proposal_deadline=past)
        services.proposals_open(actor=w.members["pmo"].user, rfp=rfp)
    return kwargs | {"proposal_pk": proposal.pk}


def _rfp_evaluation(w, proposal=False):
    """URL kwargs of the evaluation of Alpha's issued RFP: vendor A's proposal opened after the deadline, the PMO
    consultant declared no conflict of interest (the client PM and the security officer have not); ``proposal``: with
    vendor A's proposal."""
    from rfp import services
    from rfp.models import Evaluator, Rfp

    kwargs = _rfp_proposal(w, opened=True)
    rfp = Rfp.objects.get(pk=kwargs["pk"])
    if not Evaluator.objects.filter(rfp=rfp, user=w.members["pmo"].user).exists():
        services.evaluator_declare(actor=w.members["pmo"].user, rfp=rfp)
    return kwargs if proposal else {k: v for k, v in kwargs.items() if k != "proposal_pk"}


def _rfp_recommendation(w):
    """The PMO consultant's recommendation of vendor A on that RFP, waiting for the client PM (written once)."""
    from rfp import services
    from rfp.models import Recommendation, Rfp

    rfp = Rfp.objects.get(pk=_rfp_evaluation(w)["pk"])
    found = Recommendation.objects.filter(rfp=rfp, status="pending").first()
    return found or services.recommendation_create(actor=w.members["pmo"].user, rfp=rfp, vendor=w.members["vendor_a"].organization, reasons="業務理解が最も深く、価格も妥当なため。")  # fmt: skip


def _library_clause(w, mine=True):
    """URL kwargs (Alpha's code) of a clause of Alpha's PMO firm, or (``mine=False``) of another organization's."""
    from datetime import date

    from rfp.models import Clause

    owner = w.members["pmo" if mine else "outsider"].user
    clause, _created = Clause.objects.get_or_create(
        organization=owner.organization, title="個人情報の取扱い",
        defaults={"body": "受託者は個人情報を適切に管理すること。", "language": "ja", "owner": owner, "review_date": date(2099, 1, 1)},
    )  # fmt: skip
    return {"code": w.project.code, "clause_pk": clause.pk}


def _library_template(w):
    """URL kwargs (Alpha's code) of an RFP template of Alpha's PMO firm (made again once deleted)."""
    from rfp.models import RfpTemplate

    template, _created = RfpTemplate.objects.get_or_create(
        organization=w.project.pmo_firm, name="標準RFP",
        defaults={"language": "ja", "sections": [{"key": "scope", "title": "対象範囲", "body": "", "explanation": ""}], "created_by": w.members["pmo"].user},
    )  # fmt: skip
    return {"code": w.project.code, "template_pk": template.pk}


def _grant(w):
    """URL kwargs of vendor A's active grant."""
    from accounts.models import AccessRequest

    request = AccessRequest.objects.get(pk=_req(w, "provisioned")["pk"])
    return {"code": w.project.code, "pk": request.items.get().granted.pk}


MANUAL_TITLE = "経費精算の手順"


# The manuals' pictures here only need to exist (and to change): small ones keep each case quick.
SMALL_SCREEN = (320, 180)


def _manual(w, project=None, **extra):
    """URL kwargs of Alpha's manual (made once), under ``project``'s code, plus ``extra``: 3 steps with a Windows 10
    and a Windows 11 picture each, uploaded by the PMO; the client PM confirms changed pictures; published (edition 1,
    its PDF not made yet) to all readers; then the PMO replaced step 1's Windows 10 picture (the Start button moved),
    which waits for the client PM; and `reader` said their screen looks different at step 1, with a picture."""
    from manuals import services
    from manuals.models import Manual

    from .manual_factories import START_CENTRE, desktop, manual_with_steps, replace, upload

    manual = Manual.objects.filter(project=w.project, title=MANUAL_TITLE).first()
    if manual is None:
        pmo = w.members["pmo"].user
        manual = manual_with_steps(w.project, title=MANUAL_TITLE, size=SMALL_SCREEN)
        services.manual_update(actor=pmo, manual=manual, title=manual.title, audience=manual.audience, language=manual.language, reviewer=w.members["client_pm"].user)  # fmt: skip
        edition = services.manual_publish(actor=pmo, manual=manual, note="初版")
        step = manual.steps.order_by("position").first()
        shot = step.screenshots.get(variant__name="Windows 10")
        replace(step, shot.variant, desktop(START_CENTRE, size=SMALL_SCREEN, seed_text=1), by=pmo)
        services.report_create(actor=w.members["reader"].user, edition=edition, step_id=step.pk, variant_id=shot.variant_id, comment="スタートボタンが見つかりません。", file=upload(desktop(START_CENTRE, size=(640, 360))))  # fmt: skip
    return {"code": (project or w.project).code, "pk": manual.pk, **extra}


def _draft_manual(w):
    """URL kwargs of a manual of Alpha never published (made once): readers cannot know it."""
    from manuals.models import Manual

    from .manual_factories import manual_with_steps

    manual = Manual.objects.filter(project=w.project, title="下書きの手順").first()
    manual = manual or manual_with_steps(w.project, steps=1, variants=("Windows 11",), title="下書きの手順", size=SMALL_SCREEN)
    return {"code": w.project.code, "pk": manual.pk}


def _manual_variant(w):
    """URL kwargs of the manual's last environment (one added when a single one is left)."""
    from manuals import services
    from manuals.models import Manual, Variant

    kwargs = _manual(w)
    variants = Variant.objects.filter(manual_id=kwargs["pk"]).order_by("-position", "-pk")
    if variants.count() <= 1:
        services.variant_add(actor=w.members["pmo"].user, manual=Manual.objects.get(pk=kwargs["pk"]), name=f"Chrome on Mac {variants.count()}")  # fmt: skip
    return kwargs | {"variant_pk": variants.first().pk}


def _manual_step(w):
    """URL kwargs of the manual's first step (a new one when all were deleted)."""
    from manuals import services
    from manuals.models import Manual, Step

    kwargs = _manual(w)
    found = Step.objects.filter(manual_id=kwargs["pk"]).order_by("position", "pk").first()
    found = found or services.step_add(actor=w.members["pmo"].user, manual=Manual.objects.get(pk=kwargs["pk"]), title="スタートを開く")  # fmt: skip
    return kwargs | {"step_pk": found.pk}


def _manual_shot(w):
    """URL kwargs of a screenshot of the manual (a new picture when all were removed)."""
    from manuals.models import Screenshot, Step

    from .manual_factories import desktop, replace

    kwargs = _manual_step(w)
    found = Screenshot.objects.filter(step__manual_id=kwargs["pk"]).order_by("step__position", "pk").first()
    if found is None:
        found = replace(Step.objects.get(pk=kwargs["step_pk"]), None, desktop(size=(640, 360)), by=w.members["pmo"].user).screenshot  # fmt: skip
    return {k: v for k, v in kwargs.items() if k != "step_pk"} | {"shot_pk": found.pk}


def _manual_version(w, fresh=False):
    """URL kwargs of the picture waiting for the client PM's confirmation (a new one uploaded by the PMO when none
    waits: ``fresh``, or none was ever compared, e.g. its step was deleted)."""
    from manuals.models import Screenshot, ScreenshotVersion, VersionState

    from .manual_factories import START_CENTRE, desktop, replace

    kwargs = _manual(w)
    versions = ScreenshotVersion.objects.filter(screenshot__step__manual_id=kwargs["pk"], uploaded_by=w.members["pmo"].user)  # fmt: skip
    found = versions.filter(state=VersionState.AWAITING).first()
    found = found or (None if fresh else versions.exclude(compared_to=None).order_by("-pk").first())
    if found is None:
        shot = Screenshot.objects.filter(step__manual_id=kwargs["pk"], baseline__isnull=False).select_related("step", "variant", "baseline").order_by("step__position", "pk").first()  # fmt: skip
        size = (480, 270) if shot.baseline.width == SMALL_SCREEN[0] else SMALL_SCREEN  # another size: never "unchanged"
        found = replace(shot.step, shot.variant, desktop(START_CENTRE, size=size), by=w.members["pmo"].user)
    return kwargs | {"version": found.pk}


def _manual_edition(w, *, pdf=False, **extra):
    """URL kwargs of the manual's edition 1 (``pdf``: its PDF made), plus ``extra``."""
    from manuals.models import Edition
    from pmo_portal.models import ExportStatus
    from pmo_portal.tasks import run_export

    kwargs = _manual(w, number=1, **extra)
    edition = Edition.objects.select_related("export").get(manual_id=kwargs["pk"], number=1)
    if pdf and edition.export.status != ExportStatus.DONE:
        run_export(str(edition.export_id))
    return kwargs


def _manual_edition_image(w):
    """URL kwargs of the Windows 10 picture of step 1 in edition 1."""
    from manuals.models import Edition

    kwargs = _manual_edition(w)
    edition = Edition.objects.get(manual_id=kwargs["pk"], number=1)
    windows_10 = next(v for v in edition.snapshot["variants"] if v["name"] == "Windows 10")
    return kwargs | {"version": edition.snapshot["steps"][0]["shots"][str(windows_10["id"])]["version"]}


def _manual_edition_step(w):
    """URL kwargs of step 1 of edition 1 (for "my screen looks different")."""
    from manuals.models import Edition

    kwargs = _manual_edition(w)
    return kwargs | {"step_id": Edition.objects.get(manual_id=kwargs["pk"], number=1).snapshot["steps"][0]["id"]}


def _manual_report(w, fresh=False):
    """URL kwargs of `reader`'s report of step 1 with their picture; ``fresh``: an open one (made once resolved)."""
    from manuals import services
    from manuals.models import Edition, ScreenReport

    from .manual_factories import desktop, upload

    kwargs = _manual(w)
    reports = ScreenReport.objects.filter(manual_id=kwargs["pk"], reporter=w.members["reader"].user).order_by("pk")
    found = reports.filter(resolved_at=None).first() if fresh else reports.first()
    if found is None:
        edition = Edition.objects.get(manual_id=kwargs["pk"], number=1)
        found = services.report_create(actor=w.members["reader"].user, edition=edition, step_id=edition.snapshot["steps"][0]["id"], variant_id=None, comment="画面が違います。", file=upload(desktop(size=(640, 360))))  # fmt: skip
    return kwargs | {"report_pk": found.pk}


TABLE: dict[str, list[Case]] = {
    "home": [Case(SIGNED_IN_200)],
    "healthz": [Case(EVERYONE_200)],
    # accounts
    "accounts:login": [Case(statuses(200, members=302, outsider=302), note="signed-in people go home")],
    "accounts:logout": [Case(EVERYONE_405, note="POST only")],
    "accounts:preferences": [Case(SIGNED_IN_200)],
    "accounts:language": [Case(EVERYONE_405, note="POST only")],
    "accounts:password_change": [Case(SIGNED_IN_200)],
    "accounts:password_change_done": [Case(SIGNED_IN_200)],
    "accounts:password_reset": [Case(EVERYONE_200)],
    "accounts:password_reset_done": [Case(EVERYONE_200)],
    "accounts:password_reset_confirm": [Case(EVERYONE_200, kwargs=lambda w: BAD_TOKEN, note="says the link expired")],
    "accounts:password_reset_complete": [Case(EVERYONE_200)],
    "accounts:invitation": [Case(EVERYONE_200, kwargs=lambda w: BAD_TOKEN, note="says the link expired")],
    "accounts:two_factor_setup": [Case(SIGNED_IN_200)],
    "accounts:two_factor_verify": [Case(SIGNED_IN_200)],
    "accounts:two_factor_disable": [Case(EVERYONE_405, note="POST only")],
    # projects
    "projects:list": [Case(SIGNED_IN_200)],
    "projects:create": [Case(statuses(pmo=200, members=403, outsider=403), note="PMO-firm staff only")],
    "projects:detail": [
        Case(statuses(), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}),
        Case(statuses(members=404), kwargs=lambda w: {"code": "NO-SUCH"}),
    ],
    "projects:edit": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "projects:members": [Case(statuses(), kwargs=lambda w: {"code": w.project.code})],
    "projects:member_invite": [Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code})],
    "projects:member_edit": [
        Case(
            statuses(pmo=200, others=403, vendor_a=404, reader=404),
            kwargs=lambda w: {"code": w.project.code, "pk": w.members["vendor_b"].pk},
            note="vendor B's membership: invisible to vendor A and readers",
        ),
        Case(
            statuses(pmo=200, others=403),
            kwargs=lambda w: {"code": w.project.code, "pk": w.members["client_pm"].pk},
        ),
        Case(
            statuses(members=404, outsider=403),
            kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.members["outsider"].pk},
        ),
        Case(
            statuses(members=404, outsider=404),
            kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.members["vendor_b"].pk},
            note="a real membership under the wrong project code",
        ),
    ],
    "projects:member_remove": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code, "pk": w.members["vendor_b"].pk}),
        Case(
            statuses(pmo=302, others=403, vendor_a=404, reader=404),
            kwargs=lambda w: {"code": w.project.code, "pk": w.members["vendor_b"].pk},
            method="post",
        ),
    ],
    # exports: only the requester sees a job; the document's own permission is checked again
    "exports:list": [Case(SIGNED_IN_200)],
    "exports:start": [
        Case(EVERYONE_405, kwargs=lambda w: {"kind": "project_brief", "object_id": w.project.pk}, note="POST only"),
        Case(statuses(members=302), kwargs=lambda w: {"kind": "project_brief", "object_id": w.project.pk}, method="post"),  # fmt: skip
        Case(statuses(members=404, outsider=302), kwargs=lambda w: {"kind": "project_brief", "object_id": w.hidden_project.pk}, method="post"),  # fmt: skip
        Case(statuses(members=302), kwargs=lambda w: {"kind": "dictionary", "object_id": w.project.pk}, method="post", note="every member may export the terms they see"),  # fmt: skip
        Case(statuses(members=302), kwargs=lambda w: {"kind": "dictionary_baseline", "object_id": baseline(w.project).pk}, method="post"),  # fmt: skip
        Case(statuses(members=302, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"kind": "rfp_evaluation", "object_id": _rfp_evaluation(w)["pk"]}, method="post", note="the evaluation's PDF: never for vendors, even invited"),  # fmt: skip
        Case(statuses(members=302, vendor_b=404, reader=404), kwargs=lambda w: {"kind": "rfp_version", "object_id": _rfp_issued_version(w)}, method="post", note="the issued RFP: invited vendor A may export it"),  # fmt: skip
        Case(statuses(members=302, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"kind": "rfp", "object_id": _rfp(w)["pk"]}, method="post", note="the working draft: internal"),  # fmt: skip
    ],
    "exports:detail": [Case(statuses(pmo=200, others=404), kwargs=lambda w: {"pk": pmo_export(w).pk})],
    "exports:download": [
        Case(statuses(pmo=200, others=404), kwargs=lambda w: {"pk": pmo_export(w, done=True).pk}),
        Case(statuses(members=404), kwargs=lambda w: {"pk": pmo_export(w).pk}, note="not finished yet"),
    ],
    "projects:audit": [
        Case(
            statuses(pmo=200, client_pm=200, security=200, vendor_a=403, vendor_b=403, reader=403),
            kwargs=lambda w: {"code": w.project.code},
        ),
    ],
    # sign-offs: PMO asks, the client PM (here) or security officer decides; vendors and readers see none
    "projects:signoffs": [
        Case(statuses(pmo=200, client_pm=200, security=200, vendor_a=403, vendor_b=403, reader=403), kwargs=lambda w: {"code": w.project.code}),  # fmt: skip
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "projects:signoff_create": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "projects:signoff_detail": [
        Case(
            statuses(pmo=200, client_pm=200, security=200, vendor_a=404, vendor_b=404, reader=404),
            kwargs=lambda w: {"code": w.project.code, "pk": pending_signoff(w.project).pk},
        ),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code, "pk": pending_signoff(w.hidden_project).pk}),  # fmt: skip
        Case(
            statuses(members=404),
            kwargs=lambda w: {"code": w.hidden_project.code, "pk": pending_signoff(w.project).pk},
            note="a real sign-off under the wrong project code",
        ),
    ],
    # approval inbox: everyone has one; deciding needs the asked-for role, never one's own request
    "inbox:list": [Case(SIGNED_IN_200)],
    "inbox:approve": [
        Case(EVERYONE_405, kwargs=lambda w: {"kind": "signoff", "pk": pending_signoff(w.project).pk}, note="POST only"),
        Case(
            statuses(client_pm=302, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404),
            kwargs=lambda w: {"kind": "signoff", "pk": pending_signoff(w.project).pk},
            method="post",
            note="the PMO requester and the security officer see it but may not decide it",
        ),
        Case(statuses(members=404, outsider=302), kwargs=lambda w: {"kind": "signoff", "pk": pending_signoff(w.hidden_project).pk}, method="post"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"kind": "no-such-kind", "pk": pending_signoff(w.project).pk}, method="post"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"kind": "signoff", "pk": "not-a-number"}, method="post"),
        Case(statuses(client_pm=302, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"kind": "rfp_recommendation", "pk": _rfp_recommendation(w).pk}, method="post", note="the PMO wrote it: it may not decide it"),  # fmt: skip
        Case(statuses(client_pm=200, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"kind": "rfp", "pk": _rfp(w, "in_review")["pk"]}, method="post", note="sections not understood yet: the decision page again, saying which"),  # fmt: skip
        Case(statuses(client_pm=302, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"kind": "term", "pk": pending_change(w.project).pk}, method="post"),  # fmt: skip
    ],
    "inbox:reject": [
        Case(EVERYONE_405, kwargs=lambda w: {"kind": "signoff", "pk": pending_signoff(w.project).pk}, note="POST only"),
        Case(
            statuses(client_pm=200, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404),
            kwargs=lambda w: {"kind": "signoff", "pk": pending_signoff(w.project).pk},
            method="post",
            note="an empty rejection is refused with the form again (a reason is required)",
        ),
        Case(statuses(client_pm=200, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"kind": "rfp_recommendation", "pk": _rfp_recommendation(w).pk}, method="post", note="no reason: the form again"),  # fmt: skip
    ],
    # vendor access: requests and grants (vendors see their own company's only; readers nothing)
    "access:overview": [
        Case(statuses(reader=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}, note="the outsider is the client PM there"),  # fmt: skip
    ],
    "access:requests": [Case(statuses(reader=403), kwargs=lambda w: {"code": w.project.code})],
    "access:request_create": [Case(statuses(pmo=403, others=403, vendor_a=200, vendor_b=200), kwargs=lambda w: {"code": w.project.code}, note="vendor B has no contract: told to ask the PMO")],  # fmt: skip
    "access:request_detail": [
        Case(statuses(vendor_b=404, reader=404), kwargs=lambda w: _req(w, "submitted")),
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": _req(w, "submitted")["pk"]}, note="under the wrong project code"),  # fmt: skip
    ],
    "access:request_edit": [Case(statuses(pmo=403, others=403, vendor_a=200, vendor_b=404, reader=404), kwargs=lambda w: _req(w, "draft"))],  # fmt: skip
    "access:request_submit": [
        Case(EVERYONE_405, kwargs=lambda w: _req(w, "draft"), note="POST only"),
        Case(statuses(pmo=403, others=403, vendor_a=302, vendor_b=404, reader=404), kwargs=lambda w: _req(w, "draft"), method="post"),  # fmt: skip
    ],
    "access:request_withdraw": [Case(statuses(pmo=403, others=403, vendor_a=302, vendor_b=404, reader=404), kwargs=lambda w: _req(w, "submitted"), method="post")],  # fmt: skip
    "access:request_send_back": [Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: _req(w, "submitted"), method="post", note="no comment: refused with a message")],  # fmt: skip
    "access:request_forward": [Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: _req(w, "submitted"), method="post")],  # fmt: skip
    "access:request_reject": [Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: _req(w, "submitted"), method="post", note="no comment: refused with a message")],  # fmt: skip
    "access:request_provision": [Case(statuses(pmo=200, others=403, vendor_b=404, reader=404), kwargs=lambda w: _req(w, "approved"))],  # fmt: skip
    "access:grants": [Case(statuses(reader=403), kwargs=lambda w: {"code": w.project.code})],
    "access:grant_detail": [
        Case(statuses(vendor_b=404, reader=404), kwargs=lambda w: _grant(w)),
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": _grant(w)["pk"]}, note="under the wrong project code"),  # fmt: skip
    ],
    "access:grant_extend": [
        Case(EVERYONE_405, kwargs=lambda w: _grant(w), note="POST only"),
        Case(statuses(pmo=403, others=403, vendor_a=302, vendor_b=404, reader=404), kwargs=lambda w: _grant(w), method="post"),  # fmt: skip
    ],
    "access:grant_change": [Case(statuses(pmo=403, others=403, vendor_a=200, vendor_b=404, reader=404), kwargs=lambda w: _grant(w))],  # fmt: skip
    "access:grant_revoke": [Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: _grant(w), method="post", note="no reason: refused with a message")],  # fmt: skip
    "access:grant_confirm_revocation": [Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: _grant(w), method="post", note="not waiting for revocation: refused with a message")],  # fmt: skip
    "access:grant_confirm_removal": [Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: _grant(w), method="post", note="not expired: refused with a message")],  # fmt: skip
    "access:removals": [Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code})],
    # vendor access: setup (systems, vendors, delegations)
    "access:systems": [
        Case(statuses(reader=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}, note="the outsider is the client PM there"),  # fmt: skip
    ],
    "access:system_create": [
        Case(statuses(pmo=200, security=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "access:system_edit": [
        Case(statuses(pmo=200, security=200, others=403, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).items.get().level.system_id}, note="the system of vendor A's request"),  # fmt: skip
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.hidden_project.target_systems.get_or_create(name="Warehouse DB", owner="Ops")[0].pk}),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.project.code, "pk": w.hidden_project.target_systems.get_or_create(name="Warehouse DB", owner="Ops")[0].pk}, note="a system of the hidden project under this project's code"),  # fmt: skip
    ],
    "access:level_create": [
        Case(statuses(pmo=200, security=200, others=403, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).items.get().level.system_id}),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.project.code, "pk": w.hidden_project.target_systems.get_or_create(name="Warehouse DB", owner="Ops")[0].pk}, note="a system of the hidden project"),  # fmt: skip
    ],
    "access:level_edit": [
        Case(statuses(pmo=200, security=200, others=403, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).items.get().level_id}),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).items.get().level_id}, note="under the wrong project code"),  # fmt: skip
    ],
    "access:vendors": [
        Case(statuses(reader=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "access:contract_create": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "access:contract_edit": [
        Case(statuses(pmo=200, others=403, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).person.contract_id}, note="vendor A's contract: invisible to vendor B"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).person.contract_id}, note="under the wrong project code"),  # fmt: skip
    ],
    "access:contract_end": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).person.contract_id}, note="POST only"),  # fmt: skip
        Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).person.contract_id}, method="post", note="no reason: refused with a message"),  # fmt: skip
    ],
    "access:person_add": [
        Case(statuses(pmo=200, others=403, vendor_a=200, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).person.contract_id}, note="vendor A adds to its own company only"),  # fmt: skip
    ],
    "access:person_remove": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).person_id}, note="POST only"),  # fmt: skip
        Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).person_id}, method="post", note="no reason: refused with a message"),  # fmt: skip
    ],
    "access:person_request_removal": [
        Case(statuses(pmo=403, others=403, vendor_a=200, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).person_id}),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.project.access_requests.get(pk=_req(w, "draft")["pk"]).person_id}, note="under the wrong project code"),  # fmt: skip
    ],
    "access:delegations": [
        Case(statuses(vendor_a=403, vendor_b=403, reader=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "access:delegation_create": [
        Case(statuses(security=200, pmo=403, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "access:delegation_detail": [
        Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.grants.get(pk=_grant(w)["pk"]).delegation_id}, note="the delegation vendor A's grant cites"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.project.grants.get(pk=_grant(w)["pk"]).delegation_id}, note="under the wrong project code"),  # fmt: skip
    ],
    "access:delegation_evidence": [
        Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.grants.get(pk=_grant(w)["pk"]).delegation_id}),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.project.grants.get(pk=_grant(w)["pk"]).delegation_id}, note="under the wrong project code"),  # fmt: skip
    ],
    "access:delegation_revoke": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code, "pk": w.project.grants.get(pk=_grant(w)["pk"]).delegation_id}, note="POST only"),  # fmt: skip
        Case(statuses(security=302, pmo=403, client_pm=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.grants.get(pk=_grant(w)["pk"]).delegation_id}, method="post", note="no reason: refused with a message"),  # fmt: skip
    ],
    # vendor access: reviews, reconciliation, audit
    "access:reviews": [
        Case(statuses(vendor_a=403, vendor_b=403, reader=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}, note="the outsider is the client PM there"),  # fmt: skip
    ],
    "access:review_create": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "access:review_detail": [
        Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.review_campaigns.get_or_create(title="Q2 access review", defaults={"due_date": w.project.end_date, "started_by": w.members["pmo"].user})[0].items.get_or_create(grant_id=_grant(w)["pk"])[0].campaign_id}, note="a review of vendor A's grant"),  # fmt: skip
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.hidden_project.review_campaigns.get_or_create(title="Hidden review", defaults={"due_date": w.hidden_project.end_date, "started_by": w.members["outsider"].user})[0].pk}),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.project.review_campaigns.get_or_create(title="Q2 access review", defaults={"due_date": w.project.end_date, "started_by": w.members["pmo"].user})[0].pk}, note="under the wrong project code"),  # fmt: skip
    ],
    "access:review_keep": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code, "pk": w.project.review_campaigns.get_or_create(title="Q2 access review", defaults={"due_date": w.project.end_date, "started_by": w.members["pmo"].user})[0].items.get_or_create(grant_id=_grant(w)["pk"])[0].pk}, note="POST only"),  # fmt: skip
        Case(statuses(client_pm=302, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.review_campaigns.get_or_create(title="Q2 access review", defaults={"due_date": w.project.end_date, "started_by": w.members["pmo"].user})[0].items.get_or_create(grant_id=_grant(w)["pk"])[0].pk}, method="post", note="only the client PM decides"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.project.review_campaigns.get_or_create(title="Q2 access review", defaults={"due_date": w.project.end_date, "started_by": w.members["pmo"].user})[0].items.get_or_create(grant_id=_grant(w)["pk"])[0].pk}, method="post", note="under the wrong project code"),  # fmt: skip
    ],
    "access:review_revoke": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code, "pk": w.project.review_campaigns.get_or_create(title="Q2 access review", defaults={"due_date": w.project.end_date, "started_by": w.members["pmo"].user})[0].items.get_or_create(grant_id=_grant(w)["pk"])[0].pk}, note="POST only"),  # fmt: skip
        Case(statuses(client_pm=200, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.review_campaigns.get_or_create(title="Q2 access review", defaults={"due_date": w.project.end_date, "started_by": w.members["pmo"].user})[0].items.get_or_create(grant_id=_grant(w)["pk"])[0].pk}, method="post", note="no reason: the form again with a message"),  # fmt: skip
    ],
    "access:reconciliations": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "access:reconciliation_create": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "access:reconciliation_detail": [
        Case(statuses(pmo=200, others=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": w.project.reconciliations.get_or_create(file_name="accounts.csv", defaults={"system": w.project.grants.get(pk=_grant(w)["pk"]).level.system, "uploaded_by": w.members["pmo"].user, "account_count": 0})[0].pk}),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": w.project.reconciliations.get_or_create(file_name="accounts.csv", defaults={"system": w.project.grants.get(pk=_grant(w)["pk"]).level.system, "uploaded_by": w.members["pmo"].user, "account_count": 0})[0].pk}, note="under the wrong project code"),  # fmt: skip
    ],
    "access:audit": [
        Case(statuses(vendor_a=403, vendor_b=403, reader=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "access:grants_csv": [
        Case(statuses(pmo=200, security=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    # the project dictionary: PMO staff edit, the client PM approves, vendors and readers see approved terms only
    "dictionary:list": [
        Case(statuses(), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "dictionary:term_create": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}, note="the outsider is the client PM there"),  # fmt: skip
    ],
    "dictionary:term_detail": [
        Case(statuses(), kwargs=lambda w: _term(w, "approved")),
        Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _term(w, "proposed"), note="not approved: vendors and readers cannot know it"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _term(w, "approved", w.hidden_project), note="under the wrong project code"),  # fmt: skip
    ],
    "dictionary:term_edit": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: _term(w, "approved")),
        Case(statuses(pmo=200, others=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _term(w, "proposed")),  # fmt: skip
    ],
    "dictionary:term_deprecate": [Case(statuses(pmo=200, others=403), kwargs=lambda w: _term(w, "approved"))],
    "dictionary:term_delete": [
        Case(EVERYONE_405, kwargs=lambda w: _term(w, "proposed"), note="POST only"),
        Case(statuses(pmo=302, others=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _term(w, "proposed"), method="post"),  # fmt: skip
    ],
    "dictionary:term_history": [
        Case(statuses(others=403, client_pm=200, security=200), kwargs=lambda w: _term(w, "approved"), note="proposals are for the PMO and the client side"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _term(w, "approved", w.hidden_project), note="under the wrong project code"),  # fmt: skip
    ],
    "dictionary:proposal_withdraw": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code, "pk": pending_change(w.project).pk}, note="POST only"),  # fmt: skip
        Case(statuses(pmo=302, others=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: {"code": w.project.code, "pk": pending_change(w.project).pk}, method="post"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "pk": pending_change(w.project).pk}, method="post", note="under the wrong project code"),  # fmt: skip
    ],
    "dictionary:approvals": [Case(statuses(others=403, client_pm=200, security=200), kwargs=lambda w: {"code": w.project.code})],  # fmt: skip
    "dictionary:approve_selected": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code}, note="POST only"),
        Case(statuses(client_pm=302, pmo=403, others=403), kwargs=lambda w: {"code": w.project.code}, method="post", note="nothing ticked: refused with a message"),  # fmt: skip
    ],
    "dictionary:reject_selected": [Case(statuses(client_pm=302, pmo=403, others=403), kwargs=lambda w: {"code": w.project.code}, method="post", note="nothing ticked: refused with a message")],  # fmt: skip
    "dictionary:categories": [Case(statuses(), kwargs=lambda w: {"code": w.project.code})],
    "dictionary:category_create": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code}, note="POST only"),
        Case(statuses(pmo=422, others=403), kwargs=lambda w: {"code": w.project.code}, method="post", note="no name: the page again with the error"),  # fmt: skip
    ],
    "dictionary:baselines": [Case(statuses(), kwargs=lambda w: {"code": w.project.code})],
    "dictionary:baseline_create": [Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code})],
    "dictionary:baseline_detail": [
        Case(statuses(), kwargs=lambda w: {"code": w.project.code, "number": baseline(w.project).number}),
        Case(statuses(members=404), kwargs=lambda w: {"code": w.hidden_project.code, "number": baseline(w.project).number}, note="Alpha's release under the hidden project's code"),  # fmt: skip
    ],
    "dictionary:baseline_compare": [Case(statuses(), kwargs=lambda w: {"code": w.project.code})],
    "dictionary:import": [Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code})],
    "dictionary:import_preview": [
        Case(statuses(pmo=200, others=404), kwargs=lambda w: {"code": w.project.code, "pk": prepared_import(w.project).pk}, note="an import is the PMO's own work in progress"),  # fmt: skip
    ],
    "dictionary:import_apply": [
        Case(EVERYONE_405, kwargs=lambda w: {"code": w.project.code, "pk": prepared_import(w.project).pk}, note="POST only"),  # fmt: skip
        Case(statuses(pmo=302, others=404), kwargs=lambda w: {"code": w.project.code, "pk": prepared_import(w.project).pk}, method="post"),  # fmt: skip
    ],
    "dictionary:export_csv": [Case(statuses(), kwargs=lambda w: {"code": w.project.code})],
    "dictionary:export_xlsx": [Case(statuses(), kwargs=lambda w: {"code": w.project.code})],
    "dictionary:check": [Case(statuses(), kwargs=lambda w: {"code": w.project.code})],
    "dictionary:copy": [Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code})],
    "dictionary:glossary_create": [Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code})],
    # RFPs: the PMO drafts, the client PM reviews and approves, invited vendors read what was issued; readers none
    "rfp:list": [
        Case(statuses(reader=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}, note="the outsider is the client PM there"),  # fmt: skip
    ],
    "rfp:create": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "rfp:detail": [
        Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w), note="a draft: vendors and readers cannot know it"),
        Case(statuses(vendor_a=302, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), note="issued: vendor A (invited) is sent to the issued version"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _rfp(w, project=w.hidden_project), note="under the wrong project code"),  # fmt: skip
    ],
    "rfp:edit": [Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w))],
    "rfp:section_add": [Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w))],
    "rfp:section_edit": [
        Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_section(w)),
        Case(statuses(members=404), kwargs=lambda w: _rfp_section(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    **{name: [Case(EVERYONE_405, kwargs=lambda w: _rfp_section(w), note="POST only"), Case(statuses(pmo=302, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_section(w), method="post")] for name in ("rfp:section_up", "rfp:section_down", "rfp:section_delete")},  # fmt: skip
    "rfp:preview": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp(w), note="POST only"),
        Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w), method="post", note="renders the text it is given"),
    ],
    "rfp:review": [Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w)), Case(statuses(vendor_a=403, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), note="issued: vendor A reads the issued version, not the review")],  # fmt: skip
    "rfp:section_understood": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_section(w), note="POST only"),
        Case(statuses(client_pm=302, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_section(w), method="post"),  # fmt: skip
    ],
    "rfp:section_ask": [Case(statuses(client_pm=302, pmo=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_section(w), method="post", note="no question: refused with a message")],  # fmt: skip
    "rfp:pm_question_answer": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_pm_question(w), note="POST only"),
        Case(statuses(pmo=302, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_pm_question(w), method="post", note="no answer: refused with a message"),  # fmt: skip
    ],
    "rfp:requirements": [Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w))],
    "rfp:requirement_create": [Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w))],
    "rfp:requirement_edit": [
        Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_requirement(w)),
        Case(statuses(members=404), kwargs=lambda w: _rfp_requirement(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    **{name: [Case(EVERYONE_405, kwargs=lambda w: _rfp_requirement(w), note="POST only"), Case(statuses(pmo=302, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_requirement(w), method="post")] for name in ("rfp:requirement_up", "rfp:requirement_down", "rfp:requirement_delete")},  # fmt: skip
    "rfp:criteria": [
        Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w), note="the client PM and security read them"),
        Case(statuses(pmo=422, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w), method="post", note="nothing posted: the form again with the error"),  # fmt: skip
    ],
    "rfp:submit": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp(w), note="POST only"),
        Case(statuses(pmo=302, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w), method="post"),  # fmt: skip
    ],
    "rfp:recall": [Case(statuses(pmo=302, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w, "in_review"), method="post")],  # fmt: skip
    "rfp:issue": [Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w, "approved"))],
    "rfp:close": [Case(statuses(pmo=302, client_pm=403, security=403, vendor_a=403, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w, "issued", title="閉じるRFP"), method="post", note="vendor A sees the issued RFP but may not close it (an RFP of its own: closing it ends the others' cases)")],  # fmt: skip
    "rfp:versions": [Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w)), Case(statuses(vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w))],  # fmt: skip
    "rfp:compare": [Case(statuses(vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w))],
    "rfp:version_detail": [
        Case(statuses(vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w, number=2), note="the issued version: what vendor A reads"),  # fmt: skip
        Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w, number=1), note="the copy the client PM approved: internal"),  # fmt: skip
    ],
    # vendors and an issued RFP (vendor A's company invited, vendor B's not: the RFP is invisible to vendor B)
    "rfp:invitations": [
        Case(statuses(vendor_a=403, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), note="the PMO side; the invited vendor may not see the list"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _rfp_v(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    "rfp:invite": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_v(w), note="POST only"),
        Case(statuses(pmo=422, others=403, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), method="post", note="no company chosen: the page again with the error"),  # fmt: skip
    ],
    "rfp:questions": [
        Case(statuses(vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), note="vendor A: its own questions and the published answers"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _rfp_v(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    "rfp:question_ask": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_v(w), note="POST only"),
        Case(statuses(others=403, pmo=403, vendor_a=422, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), method="post", note="no text: the page again with the error"),  # fmt: skip
    ],
    "rfp:answer_create": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_v(w), note="POST only"),
        Case(statuses(pmo=422, others=403, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), method="post", note="nothing filled in: the page again with the errors"),  # fmt: skip
    ],
    "rfp:answer_publish": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_answer(w), note="POST only"),
        Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: _rfp_answer(w), method="post"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _rfp_answer(w) | {"code": w.hidden_project.code}, method="post", note="under the wrong project code"),  # fmt: skip
    ],
    "rfp:answer_delete": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_answer(w), note="POST only"),
        Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: _rfp_answer(w), method="post", note="a draft: withdrawn"),  # fmt: skip
    ],
    "rfp:proposals": [
        Case(statuses(vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), note="vendor A: its own proposal only"),
        Case(statuses(members=404), kwargs=lambda w: _rfp_v(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    "rfp:proposal_upload": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_v(w), note="POST only"),
        Case(statuses(others=403, pmo=403, vendor_a=422, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), method="post", note="no file: the page again with the error"),  # fmt: skip
    ],
    "rfp:proposals_open": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_v(w), note="POST only"),
        Case(statuses(pmo=302, others=403, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), method="post", note="before the deadline: refused with a message"),  # fmt: skip
    ],
    "rfp:proposal_download": [
        Case(statuses(pmo=403, others=403, vendor_a=200, vendor_b=404, reader=404), kwargs=lambda w: _rfp_proposal(w), note="sealed: only its own vendor reads it"),  # fmt: skip
        Case(statuses(vendor_b=404, reader=404), kwargs=lambda w: _rfp_proposal(w, opened=True), note="opened by the PMO after the deadline"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _rfp_proposal(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    # evaluating the proposals: PMO, client PM and security only; vendors (even invited) and readers cannot know it exists
    "rfp:evaluation": [
        Case(statuses(vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_evaluation(w), note="vendor A reads the RFP, never its evaluation"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _rfp_evaluation(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    "rfp:evaluator_declare": [
        Case(EVERYONE_405, kwargs=lambda w: _rfp_evaluation(w), note="POST only"),
        Case(statuses(members=422, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_evaluation(w), method="post", note="box not ticked: the page again with the error"),  # fmt: skip
    ],
    "rfp:score": [
        Case(statuses(pmo=200, others=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_evaluation(w, proposal=True), note="only the PMO declared: the others are told to declare first"),  # fmt: skip
        Case(statuses(pmo=422, others=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_evaluation(w, proposal=True), method="post", note="no scores: the form again with the errors"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _rfp_evaluation(w, proposal=True) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    "rfp:recommendation": [
        Case(statuses(pmo=200, others=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_evaluation(w)),
        Case(statuses(pmo=422, others=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_evaluation(w), method="post", note="nothing chosen: the form again with the errors"),  # fmt: skip
    ],
    # the firm's library (templates and reusable clauses): PMO staff of a PMO firm, from a project they run
    "rfp:clauses": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}, note="the firm's library, reached from a project the user runs"),  # fmt: skip
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}, note="the outsider is the client PM there, not PMO staff"),  # fmt: skip
    ],
    "rfp:clause_create": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "rfp:clause_edit": [
        Case(statuses(pmo=200, others=403), kwargs=lambda w: _library_clause(w)),
        Case(statuses(pmo=404, others=403), kwargs=lambda w: _library_clause(w, mine=False), note="another organization's clause: the PMO cannot know it"),  # fmt: skip
        Case(statuses(members=404, outsider=403), kwargs=lambda w: _library_clause(w) | {"code": w.hidden_project.code}, note="under the hidden project's code"),  # fmt: skip
    ],
    "rfp:template_delete": [
        Case(EVERYONE_405, kwargs=lambda w: _library_template(w), note="POST only"),
        Case(statuses(pmo=302, others=403), kwargs=lambda w: _library_template(w), method="post"),
    ],
    "rfp:template_save": [
        Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp(w), note="a draft: vendors cannot know it"),  # fmt: skip
        Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=403, vendor_b=404, reader=404), kwargs=lambda w: _rfp_v(w), note="issued: vendor A (invited) sees it but may not save it"),  # fmt: skip
    ],
    "rfp:clause_insert": [
        Case(statuses(pmo=200, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_section(w), note="the firm's clauses to choose from"),  # fmt: skip
        Case(statuses(pmo=302, client_pm=403, security=403, vendor_a=404, vendor_b=404, reader=404), kwargs=lambda w: _rfp_section(w), method="post", note="no clause chosen: refused with a message"),  # fmt: skip
    ],
    # screenshot manuals: PMO staff write; the client PM and security read the working copy; readers read published
    # editions shared with them; vendors and other projects cannot know a manual exists (404)
    "manuals:list": [
        Case(statuses(**NO_VENDORS), kwargs=lambda w: {"code": w.project.code}, note="readers: the published manuals shared with them"),  # fmt: skip
        Case(statuses(members=404, outsider=200), kwargs=lambda w: {"code": w.hidden_project.code}, note="the outsider is the client PM there"),  # fmt: skip
    ],
    "manuals:create": [
        Case(statuses(pmo=200, others=403, **NO_VENDORS), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "manuals:settings": [
        Case(statuses(pmo=200, others=403, **NO_VENDORS), kwargs=lambda w: {"code": w.project.code}),
        Case(statuses(members=404, outsider=403), kwargs=lambda w: {"code": w.hidden_project.code}),
    ],
    "manuals:detail": [
        Case(statuses(reader=403, **NO_VENDORS), kwargs=lambda w: _manual(w), note="the working copy: readers read editions"),  # fmt: skip
        Case(statuses(reader=404, **NO_VENDORS), kwargs=lambda w: _draft_manual(w), note="never published: readers cannot know it"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _manual(w, w.hidden_project), note="under the wrong project code"),
    ],
    "manuals:edit": [
        Case(statuses(pmo=200, others=403, **NO_VENDORS), kwargs=lambda w: _manual(w)),
        Case(statuses(pmo=200, others=403, **NO_VENDORS), kwargs=lambda w: _manual(w), method="post", note="no title: the form again with the errors"),  # fmt: skip
    ],
    "manuals:variant_add": [
        Case(EVERYONE_405, kwargs=lambda w: _manual(w), note="POST only"),
        Case(statuses(pmo=302, others=403, **NO_VENDORS), kwargs=lambda w: _manual(w), method="post", note="no name: refused with a message"),  # fmt: skip
    ],
    "manuals:variant_delete": [
        Case(EVERYONE_405, kwargs=lambda w: _manual_variant(w), note="POST only"),
        Case(statuses(pmo=302, others=403, **NO_VENDORS), kwargs=lambda w: _manual_variant(w), method="post"),
        Case(statuses(members=404, client_pm=403, security=403), kwargs=lambda w: _manual_variant(w) | {"pk": _draft_manual(w)["pk"]}, method="post", note="an environment of another manual (the client PM and security see that manual, may not change it)"),  # fmt: skip
    ],
    "manuals:step_add": [
        Case(statuses(pmo=200, others=403, **NO_VENDORS), kwargs=lambda w: _manual(w)),
        Case(statuses(pmo=200, others=403, **NO_VENDORS), kwargs=lambda w: _manual(w), method="post", note="no title: the form again with the error"),  # fmt: skip
    ],
    "manuals:steps_reorder": [
        Case(EVERYONE_405, kwargs=lambda w: _manual(w), note="POST only"),
        Case(statuses(pmo=302, others=403, **NO_VENDORS), kwargs=lambda w: _manual(w), method="post", note="no order: refused with a message"),  # fmt: skip
    ],
    "manuals:step_edit": [
        Case(statuses(pmo=200, others=403, **NO_VENDORS), kwargs=lambda w: _manual_step(w)),
        Case(statuses(pmo=200, others=403, **NO_VENDORS), kwargs=lambda w: _manual_step(w), method="post", note="no title: the form again with the error"),  # fmt: skip
        Case(statuses(members=404, client_pm=403, security=403), kwargs=lambda w: _manual_step(w) | {"pk": _draft_manual(w)["pk"]}, note="a step of another manual (the client PM and security see that manual, may not change it)"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _manual_step(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    **{name: [Case(EVERYONE_405, kwargs=lambda w: _manual_step(w), note="POST only"), Case(statuses(pmo=302, others=403, **NO_VENDORS), kwargs=lambda w: _manual_step(w), method="post")] for name in ("manuals:step_duplicate", "manuals:step_delete", "manuals:step_up", "manuals:step_down")},  # fmt: skip
    "manuals:step_preview": [
        Case(EVERYONE_405, kwargs=lambda w: _manual_step(w), note="POST only"),
        Case(statuses(pmo=200, others=403, **NO_VENDORS), kwargs=lambda w: _manual_step(w), method="post", note="renders the text it is given"),  # fmt: skip
    ],
    "manuals:screenshot_upload": [
        Case(EVERYONE_405, kwargs=lambda w: _manual_step(w), note="POST only"),
        Case(statuses(pmo=422, others=403, **NO_VENDORS), kwargs=lambda w: _manual_step(w), method="post", note="no file: the step again with the error"),  # fmt: skip
    ],
    "manuals:screenshot_annotate": [
        Case(EVERYONE_405, kwargs=lambda w: _manual_shot(w), note="POST only"),
        Case(statuses(pmo=302, others=403, **NO_VENDORS), kwargs=lambda w: _manual_shot(w), method="post", note="no shapes: the annotations removed"),  # fmt: skip
    ],
    "manuals:screenshot_delete": [
        Case(EVERYONE_405, kwargs=lambda w: _manual_shot(w), note="POST only"),
        Case(statuses(pmo=302, others=403, **NO_VENDORS), kwargs=lambda w: _manual_shot(w), method="post"),
        Case(statuses(members=404, client_pm=403, security=403), kwargs=lambda w: _manual_shot(w) | {"pk": _draft_manual(w)["pk"]}, method="post", note="a screenshot of another manual (the client PM and security see that manual, may not change it)"),  # fmt: skip
    ],
    # a changed picture: insiders compare it; only the named reviewer (the client PM) decides; readers never see
    # the working copy's pictures (404, as any part of it)
    "manuals:version": [
        Case(statuses(reader=403, **NO_VENDORS), kwargs=lambda w: _manual_version(w)),
        Case(statuses(members=404), kwargs=lambda w: _manual_version(w) | {"pk": _draft_manual(w)["pk"]}, note="a version of another manual"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _manual_version(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    "manuals:version_image": [
        Case(statuses(reader=404, **NO_VENDORS), kwargs=lambda w: _manual_version(w), note="the original, blur boxes not applied: insiders only"),  # fmt: skip
        Case(statuses(members=404), kwargs=lambda w: _manual_version(w) | {"pk": _draft_manual(w)["pk"]}, note="a version of another manual"),  # fmt: skip
    ],
    "manuals:version_overlay": [Case(statuses(reader=404, **NO_VENDORS), kwargs=lambda w: _manual_version(w))],
    **{name: [Case(EVERYONE_405, kwargs=lambda w: _manual_version(w), note="POST only"), Case(statuses(client_pm=422, pmo=403, security=403, reader=403, **NO_VENDORS), kwargs=lambda w: _manual_version(w), method="post", note="the reviewer: nothing chosen, the page again with the error; the uploader and security may not decide")] for name in ("manuals:version_confirm", "manuals:version_reject")},  # fmt: skip
    # the manual's way to readers
    **{name: [Case(EVERYONE_405, kwargs=lambda w: _manual(w), note="POST only"), Case(statuses(pmo=302, others=403, **NO_VENDORS), kwargs=lambda w: _manual(w), method="post", note=note)] for name, note in (("manuals:submit", ""), ("manuals:publish", "a picture waits: refused with a message"), ("manuals:reviewed", ""))},  # fmt: skip
    "manuals:export": [
        Case(EVERYONE_405, kwargs=lambda w: _manual(w), note="POST only"),
        Case(statuses(members=302, reader=403, **NO_VENDORS), kwargs=lambda w: _manual(w), method="post", note="the working copy's PDF, for insiders; a picture waits: refused with a message"),  # fmt: skip
    ],
    # reading published editions
    "manuals:read": [
        Case(statuses(members=302, **NO_VENDORS), kwargs=lambda w: _manual(w), note="sent to the latest edition"),
        Case(statuses(members=404), kwargs=lambda w: _draft_manual(w), note="never published: nothing to read"),
        Case(statuses(members=404), kwargs=lambda w: _manual(w, w.hidden_project), note="under the wrong project code"),
    ],
    "manuals:editions": [Case(statuses(**NO_VENDORS), kwargs=lambda w: _manual(w))],
    "manuals:edition": [
        Case(statuses(**NO_VENDORS), kwargs=lambda w: _manual_edition(w)),
        Case(statuses(members=404), kwargs=lambda w: _manual_edition(w) | {"number": 2}, note="no such edition"),
        Case(statuses(members=404), kwargs=lambda w: _manual_edition(w) | {"code": w.hidden_project.code}, note="under the wrong project code"),  # fmt: skip
    ],
    "manuals:edition_pdf": [
        Case(statuses(**NO_VENDORS), kwargs=lambda w: _manual_edition(w, pdf=True)),
        Case(statuses(members=302, **NO_VENDORS), kwargs=lambda w: _manual_edition(w), note="not made yet: back to the edition with a message"),  # fmt: skip
    ],
    "manuals:edition_image": [
        Case(statuses(**NO_VENDORS), kwargs=lambda w: _manual_edition_image(w), note="the edition's own copy"),
        Case(statuses(members=404), kwargs=lambda w: _manual_edition_image(w) | {"version": _manual_version(w)["version"]}, note="a picture that is not part of the edition"),  # fmt: skip
    ],
    "manuals:report": [
        Case(statuses(**NO_VENDORS), kwargs=lambda w: _manual_edition_step(w)),
        Case(statuses(members=404), kwargs=lambda w: _manual_edition_step(w) | {"step_id": 0}, note="a step not in the edition"),  # fmt: skip
    ],
    "manuals:reports": [Case(statuses(reader=403, **NO_VENDORS), kwargs=lambda w: _manual(w))],
    "manuals:report_image": [
        Case(statuses(**NO_VENDORS), kwargs=lambda w: _manual_report(w), note="insiders, and the reader who sent it"),
        Case(statuses(members=404), kwargs=lambda w: _manual_report(w) | {"pk": _draft_manual(w)["pk"]}, note="a report of another manual"),  # fmt: skip
    ],
    "manuals:report_resolve": [
        Case(EVERYONE_405, kwargs=lambda w: _manual_report(w), note="POST only"),
        Case(statuses(pmo=302, others=403, **NO_VENDORS), kwargs=lambda w: _manual_report(w), method="post", note="the reader who sent it may not close it"),  # fmt: skip
    ],
    # notifications: private to their recipient
    "notifications:list": [Case(SIGNED_IN_200)],
    "notifications:menu": [Case(SIGNED_IN_200)],
    "notifications:settings": [Case(SIGNED_IN_200)],
    "notifications:read_all": [Case(EVERYONE_405, note="POST only"), Case(statuses(members=302, outsider=302), method="post")],  # fmt: skip
    "notifications:read": [
        Case(EVERYONE_405, kwargs=lambda w: {"pk": notification_for(w.members["pmo"].user).pk}, note="POST only"),
        Case(statuses(pmo=302, others=404), kwargs=lambda w: {"pk": notification_for(w.members["pmo"].user).pk}, method="post"),  # fmt: skip
    ],
    "notifications:open": [
        Case(EVERYONE_405, kwargs=lambda w: {"pk": notification_for(w.members["pmo"].user).pk}, note="POST only"),
        Case(statuses(pmo=302, others=404), kwargs=lambda w: {"pk": notification_for(w.members["pmo"].user).pk}, method="post"),  # fmt: skip
    ],
}


def all_url_names():
    """Every named URL pattern, with its namespace, and any pattern without a name."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield namespace, pattern.name, str(pattern.pattern)

    return list(walk(get_resolver().url_patterns, ""))


def test_every_url_has_an_entry():
    missing = []
    for namespace, name, route in all_url_names():
        if namespace == "admin":
            continue  # checked as a whole below
        full = f"{namespace}:{name}" if namespace else name
        if name is None or full not in TABLE:
            missing.append(f"{full or '(unnamed)'} -> {route}")
    assert missing == [], f"URLs without an entry in the access table: {missing}"
    assert set(TABLE) <= {f"{ns}:{n}" if ns else n for ns, n, _ in all_url_names()}, "stale entries in TABLE"


@pytest.fixture
def world(personas, project, hidden_project):
    from projects.models import Membership

    members = {m.user.username: m for m in Membership.objects.select_related("user")}
    by_persona = {name: members[user.username] for name, user in personas.items() if user is not None}
    return World(project=project, hidden_project=hidden_project, members=by_persona)


CASES = [(name, i) for name, cases in TABLE.items() for i in range(len(cases))]


@pytest.mark.parametrize(("url_name", "index"), CASES, ids=[f"{n}#{i}" for n, i in CASES])
def test_access(url_name, index, world, personas, db):
    case = TABLE[url_name][index]
    url = reverse(url_name, kwargs=case.kwargs(world))
    got = {}
    # A POST that succeeds changes the data, so the personas expected to succeed go last.
    for persona in sorted(PERSONAS, key=lambda p: case.method == "post" and case.expected[p] < 400):
        response = getattr(client_for(personas[persona]), case.method)(url)
        got[persona] = response.status_code
    assert got == case.expected, f"{case.method.upper()} {url} {case.note}"


def test_anonymous_is_sent_to_sign_in_with_next(db):
    url = reverse("projects:list")
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


# --- Django admin: superusers only -------------------------------------------------------------------------


def _admin_urls():
    """Every admin URL we can build: index, app lists, and each model's list, add, change, delete and history."""
    urls = {}
    for namespace, name, _route in all_url_names():
        if namespace != "admin" or name is None:
            continue
        full = f"admin:{name}"
        try:
            urls[full] = reverse(full)
            continue
        except Exception:  # noqa: BLE001  (the pattern needs arguments; built below)
            pass
        if name == "app_list":
            for config in apps.get_app_configs():
                try:
                    urls[f"{full}[{config.label}]"] = reverse(full, kwargs={"app_label": config.label})
                except Exception:  # noqa: BLE001  (apps without admin models have no app list)
                    pass
            continue
        for suffix in ("_change", "_delete", "_history"):
            if name.endswith(suffix):
                app_label, _sep, model_name = name[: -len(suffix)].partition("_")
                model = _find_model(app_label, model_name)
                obj = model.objects.first() if model else None
                if obj is not None:
                    urls[full] = reverse(full, kwargs={"object_id": obj.pk})
    return urls


def _find_model(app_label, rest):
    for model in apps.get_models():
        if f"{model._meta.app_label}_{model._meta.model_name}" == f"{app_label}_{rest}":
            return model
    return None


# Logs that nobody may write by hand, not even a superuser.
READ_ONLY_ADMIN_ADD = {
    "admin:pmo_portal_auditevent_add",
    "admin:axes_accessattempt_add",
    "admin:axes_accesslog_add",
    "admin:axes_accessfailurelog_add",
}


def test_admin_is_for_superusers_only(personas, db):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    staff_but_not_superuser = UserFactory(username="staffer", is_staff=True)
    urls = _admin_urls()
    assert "admin:index" in urls and "admin:projects_project_changelist" in urls and "admin:accounts_user_change" in urls
    wrong = []
    for key, url in urls.items():
        for who, user in [*personas.items(), ("staff", staff_but_not_superuser)]:
            status = client_for(user).get(url).status_code
            expected = {"admin:login": 200, "admin:logout": 302}.get(key, 302)
            if status != expected:
                wrong.append(f"{who} GET {url}: {status}, expected {expected}")
        status = client_for(superuser).get(url).status_code
        expected = {"admin:login": 302, "admin:logout": 405}.get(key, 403 if key in READ_ONLY_ADMIN_ADD else 200)
        if key.startswith("admin:view_on_site") or key == "admin:autocomplete":
            expected = status if status in {302, 403, 404} else 200
        if status != expected:
            wrong.append(f"superuser GET {url}: {status}, expected {expected}")
    assert wrong == [], "\n".join(wrong)
