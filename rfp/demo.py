"""Demo data of the RFP app (called by ``seed_demo``): a draft RFP for the claims renewal, sections written from
the usual template, three weighted criteria and a few requirements. Made through the services; idempotent."""

from .models import Rfp
from .services import criteria_save, requirement_create, rfp_create, section_update

TITLE = "保険金請求システム刷新 提案依頼書（RFP）"
SCOPE = (
    "- 代理店と顧客からの**保険金請求**の受付、査定、支払までを対象とする。\n"
    "- 既存の契約管理システムとの連携を含む。\n"
    "- 会計システムの改修は対象外とする。"
)
CRITERIA = [
    ("業務理解 / Understanding of the claims business", 40),
    ("技術と移行の提案 / Technical and migration approach", 35),
    ("価格 / Price", 25),
]
REQUIREMENTS = [
    ("functional", "代理店がオンラインで保険金を請求できること。", "must", "代理店の担当者が1件の請求を10分以内に登録できる。"),
    ("functional", "受取人が請求の進み具合を確認できること。", "should", ""),
    ("non_functional", "通常時の画面の応答は2秒以内であること。", "must", "負荷試験で95%の画面操作が2秒以内。"),
]


def seed_rfp(*, project, people: dict) -> None:
    if Rfp.objects.filter(project=project, title=TITLE).exists():
        return
    pmo = people["pmo"]
    rfp = rfp_create(actor=pmo, project=project, title=TITLE, language="ja")
    scope = rfp.sections.get(key="scope")
    section_update(actor=pmo, section=scope, title=scope.title, body=SCOPE, explanation=scope.explanation)
    criteria = criteria_save(actor=pmo, rfp=rfp, rows=[{"id": None, "name": name, "description": "", "weight": weight} for name, weight in CRITERIA])  # fmt: skip
    for category, text, priority, acceptance in REQUIREMENTS:
        requirement_create(actor=pmo, rfp=rfp, category=category, text=text, priority=priority, acceptance_criteria=acceptance, criterion=criteria[0 if category == "functional" else 1])  # fmt: skip
