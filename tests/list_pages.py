"""Every list page of the portal, with who sees its rows and how to add rows to it (goal Q1 of issue 8).

A list page is a page whose list of rows grows with the data: a paginated list, an unpaginated one (the
categories, an RFP's sections), or a short one capped at the newest few (home, the bell's menu). Each entry of
PAGES names the page, the persona who sees its rows, and ``populate(world, first, count)``, which adds ``count``
rows numbered from ``first``. Every row shows a token ``Q1-00042`` (its number), so a test can tell how many rows
the page shows (``shown``). Rows are written with ``bulk_create`` where the product allows it, so that 500 rows
stay fast; the objects they hang on (an RFP, a manual, a delegation...) are made once by the real services.

tests/test_list_queries.py measures each page at 5 and at 500 rows and asserts the same number of queries.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from django.utils import timezone

TOKEN = re.compile(r"Q1-\d{5}")


def tok(i: int) -> str:
    """What row ``i`` shows: a token no other text of the portal contains."""
    return f"Q1-{i:05d}"


@dataclass
class World:
    """The personas' project and what a page's ``setup`` made once (``state``)."""

    project: object
    hidden_project: object
    orgs: SimpleNamespace
    users: dict  # persona -> User
    state: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class ListPage:
    name: str  # the test id: the URL name, and what varies (tab, viewer, which list of the page)
    url_name: str
    persona: str
    populate: Callable  # (world, first, count): add ``count`` rows, numbered from ``first``
    kwargs: Callable = lambda w: {"code": w.project.code}  # noqa: E731
    setup: Callable | None = None  # (world): make what the rows hang on, once, before the first rows
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    cap: int | None = None  # a short list of the newest rows only: more rows cannot show more than this
    shown: Callable | None = None  # (response) -> set of tokens shown; default: the tokens in the HTML


SELECT = re.compile(r"<select\b.*?</select>", re.S)


def tokens_in(response) -> set[str]:
    """The rows a page shows: the tokens in its HTML, but not in drop-downs (a filter's choices are not rows)."""
    return set(TOKEN.findall(SELECT.sub("", response.content.decode())))


def tokens_in_items(marker: str, end: str):
    """The tokens inside the elements that start with ``marker`` (up to ``end``): for a page that also lists the
    same rows elsewhere, e.g. as the choices of a form."""

    def shown(response) -> set[str]:
        html, found, start = response.content.decode(), set(), 0
        while (start := html.find(marker, start)) >= 0:
            stop = html.find(end, start)
            stop = len(html) if stop < 0 else stop
            found |= set(TOKEN.findall(html[start:stop]))
            start = stop
        return found

    return shown


def tokens_in_xlsx(response) -> set[str]:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {
        t
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
        for t in TOKEN.findall(cell)
    }


def _now():
    return timezone.now()


# --- projects, home, notifications, exports ------------------------------------------------------------------


def add_projects(w, first, count):
    """Projects the PMO consultant runs, newest start date last (home lists the newest first)."""
    from projects.models import Membership, Project, Role

    projects = Project.objects.bulk_create(
        [
            Project(
                client=w.orgs.client,
                pmo_firm=w.orgs.pmo,
                code=tok(i),
                name=f"Project {tok(i)}",
                start_date=date(2026, 4, 1) + timedelta(days=i),
                end_date=date(2028, 3, 31),
            )
            for i in range(first, first + count)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(project=p, user=w.pmo, role=Role.PMO, organization=w.orgs.pmo) for p in projects]
    )


def add_members(w, first, count):
    from accounts.models import User
    from projects.models import Membership, Role

    users = User.objects.bulk_create(
        [
            User(username=f"q1-{i:05d}", email=f"q1-{i}@example.test", display_name=tok(i))
            for i in range(first, first + count)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(project=w.project, user=u, role=Role.READER, organization=w.orgs.client) for u in users]
    )


def add_audit_events(w, first, count):
    from pmo_portal.models import AuditEvent

    AuditEvent.objects.bulk_create(
        [
            AuditEvent(actor=w.pmo, verb="project.updated", project=w.project, object_repr=tok(i))
            for i in range(first, first + count)
        ]
    )


def add_signoffs(w, first, count):
    """Sign-offs asked of the client PM; on the project's list every other one is already signed off."""
    from projects.models import Role, SignOffRequest

    SignOffRequest.objects.bulk_create(
        [
            SignOffRequest(
                project=w.project,
                title=tok(i),
                summary="Minutes of the weekly meeting.",
                approver_role=Role.CLIENT_PM,
                requested_by=w.pmo,
            )
            for i in range(first, first + count)
        ]
    )


def add_decided_signoffs(w, first, count):
    from projects.models import Role, SignOffRequest, SignOffStatus

    SignOffRequest.objects.bulk_create(
        [
            SignOffRequest(
                project=w.project,
                title=tok(i),
                summary="Minutes.",
                approver_role=Role.CLIENT_PM,
                requested_by=w.pmo,
                **(
                    {"status": SignOffStatus.APPROVED, "decided_by": w.client_pm, "decided_at": _now()} if i % 2 else {}
                ),
            )
            for i in range(first, first + count)
        ]
    )


def add_notifications(w, first, count):
    from pmo_portal.models import Notification

    Notification.objects.bulk_create(
        [
            Notification(
                recipient=w.pmo,
                kind="signoff.requested",
                params={"requester": "Ken", "title": tok(i), "summary": "Please sign off."},
                project=w.project,
                url="/",
            )
            for i in range(first, first + count)
        ]
    )


def add_exports(w, first, count):
    from pmo_portal.models import ExportJob

    ExportJob.objects.bulk_create(
        [
            ExportJob(
                kind="project_brief",
                object_id=str(w.project.pk),
                title=tok(i),
                project=w.project,
                language="en",
                requested_by=w.pmo,
            )
            for i in range(first, first + count)
        ]
    )


# --- vendor access ------------------------------------------------------------------------------------------


def access_setup(w):
    """Vendor A's contract, a system with three levels, and the security officer's delegation to the PMO."""
    from .access_factories import contract_for, delegation_for, level, system_with_levels

    w.state["contract"] = contract_for(w.project, w.orgs.vendor_a)
    w.state["system"] = system_with_levels(w.project)
    w.state["level"] = level(w.project)
    w.state["delegation"] = delegation_for(w.project, w.pmo)


def _people(w, first, count, name=tok):
    from accounts.models import VendorPerson

    return VendorPerson.objects.bulk_create(
        [
            VendorPerson(
                contract=w.state["contract"],
                name=name(i),
                email=f"q1-{i}@vendor.test",
                job_role="Tester",
                added_by=w.vendor_a,
            )
            for i in range(first, first + count)
        ]
    )


def add_requests(status):
    """Vendor A's requests in ``status``, each for its own person on one level."""

    def populate(w, first, count):
        from accounts.models import AccessRequest, AccessRequestItem

        people = _people(w, first, count)
        now, today = _now(), timezone.localdate()
        closed = {"closed_at": now} if status in ("provisioned", "rejected", "withdrawn") else {}
        requests = AccessRequest.objects.bulk_create(
            [
                AccessRequest(
                    project=w.project,
                    vendor=w.orgs.vendor_a,
                    person=p,
                    justification="Integration tests.",
                    requested_by=w.vendor_a,
                    status=status,
                    step_since=now,
                    submitted_at=now,
                    **closed,
                )
                for p in people
            ]
        )
        AccessRequestItem.objects.bulk_create(
            [
                AccessRequestItem(
                    request=r, level=w.state["level"], start_date=today, end_date=today + timedelta(days=29)
                )
                for r in requests
            ]
        )

    return populate


def _grants(w, people, status="active"):
    from accounts.models import Grant

    today, now = timezone.localdate(), _now()
    extra = {
        "revoking": {"revoke_reason": "Left the project.", "revoke_requested_at": now},
        "revoked": {
            "revoke_reason": "Left the project.",
            "revoke_requested_at": now,
            "removed_at": now,
            "removed_by": w.pmo,
        },
        "expired": {"expired_at": now},
    }.get(status, {})
    return Grant.objects.bulk_create(
        [
            Grant(
                project=w.project,
                vendor=w.orgs.vendor_a,
                person=p,
                level=w.state["level"],
                login_name=f"login-{p.pk}",
                start_date=today - timedelta(days=30),
                end_date=today + timedelta(days=10 + n),
                provisioned_by=w.pmo,
                delegation=w.state["delegation"],
                status=status,
                **extra,
            )
            for n, p in enumerate(people)
        ]
    )


def add_grants(status="active"):
    """Grants of vendor A's people in ``status``, under the PMO's delegation."""

    def populate(w, first, count):
        _grants(w, _people(w, first, count), status)

    return populate


def add_systems(w, first, count):
    from accounts.models import PermissionLevel, Risk, TargetSystem

    systems = TargetSystem.objects.bulk_create(
        [TargetSystem(project=w.project, name=tok(i), owner="Claims IT") for i in range(first, first + count)]
    )
    PermissionLevel.objects.bulk_create(
        [
            PermissionLevel(system=s, name=name, explanation="What it allows.", risk=risk, max_duration_days=90)
            for s in systems
            for name, risk in (("Read only", Risk.LOW), ("Administrator", Risk.CRITICAL))
        ]
    )


def _vendor_orgs(first, count):
    from accounts.models import Organization, OrganizationKind

    return Organization.objects.bulk_create(
        [Organization(name=tok(i), kind=OrganizationKind.VENDOR) for i in range(first, first + count)]
    )


def add_contracts(w, first, count):
    """Vendor companies under contract, two people each."""
    from accounts.models import VendorContract, VendorPerson

    today = timezone.localdate()
    contracts = VendorContract.objects.bulk_create(
        [
            VendorContract(
                project=w.project,
                vendor=v,
                start_date=today - timedelta(days=30),
                end_date=today + timedelta(days=365),
                contact_name="Contact",
                contact_email="contact@vendor.test",
            )
            for v in _vendor_orgs(first, count)
        ]
    )
    VendorPerson.objects.bulk_create(
        [
            VendorPerson(
                contract=c, name=name, email=f"{name}-{c.pk}@vendor.test", job_role="Developer", added_by=w.pmo
            )
            for c in contracts
            for name in ("ito", "kato")
        ]
    )


def add_people(w, first, count):
    _people(w, first, count)


def add_delegations(w, first, count):
    """Delegations from the security officer to the PMO consultant, each for a system of its own (the list shows
    each delegation's systems)."""
    from accounts.models import Delegation, TargetSystem

    today = timezone.localdate()
    systems = TargetSystem.objects.bulk_create(
        [TargetSystem(project=w.project, name=tok(i), owner="Claims IT") for i in range(first, first + count)]
    )
    delegations = Delegation.objects.bulk_create(
        [
            Delegation(
                project=w.project,
                delegate=w.pmo,
                granted_by=w.security,
                max_risk=2,
                max_duration_days=90,
                valid_from=today - timedelta(days=1),
                valid_until=today + timedelta(days=i + 1),
                evidence="evidence/memo.pdf",
                evidence_name="memo.pdf",
            )
            for i in range(first, first + count)
        ]
    )
    Delegation.systems.through.objects.bulk_create(
        [Delegation.systems.through(delegation=d, targetsystem=s) for d, s in zip(delegations, systems, strict=True)]
    )


def add_campaigns(w, first, count):
    """Access reviews, each of one grant."""
    from accounts.models import ReviewCampaign, ReviewItem

    campaigns = ReviewCampaign.objects.bulk_create(
        [
            ReviewCampaign(
                project=w.project, title=tok(i), due_date=timezone.localdate() + timedelta(days=14), started_by=w.pmo
            )
            for i in range(first, first + count)
        ]
    )
    grants = _grants(w, _people(w, first, count, name=lambda i: f"Person {i}"))
    ReviewItem.objects.bulk_create([ReviewItem(campaign=c, grant=g) for c, g in zip(campaigns, grants, strict=True)])


def review_setup(w):
    from accounts.models import ReviewCampaign

    access_setup(w)
    w.state["campaign"] = ReviewCampaign.objects.create(
        project=w.project,
        title="Q2 access review",
        due_date=timezone.localdate() + timedelta(days=14),
        started_by=w.pmo,
    )


def add_review_items(w, first, count):
    from accounts.models import ReviewItem

    grants = _grants(w, _people(w, first, count))
    ReviewItem.objects.bulk_create([ReviewItem(campaign=w.state["campaign"], grant=g) for g in grants])


def add_reconciliations(w, first, count):
    from accounts.models import Reconciliation

    Reconciliation.objects.bulk_create(
        [
            Reconciliation(
                project=w.project,
                system=w.state["system"],
                uploaded_by=w.pmo,
                file_name=f"{tok(i)}.csv",
                account_count=1,
                orphans_count=1,
                result={"orphans": [{"login": "ghost", "level": "Read only"}], "missing": [], "mismatches": []},
            )
            for i in range(first, first + count)
        ]
    )


def reconciliation_setup(w):
    from accounts.models import Reconciliation

    access_setup(w)
    w.state["reconciliation"] = Reconciliation.objects.create(
        project=w.project,
        system=w.state["system"],
        uploaded_by=w.pmo,
        file_name="accounts.csv",
        account_count=0,
        result={"orphans": [], "missing": [], "mismatches": []},
    )


def add_reconciliation_rows(w, first, count):
    """Accounts of the system's file that match no grant (the result is kept as JSON)."""
    from accounts.models import Reconciliation

    reconciliation = Reconciliation.objects.get(pk=w.state["reconciliation"].pk)
    orphans = reconciliation.result["orphans"] + [
        {"login": tok(i), "level": "Read only"} for i in range(first, first + count)
    ]
    Reconciliation.objects.filter(pk=reconciliation.pk).update(
        result={**reconciliation.result, "orphans": orphans}, orphans_count=len(orphans), account_count=len(orphans)
    )


def add_access_events(w, first, count):
    from accounts.models import AccessEvent, EventVerb

    people = _people(w, first, count, name=lambda i: f"Person {i}")  # the filter lists every person: not rows
    AccessEvent.objects.bulk_create(
        [
            AccessEvent(
                project=w.project,
                actor=w.pmo,
                verb=EventVerb.PROVISIONED,
                comment=f"Account {tok(first + n)}",
                system=w.state["system"],
                vendor=w.orgs.vendor_a,
                person=p,
                delegation=w.state["delegation"],
            )
            for n, p in enumerate(people)
        ]
    )


# --- the dictionary -----------------------------------------------------------------------------------------


def _terms(w, first, count, *, status="approved", project=None):
    from projects.models import Project, Term
    from projects.models.dictionary import dictionary_changed

    approved = {"version": 1, "approved_by": w.client_pm, "approved_at": _now()} if status == "approved" else {}
    terms = []
    for i in range(first, first + count):
        term = Term(
            project=project or w.project,
            owner=w.pmo,
            name=tok(i),
            standard_definition=f"The meaning of {tok(i)}.",
            status=status,
            **approved,
        )
        term.refresh_derived()
        terms.append(term)
    created = Term.objects.bulk_create(terms)
    dictionary_changed(Project.objects.filter(pk=(project or w.project).pk))  # bulk_create bypasses save()
    return created


def add_terms(w, first, count):
    _terms(w, first, count)


def add_proposed_terms(w, first, count):
    """New terms proposed by the PMO consultant, waiting for the client PM."""
    from projects.models import ProposalKind, TermProposal

    terms = _terms(w, first, count, status="proposed")
    TermProposal.objects.bulk_create(
        [
            TermProposal(
                term=t,
                kind=ProposalKind.NEW,
                proposed_by=w.pmo,
                name=t.name,
                standard_definition=t.standard_definition,
                note="New term.",
            )
            for t in terms
        ]
    )


def term_setup(w):
    from .dictionary_factories import approved

    w.state["term"] = approved(w.project, "保険金")


def add_term_versions(w, first, count):
    """Approved versions of one term, each a new definition."""
    from projects.models import ProposalKind, ProposalStatus, TermProposal

    term, base = w.state["term"], 1 + first
    TermProposal.objects.bulk_create(
        [
            TermProposal(
                term=term,
                kind=ProposalKind.CHANGE,
                status=ProposalStatus.APPROVED,
                proposed_by=w.pmo,
                decided_by=w.client_pm,
                decided_at=_now(),
                name=term.name,
                standard_definition=f"The meaning, as of {tok(i)}.",
                note=tok(i),
                base_version=base + n,
                version=base + n + 1,
            )
            for n, i in enumerate(range(first, first + count))
        ]
    )


def add_categories(w, first, count):
    from projects.dictionary_text import normalize
    from projects.models import TermCategory

    TermCategory.objects.bulk_create(
        [TermCategory(project=w.project, name=tok(i), key=normalize(tok(i))) for i in range(first, first + count)]
    )


def add_baselines(w, first, count):
    from projects.models import DictionaryBaseline

    DictionaryBaseline.objects.bulk_create(
        [
            DictionaryBaseline(project=w.project, number=i + 1, title=tok(i), created_by=w.pmo)
            for i in range(first, first + count)
        ]
    )


def baseline_setup(w):
    """Releases #1 and #2 of the dictionary (one term each: the rows are added to #2, or to #1 for its page)."""
    from projects import services

    from .dictionary_factories import approved

    approved(w.project, "保険金")
    w.state["first"] = services.dictionary_baseline_create(actor=w.pmo, project=w.project, title="Kick-off")
    w.state["second"] = services.dictionary_baseline_create(actor=w.pmo, project=w.project, title="RFP issue")


def add_baseline_entries(which):
    def populate(w, first, count):
        from projects.models import BaselineTerm
        from projects.services.dictionary_io import snapshot_content

        terms = _terms(w, first, count)
        BaselineTerm.objects.bulk_create(
            [
                BaselineTerm(
                    baseline=w.state[which],
                    term=t,
                    name=t.name,
                    sort_key=t.sort_key,
                    version=1,
                    content=snapshot_content(t, {}),
                )
                for t in terms
            ]
        )

    return populate


def import_setup(w):
    from .dictionary_factories import prepared_import

    w.state["import"] = prepared_import(w.project)
    w.state["import"].rows = []
    w.state["import"].save(update_fields=["rows"])


def add_import_rows(w, first, count):
    from projects.models import DictionaryImport

    prepared = DictionaryImport.objects.get(pk=w.state["import"].pk)
    rows = prepared.rows + [
        {"row": i + 2, "name": tok(i), "standard_definition": f"The meaning of {tok(i)}."}
        for i in range(first, first + count)
    ]
    DictionaryImport.objects.filter(pk=prepared.pk).update(rows=rows)


# --- RFPs ---------------------------------------------------------------------------------------------------


def add_rfps(w, first, count):
    from rfp.models import Rfp

    Rfp.objects.bulk_create(
        [Rfp(project=w.project, title=tok(i), language="ja", created_by=w.pmo) for i in range(first, first + count)]
    )


def add_rfps_in_review(w, first, count):
    from rfp.models import Rfp, RfpStatus

    Rfp.objects.bulk_create(
        [
            Rfp(
                project=w.project,
                title=tok(i),
                language="ja",
                created_by=w.pmo,
                status=RfpStatus.IN_REVIEW,
                submitted_by=w.pmo,
                submitted_at=_now(),
            )
            for i in range(first, first + count)
        ]
    )


def add_recommendations(w, first, count):
    """Issued RFPs, each with the PMO's recommendation of vendor A waiting for the client PM."""
    from rfp.models import Recommendation, Rfp, RfpStatus

    now = _now()
    rfps = Rfp.objects.bulk_create(
        [
            Rfp(
                project=w.project,
                title=tok(i),
                language="ja",
                created_by=w.pmo,
                status=RfpStatus.ISSUED,
                submitted_by=w.pmo,
                submitted_at=now,
                approved_by=w.client_pm,
                approved_at=now,
                issued_at=now,
                question_deadline=now - timedelta(days=2),
                proposal_deadline=now - timedelta(days=1),
            )
            for i in range(first, first + count)
        ]
    )
    Recommendation.objects.bulk_create(
        [
            Recommendation(rfp=r, vendor=w.orgs.vendor_a, reasons=f"The best offer for {r.title}.", written_by=w.pmo)
            for r in rfps
        ]
    )


def rfp_setup(w):
    from .rfp_factories import draft_rfp

    w.state["rfp"] = draft_rfp(w.project)


def issued_rfp_setup(w):
    """The RFP issued, vendor A's company invited."""
    from .rfp_factories import rfp_in

    w.state["rfp"] = rfp_in(w.project, "issued", invite=[w.orgs.vendor_a])


def rfp_kwargs(w):
    return {"code": w.project.code, "pk": w.state["rfp"].pk}


def add_sections(w, first, count):
    from rfp.models import RfpSection

    RfpSection.objects.bulk_create(
        [
            RfpSection(
                rfp=w.state["rfp"],
                position=100 + i,
                title=tok(i),
                body=f"What {tok(i)} covers.",
                explanation="Why it is here.",
            )
            for i in range(first, first + count)
        ]
    )


def add_requirements(w, first, count):
    from rfp.models import Requirement

    Requirement.objects.bulk_create(
        [
            Requirement(
                rfp=w.state["rfp"],
                code=f"QR-{i:05d}",
                position=100 + i,
                category="functional",
                text=f"The system does {tok(i)}.",
                priority="must",
            )
            for i in range(first, first + count)
        ]
    )


def add_criteria(w, first, count):
    from rfp.models import EvaluationCriterion

    EvaluationCriterion.objects.bulk_create(
        [
            EvaluationCriterion(rfp=w.state["rfp"], position=100 + i, name=tok(i), weight=1)
            for i in range(first, first + count)
        ]
    )


def add_versions(w, first, count):
    from rfp.models import RfpVersion, VersionKind

    RfpVersion.objects.bulk_create(
        [
            RfpVersion(
                rfp=w.state["rfp"],
                number=100 + i,
                kind=VersionKind.APPROVED,
                snapshot={"sections": [], "requirements": [], "criteria": []},
                change_log=tok(i),
                created_by=w.pmo,
            )
            for i in range(first, first + count)
        ]
    )


def add_invitations(w, first, count):
    from rfp.models import Invitation

    Invitation.objects.bulk_create(
        [Invitation(rfp=w.state["rfp"], vendor=v, invited_by=w.pmo) for v in _vendor_orgs(first, count)]
    )


def add_questions(w, first, count):
    from rfp.models import VendorQuestion

    VendorQuestion.objects.bulk_create(
        [
            VendorQuestion(
                rfp=w.state["rfp"], vendor=w.orgs.vendor_a, text=f"What about {tok(i)}?", asked_by=w.vendor_a
            )
            for i in range(first, first + count)
        ]
    )


def add_answers(w, first, count):
    """Published answers, each to one question of vendor A."""
    from rfp.models import Answer, VendorQuestion

    answers = Answer.objects.bulk_create(
        [
            Answer(
                rfp=w.state["rfp"],
                question_summary=f"What about {tok(i)}?",
                text="Yes.",
                answered_by=w.pmo,
                published_at=_now(),
            )
            for i in range(first, first + count)
        ]
    )
    VendorQuestion.objects.bulk_create(
        [
            VendorQuestion(
                rfp=w.state["rfp"], vendor=w.orgs.vendor_a, text=a.question_summary, asked_by=w.vendor_a, answer=a
            )
            for a in answers
        ]
    )


def _proposals(w, vendors, opened=False):
    from rfp.models import Invitation, Proposal

    rfp, now = w.state["rfp"], _now()
    Invitation.objects.bulk_create(
        [Invitation(rfp=rfp, vendor=v, invited_by=w.pmo) for v in vendors], ignore_conflicts=True
    )
    opened_by = {"opened_by": w.pmo, "opened_at": now} if opened else {}
    return Proposal.objects.bulk_create(
        [
            Proposal(
                rfp=rfp,
                vendor=v,
                file=f"proposals/{v.pk}.pdf",
                file_name=f"{v.name}.pdf",
                size=100,
                sha256="0" * 64,
                uploaded_by=w.vendor_a,
                uploaded_at=now,
                **opened_by,
            )
            for v in vendors
        ]
    )


def add_proposals(w, first, count):
    _proposals(w, _vendor_orgs(first, count))


def evaluation_setup(w):
    """The issued RFP past its deadlines, its proposals opened; the PMO declared no conflict of interest."""
    from rfp.models import Evaluator, Rfp

    issued_rfp_setup(w)
    past = _now() - timedelta(minutes=1)
    Rfp.objects.filter(pk=w.state["rfp"].pk).update(question_deadline=past - timedelta(days=1), proposal_deadline=past)
    w.state["evaluator"] = Evaluator.objects.create(
        rfp=w.state["rfp"], user=w.pmo, statement="No conflict of interest."
    )


def score_setup(w):
    """The evaluation, with vendor A's proposal opened: the PMO scores it on each criterion."""
    evaluation_setup(w)
    w.state["proposal"] = _proposals(w, [w.orgs.vendor_a], opened=True)[0]


def add_scored_proposals(w, first, count):
    """Opened proposals, each scored by the PMO on every criterion."""
    from rfp.models import Score

    proposals = _proposals(w, _vendor_orgs(first, count), opened=True)
    criteria = list(w.state["rfp"].criteria.all())
    Score.objects.bulk_create(
        [
            Score(proposal=p, criterion=c, evaluator=w.state["evaluator"], value=3, comment="Sound.")
            for p in proposals
            for c in criteria
        ]
    )


def add_clauses(w, first, count):
    from rfp.models import Clause

    Clause.objects.bulk_create(
        [
            Clause(
                organization=w.orgs.pmo,
                title=tok(i),
                body="The vendor keeps personal data safe.",
                language="ja",
                owner=w.pmo,
                review_date=date(2099, 1, 1),
            )
            for i in range(first, first + count)
        ]
    )


def add_templates(w, first, count):
    from rfp.models import RfpTemplate

    RfpTemplate.objects.bulk_create(
        [
            RfpTemplate(
                organization=w.orgs.pmo,
                name=tok(i),
                language="ja",
                sections=[{"key": "scope", "title": "Scope", "body": "", "explanation": ""}],
                created_by=w.pmo,
            )
            for i in range(first, first + count)
        ]
    )


# --- manuals ------------------------------------------------------------------------------------------------


def add_manuals(w, first, count):
    from manuals.models import Manual

    Manual.objects.bulk_create(
        [Manual(project=w.project, title=tok(i), language="ja", created_by=w.pmo) for i in range(first, first + count)]
    )


def add_published_manuals(w, first, count):
    from manuals.models import Manual, ManualStatus

    Manual.objects.bulk_create(
        [
            Manual(
                project=w.project,
                title=tok(i),
                language="ja",
                created_by=w.pmo,
                status=ManualStatus.PUBLISHED,
                edition=1,
            )
            for i in range(first, first + count)
        ]
    )


def manual_setup(w):
    from manuals import services

    manual = services.manual_create(
        actor=w.pmo,
        project=w.project,
        title="経費精算の手順",
        language="ja",
        audience="支店の事務担当者",
        variants=["Windows 10", "Windows 11"],
    )
    manual.reviewer = w.client_pm
    manual.save(update_fields=["reviewer"])
    w.state["manual"] = manual


def manual_kwargs(w):
    return {"code": w.project.code, "pk": w.state["manual"].pk}


def _steps(w, first, count, state="accepted", manual=None):
    """Steps, each with a screenshot in the first environment (its picture file is never read by these pages)."""
    from manuals.models import Manual, Screenshot, ScreenshotVersion, Step, manual_changed

    manual = manual or w.state["manual"]
    variant = manual.variants.order_by("position", "pk").first()
    steps = Step.objects.bulk_create(
        [
            Step(manual=manual, position=100 + i, title=tok(i), instruction=f"Press **{tok(i)}**.")
            for i in range(first, first + count)
        ]
    )
    shots = Screenshot.objects.bulk_create([Screenshot(step=s, variant=variant) for s in steps])
    versions = ScreenshotVersion.objects.bulk_create(
        [
            ScreenshotVersion(
                screenshot=s,
                number=1,
                image=f"manuals/{s.pk}.png",
                width=320,
                height=180,
                sha256="0" * 64,
                uploaded_by=w.pmo,
                state=state,
            )
            for s in shots
        ]
    )
    for shot, version in zip(shots, versions, strict=True):
        shot.current = version
    Screenshot.objects.bulk_update(shots, ["current"])
    manual_changed(Manual.objects.filter(pk=manual.pk))  # bulk_create() and bulk_update() bypass save()


def add_steps(w, first, count):
    _steps(w, first, count)


def add_waiting_screenshots(w, first, count):
    """Changed pictures waiting for the client PM, whom the manual names as its reviewer."""
    if "manual" not in w.state:
        manual_setup(w)
    _steps(w, first, count, state="awaiting")


def add_editions(w, first, count):
    from manuals.models import Edition

    Edition.objects.bulk_create(
        [
            Edition(
                manual=w.state["manual"],
                number=i + 1,
                title="経費精算の手順",
                language="ja",
                snapshot={"steps": [], "variants": []},
                change_log=[],
                note=tok(i),
                published_by=w.pmo,
                published_at=_now(),
            )
            for i in range(first, first + count)
        ]
    )


def reports_setup(w):
    from manuals.models import Edition

    manual_setup(w)
    w.state["edition"] = Edition.objects.create(
        manual=w.state["manual"],
        number=1,
        title="経費精算の手順",
        language="ja",
        snapshot={"steps": [], "variants": []},
        published_by=w.pmo,
        published_at=_now(),
    )


def add_reports(w, first, count):
    from manuals.models import ScreenReport

    ScreenReport.objects.bulk_create(
        [
            ScreenReport(
                manual=w.state["manual"],
                edition=w.state["edition"],
                step_number=1,
                step_title="Open Start",
                reporter=w.reader,
                comment=f"My screen shows {tok(i)}.",
            )
            for i in range(first, first + count)
        ]
    )


# --- the registry -------------------------------------------------------------------------------------------

HTMX_SEARCH = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "term-results"}

PAGES: list[ListPage] = [
    # projects and everyone's own lists
    ListPage("home", "home", "pmo", add_projects, kwargs=lambda w: {}, cap=10),
    ListPage("projects:list", "projects:list", "pmo", add_projects, kwargs=lambda w: {}),
    ListPage("projects:detail", "projects:detail", "pmo", add_members, cap=12),
    ListPage("projects:members", "projects:members", "pmo", add_members),
    ListPage("projects:audit", "projects:audit", "pmo", add_audit_events),
    ListPage("projects:signoffs", "projects:signoffs", "client_pm", add_decided_signoffs),
    ListPage("notifications:list", "notifications:list", "pmo", add_notifications, kwargs=lambda w: {}),
    ListPage("notifications:menu", "notifications:menu", "pmo", add_notifications, kwargs=lambda w: {}, cap=5),
    ListPage("exports:list", "exports:list", "pmo", add_exports, kwargs=lambda w: {}),
    # the approval inbox: one entry per kind of item (each kind reads its items its own way)
    ListPage("inbox:list[signoff]", "inbox:list", "client_pm", add_signoffs, kwargs=lambda w: {}),
    ListPage(
        "inbox:list[access]",
        "inbox:list",
        "client_pm",
        add_requests("pm_approval"),
        kwargs=lambda w: {},
        setup=access_setup,
    ),
    ListPage("inbox:list[term]", "inbox:list", "client_pm", add_proposed_terms, kwargs=lambda w: {}),
    ListPage(
        "inbox:list[rfp]",
        "inbox:list",
        "client_pm",
        add_rfps_in_review,
        kwargs=lambda w: {},
    ),
    ListPage("inbox:list[rfp_recommendation]", "inbox:list", "client_pm", add_recommendations, kwargs=lambda w: {}),
    ListPage("inbox:list[screenshot]", "inbox:list", "client_pm", add_waiting_screenshots, kwargs=lambda w: {}),
    # vendor access
    ListPage("access:overview", "access:overview", "pmo", add_requests("submitted"), setup=access_setup, cap=5),
    *[
        ListPage(
            f"access:requests?show={show}",
            "access:requests",
            "pmo",
            add_requests(status),
            setup=access_setup,
            query={"show": show},
        )
        for show, status in [
            ("open", "returned"),
            ("review", "submitted"),
            ("approval", "pm_approval"),
            ("provision", "approved"),
            ("closed", "withdrawn"),
        ]
    ],
    ListPage("access:requests[vendor]", "access:requests", "vendor_a", add_requests("submitted"), setup=access_setup),
    *[
        ListPage(
            f"access:grants?show={show}",
            "access:grants",
            "pmo",
            add_grants(status),
            setup=access_setup,
            query={"show": show},
        )
        for show, status in [("live", "active"), ("expired", "expired"), ("ended", "revoked")]
    ],
    ListPage("access:grants[vendor]", "access:grants", "vendor_a", add_grants("active"), setup=access_setup),
    ListPage("access:removals", "access:removals", "pmo", add_grants("revoking"), setup=access_setup),
    ListPage("access:systems", "access:systems", "pmo", add_systems),
    ListPage("access:vendors", "access:vendors", "pmo", add_contracts),
    ListPage("access:vendors[people]", "access:vendors", "vendor_a", add_people, setup=access_setup),
    ListPage("access:delegations", "access:delegations", "security", add_delegations, setup=access_setup),
    ListPage("access:delegations[held]", "access:delegations", "pmo", add_delegations, setup=access_setup),
    ListPage(
        "access:delegation_detail",
        "access:delegation_detail",
        "security",
        add_grants("active"),
        setup=access_setup,
        kwargs=lambda w: {"code": w.project.code, "pk": w.state["delegation"].pk},
    ),
    ListPage("access:reviews", "access:reviews", "pmo", add_campaigns, setup=access_setup),
    ListPage(
        "access:review_detail",
        "access:review_detail",
        "client_pm",
        add_review_items,
        setup=review_setup,
        kwargs=lambda w: {"code": w.project.code, "pk": w.state["campaign"].pk},
    ),
    ListPage("access:reconciliations", "access:reconciliations", "pmo", add_reconciliations, setup=access_setup),
    ListPage(
        "access:reconciliation_detail",
        "access:reconciliation_detail",
        "pmo",
        add_reconciliation_rows,
        setup=reconciliation_setup,
        kwargs=lambda w: {"code": w.project.code, "pk": w.state["reconciliation"].pk},
    ),
    ListPage("access:audit", "access:audit", "security", add_access_events, setup=access_setup),
    ListPage("access:grants_csv", "access:grants_csv", "pmo", add_grants("active"), setup=access_setup),
    # the dictionary
    ListPage("dictionary:list", "dictionary:list", "pmo", add_terms),
    ListPage("dictionary:list[vendor]", "dictionary:list", "vendor_a", add_terms),
    ListPage(
        "dictionary:list[search as you type]",
        "dictionary:list",
        "pmo",
        add_terms,
        query={"q": "q1"},
        headers=HTMX_SEARCH,
    ),
    ListPage(
        "dictionary:term_history",
        "dictionary:term_history",
        "client_pm",
        add_term_versions,
        setup=term_setup,
        kwargs=lambda w: {"code": w.project.code, "pk": w.state["term"].pk},
    ),
    ListPage("dictionary:approvals", "dictionary:approvals", "client_pm", add_proposed_terms),
    ListPage("dictionary:categories", "dictionary:categories", "pmo", add_categories),
    ListPage("dictionary:baselines", "dictionary:baselines", "pmo", add_baselines),
    ListPage(
        "dictionary:baseline_detail",
        "dictionary:baseline_detail",
        "pmo",
        add_baseline_entries("first"),
        setup=baseline_setup,
        kwargs=lambda w: {"code": w.project.code, "number": 1},
    ),
    ListPage(
        "dictionary:baseline_compare",
        "dictionary:baseline_compare",
        "pmo",
        add_baseline_entries("second"),
        setup=baseline_setup,
    ),
    ListPage(
        "dictionary:import_preview",
        "dictionary:import_preview",
        "pmo",
        add_import_rows,
        setup=import_setup,
        kwargs=lambda w: {"code": w.project.code, "pk": w.state["import"].pk},
    ),
    ListPage("dictionary:export_csv", "dictionary:export_csv", "pmo", add_terms),
    ListPage("dictionary:export_xlsx", "dictionary:export_xlsx", "pmo", add_terms, shown=tokens_in_xlsx),
    # RFPs
    ListPage("rfp:list", "rfp:list", "pmo", add_rfps),
    ListPage("rfp:detail", "rfp:detail", "pmo", add_sections, setup=rfp_setup, kwargs=rfp_kwargs),
    ListPage("rfp:review", "rfp:review", "client_pm", add_sections, setup=rfp_setup, kwargs=rfp_kwargs),
    ListPage("rfp:requirements", "rfp:requirements", "pmo", add_requirements, setup=rfp_setup, kwargs=rfp_kwargs),
    ListPage("rfp:criteria", "rfp:criteria", "pmo", add_criteria, setup=rfp_setup, kwargs=rfp_kwargs),
    ListPage("rfp:versions", "rfp:versions", "pmo", add_versions, setup=rfp_setup, kwargs=rfp_kwargs),
    ListPage("rfp:invitations", "rfp:invitations", "pmo", add_invitations, setup=issued_rfp_setup, kwargs=rfp_kwargs),
    # the PMO's answer form offers every unanswered question too: count the questions listed
    ListPage(
        "rfp:questions",
        "rfp:questions",
        "pmo",
        add_questions,
        setup=issued_rfp_setup,
        kwargs=rfp_kwargs,
        shown=tokens_in_items('data-testid="question"', "</li>"),
    ),
    ListPage(
        "rfp:questions[vendor]", "rfp:questions", "vendor_a", add_questions, setup=issued_rfp_setup, kwargs=rfp_kwargs
    ),
    ListPage("rfp:questions[answers]", "rfp:questions", "pmo", add_answers, setup=issued_rfp_setup, kwargs=rfp_kwargs),
    ListPage(
        "rfp:questions[answers, vendor]",
        "rfp:questions",
        "vendor_a",
        add_answers,
        setup=issued_rfp_setup,
        kwargs=rfp_kwargs,
    ),
    ListPage("rfp:proposals", "rfp:proposals", "pmo", add_proposals, setup=issued_rfp_setup, kwargs=rfp_kwargs),
    ListPage(
        "rfp:evaluation", "rfp:evaluation", "pmo", add_scored_proposals, setup=evaluation_setup, kwargs=rfp_kwargs
    ),
    ListPage(
        "rfp:score",
        "rfp:score",
        "pmo",
        add_criteria,
        setup=score_setup,
        kwargs=lambda w: rfp_kwargs(w) | {"proposal_pk": w.state["proposal"].pk},
    ),
    ListPage("rfp:clauses", "rfp:clauses", "pmo", add_clauses),
    ListPage(
        "rfp:clause_insert",  # the picker the section editor opens: every clause of the firm, as choices
        "rfp:clause_insert",
        "pmo",
        add_clauses,
        setup=rfp_setup,
        kwargs=lambda w: {**rfp_kwargs(w), "section_pk": w.state["rfp"].sections.first().pk},
        headers={"HTTP_HX_REQUEST": "true"},
        shown=tokens_in_items("<option ", "</option>"),
    ),
    ListPage("rfp:clauses[templates]", "rfp:clauses", "pmo", add_templates),
    # manuals
    ListPage("manuals:list", "manuals:list", "pmo", add_manuals),
    ListPage("manuals:list[reader]", "manuals:list", "reader", add_published_manuals),
    ListPage("manuals:detail", "manuals:detail", "pmo", add_steps, setup=manual_setup, kwargs=manual_kwargs),
    ListPage("manuals:editions", "manuals:editions", "pmo", add_editions, setup=manual_setup, kwargs=manual_kwargs),
    ListPage("manuals:reports", "manuals:reports", "pmo", add_reports, setup=reports_setup, kwargs=manual_kwargs),
]
