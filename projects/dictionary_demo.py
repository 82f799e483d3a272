"""Demo data of the project dictionary (called by ``seed_demo``): an insurer's claims vocabulary, approved.

Written straight to the tables, like the rest of the demo, with the approved proposal each version needs for
its history; nothing waits for approval, so the demo starts quiet. Idempotent.
"""

from django.utils import timezone

from .dictionary_text import normalize
from .models import (
    BaselineTerm,
    DictionaryBaseline,
    ProposalKind,
    ProposalStatus,
    Term,
    TermCategory,
    TermProposal,
    TermStatus,
)
from .services.dictionary import empty_content, term_content
from .services.dictionary_io import snapshot_content

CATEGORIES = ("保険金請求 / Claims", "契約 / Policies", "システム / Systems")


def _eq(en="", ko="", ja="", approximate=()):
    pairs = [("en", en), ("ko", ko), ("ja", ja)]
    return [{"language": code, "text": text, "exact": code not in approximate} for code, text in pairs if text]


# name: (category index, content)
TERMS = {
    "保険金": (0, dict(
        reading="ほけんきん", equivalents=_eq(en="Insurance benefit", ko="보험금"),
        standard_definition="保険契約に基づき、保険事故が起きたときに保険会社が受取人に支払う金銭。",
        standard_source="保険業法", standard_reference="第3条",
        client_definition="当社では、入院給付金などの給付金も含めて「保険金」と呼ぶ。",
        adopted="client", rationale="社内規程と帳票の表記に合わせるため。RFPでは給付金を別に数えないこと。",
        synonyms=["支払保険金"], avoid=["給付金"], examples=["死亡保険金", "入院給付金（当社では保険金に含む）"],
    )),
    "保険金請求": (0, dict(
        reading="ほけんきんせいきゅう", equivalents=_eq(en="Insurance claim", ko="보험금 청구"),
        standard_definition="受取人が保険会社に保険金の支払を求めること。", standard_source="JIS", standard_reference="Z 8115",
        avoid=["クレーム"], counter_examples=["契約内容への苦情（これは「苦情」として扱う）"],
    )),
    "査定": (0, dict(
        reading="さてい", equivalents=_eq(en="Claim assessment", ko="사정", approximate=("ko",)),
        standard_definition="請求の内容を確認し、支払の可否と支払額を決めること。", standard_source="損害保険用語集",
        client_definition="支払の可否を判断することだけを指す。支払額の算定は「支払計算」と呼び分ける。",
        adopted="client", rationale="査定課と計算課が別部署で、システムの画面も分かれているため。",
    )),
    "免責": (0, dict(
        reading="めんせき", equivalents=_eq(en="Exclusion", ko="면책", approximate=("en",)),
        standard_definition="約款に定める事由によって、保険会社が保険金を支払わないこと。", standard_source="約款",
    )),
    "受取人": (1, dict(
        reading="うけとりにん", equivalents=_eq(en="Beneficiary", ko="수익자"),
        standard_definition="保険金を受け取る人として契約で定められた人。", standard_source="保険法", standard_reference="第2条",
    )),
    "契約者": (1, dict(
        reading="けいやくしゃ", equivalents=_eq(en="Policyholder", ko="계약자"),
        standard_definition="保険会社と保険契約を結び、保険料を支払う義務を負う人。", standard_source="保険法", standard_reference="第2条",
        synonyms=["保険契約者"],
    )),
    "被保険者": (1, dict(
        reading="ひほけんしゃ", equivalents=_eq(en="Insured person", ko="피보험자"),
        standard_definition="その人の生死や病気・けがが保険の対象となる人。", standard_source="保険法", standard_reference="第2条",
        avoid=["加入者"],
    )),
    "代理店": (1, dict(
        reading="だいりてん", equivalents=_eq(en="Agent", ko="대리점"),
        standard_definition="保険会社の委託を受けて、保険契約の締結の代理や媒介をする者。", standard_source="保険業法",
    )),
    "Service level agreement": (2, dict(
        language="en", abbreviation="SLA", equivalents=_eq(ja="サービスレベル合意", ko="서비스 수준 협약"),
        standard_definition="A documented agreement between a service provider and a customer that identifies both services required and the expected level of service.",  # noqa: E501
        standard_source="ITIL", standard_reference="ITIL 4, Service level management",
    )),
    "本番環境": (2, dict(
        reading="ほんばんかんきょう", equivalents=_eq(en="Production environment", ko="운영 환경"),
        standard_definition="利用者が実際の業務に使うシステムの環境。", avoid=["本番機"],
    )),
    "不具合": (2, dict(
        reading="ふぐあい", equivalents=_eq(en="Defect", ko="결함"),
        standard_definition="ソフトウェアが仕様どおりに動作しない状態。", standard_source="JIS X 0160",
        client_definition="仕様どおりに動いていても、利用者の業務が止まるものは不具合として扱う。",
        adopted="client", rationale="受入基準として契約で合意するため（RFPの受入条件に記載する）。", avoid=["バグ"],
    )),
}


def seed_dictionary(*, project, people: dict) -> None:
    pmo, pm = people["pmo"], people["pm"]
    categories = []
    for name in CATEGORIES:
        category, _created = TermCategory.objects.get_or_create(project=project, key=normalize(name), defaults={"name": name})  # fmt: skip
        categories.append(category)
    now = timezone.now()
    for name, (category_index, values) in TERMS.items():
        if Term.objects.filter(project=project, key=normalize(name)).exists():
            continue
        content = empty_content(name=name, category=categories[category_index], **values)
        term = Term(project=project, owner=pmo, status=TermStatus.APPROVED, version=1, approved_by=pm, approved_at=now, **content)  # fmt: skip
        term.refresh_derived()
        term.save()
        TermProposal.objects.create(
            term=term, kind=ProposalKind.NEW, status=ProposalStatus.APPROVED, proposed_by=pmo, decided_by=pm,
            decided_at=now, version=1, note="キックオフ時の合意 / Agreed at kick-off", **term_content(term),
        )  # fmt: skip
    if not DictionaryBaseline.objects.filter(project=project).exists():
        terms = list(Term.objects.filter(project=project, status=TermStatus.APPROVED).select_related("category"))
        baseline = DictionaryBaseline.objects.create(project=project, number=1, title="キックオフ時点 / At kick-off", created_by=pmo, term_count=len(terms))  # fmt: skip
        names = {t.pk: t.name for t in terms}
        BaselineTerm.objects.bulk_create(BaselineTerm(baseline=baseline, term=t, name=t.name, sort_key=t.sort_key, version=t.version, content=snapshot_content(t, names)) for t in terms)  # fmt: skip
