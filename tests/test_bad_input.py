"""Hostile input to every form: never a 500, nothing saved from a rejected form, nothing invisible stored.

FORMS lists every form a persona can post to. `test_every_post_url_is_covered` finds each URL
that accepts a POST (from the URL-access table) and fails when FORMS misses one.

For each form, each field in turn gets each hostile value while the others keep valid values;
then all fields get the same hostile value at once; then the raw body carries invalid UTF-8;
and finally a valid post without a CSRF token must be refused.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import (
    AccessRequest,
    AccessRequestItem,
    Delegation,
    Grant,
    Organization,
    PermissionLevel,
    Reconciliation,
    ReviewCampaign,
    ReviewItem,
    TargetSystem,
    User,
    VendorContract,
    VendorPerson,
)
from manuals.models import Edition, Manual, ManualSettings, ScreenReport, Screenshot, ScreenshotVersion, Step, Variant
from pmo_portal.models import NotificationPreference
from pmo_portal.notifications import kinds as notification_kinds
from projects.models import (
    BaselineTerm,
    DictionaryBaseline,
    DictionaryImport,
    Membership,
    Project,
    SharedGlossary,
    SharedGlossaryTerm,
    SignOffRequest,
    Term,
    TermCategory,
    TermProposal,
)
from projects.services.dictionary import term_content
from rfp.models import (
    Answer,
    Clause,
    EvaluationCriterion,
    Evaluator,
    Invitation,
    PmQuestion,
    Proposal,
    Recommendation,
    Requirement,
    Rfp,
    RfpSection,
    RfpTemplate,
    RfpVersion,
    Score,
    SectionUnderstanding,
    VendorQuestion,
)

from .access_factories import contract_for, delegation_for, level
from .conftest import client_for
from .dictionary_factories import approved, pending_change, prepared_import, term_in
from .factories import notification_for, pending_signoff
from .manual_factories import START_CALLOUT, desktop
from .test_url_access import (
    TABLE,
    _grant,
    _library_clause,
    _library_template,
    _manual,
    _manual_edition_step,
    _manual_report,
    _manual_shot,
    _manual_step,
    _manual_variant,
    _manual_version,
    _req,
    _rfp,
    _rfp_answer,
    _rfp_evaluation,
    _rfp_pm_question,
    _rfp_requirement,
    _rfp_section,
    _rfp_v,
)

HOSTILE = {
    "huge": "x" * 10_000,
    "nul": "abc\x00def",
    "rtl_override": "invoice\u202egpj.exe",
    "zero_width": "pmo\u200b\u200dadmin",
    "full_width_digits": "２０２６-０４-０１",
    "full_width_number": "１２３４５６",
    "html": '<script>alert("pwned")</script>"><img src=x onerror=alert(1)>',
    "sql": "'; DROP TABLE accounts_user; --",
    "empty": "",
}
FORGED = "forged_id"  # replaced per form by the id of an object of the hidden project
INVISIBLE = ("\x00", "\u202e", "\u200b", "\u200d")
SCRIPT = '<script>alert("pwned")</script>'


@dataclass
class Form:
    persona: str
    url: Callable  # (world, client) -> url; may prepare the client (e.g. follow a reset link)
    valid: Callable  # (world) -> dict of valid values
    setup: Callable = lambda w: None  # noqa: E731
    fields: list = field(default_factory=list)  # fields to fuzz; default: every key of `valid`


def _project_data(w):
    p = w.project
    return {"code": p.code, "name": p.name, "description": "説明", "phase": p.phase, "start_date": "2026-04-01", "end_date": "2027-03-31", "default_language": "ja", "approval_reminder_days": 3}  # fmt: skip


def _reset_url(name):
    def build(w, client):
        user = User.objects.get(pk=w.personas["pmo"].pk)  # fresh: a token depends on the current password
        url = reverse(name, kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})  # fmt: skip
        chain = client.get(url, follow=True).redirect_chain
        return chain[-1][0] if chain else url

    return build


def _with_device(w):
    TOTPDevice.objects.create(user=w.personas["pmo"], name="app", confirmed=True)


NEW_PASSWORD = {"new_password1": "Lantern-Harbor-42", "new_password2": "Lantern-Harbor-42"}

def _today(days=0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _access_setup(w):
    contract_for(w.project, w.orgs.vendor_a)
    delegation_for(w.project, w.personas["pmo"])


def _level_pk(w, name="Read only"):
    return level(w.project, name).pk


def _request(w, status):
    return AccessRequest.objects.get(pk=_req(w, status)["pk"])


def _access_url(name, target):
    """The URL of an access form: the project's, or that of a request in a state, or of vendor A's grant."""

    def build(w, client):
        if target is None:
            return reverse(name, kwargs={"code": w.project.code})
        return reverse(name, kwargs=_grant(w) if target == "grant" else _req(w, target))

    return build


def _dictionary_url(name, target=None):
    """The URL of a dictionary form: the project's, or that of a term in a state ("approved", "proposed")."""

    def build(w, client):
        if target is None:
            return reverse(name, kwargs={"code": w.project.code})
        return reverse(name, kwargs={"code": w.project.code, "pk": term_in(w.project, target).pk})

    return build


def _term_form_data(w, term=None) -> dict:
    """What the term form posts: a new term, or ``term`` as it is (a change of one field makes it a proposal)."""
    data = {
        "name": "免責事由", "reading": "めんせきじゆう", "abbreviation": "", "language": "ja", "category": "",
        "equivalent_en": "Exclusions", "approximate_en": "", "equivalent_ko": "", "approximate_ko": "",
        "standard_definition": "保険金を支払わない事由。", "standard_source": "約款", "standard_reference": "第5条",
        "client_definition": "", "adopted": "standard", "rationale": "", "synonyms": "免責", "avoid": "",
        "broader": "", "narrower": "", "see_also": "", "examples": "", "counter_examples": "",
        "owner": w.personas["pmo"].pk, "note": "",
    }  # fmt: skip
    if term is not None:
        data |= {name: value for name, value in term_content(term).items() if isinstance(value, str)}
        data["standard_definition"] = term.standard_definition + " 改訂。"
    return data


def _other_project_of_pmo(w):
    """A second project where the PMO consultant is PMO staff, with one approved term to copy from."""
    from .factories import MembershipFactory, ProjectFactory

    other = ProjectFactory(code="BETA", client=w.orgs.client, pmo_firm=w.orgs.pmo)
    MembershipFactory(project=other, user=w.personas["pmo"], role="pmo")
    MembershipFactory(project=other, role="client_pm")
    approved(other, "契約者", standard_definition="保険契約を結んだ人。")
    return other


# An import file as Japanese Excel saves it: Shift-JIS. The test client reads a file once; this gives its bytes each time.
DICTIONARY_CSV = type("DictionaryCsv", (), {"name": "用語集.csv", "content_type": "text/csv", "read": lambda self: "用語,読み,標準定義\r\n査定,さてい,支払の可否と金額を決めること。\r\n".encode("cp932")})  # fmt: skip


PROPOSAL_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _rfp_question(w):
    """A question of vendor A on the issued RFP, for the PMO to answer (asked once)."""
    from rfp import services
    from rfp.models import Rfp, VendorQuestion

    rfp = Rfp.objects.get(pk=_rfp_v(w)["pk"])
    found = VendorQuestion.objects.filter(rfp=rfp).first()
    return found or services.vendor_question_ask(actor=w.personas["vendor_a"], rfp=rfp, text="移行対象に過去の請求履歴は含まれますか？")  # fmt: skip


def _rfp_url(name, **extra):
    return lambda w, c: reverse(name, kwargs=_rfp_v(w, **extra))


# --- entries: paste into FORMS --------------------------------------------------------------------------------------

def _rfp_page(name, target="rfp", status="draft"):
    """The URL of an RFP form: the project's (target None), or that of Alpha's RFP in ``status``, of its first section
    ("section"), first requirement ("requirement") or the client PM's question ("pm_question")."""

    def build(w, client):
        kwargs = {
            None: lambda: {"code": w.project.code},
            "rfp": lambda: _rfp(w, status),
            "section": lambda: _rfp_section(w),
            "requirement": lambda: _rfp_requirement(w),
            "pm_question": lambda: _rfp_pm_question(w),
            "clause": lambda: _library_clause(w),
            "template": lambda: _library_template(w),
        }[target]()
        return reverse(name, kwargs=kwargs)

    return build


def _section_data(w) -> dict:
    return {"title": "対象範囲", "body": "- 代理店からの**保険金請求**を対象とする。\n- 会計システムは対象外。", "explanation": "範囲外を明記しないと、含まれると解釈されがちです。"}  # fmt: skip


def _clause_data(w) -> dict:
    return {"title": "個人情報の取扱い", "body": "受託者は個人情報を**適切に**管理すること。", "language": "ja", "owner": w.personas["pmo"].pk, "review_date": _today(180)}  # fmt: skip


def _rfp_evaluation_url(name, proposal=False):
    return lambda w, c: reverse(name, kwargs=_rfp_evaluation(w, proposal=proposal))


def _score_data(w) -> dict:
    """A score of 4 with a comment for every criterion of the RFP."""
    criteria = EvaluationCriterion.objects.filter(rfp_id=_rfp_evaluation(w)["pk"])
    return {key: value for c in criteria for key, value in ((f"score_{c.pk}", "4"), (f"comment_{c.pk}", "提案書3章の移行計画が具体的。"))}  # fmt: skip


def _deadlines(days=7) -> dict:
    return {"question_deadline": f"{_today(days)}T17:00", "proposal_deadline": f"{_today(days + 7)}T17:00"}


def _manual_url(name, target=_manual, **options):
    """The URL of a manual form: the project's (target None), or that of Alpha's manual or one of its parts
    (``target``: a URL-kwargs helper of the URL-access table, called with ``options``)."""

    def build(w, client):
        return reverse(name, kwargs={"code": w.project.code} if target is None else target(w, **options))

    return build


# A small screenshot as a browser pastes it; the test client reads a file once, so this gives its bytes each time.
SCREENSHOT_PNG = desktop(size=(640, 360))
SCREENSHOT = type("Screenshot", (), {"name": "スクリーンショット.png", "content_type": "image/png", "read": lambda self: SCREENSHOT_PNG})  # fmt: skip


def _step_data(w) -> dict:
    return {"title": "申請画面を開く", "instruction": "画面下の**スタート**を押し、「経費精算」を選びます。", "expected": "申請の一覧が表示されます。"}  # fmt: skip


def _manual_data(w) -> dict:
    return {"title": "経費精算の手順", "audience": "支店の事務担当者", "language": "ja", "reviewer": w.personas["client_pm"].pk, "share_with_all_readers": "", "shared_with": [w.personas["reader"].pk]}  # fmt: skip


def _step_order(w) -> dict:
    """The manual's steps, last first (as dragged and dropped)."""
    return {"order": list(Step.objects.filter(manual_id=_manual(w)["pk"]).order_by("-position", "-pk").values_list("pk", flat=True))}  # fmt: skip


FORMS: dict[str, Form] = {
    "accounts:login": Form("anonymous", lambda w, c: reverse("accounts:login"), lambda w: {"username": "pmo", "password": "correct horse battery"}),  # fmt: skip
    "accounts:logout": Form("pmo", lambda w, c: reverse("accounts:logout"), lambda w: {}),
    "accounts:preferences": Form("pmo", lambda w, c: reverse("accounts:preferences"), lambda w: {"display_name": "Ken", "language": "ja", "time_zone": "Asia/Tokyo"}),  # fmt: skip
    "accounts:language": Form("pmo", lambda w, c: reverse("accounts:language"), lambda w: {"language": "ko", "next": "/projects/"}),  # fmt: skip
    "accounts:password_change": Form("pmo", lambda w, c: reverse("accounts:password_change"), lambda w: {"old_password": "correct horse battery", **NEW_PASSWORD}),  # fmt: skip
    "accounts:password_reset": Form("anonymous", lambda w, c: reverse("accounts:password_reset"), lambda w: {"email": "pmo@example.test"}),  # fmt: skip
    "accounts:password_reset_confirm": Form("anonymous", _reset_url("accounts:password_reset_confirm"), lambda w: dict(NEW_PASSWORD)),  # fmt: skip
    "accounts:invitation": Form("anonymous", _reset_url("accounts:invitation"), lambda w: dict(NEW_PASSWORD)),
    "accounts:two_factor_setup": Form("pmo", lambda w, c: reverse("accounts:two_factor_setup"), lambda w: {"token": "123456", "next": "/"}),  # fmt: skip
    "accounts:two_factor_verify": Form("pmo", lambda w, c: reverse("accounts:two_factor_verify"), lambda w: {"token": "123456", "next": "/"}, setup=_with_device),  # fmt: skip
    "accounts:two_factor_disable": Form("pmo", lambda w, c: reverse("accounts:two_factor_disable"), lambda w: {}),
    "projects:create": Form(
        "pmo",
        lambda w, c: reverse("projects:create"),
        lambda w: {**_project_data(w), "code": "NEW-1", "client": w.orgs.client.pk, "client_forged": FORGED},
    ),
    "projects:edit": Form("pmo", lambda w, c: reverse("projects:edit", kwargs={"code": w.project.code}), _project_data),  # fmt: skip
    "projects:member_invite": Form(
        "pmo",
        lambda w, c: reverse("projects:member_invite", kwargs={"code": w.project.code}),
        lambda w: {"email": "new@example.test", "display_name": "New", "role": "vendor", "vendor": w.orgs.vendor_a.pk, "vendor_forged": FORGED},  # fmt: skip
    ),
    "projects:member_edit": Form(
        "pmo",
        lambda w, c: reverse("projects:member_edit", kwargs={"code": w.project.code, "pk": w.membership("vendor_a").pk}),
        lambda w: {"role": "vendor", "vendor": w.orgs.vendor_a.pk, "new_vendor_name": "", "vendor_forged": FORGED},
    ),
    "exports:start": Form(
        "pmo",
        lambda w, c: reverse("exports:start", kwargs={"kind": "project_brief", "object_id": w.project.pk}),
        lambda w: {"language": "ja"},
    ),
    "projects:member_remove": Form(
        "pmo",
        lambda w, c: reverse("projects:member_remove", kwargs={"code": w.project.code, "pk": w.membership("vendor_a").pk}),  # fmt: skip
        lambda w: {},
    ),
    "projects:signoff_create": Form(
        "pmo",
        lambda w, c: reverse("projects:signoff_create", kwargs={"code": w.project.code}),
        lambda w: {"title": "キックオフ議事録", "summary": "4月1日のキックオフ会議の議事録です。", "details": "", "approver_role": "client_pm"},  # fmt: skip
    ),
    "inbox:approve": Form(
        "client_pm",
        lambda w, c: reverse("inbox:approve", kwargs={"kind": "signoff", "pk": pending_signoff(w.project).pk}),
        lambda w: {"comment": "確認しました。", "next": "/projects/"},
    ),
    "inbox:reject": Form(
        "client_pm",
        lambda w, c: reverse("inbox:reject", kwargs={"kind": "signoff", "pk": pending_signoff(w.project).pk}),
        lambda w: {"comment": "第3章が抜けています。", "next": "/projects/"},
    ),
    # vendor access: request forms
    **{name: Form(persona, _access_url(name, target), valid, setup=_access_setup) for name, (persona, target, valid) in {
        "access:request_create": ("vendor_a", None, lambda w: {"person": "", "new_name": "鈴木 一郎", "new_email": "suzuki@kaito.test", "new_job_role": "テスト担当", "levels": _level_pk(w), "start_date": _today(), "end_date": "", "justification": "結合テストのため。"}),  # fmt: skip
        "access:request_edit": ("vendor_a", "draft", lambda w: {"levels": _level_pk(w), "start_date": _today(), "end_date": "", "justification": "結合テストのため。"}),  # fmt: skip
        "access:request_submit": ("vendor_a", "draft", lambda w: {}),
        "access:request_withdraw": ("vendor_a", "submitted", lambda w: {"comment": ""}),
        "access:request_send_back": ("pmo", "submitted", lambda w: {"comment": "役割を書いてください。"}),
        "access:request_forward": ("pmo", "submitted", lambda w: {"comment": ""}),
        "access:request_reject": ("pmo", "submitted", lambda w: {"comment": "不要です。"}),
        "access:request_provision": ("pmo", "approved", lambda w: {"delegation": w.project.delegations.get().pk, "comment": ""} | {f"login_{item.pk}": "tanaka" for item in _request(w, "approved").items.all()}),  # fmt: skip
        "access:grant_extend": ("vendor_a", "grant", lambda w: {}),
        "access:grant_change": ("vendor_a", "grant", lambda w: {"level": _level_pk(w, "Read and write"), "start_date": _today(), "end_date": _today(30), "justification": "更新作業のため。"}),  # fmt: skip
        "access:grant_revoke": ("pmo", "grant", lambda w: {"reason": "異動のため"}),
        "access:grant_confirm_revocation": ("pmo", "grant", lambda w: {"delegation": w.project.delegations.get().pk, "comment": ""}),  # fmt: skip
        "access:grant_confirm_removal": ("pmo", "grant", lambda w: {"delegation": w.project.delegations.get().pk, "comment": ""}),  # fmt: skip
    }.items()},
    # vendor access: setup forms
    "access:system_create": Form("pmo", lambda w, c: reverse("access:system_create", kwargs={"code": w.project.code}), lambda w: {"name": "請求API", "owner": "請求チーム", "description": "ステージング環境"}, setup=_access_setup),  # fmt: skip
    "access:system_edit": Form("security", lambda w, c: reverse("access:system_edit", kwargs={"code": w.project.code, "pk": level(w.project).system_id}), lambda w: {"name": "Claims test DB", "owner": "Claims IT", "description": "テスト環境"}, setup=_access_setup),  # fmt: skip
    "access:level_create": Form("security", lambda w, c: reverse("access:level_create", kwargs={"code": w.project.code, "pk": level(w.project).system_id}), lambda w: {"name": "管理者", "explanation": "設定を変更できます。", "risk": 3, "max_duration_days": 30}, setup=_access_setup),  # fmt: skip
    "access:level_edit": Form("pmo", lambda w, c: reverse("access:level_edit", kwargs={"code": w.project.code, "pk": _level_pk(w)}), lambda w: {"name": "Read only", "explanation": "顧客データを読めます。", "risk": 1, "max_duration_days": 180}, setup=_access_setup),  # fmt: skip
    "access:contract_create": Form("pmo", lambda w, c: reverse("access:contract_create", kwargs={"code": w.project.code}), lambda w: {"vendor": w.orgs.vendor_b.pk, "start_date": _today(), "end_date": _today(365), "contact_name": "김민수", "contact_email": "kim@hanbit.test", "vendor_forged": FORGED}, setup=_access_setup),  # fmt: skip
    "access:contract_edit": Form("pmo", lambda w, c: reverse("access:contract_edit", kwargs={"code": w.project.code, "pk": contract_for(w.project, w.orgs.vendor_a).pk}), lambda w: {"start_date": _today(-30), "end_date": _today(300), "contact_name": "佐藤", "contact_email": "sato@kaito.test"}, setup=_access_setup),  # fmt: skip
    "access:contract_end": Form("pmo", lambda w, c: reverse("access:contract_end", kwargs={"code": w.project.code, "pk": contract_for(w.project, w.orgs.vendor_a).pk}), lambda w: {"reason": "契約満了のため"}, setup=_access_setup),  # fmt: skip
    "access:person_add": Form("vendor_a", lambda w, c: reverse("access:person_add", kwargs={"code": w.project.code, "pk": contract_for(w.project, w.orgs.vendor_a).pk}), lambda w: {"name": "鈴木 一郎", "email": "suzuki@kaito.test", "job_role": "テスト担当"}, setup=_access_setup),  # fmt: skip
    "access:person_remove": Form("pmo", lambda w, c: reverse("access:person_remove", kwargs={"code": w.project.code, "pk": _request(w, "draft").person_id}), lambda w: {"reason": "退職のため"}, setup=_access_setup),  # fmt: skip
    "access:person_request_removal": Form("vendor_a", lambda w, c: reverse("access:person_request_removal", kwargs={"code": w.project.code, "pk": _request(w, "draft").person_id}), lambda w: {"justification": "3月末で退職しました。"}, setup=_access_setup),  # fmt: skip
    # The test client reads a file once; this memo gives its bytes each time it is posted.
    "access:delegation_create": Form("security", lambda w, c: reverse("access:delegation_create", kwargs={"code": w.project.code}), lambda w: {"delegate": w.personas["pmo"].pk, "systems": [level(w.project).system_id], "max_risk": 2, "max_duration_days": 90, "valid_from": _today(), "valid_until": _today(180), "evidence": type("Memo", (), {"name": "覚書.pdf", "content_type": "application/pdf", "read": lambda self: b"%PDF-1.4\n%%EOF\n"})(), "note": "SEC-2026-014"}, setup=_access_setup),  # fmt: skip
    "access:delegation_revoke": Form("security", lambda w, c: reverse("access:delegation_revoke", kwargs={"code": w.project.code, "pk": w.project.delegations.get().pk}), lambda w: {"reason": "異動のため"}, setup=_access_setup),  # fmt: skip
    # vendor access: review forms
    "access:review_create": Form("pmo", lambda w, c: reverse("access:review_create", kwargs={"code": w.project.code}), lambda w: {"title": "第2四半期アクセスレビュー", "due_date": _today(14)}, setup=_grant),  # fmt: skip
    # Each post decides a fresh pending item (a decided one would only answer "already decided").
    "access:review_keep": Form("client_pm", lambda w, c: reverse("access:review_keep", kwargs={"code": w.project.code, "pk": w.project.review_campaigns.create(title="Q2", due_date=w.project.end_date, started_by=w.personas["pmo"]).items.create(grant_id=_grant(w)["pk"]).pk}), lambda w: {"comment": "引き続き必要です。", "next": "/projects/"}),  # fmt: skip
    "access:review_revoke": Form("client_pm", lambda w, c: reverse("access:review_revoke", kwargs={"code": w.project.code, "pk": w.project.review_campaigns.create(title="Q2", due_date=w.project.end_date, started_by=w.personas["pmo"]).items.create(grant_id=_grant(w)["pk"]).pk}), lambda w: {"comment": "異動のため", "next": "/projects/"}),  # fmt: skip
    # The test client reads a file once; this account list gives its bytes each time it is posted.
    "access:reconciliation_create": Form("pmo", lambda w, c: reverse("access:reconciliation_create", kwargs={"code": w.project.code}), lambda w: {"system": level(w.project).system_id, "file": type("AccountList", (), {"name": "アカウント一覧.csv", "content_type": "text/csv", "read": lambda self: "ユーザーID,権限\r\ntanaka,Read only\r\n".encode("cp932")})()}, setup=_access_setup),  # fmt: skip
    # the project dictionary
    "dictionary:term_create": Form("pmo", _dictionary_url("dictionary:term_create"), lambda w: _term_form_data(w) | {"category_forged": FORGED}),  # fmt: skip
    "dictionary:term_edit": Form("pmo", _dictionary_url("dictionary:term_edit", "approved"), lambda w: _term_form_data(w, term_in(w.project, "approved"))),  # fmt: skip
    "dictionary:term_deprecate": Form("pmo", _dictionary_url("dictionary:term_deprecate", "approved"), lambda w: {"replaced_by": "", "note": "「支払保険金」に統一します。"}),  # fmt: skip
    "dictionary:term_delete": Form("pmo", _dictionary_url("dictionary:term_delete", "proposed"), lambda w: {}),
    "dictionary:proposal_withdraw": Form("pmo", lambda w, c: reverse("dictionary:proposal_withdraw", kwargs={"code": w.project.code, "pk": pending_change(w.project).pk}), lambda w: {}),  # fmt: skip
    "dictionary:approve_selected": Form("client_pm", _dictionary_url("dictionary:approve_selected"), lambda w: {"proposals": pending_change(w.project).pk, "comment": "確認しました。"}, setup=lambda w: pending_change(w.project)),  # fmt: skip
    "dictionary:reject_selected": Form("client_pm", _dictionary_url("dictionary:reject_selected"), lambda w: {"proposals": pending_change(w.project).pk, "comment": "定義が曖昧です。"}, setup=lambda w: pending_change(w.project)),  # fmt: skip
    "dictionary:category_create": Form("pmo", _dictionary_url("dictionary:category_create"), lambda w: {"name": "保険金請求"}),  # fmt: skip
    "dictionary:baseline_create": Form("pmo", _dictionary_url("dictionary:baseline_create"), lambda w: {"title": "キックオフ時点", "note": ""}, setup=lambda w: term_in(w.project, "approved")),  # fmt: skip
    "dictionary:import": Form("pmo", _dictionary_url("dictionary:import"), lambda w: {"file": DICTIONARY_CSV()}),
    "dictionary:import_apply": Form("pmo", lambda w, c: reverse("dictionary:import_apply", kwargs={"code": w.project.code, "pk": prepared_import(w.project).pk}), lambda w: {}),  # fmt: skip
    "dictionary:check": Form("vendor_a", _dictionary_url("dictionary:check"), lambda w: {"text": "保険金の支払査定について"}, setup=lambda w: term_in(w.project, "approved")),  # fmt: skip
    "dictionary:copy": Form("pmo", _dictionary_url("dictionary:copy"), lambda w: {"source_project": Project.objects.get(code="BETA").pk, "glossary": ""}, setup=_other_project_of_pmo),  # fmt: skip
    "dictionary:glossary_create": Form("pmo", _dictionary_url("dictionary:glossary_create"), lambda w: {"name": "損害保険の用語", "description": "請求業務の標準用語"}, setup=lambda w: term_in(w.project, "approved")),  # fmt: skip
    # RFPs: the document, its review, its status
    "rfp:create": Form("pmo", _rfp_page("rfp:create", None), lambda w: {"title": "保険金請求システム刷新 RFP", "language": "ja", "template": ""}),  # fmt: skip
    "rfp:edit": Form("pmo", _rfp_page("rfp:edit"), lambda w: {"title": "保険金請求システム刷新 RFP（改訂）", "language": "ja", **_deadlines()}),  # fmt: skip
    "rfp:section_add": Form("pmo", _rfp_page("rfp:section_add"), _section_data),
    "rfp:section_edit": Form("pmo", _rfp_page("rfp:section_edit", "section"), _section_data),
    "rfp:section_up": Form("pmo", _rfp_page("rfp:section_up", "section"), lambda w: {}),
    "rfp:section_down": Form("pmo", _rfp_page("rfp:section_down", "section"), lambda w: {}),
    "rfp:section_delete": Form("pmo", _rfp_page("rfp:section_delete", "section"), lambda w: {}),
    "rfp:preview": Form("pmo", _rfp_page("rfp:preview"), lambda w: {"body": "# 見出し\n**太字**と[リンク](https://example.com)"}),  # fmt: skip
    "rfp:section_understood": Form("client_pm", _rfp_page("rfp:section_understood", "section"), lambda w: {}),
    "rfp:section_ask": Form("client_pm", _rfp_page("rfp:section_ask", "section"), lambda w: {"text": "予算の幅は書くべきですか？"}),  # fmt: skip
    "rfp:pm_question_answer": Form("pmo", _rfp_page("rfp:pm_question_answer", "pm_question"), lambda w: {"answer": "上限だけでも書くと比較しやすくなります。"}, setup=_rfp_pm_question),  # fmt: skip
    "rfp:requirement_create": Form("pmo", _rfp_page("rfp:requirement_create"), lambda w: {"category": "functional", "text": "代理店が請求状況を確認できること。", "priority": "must", "acceptance_criteria": "", "criterion": ""}),  # fmt: skip
    "rfp:requirement_edit": Form("pmo", _rfp_page("rfp:requirement_edit", "requirement"), lambda w: {"text": "代理店がオンラインで請求できること。", "priority": "should", "acceptance_criteria": "10分以内に登録できる。", "criterion": ""}),  # fmt: skip
    "rfp:requirement_up": Form("pmo", _rfp_page("rfp:requirement_up", "requirement"), lambda w: {}),
    "rfp:requirement_down": Form("pmo", _rfp_page("rfp:requirement_down", "requirement"), lambda w: {}),
    "rfp:requirement_delete": Form("pmo", _rfp_page("rfp:requirement_delete", "requirement"), lambda w: {}),
    "rfp:criteria": Form("pmo", _rfp_page("rfp:criteria"), lambda w: {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-0-name": "業務理解", "form-0-description": "", "form-0-weight": "60", "form-1-name": "価格", "form-1-description": "", "form-1-weight": "40"}, fields=["form-0-name", "form-0-description", "form-0-weight", "form-1-name", "form-1-weight"]),  # fmt: skip
    "rfp:submit": Form("pmo", _rfp_page("rfp:submit"), lambda w: {}),
    "rfp:recall": Form("pmo", _rfp_page("rfp:recall", status="in_review"), lambda w: {}),
    "rfp:issue": Form("pmo", _rfp_page("rfp:issue", status="approved"), lambda w: _deadlines()),
    "rfp:close": Form("pmo", _rfp_page("rfp:close", status="issued"), lambda w: {}),
    # vendors and an issued RFP
    # vendors and an issued RFP
    "rfp:invite": Form("pmo", _rfp_url("rfp:invite"), lambda w: {"vendor": w.orgs.vendor_b.pk, "vendor_forged": FORGED}, setup=_rfp_v),  # fmt: skip
    "rfp:question_ask": Form("vendor_a", _rfp_url("rfp:question_ask"), lambda w: {"text": "第3章の移行範囲に過去10年分の請求履歴は含まれますか？"}, setup=_rfp_v),  # fmt: skip
    "rfp:answer_create": Form("pmo", _rfp_url("rfp:answer_create"), lambda w: {"questions": [_rfp_question(w).pk], "question_summary": "移行範囲に過去の請求履歴は含まれますか？", "text": "はい、過去10年分を含みます。", "changes_rfp": ""}, setup=_rfp_question),  # fmt: skip
    "rfp:answer_publish": Form("pmo", lambda w, c: reverse("rfp:answer_publish", kwargs=_rfp_answer(w)), lambda w: {}),  # fmt: skip
    "rfp:answer_delete": Form("pmo", lambda w, c: reverse("rfp:answer_delete", kwargs=_rfp_answer(w)), lambda w: {}),  # fmt: skip
    # The test client reads a file once; this proposal gives its bytes each time it is posted.
    "rfp:proposal_upload": Form("vendor_a", _rfp_url("rfp:proposal_upload"), lambda w: {"file": type("Proposal", (), {"name": "提案書.pdf", "content_type": "application/pdf", "read": lambda self: PROPOSAL_PDF})()}, setup=_rfp_v),  # fmt: skip
    "rfp:proposals_open": Form("pmo", _rfp_url("rfp:proposals_open"), lambda w: {}, setup=_rfp_v),
    # evaluating the proposals
    "rfp:evaluator_declare": Form("client_pm", _rfp_evaluation_url("rfp:evaluator_declare"), lambda w: {"confirm": "on"}),  # fmt: skip
    "rfp:score": Form("pmo", _rfp_evaluation_url("rfp:score", proposal=True), _score_data),
    "rfp:recommendation": Form("pmo", _rfp_evaluation_url("rfp:recommendation"), lambda w: {"vendor": w.orgs.vendor_a.pk, "reasons": "業務理解が最も深く、価格も妥当なため。", "vendor_forged": FORGED}),  # fmt: skip
    # the firm's library: templates and reusable clauses
    "rfp:template_save": Form("pmo", _rfp_page("rfp:template_save"), lambda w: {"name": "保険システム標準RFP"}),
    "rfp:template_delete": Form("pmo", _rfp_page("rfp:template_delete", "template"), lambda w: {}),
    "rfp:clause_create": Form("pmo", _rfp_page("rfp:clause_create", None), _clause_data),
    "rfp:clause_edit": Form("pmo", _rfp_page("rfp:clause_edit", "clause"), _clause_data),
    "rfp:clause_insert": Form("pmo", _rfp_page("rfp:clause_insert", "section"), lambda w: {"clause": _library_clause(w)["clause_pk"]}, setup=_library_clause),  # fmt: skip
    # screenshot manuals: writing
    "manuals:create": Form("pmo", _manual_url("manuals:create", None), lambda w: {"title": "交通費精算の手順", "audience": "支店の事務担当者", "language": "ja", "environments": "Windows 10\nWindows 11"}),  # fmt: skip
    "manuals:settings": Form("pmo", _manual_url("manuals:settings", None), lambda w: {"unchanged_max_percent": "0.20", "layout_min_percent": "25", "review_months": "6"}),  # fmt: skip
    "manuals:edit": Form("pmo", _manual_url("manuals:edit"), _manual_data),
    "manuals:variant_add": Form("pmo", _manual_url("manuals:variant_add"), lambda w: {"name": "Chrome on Mac"}),
    "manuals:variant_delete": Form("pmo", _manual_url("manuals:variant_delete", _manual_variant), lambda w: {}),
    "manuals:step_add": Form("pmo", _manual_url("manuals:step_add"), lambda w: _step_data(w) | {"after": _manual_step(w)["step_pk"]}),  # fmt: skip
    "manuals:step_edit": Form("pmo", _manual_url("manuals:step_edit", _manual_step), _step_data),
    "manuals:steps_reorder": Form("pmo", _manual_url("manuals:steps_reorder"), _step_order),
    **{name: Form("pmo", _manual_url(name, _manual_step), lambda w: {}) for name in ("manuals:step_duplicate", "manuals:step_delete", "manuals:step_up", "manuals:step_down")},  # fmt: skip
    "manuals:step_preview": Form("pmo", _manual_url("manuals:step_preview", _manual_step), lambda w: {"instruction": "**スタート**を押します。\n\n1. 経費精算\n2. 申請"}),  # fmt: skip
    "manuals:screenshot_upload": Form("pmo", _manual_url("manuals:screenshot_upload", _manual_step), lambda w: {"image": SCREENSHOT(), "variant": Variant.objects.filter(manual_id=_manual(w)["pk"]).order_by("position").first().pk}),  # fmt: skip
    "manuals:screenshot_annotate": Form("pmo", _manual_url("manuals:screenshot_annotate", _manual_shot), lambda w: {"annotations": json.dumps(START_CALLOUT)}),  # fmt: skip
    "manuals:screenshot_delete": Form("pmo", _manual_url("manuals:screenshot_delete", _manual_shot), lambda w: {}),
    # screenshot manuals: confirming a changed picture (each post decides a fresh one), publishing, reading
    "manuals:version_confirm": Form("client_pm", _manual_url("manuals:version_confirm", _manual_version, fresh=True), lambda w: {"decision": "moved_text_right", "comment": "Windows 11 ではスタートが中央です。"}),  # fmt: skip
    "manuals:version_reject": Form("client_pm", _manual_url("manuals:version_reject", _manual_version, fresh=True), lambda w: {"comment": "古い画面です。撮り直してください。"}),  # fmt: skip
    "manuals:submit": Form("pmo", _manual_url("manuals:submit"), lambda w: {}),
    "manuals:publish": Form("pmo", _manual_url("manuals:publish"), lambda w: {"note": "スタートボタンの位置を更新"}),
    "manuals:export": Form("client_pm", _manual_url("manuals:export"), lambda w: {}),
    "manuals:reviewed": Form("pmo", _manual_url("manuals:reviewed"), lambda w: {}),
    "manuals:report": Form("reader", _manual_url("manuals:report", _manual_edition_step), lambda w: {"comment": "左下に青いボタンがありません。", "image": SCREENSHOT()}),  # fmt: skip
    "manuals:report_resolve": Form("pmo", _manual_url("manuals:report_resolve", _manual_report, fresh=True), lambda w: {"resolution": "Windows 11 の画面を追加しました。"}),  # fmt: skip
    "notifications:settings": Form(
        "pmo", lambda w, c: reverse("notifications:settings"), lambda w: {kind.key: "digest" for kind in notification_kinds()}
    ),
    "notifications:read": Form(
        "pmo",
        lambda w, c: reverse("notifications:read", kwargs={"pk": notification_for(w.personas["pmo"]).pk}),
        lambda w: {"next": "/notifications/"},
    ),
    "notifications:open": Form("pmo", lambda w, c: reverse("notifications:open", kwargs={"pk": notification_for(w.personas["pmo"]).pk}), lambda w: {}),  # fmt: skip
    "notifications:read_all": Form("pmo", lambda w, c: reverse("notifications:read_all"), lambda w: {}),
}


@dataclass
class World:
    personas: dict
    project: Project
    hidden_project: Project
    orgs: object
    initial_members: dict = field(default_factory=dict)

    def membership(self, persona):
        """The persona's membership as it was at the start (a form may have removed it since)."""
        return self.initial_members[persona]

    @property
    def members(self):
        """Persona -> membership in its own project, as the URL-access table's cases expect."""
        return self.initial_members


@pytest.fixture
def world(personas, project, hidden_project, orgs):
    members = {name: Membership.objects.get(user=user) for name, user in personas.items() if user is not None}
    return World(personas=personas, project=project, hidden_project=hidden_project, orgs=orgs, initial_members=members)


def snapshot():
    """Everything a form could save (audit and lockout logs are expected to grow, so they are left out)."""
    state = {}
    for model, skip in [(Organization, ()), (User, ("last_login",)), (Project, ("updated_at",)), (Membership, ()), (TOTPDevice, ("throttling_failure_timestamp", "throttling_failure_count", "last_used_at")), (SignOffRequest, ()), (NotificationPreference, ()), (AccessRequest, ()), (AccessRequestItem, ()), (Grant, ()), (VendorPerson, ()), (TargetSystem, ()), (PermissionLevel, ()), (VendorContract, ()), (Delegation, ()), (ReviewCampaign, ()), (ReviewItem, ()), (Reconciliation, ()), (TermCategory, ()), (Term, ()), (TermProposal, ()), (DictionaryBaseline, ()), (BaselineTerm, ()), (DictionaryImport, ()), (SharedGlossary, ()), (SharedGlossaryTerm, ()), (Rfp, ("updated_at",)), (RfpSection, ("updated_at",)), (SectionUnderstanding, ()), (PmQuestion, ()), (Requirement, ()), (EvaluationCriterion, ()), (RfpVersion, ()), (RfpTemplate, ()), (Clause, ("updated_at",)), (Invitation, ()), (VendorQuestion, ()), (Answer, ()), (Proposal, ()), (Evaluator, ()), (Score, ("scored_at",)), (Recommendation, ()), (ManualSettings, ()), (Manual, ()), (Variant, ()), (Step, ()), (Screenshot, ()), (ScreenshotVersion, ()), (Edition, ()), (ScreenReport, ())]:  # fmt: skip
        many = [f.name for f in model._meta.many_to_many]  # read in one query each, not one per row
        rows = model.objects.order_by("pk").prefetch_related(*many)
        state[model.__name__] = [{k: v for k, v in model_to_dict(r).items() if k not in skip} for r in rows]
    return state


def _variants(form, world):
    """(label, data) pairs: one hostile value per field, then every field hostile at once."""
    valid = form.valid(world)
    forged_fields = {k: v for k, v in valid.items() if v == FORGED}
    valid = {k: v for k, v in valid.items() if k not in forged_fields}
    for name in form.fields or list(valid):
        for label, value in HOSTILE.items():
            yield f"{name}={label}", {**valid, name: value}
    for label, value in HOSTILE.items():
        yield f"all={label}", dict.fromkeys(valid, value)
    # Forged ids: an object of the hidden project where the form expects one of this project.
    stranger = world.orgs.other_client.pk
    for key in forged_fields:
        yield f"{key}", {**valid, key.removesuffix("_forged"): stranger}


def _check(response, before, label, client):
    assert response.status_code < 500, f"{label}: HTTP {response.status_code}"
    after = snapshot()
    if response.status_code != 302:
        assert after == before, f"{label}: rejected (HTTP {response.status_code}) but data changed"
    stored = repr(after)
    for ch in INVISIBLE:
        assert ch not in stored, f"{label}: stored an invisible character U+{ord(ch):04X}"
    return after


@pytest.mark.parametrize("form_name", list(FORMS))
def test_hostile_values_are_refused_cleanly(form_name, world):
    form = FORMS[form_name]
    form.setup(world)
    for label, data in _variants(form, world):
        user = User.objects.filter(pk=getattr(world.personas[form.persona], "pk", None)).first()
        client = client_for(user)
        url = form.url(world, client)
        before = snapshot()
        response = client.post(url, data)
        _check(response, before, f"{form_name} {label}", client)
        if user is not None and response.status_code == 302:
            page = client_for(User.objects.filter(pk=user.pk).first()).get(reverse("projects:members", kwargs={"code": world.project.code}))  # fmt: skip
            assert SCRIPT not in page.content.decode(), f"{form_name} {label}: unescaped script on the page"


@pytest.mark.parametrize("form_name", list(FORMS))
def test_invalid_utf8_is_refused_cleanly(form_name, world):
    form = FORMS[form_name]
    form.setup(world)
    valid = {k: v for k, v in form.valid(world).items() if v != FORGED}
    for name in [*valid, "unexpected_field"]:
        client = client_for(User.objects.filter(pk=getattr(world.personas[form.persona], "pk", None)).first())
        url = form.url(world, client)
        body = "&".join(f"{k}={quote(str(v))}" for k, v in valid.items() if k != name) + f"&{name}=%FF%FE%C3%28abc"
        before = snapshot()
        response = client.generic("POST", url, body.encode(), content_type="application/x-www-form-urlencoded")
        _check(response, before, f"{form_name} {name}=invalid-utf8", client)


@pytest.mark.parametrize("form_name", list(FORMS))
def test_a_post_without_csrf_token_is_refused(form_name, world):
    form = FORMS[form_name]
    form.setup(world)
    user = world.personas[form.persona]
    client = client_for(user, enforce_csrf_checks=True)
    url = form.url(world, client)
    before = snapshot()
    response = client.post(url, {k: v for k, v in form.valid(world).items() if v != FORGED})
    assert response.status_code == 403
    assert snapshot() == before


def test_every_post_url_is_covered(world):
    """Each URL that accepts a POST (anything but 405 Method Not Allowed) must be in FORMS."""
    login = reverse("accounts:login")
    missing = []
    for name, cases in TABLE.items():
        url = reverse(name, kwargs=cases[0].kwargs(world))
        for persona in ("anonymous", "pmo"):
            response = client_for(world.personas[persona]).post(url, {})
            sent_to_sign_in = response.status_code == 302 and response["Location"].startswith(login)
            if response.status_code != 405 and not sent_to_sign_in and name not in FORMS:
                missing.append(f"{name} ({persona}: HTTP {response.status_code})")
                break
    assert missing == [], f"POST URLs without hostile-input coverage: {missing}"
