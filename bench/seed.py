"""The benchmark's data: dictionaries of 10,000 and 100,000 terms, 5,000 vendor access requests, an RFP and three
screenshot manuals, in an empty, migrated database.

Run:  BENCH_PASSWORD=... .venv/bin/python bench/seed.py --out var/bench-seed.json   (about 70 s on 2 cores)
      (--scale 0.02 makes the dictionaries 50 times smaller, to try the script in 20 s)

The caller points Django at the database (DATABASE_URL, DJANGO_SETTINGS_MODULE...). Every user's password is
$BENCH_PASSWORD. What the benchmark needs to know (users, page URLs and who views each, the search query and how many
terms it finds, the access requests the client PM can approve, the manuals to export) goes to --out as JSON.

How the data is made, and why:

* Organisations, people, projects and memberships are plain rows, as ``seed_demo`` writes them. Nobody needs a second
  factor: no authenticator devices, and no project requires one.
* Terms are bulk-inserted in batches of 2,000, approved (version 1) with the approved proposal each version needs for
  its history, as ``projects/dictionary_demo.py`` writes them; ``Term.refresh_derived()`` fills the key, sort key and
  search text, as the services do. Names are composed from a parallel Japanese / Korean / English vocabulary
  (qualifier + domain + subject + kind of thing), each combination used once, in one language, with its equivalents
  in the others; ``random.Random(seed)`` makes it the same every run. Exactly one term in ``SEARCH_EVERY`` (0.5 %) is
  about a credit line: its Japanese name (or Japanese equivalent) contains ``SEARCH_QUERY`` and no other term's text
  does, in both dictionaries. A few terms have a change waiting for the client PM, as in a living dictionary.
* Access requests are bulk-inserted with their items, timeline events and, once provisioned, grants, in states the
  services would have left them in: reviewed by the PMO within its delegation (``needs_security`` False) or above it;
  requested by a vendor user of their own company; one open request per person and level.
* The RFP and the manuals go through the services (``rfp_create``, ``section_update``, ``manual_create``,
  ``step_add``, ``screenshot_upload``...), so their side rows (audit events, revisions, versions, stored files under
  random names) are what the product makes. Screenshots are drawn in two worker processes while the database loads;
  the manuals are never published, so each step's first picture is accepted at once and no comparison job waits.
* ``VACUUM ANALYZE`` at the end, so the planner knows the tables' sizes (DESIGN.md §7).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import random
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260801
BATCH = 2_000
PASSWORD_ENV = "BENCH_PASSWORD"

# The CJK query of the search pages: "credit line" in Japanese. One term in SEARCH_EVERY is about it, and no other.
SEARCH_QUERY = "与信枠"
SEARCH_EVERY = 200
SEARCH_OFFSET = 37

DICTIONARIES = {"DICT10K": 10_000, "DICT100K": 100_000}
RFP_TERMS = 300
ACCESS_REQUESTS = 5_000
MANUAL_STEPS = (50, 40, 80)
SCREEN_SIZE = (1920, 1080)

# --- organisations and people ----------------------------------------------------------------------------------

CLIENT = "あおぞら生命保険株式会社 (Aozora Life Insurance)"
PMO_FIRM = "Keystone PMO Partners"
# (name, language of its people, login name prefix on the client's systems)
VENDORS = [
    ("株式会社アオバシステムズ (Aoba Systems)", "ja", "ab"),
    ("한결소프트 (Hangyeol Soft)", "ko", "hg"),
    ("Northwind Consulting Ltd.", "en", "nw"),
    ("株式会社ミナト情報サービス (Minato IT Services)", "ja", "mn"),
    ("서울데이터랩 (Seoul Data Lab)", "ko", "sd"),
]
VENDOR_WEIGHTS = (30, 25, 20, 15, 10)  # share of the access requests (%)
VENDOR_PEOPLE = (450, 375, 300, 225, 150)  # people of each vendor who need access: 1,500 in all

# key: (username, display name, organisation key, language, role)
USERS = {
    "pmo": ("bench-pmo", "佐藤 健 (Ken Sato)", "pmo", "en", "pmo"),
    "pm": ("bench-pm", "山田 花子 (Hanako Yamada)", "client", "ja", "client_pm"),
    "security": ("bench-security", "鈴木 誠 (Makoto Suzuki)", "client", "en", "security"),
    "vendor": ("bench-vendor", "田中 翔 (Sho Tanaka)", "vendor0", "en", "vendor"),
    "vendor2": ("bench-vendor-2", "김민준 (Minjun Kim)", "vendor1", "en", "vendor"),
    "vendor3": ("bench-vendor-3", "Alex Morgan", "vendor2", "en", "vendor"),
    "vendor4": ("bench-vendor-4", "井上 直樹 (Naoki Inoue)", "vendor3", "en", "vendor"),
    "vendor5": ("bench-vendor-5", "박서연 (Seoyeon Park)", "vendor4", "en", "vendor"),
    "admin": ("bench-admin", "Bench administrator", "pmo", "en", None),
}
VENDOR_USER_KEYS = ("vendor", "vendor2", "vendor3", "vendor4", "vendor5")

PROJECTS = {
    "DICT10K": "業務用語辞書 1万語 (Dictionary, 10,000 terms)",
    "DICT100K": "業務用語辞書 10万語 (Dictionary, 100,000 terms)",
    "ACCESS": "委託先アクセス管理 (Vendor access)",
    "RFP": "保険金請求システム刷新 RFP (Claims system RFP)",
    "MANUALS": "業務システム操作マニュアル (Screenshot manuals)",
}

# --- the dictionary's vocabulary: (Japanese, reading, Korean, English) -------------------------------------------

QUALIFIERS = [
    ("", "", "", ""),
    ("本番", "ほんばん", "운영", "production"),
    ("暫定", "ざんてい", "임시", "interim"),
    ("月次", "げつじ", "월간", "monthly"),
    ("年次", "ねんじ", "연간", "annual"),
    ("日次", "にちじ", "일일", "daily"),
    ("標準", "ひょうじゅん", "표준", "standard"),
    ("個別", "こべつ", "개별", "individual"),
    ("新", "しん", "신규", "new"),
    ("旧", "きゅう", "기존", "legacy"),
]
DOMAINS = [
    ("保険", "ほけん", "보험", "insurance"),
    ("契約", "けいやく", "계약", "contract"),
    ("請求", "せいきゅう", "청구", "claim"),
    ("支払", "しはらい", "지급", "payment"),
    ("顧客", "こきゃく", "고객", "customer"),
    ("代理店", "だいりてん", "대리점", "agency"),
    ("査定", "さてい", "심사", "assessment"),
    ("会計", "かいけい", "회계", "accounting"),
    ("在庫", "ざいこ", "재고", "inventory"),
    ("物流", "ぶつりゅう", "물류", "logistics"),
    ("受注", "じゅちゅう", "수주", "sales order"),
    ("発注", "はっちゅう", "발주", "purchase order"),
    ("人事", "じんじ", "인사", "HR"),
    ("給与", "きゅうよ", "급여", "payroll"),
    ("経費", "けいひ", "경비", "expense"),
    ("予算", "よさん", "예산", "budget"),
    ("監査", "かんさ", "감사", "audit"),
    ("品質", "ひんしつ", "품질", "quality"),
    ("設備", "せつび", "설비", "equipment"),
    ("販売", "はんばい", "판매", "sales"),
    ("購買", "こうばい", "구매", "procurement"),
    ("債権", "さいけん", "채권", "receivables"),
    ("債務", "さいむ", "채무", "payables"),
    ("税務", "ぜいむ", "세무", "tax"),
    ("資産", "しさん", "자산", "asset"),
]
SUBJECTS = [
    ("管理", "かんり", "관리", "management"),
    ("登録", "とうろく", "등록", "registration"),
    ("照会", "しょうかい", "조회", "inquiry"),
    ("変更", "へんこう", "변경", "change"),
    ("承認", "しょうにん", "승인", "approval"),
    ("集計", "しゅうけい", "집계", "aggregation"),
    ("分析", "ぶんせき", "분석", "analysis"),
    ("計画", "けいかく", "계획", "plan"),
    ("実績", "じっせき", "실적", "actuals"),
    ("履歴", "りれき", "이력", "history"),
    ("明細", "めいさい", "명세", "line item"),
    ("区分", "くぶん", "구분", "classification"),
    ("条件", "じょうけん", "조건", "condition"),
    ("基準", "きじゅん", "기준", "criterion"),
    ("台帳", "だいちょう", "대장", "ledger"),
    ("番号", "ばんごう", "번호", "number"),
    ("期限", "きげん", "기한", "deadline"),
    ("金額", "きんがく", "금액", "amount"),
    ("件数", "けんすう", "건수", "count"),
    ("単価", "たんか", "단가", "unit price"),
    ("状態", "じょうたい", "상태", "status"),
    ("連携", "れんけい", "연계", "integration"),
    ("移行", "いこう", "이행", "migration"),
    ("検証", "けんしょう", "검증", "verification"),
    ("通知", "つうち", "통지", "notification"),
    ("帳票", "ちょうひょう", "장표", "form"),
    ("権限", "けんげん", "권한", "permission"),
    ("設定", "せってい", "설정", "setting"),
    ("締め", "しめ", "마감", "closing"),
    ("精算", "せいさん", "정산", "settlement"),
]
SEARCH_SUBJECT = (SEARCH_QUERY, "よしんわく", "여신 한도", "credit line")
KINDS = [
    ("", "", "", ""),
    ("システム", "しすてむ", "시스템", "system"),
    ("機能", "きのう", "기능", "function"),
    ("処理", "しょり", "처리", "processing"),
    ("方針", "ほうしん", "방침", "policy"),
    ("規程", "きてい", "규정", "rule"),
    ("担当者", "たんとうしゃ", "담당자", "officer"),
    ("責任者", "せきにんしゃ", "책임자", "owner"),
    ("手順", "てじゅん", "절차", "procedure"),
    ("記録", "きろく", "기록", "record"),
    ("データ", "でーた", "데이터", "data"),
    ("マスタ", "ますた", "마스터", "master"),
    ("報告書", "ほうこくしょ", "보고서", "report"),
    ("一括処理", "いっかつしょり", "일괄 처리", "batch"),
    ("画面", "がめん", "화면", "screen"),
    ("項目", "こうもく", "항목", "field"),
    ("コード", "こーど", "코드", "code"),
    ("エラー", "えらー", "오류", "error"),
    ("一覧", "いちらん", "목록", "list"),
    ("テンプレート", "てんぷれーと", "템플릿", "template"),
]
LANGUAGE_WEIGHTS = {"ja": 60, "ko": 20, "en": 20}

DEFINITION_TEMPLATES = {
    "ja": [
        "{domain}業務で扱う{subject}の{kind}。",
        "{domain}部門が{subject}を行うときに用いる{kind}。",
        "{qualifier}{domain}に関する{subject}を定めた{kind}。",
        "{domain}の{subject}について、担当者が日常的に参照する{kind}。",
    ],
    "ko": [
        "{domain} 업무에서 다루는 {subject} {kind}.",
        "{domain} 부서가 {subject}을(를) 수행할 때 사용하는 {kind}.",
        "{qualifier} {domain}에 관한 {subject}을(를) 정한 {kind}.",
    ],
    "en": [
        "The {kind} used for {subject} in {domain} operations.",
        "A {kind} that the {domain} team consults for {subject}.",
        "The {qualifier} {kind} that defines {subject} for {domain}.",
    ],
}
KIND_FALLBACK = {"ja": "情報", "ko": "정보", "en": "information"}
EXTRA_SENTENCES = {
    "ja": [
        "月末締めの後に確定する。",
        "承認済みのものだけが後続の処理に渡される。",
        "変更した場合は履歴として残し、削除はしない。",
        "担当部署が四半期ごとに見直す。",
        "金額は税込みで扱う。",
        "外部システムとの連携は夜間の一括処理で行う。",
        "画面では一覧と明細の二段階で表示する。",
        "保存期間は法令に従い7年とする。",
        "誤りが見つかった場合は訂正伝票で修正する。",
        "同じ番号を再利用してはならない。",
        "登録時に入力者と承認者を分ける。",
        "例外的な扱いは責任者の承認を必要とする。",
        "旧システムからの移行時に値を変換する。",
        "代理店からの申請も同じ規則に従う。",
        "状態が変わると関係者に通知される。",
        "報告書では部門別に集計する。",
        "締め処理の前であれば取り消すことができる。",
        "監査の際には証跡として提示する。",
        "基準値は年度ごとに改定される。",
        "本番環境と検証環境で同じ設定を使う。",
        "権限のない利用者には表示されない。",
        "日付は受付日を基準とする。",
        "一件ごとに一意の番号を付ける。",
        "集計値は翌営業日に確定する。",
        "入力項目は必須と任意に分かれる。",
    ],
    "ko": [
        "월말 마감 후에 확정된다.",
        "승인된 건만 후속 처리로 넘어간다.",
        "변경 시 이력으로 남기며 삭제하지 않는다.",
        "담당 부서가 분기마다 검토한다.",
        "금액은 부가세 포함으로 다룬다.",
        "외부 시스템과의 연계는 야간 일괄 처리로 수행한다.",
        "보존 기간은 법령에 따라 7년으로 한다.",
        "같은 번호를 재사용해서는 안 된다.",
        "예외적인 처리는 책임자의 승인이 필요하다.",
        "상태가 바뀌면 관계자에게 통지된다.",
        "권한이 없는 사용자에게는 표시되지 않는다.",
        "집계 값은 다음 영업일에 확정된다.",
    ],
    "en": [
        "It is fixed once the month is closed.",
        "Only approved entries are passed on to later processing.",
        "Changes are kept as history; nothing is deleted.",
        "The owning department reviews it every quarter.",
        "Amounts include tax.",
        "Exchanges with external systems run in the nightly batch.",
        "Records are kept for seven years, as the law requires.",
        "A number is never reused.",
        "Exceptions need the approval of the person responsible.",
        "Everyone concerned is notified when its status changes.",
        "Users without the permission do not see it.",
        "Totals are final on the next business day.",
    ],
}
SEARCH_SENTENCES = {
    "ja": "取引先ごとに設定した与信枠を超える場合は、責任者の承認が必要となる。",
    "ko": "거래처별로 설정한 여신 한도를 초과하면 책임자의 승인이 필요하다.",
    "en": "Anything above the credit line set for a business partner needs the approval of the person responsible.",
}
CLIENT_SCOPES = {
    "ja": ["本社部門の業務", "個人契約", "法人契約", "月末締めの取引", "国内拠点", "自社システム", "承認済みの案件"],
    "ko": ["본사 부문의 업무", "개인 계약", "법인 계약", "월말 마감 거래", "국내 거점", "자사 시스템"],
    "en": ["head-office work", "individual policies", "corporate policies", "month-end transactions", "domestic sites"],
}
CLIENT_TEMPLATES = {
    "ja": "当社では、「{name}」を{scope}に限って用いる。",
    "ko": "당사에서는 '{name}'을(를) {scope}에 한정하여 사용한다.",
    "en": "At the client, “{name}” covers {scope} only.",
}
RATIONALES = {
    "ja": [
        "社内規程の表記に合わせるため。",
        "既存帳票との整合を保つため。",
        "監査での指摘を受けて範囲を限定したため。",
        "現行システムの画面表示に合わせるため。",
        "RFPの受入条件で誤解を避けるため。",
    ],
    "ko": [
        "사내 규정의 표기에 맞추기 위해.",
        "기존 장표와의 정합성을 유지하기 위해.",
        "감사 지적에 따라 범위를 한정했기 때문.",
    ],
    "en": [
        "To match the client's internal rules.",
        "To stay consistent with existing forms.",
        "An audit finding narrowed it.",
    ],
}
AVOID_WORDS = {
    "ja": ["バグ", "クレーム", "本番機", "ユーザー様", "取引先様", "仮払", "案件"],
    "ko": ["버그", "클레임", "운영기", "고객님"],
    "en": ["bug", "complaint", "prod box", "stuff"],
}
SOURCES = ["PMBOK", "ISO/IEC", "ITIL", "JIS", "IEEE", "BABOK", "IPA", "社内規程", "業界ガイドライン"]
EXAMPLE_OBJECTS = {
    "ja": ["2026年4月分の請求書", "代理店A社からの申請", "本社経理部の仕訳", "契約番号 P-2026-0012", "新規顧客の登録"],
    "ko": ["2026년 4월분 청구서", "대리점 A사의 신청", "본사 경리부의 전표", "신규 고객 등록"],
    "en": ["the April 2026 invoice", "a request from agency A", "a journal entry of head-office accounting"],
}


# --- screenshots (drawn in worker processes: no Django there) -------------------------------------------------------


def screen_png(manual_no: int, step_no: int) -> bytes:
    """A full-HD screen of a business application, different for each step of each manual (~40 ms)."""
    from PIL import Image, ImageDraw

    width, height = SCREEN_SIZE
    index = manual_no * 1000 + step_no
    rng = random.Random(index)
    accent = ((40 + manual_no * 70) % 200, 90 + (step_no * 7) % 100, 160 - manual_no * 30)
    image = Image.new("RGB", SCREEN_SIZE, (243, 245, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 56), fill=accent)  # title bar
    draw.text((24, 20), f"Business application {manual_no + 1} - screen {step_no}", fill=(255, 255, 255))
    draw.rectangle((0, 56, 280, height - 48), fill=(226, 231, 237))  # menu
    for item in range(14):
        top = 90 + item * 52
        selected = item == step_no % 14
        draw.rectangle((12, top, 268, top + 40), fill=accent if selected else (236, 240, 244))
        draw.text((28, top + 14), f"Menu {item + 1}", fill=(255, 255, 255) if selected else (40, 40, 40))
    draw.rectangle((320, 90, width - 40, 150), fill=(255, 255, 255), outline=(200, 205, 210))  # heading
    draw.text((340, 112), f"Form {step_no}: fill in the fields and press the button", fill=(30, 30, 30))
    for row in range(8):  # form fields
        top = 180 + row * 64
        draw.text((340, top + 12), f"Field {row + 1}", fill=(60, 60, 60))
        right = 560 + 200 + rng.randrange(600)
        draw.rectangle((560, top, right, top + 40), fill=(255, 255, 255), outline=(150, 160, 170))
        draw.rectangle((570, top + 14, 570 + rng.randrange(40, right - 600), top + 26), fill=(90, 90, 90))
    button_x = 560 + (step_no * 97) % 900
    draw.rectangle((button_x, 720, button_x + 180, 770), fill=accent)  # the button the step presses
    draw.text((button_x + 40, 738), "Next / OK", fill=(255, 255, 255))
    for row in range(5):  # a table
        top = 810 + row * 38
        draw.rectangle((320, top, width - 40, top + 36), fill=(255, 255, 255) if row % 2 else (234, 238, 243))
        for col in range(6):
            draw.rectangle((340 + col * 250, top + 12, 340 + col * 250 + rng.randrange(60, 200), top + 24), fill=(110, 110, 120))  # fmt: skip
    draw.rectangle((0, height - 48, width, height), fill=(24, 26, 32))  # taskbar
    draw.rectangle((12, height - 42, 60, height - 6), fill=(0, 120, 215))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # the upload service re-encodes it anyway
    return buffer.getvalue()


def _screens_in_background() -> tuple[ProcessPoolExecutor, dict[tuple[int, int], Future]]:
    pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn"))
    futures = {(m, s): pool.submit(screen_png, m, s) for m, steps in enumerate(MANUAL_STEPS) for s in range(1, steps + 1)}  # fmt: skip
    return pool, futures


# --- helpers ------------------------------------------------------------------------------------------------------


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo_portal.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()


@contextmanager
def _explicit(model, *field_names):
    """Let bulk_create keep the timestamps we give (auto_now_add would overwrite them with now)."""
    fields = [model._meta.get_field(name) for name in field_names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


class Clock:
    def __init__(self):
        self.started = time.perf_counter()
        self.last = self.started
        self.phases: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(now - self.last, 2)
        self.last = now
        print(f"seed: {name} {self.phases[name]:.1f}s", file=sys.stderr, flush=True)

    @property
    def total(self) -> float:
        return round(time.perf_counter() - self.started, 2)


# --- 1. organisations, people, projects --------------------------------------------------------------------------


def seed_people(password: str) -> tuple[dict, dict, dict]:
    from django.contrib.auth.hashers import make_password

    from accounts.models import Organization, OrganizationKind, User
    from projects.models import Membership, Phase, Project

    orgs = {
        "client": Organization.objects.create(name=CLIENT, kind=OrganizationKind.CLIENT),
        "pmo": Organization.objects.create(name=PMO_FIRM, kind=OrganizationKind.PMO),
    }
    for n, (name, _language, _prefix) in enumerate(VENDORS):
        orgs[f"vendor{n}"] = Organization.objects.create(name=name, kind=OrganizationKind.VENDOR)
    hashed = make_password(password)  # one hash for all (PBKDF2 costs ~0.5 s each)
    people = {}
    for key, (username, display_name, org_key, language, _role) in USERS.items():
        people[key] = User.objects.create(
            username=username, password=hashed, display_name=display_name, email=f"{username}@bench.example",
            organization=orgs[org_key], language=language, time_zone="Asia/Tokyo",
            is_staff=key == "admin", is_superuser=key == "admin",
        )  # fmt: skip
    projects = {}
    for code, name in PROJECTS.items():
        projects[code] = Project.objects.create(
            code=code, name=name, client=orgs["client"], pmo_firm=orgs["pmo"], phase=Phase.EXECUTION,
            start_date=date(2026, 1, 1), end_date=date(2027, 12, 31), default_language="ja", require_two_factor=False,
            description="ベンチマーク用のプロジェクト / A project of the benchmark's data.",
        )  # fmt: skip
        Membership.objects.bulk_create(
            Membership(project=projects[code], user=people[key], role=USERS[key][4], organization=orgs[USERS[key][2]])
            for key in USERS
            if USERS[key][4] is not None
        )
    return orgs, people, projects


# --- 2. the dictionaries ---------------------------------------------------------------------------------------------


class TermMaker:
    """Deterministic term content from the vocabulary: every (qualifier, domain, subject, kind) once, in one language."""

    def __init__(self, seed: int):
        from projects.dictionary_text import normalize
        from projects.services.dictionary import empty_content

        self.normalize, self.empty_content = normalize, empty_content
        self.rng = random.Random(seed)
        combos = [(q, d, s, k) for q in range(len(QUALIFIERS)) for d in range(len(DOMAINS)) for s in range(len(SUBJECTS)) for k in range(len(KINDS))]  # fmt: skip
        self.rng.shuffle(combos)
        self.combos = iter(combos)
        special = [
            (q, d, -1, k) for q in range(len(QUALIFIERS)) for d in range(len(DOMAINS)) for k in range(len(KINDS))
        ]
        self.rng.shuffle(special)
        self.special = iter(special)
        self.languages = list(LANGUAGE_WEIGHTS)
        self.weights = list(LANGUAGE_WEIGHTS.values())
        self.seen: set[str] = set()

    @staticmethod
    def _parts(combo):
        q, d, s, k = combo
        return QUALIFIERS[q], DOMAINS[d], SEARCH_SUBJECT if s < 0 else SUBJECTS[s], KINDS[k]

    @staticmethod
    def _name(parts, language: str) -> str:
        column = {"ja": 0, "ko": 2, "en": 3}[language]
        words = [p[column] for p in parts if p[column]]
        if language == "ja":
            return "".join(words)
        name = " ".join(words)
        return name[:1].upper() + name[1:] if language == "en" else name

    def content(self, index: int, categories: list) -> dict:
        rng, normalize = self.rng, self.normalize
        about_search = index % SEARCH_EVERY == SEARCH_OFFSET
        language = rng.choices(self.languages, self.weights)[0]
        while True:
            parts = self._parts(next(self.special if about_search else self.combos))
            name = self._name(parts, language)
            if normalize(name) not in self.seen:
                self.seen.add(normalize(name))
                break
        qualifier, domain, subject, kind = parts
        values: dict = {"name": name, "language": language, "category": categories[DOMAINS.index(domain)]}
        if language == "ja":
            values["reading"] = "".join(p[1] for p in parts)
        others = [code for code in ("ja", "en", "ko") if code != language]
        if about_search or rng.random() < 0.9:
            values["equivalents"] = [{"language": code, "text": self._name(parts, code), "exact": rng.random() < 0.9} for code in others]  # fmt: skip
        column = {"ja": 0, "ko": 2, "en": 3}[language]
        words = {
            "qualifier": qualifier[column], "domain": domain[column], "subject": subject[column],
            "kind": kind[column] or KIND_FALLBACK[language],
        }  # fmt: skip
        sentences = [rng.choice(DEFINITION_TEMPLATES[language]).format(**words).replace("  ", " ").strip()]
        sentences += rng.sample(EXTRA_SENTENCES[language], rng.randint(1, 2))
        if about_search:
            sentences.append(SEARCH_SENTENCES[language])
        joiner = "" if language == "ja" else " "
        values["standard_definition"] = joiner.join(sentences)
        values["standard_source"] = rng.choice(SOURCES)
        values["standard_reference"] = f"{rng.randint(1, 12)}.{rng.randint(1, 9)}"
        if rng.random() < 0.12:
            values["client_definition"] = CLIENT_TEMPLATES[language].format(name=name, scope=rng.choice(CLIENT_SCOPES[language]))  # fmt: skip
            values["adopted"] = "client" if rng.random() < 0.8 else "standard"
            values["rationale"] = rng.choice(RATIONALES[language])
        if rng.random() < 0.15 and qualifier[0]:
            values["synonyms"] = [self._synonym(parts, language)]
        if rng.random() < 0.08:
            values["avoid"] = [rng.choice(AVOID_WORDS[language])]
        if language == "en" and rng.random() < 0.2:
            values["abbreviation"] = "".join(w[0] for w in name.split()).upper()[:8]
        if rng.random() < 0.2:
            values["examples"] = [rng.choice(EXAMPLE_OBJECTS[language])]
        return self.empty_content(**values)

    @staticmethod
    def _synonym(parts, language: str) -> str:
        """The same thing said without the qualifier, in a spelling no term uses."""
        _qualifier, domain, subject, kind = parts
        if language == "ja":
            return f"{domain[0]}の{subject[0]}{kind[0]}"
        if language == "ko":
            return f"{domain[2]}{subject[2]} {kind[2]}".strip()
        return f"{domain[3]}-{subject[3]} {kind[3]}".strip()


def seed_terms(project, count: int, *, seed: int, people: dict) -> dict:
    """``count`` approved terms (each with its approved proposal), and a few changes waiting for the client PM."""
    from django.db import transaction
    from django.utils import timezone

    from projects.dictionary_text import normalize
    from projects.models import ProposalKind, ProposalStatus, Term, TermCategory, TermProposal, TermStatus
    from projects.services.dictionary import term_content

    pmo, pm = people["pmo"], people["pm"]
    maker = TermMaker(seed)
    names = [f"{d[0]} / {d[3][:1].upper()}{d[3][1:]}" for d in DOMAINS]  # bulk_create skips save(): key set here
    categories = TermCategory.objects.bulk_create(
        TermCategory(project=project, name=n, key=normalize(n)) for n in names
    )
    now = timezone.now()
    pending_every = max(count // 25, 50)  # 25 changes waiting in each dictionary
    pending = 0
    with transaction.atomic():
        for start in range(0, count, BATCH):
            terms = []
            for index in range(start, min(start + BATCH, count)):
                term = Term(project=project, owner=pmo, status=TermStatus.APPROVED, version=1, approved_by=pm, approved_at=now - timedelta(minutes=count - index), **maker.content(index, categories))  # fmt: skip
                term.refresh_derived()
                terms.append(term)
            Term.objects.bulk_create(terms)
            approved = {"kind": ProposalKind.NEW, "status": ProposalStatus.APPROVED, "proposed_by": pmo, "decided_by": pm, "version": 1, "note": "初版 / First version"}  # fmt: skip
            proposals = [TermProposal(term=term, decided_at=term.approved_at, **approved, **term_content(term)) for term in terms]  # fmt: skip
            for offset, term in enumerate(terms):
                if (start + offset) % pending_every == 11:
                    changed = term_content(term) | {"standard_definition": term.standard_definition + EXTRA_SENTENCES[term.language][0]}  # fmt: skip
                    proposals.append(TermProposal(term=term, kind=ProposalKind.CHANGE, status=ProposalStatus.PENDING, proposed_by=pmo, base_version=1, note="定義を補足 / Clarified", **changed))  # fmt: skip
                    pending += 1
            TermProposal.objects.bulk_create(proposals)
    return {"terms": count, "pending_changes": pending}


# --- 3. vendor access ------------------------------------------------------------------------------------------------

# (system, owner, [(level, explanation, risk, longest days)])
# fmt: off
SYSTEMS = [
    ("保険金請求DB（テスト環境） / Claims DB (test)", "請求システム運用チーム / Claims IT operations", [
        ("参照のみ / Read only", "テスト環境の契約者データを見られます。変更はできません。 / Can read test records; cannot change anything.", 1, 180),
        ("参照・更新 / Read and write", "テストデータを変更できます。本番には触れられません。 / Can change test data; never production.", 2, 90),
        ("管理者 / Administrator", "他の人の権限を含め、すべてを変更できます。 / Can change everything, including others' access.", 4, 30),
    ]),
    ("代理店ポータル（ステージング） / Agent portal (staging)", "デジタル推進部 / Digital channels", [
        ("閲覧 / Viewer", "画面を見て動作を確認できます。 / Can open the screens and check how they behave.", 1, 180),
        ("リリース担当 / Deployer", "ステージングに新しい版を公開できます。 / Can publish new versions to staging.", 3, 60),
    ]),
    ("契約管理システム（検証環境） / Policy admin (UAT)", "契約業務部 / Policy operations", [
        ("参照のみ / Read only", "検証環境の契約を見られます。 / Can read policies in UAT.", 1, 180),
        ("データ修正 / Data fix", "検証データを修正できます。 / Can correct UAT data.", 2, 90),
        ("管理者 / Administrator", "検証環境の設定を変更できます。 / Can change UAT settings.", 4, 30),
    ]),
    ("会計連携サーバー / Accounting interface server", "経理システム課 / Finance IT", [
        ("ログ閲覧 / Log viewer", "連携ジョブのログを読めます。 / Can read the interface jobs' logs.", 1, 180),
        ("ジョブ運用 / Job operator", "連携ジョブを再実行できます。 / Can rerun interface jobs.", 2, 90),
        ("root", "サーバーのすべてを変更できます。 / Can change anything on the server.", 4, 14),
    ]),
    ("ソースコード管理 / Source repository", "IT企画部 / IT planning", [
        ("読み取り / Read", "ソースコードを読めます。 / Can read the source code.", 1, 180),
        ("書き込み / Write", "ブランチに変更を送れます。 / Can push changes to branches.", 2, 180),
        ("管理者 / Maintainer", "保護ブランチと設定を変更できます。 / Can change protected branches and settings.", 3, 90),
    ]),
    ("課題管理ツール / Issue tracker", "IT企画部 / IT planning", [
        ("閲覧 / Viewer", "課題を読めます。 / Can read issues.", 1, 180),
        ("編集 / Editor", "課題を起票・更新できます。 / Can file and update issues.", 1, 180),
    ]),
    ("VPN（開発拠点） / VPN (development site)", "情報セキュリティ室 / Information security", [
        ("標準 / Standard", "開発拠点から社内網に接続できます。 / Can connect to the internal network from the site.", 2, 180),
    ]),
    ("本番監視ダッシュボード / Production monitoring", "運用部 / Operations", [
        ("閲覧 / Viewer", "本番の稼働状況を見られます。 / Can watch production's health.", 2, 90),
        ("運用者 / Operator", "アラートの抑止と再起動ができます。 / Can silence alerts and restart services.", 3, 30),
    ]),
]
# fmt: on
# How many requests are in each state (5,000 in all; most wait for the client PM, within the PMO's delegation).
STATUS_COUNTS = {
    "pm_approval": 3_200,
    "security_approval": 120,
    "submitted": 350,
    "draft": 200,
    "returned": 80,
    "approved": 200,
    "provisioned": 500,
    "rejected": 250,
    "withdrawn": 100,
}
REMOVALS_WAITING = 30  # of the pm_approval ones: "remove this person"
REMOVAL_RESERVE = 20  # the last people of each vendor: nothing is asked for them but their removal
FAMILY = {
    "ja": [
        "佐藤",
        "鈴木",
        "高橋",
        "田中",
        "伊藤",
        "渡辺",
        "山本",
        "中村",
        "小林",
        "加藤",
        "吉田",
        "山田",
        "松本",
        "井上",
        "木村",
        "清水",
    ],
    "ko": ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오"],
    "en": [
        "Smith",
        "Brown",
        "Wilson",
        "Taylor",
        "Clark",
        "Lewis",
        "Walker",
        "Hall",
        "Young",
        "King",
        "Wright",
        "Green",
    ],
}
GIVEN = {
    "ja": [
        "翔",
        "陽菜",
        "蓮",
        "結衣",
        "大輝",
        "美咲",
        "拓海",
        "葵",
        "健太",
        "さくら",
        "悠斗",
        "凛",
        "直樹",
        "彩",
        "誠",
        "亮",
    ],
    "ko": [
        "민준",
        "서연",
        "지호",
        "하은",
        "도윤",
        "서윤",
        "예준",
        "지우",
        "시우",
        "수아",
        "현우",
        "지민",
        "준서",
        "채원",
    ],
    "en": ["Alex", "Sam", "Jordan", "Taylor", "Morgan", "Chris", "Jamie", "Robin", "Casey", "Drew", "Kim", "Lee"],
}
JOB_ROLES = {
    "ja": ["テストエンジニア", "開発者", "インフラ担当", "プロジェクトマネージャー", "データ移行担当", "運用担当"],
    "ko": ["테스트 엔지니어", "개발자", "인프라 담당", "데이터 이행 담당", "운영 담당"],
    "en": ["Test engineer", "Developer", "Infrastructure engineer", "Data migration lead", "Operations engineer"],
}
JUSTIFICATIONS = {
    "ja": [
        "結合テストの実施のため。",
        "障害調査でログを確認するため。",
        "データ移行のリハーサルのため。",
        "性能試験の準備のため。",
        "受入テストの支援のため。",
    ],
    "ko": [
        "통합 테스트 수행을 위해.",
        "장애 조사로 로그를 확인하기 위해.",
        "데이터 이행 리허설을 위해.",
        "성능 시험 준비를 위해.",
    ],
    "en": [
        "To run the integration tests.",
        "To read logs while investigating an incident.",
        "For the data migration rehearsal.",
        "To prepare the performance tests.",
    ],
}
MEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_access(project, *, orgs: dict, people: dict, seed: int) -> dict:
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import (
        AccessEvent,
        AccessRequest,
        AccessRequestItem,
        Delegation,
        EventVerb,
        Grant,
        GrantStatus,
        PermissionLevel,
        RequestKind,
        RequestStatus,
        TargetSystem,
        VendorContract,
        VendorPerson,
    )

    assert sum(STATUS_COUNTS.values()) == ACCESS_REQUESTS
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    pmo, pm, security = people["pmo"], people["pm"], people["security"]
    with transaction.atomic():
        systems, levels = [], {}
        for name, owner, system_levels in SYSTEMS:
            system = TargetSystem.objects.create(project=project, name=name, owner=owner)
            systems.append(system)
            levels[system.pk] = PermissionLevel.objects.bulk_create(
                PermissionLevel(system=system, name=n, explanation=e, risk=r, max_duration_days=d)
                for n, e, r, d in system_levels
            )
        delegation = Delegation(
            project=project, delegate=pmo, granted_by=security, max_risk=2, max_duration_days=180,
            valid_from=today - timedelta(days=200), valid_until=today + timedelta(days=400),
            note="セキュリティ室からPMOへの委任 / Delegated by information security", evidence_name="委任状_2026.pdf",
        )  # fmt: skip
        delegation.evidence.save("memo.pdf", ContentFile(MEMO_PDF), save=False)
        delegation.save()
        delegation.systems.set(systems)

        contract_start, contract_end = today - timedelta(days=200), today + timedelta(days=500)
        persons = []  # persons[n]: the people of vendor n
        for n, (_name, language, _prefix) in enumerate(VENDORS):
            vendor_user = people[VENDOR_USER_KEYS[n]]
            contract = VendorContract.objects.create(
                project=project, vendor=orgs[f"vendor{n}"], start_date=contract_start, end_date=contract_end,
                contact_name=vendor_user.display_name, contact_email=vendor_user.email,
            )  # fmt: skip
            rows = [
                VendorPerson(
                    contract=contract,
                    name=_person_name(rng, language),
                    email=f"person{p:03d}@vendor{n + 1}.bench.example",
                    job_role=rng.choice(JOB_ROLES[language]),
                    added_by=vendor_user,
                )  # fmt: skip
                for p in range(VENDOR_PEOPLE[n])
            ]
            persons.append(_bulk(VendorPerson, rows))

        statuses = [status for status, n in STATUS_COUNTS.items() for _ in range(n)]
        rng.shuffle(statuses)
        removals = set(rng.sample([i for i, s in enumerate(statuses) if s == "pm_approval"], REMOVALS_WAITING))
        free = {person.pk: [s.pk for s in systems] for vendor_people in persons for person in vendor_people}
        for systems_left in free.values():
            rng.shuffle(systems_left)
        cursor = [0] * len(VENDORS)
        requests, items_of, timeline = [], [], []
        for index, status in enumerate(statuses):
            vendor_no = rng.choices(range(len(VENDORS)), VENDOR_WEIGHTS)[0]
            language = VENDORS[vendor_no][1]
            above = status == "security_approval" or (status in ("approved", "provisioned") and rng.random() < 0.1)
            kind = RequestKind.REMOVE if index in removals else RequestKind.NEW
            person, chosen = _next_person(rng, persons[vendor_no], cursor, vendor_no, free, levels, above=above, kind=kind)  # fmt: skip
            kind = kind if not chosen else RequestKind.NEW
            created = now - timedelta(days=rng.uniform(3, 120))
            times = [created + timedelta(hours=h) for h in sorted(rng.uniform(1, 48) for _ in range(4))]
            request = AccessRequest(
                project=project, vendor=orgs[f"vendor{vendor_no}"], person=person, kind=kind,
                justification=rng.choice(JUSTIFICATIONS[language]), requested_by=people[VENDOR_USER_KEYS[vendor_no]],
                status=status, created_at=created,
            )  # fmt: skip
            if status != "draft":
                request.submitted_at = request.step_since = times[0]
            if status in ("pm_approval", "security_approval", "approved", "provisioned", "rejected"):
                request.reviewed_by, request.step_since = pmo, times[1]
                request.needs_security = above
                request.within_delegation = None if above else delegation
            if status == "security_approval":
                request.step_since = times[2]
            if status in ("approved", "provisioned"):
                request.step_since = times[2]
            if status in ("provisioned", "rejected", "withdrawn"):
                request.closed_at = times[3]
            if status == "returned":
                request.step_since = times[1]
            requests.append(request)
            start = created.date() + timedelta(days=rng.randint(0, 14))
            items_of.append([(level, start, start + timedelta(days=min(level.max_duration_days, rng.choice((30, 60, 90, 180))) - 1)) for level in chosen])  # fmt: skip
            timeline.append(times)
        with _explicit(AccessRequest, "created_at"):
            _bulk(AccessRequest, requests)
        items = [
            AccessRequestItem(request=request, level=level, start_date=start, end_date=end)
            for request, item_specs in zip(requests, items_of, strict=True)
            for level, start, end in item_specs
        ]
        _bulk(AccessRequestItem, items)
        items_by_request: dict[int, list] = {}
        for item in items:
            items_by_request.setdefault(item.request_id, []).append(item)
        grants = []
        for request in requests:
            if request.status != RequestStatus.PROVISIONED:
                continue
            for item in items_by_request.get(request.pk, []):
                expired = item.end_date < today
                grants.append(Grant(
                    project=project, vendor_id=request.vendor_id, person=request.person, level=item.level,
                    login_name=f"{VENDORS[_vendor_index(orgs, request.vendor_id)][2]}-{request.person_id}",
                    start_date=item.start_date, end_date=item.end_date, request_item=item, provisioned_by=pmo,
                    provisioned_at=request.closed_at, delegation=delegation,
                    status=GrantStatus.EXPIRED if expired else GrantStatus.ACTIVE, expired_at=now if expired else None,
                ))  # fmt: skip
        _bulk(Grant, grants)
        grant_of = {grant.request_item_id: grant for grant in grants}
        events = []
        for request, times in zip(requests, timeline, strict=True):
            request_items = items_by_request.get(request.pk, [])
            system_id = request_items[0].level.system_id if len(request_items) == 1 else None
            common = {"project": project, "request": request, "vendor_id": request.vendor_id, "person_id": request.person_id, "system_id": system_id}  # fmt: skip
            steps = [(request.created_at, request.requested_by, EventVerb.CREATED, "", None)]
            status = request.status
            if status != "draft":
                steps.append((times[0], request.requested_by, EventVerb.SUBMITTED, "", None))
            if status == "returned":
                steps.append((times[1], pmo, EventVerb.SENT_BACK, "作業内容を具体的に書いてください。", None))
            if status in ("pm_approval", "security_approval", "approved", "provisioned", "rejected"):
                steps.append((times[1], pmo, EventVerb.FORWARDED, "", request.within_delegation))
            if status == "security_approval" or (request.needs_security and status in ("approved", "provisioned")):
                steps.append((times[2], pm, EventVerb.ESCALATED, "", None))
            if status in ("approved", "provisioned"):
                steps.append((times[2], security if request.needs_security else pm, EventVerb.APPROVED, "", None))
            if status == "rejected":
                steps.append((times[3], pm, EventVerb.REJECTED, "期間が長すぎます。必要な期間に絞ってください。", None))
            if status == "withdrawn":
                steps.append((times[3], request.requested_by, EventVerb.WITHDRAWN, "", None))
            for at, actor, verb, comment, cited in steps:
                events.append(AccessEvent(at=at, actor=actor, verb=verb, comment=comment, delegation=cited, **common))
            if status == "provisioned":
                for item in request_items:
                    grant = grant_of[item.pk]
                    events.append(AccessEvent(at=times[3], actor=pmo, verb=EventVerb.PROVISIONED, delegation=delegation, grant=grant, **common | {"system_id": item.level.system_id}))  # fmt: skip
        _bulk(AccessEvent, events)
    approvable = [r.pk for r in requests if r.status == "pm_approval" and not r.needs_security]
    return {
        "requests": len(requests), "items": len(items), "grants": len(grants), "events": len(events),
        "vendor_people": sum(len(p) for p in persons), "by_status": dict(STATUS_COUNTS), "approvable": sorted(approvable),
        "systems": len(systems),
    }  # fmt: skip


def _person_name(rng: random.Random, language: str) -> str:
    family, given = rng.choice(FAMILY[language]), rng.choice(GIVEN[language])
    return {"ja": f"{family} {given}", "ko": f"{family}{given}", "en": f"{given} {family}"}[language]


def _vendor_index(orgs: dict, vendor_id: int) -> int:
    return next(n for n in range(len(VENDORS)) if orgs[f"vendor{n}"].pk == vendor_id)


def _next_person(rng, vendor_people, cursor, vendor_no, free, levels, *, above: bool, kind: str):
    """The vendor's next person with a system left to ask for, and the levels asked (one per system).

    Each (person, system) is asked for once in all the requests, so no two open requests, nor a request and a grant,
    are for the same person and level. Within the PMO's delegation: low or medium risk; above it: high or critical.
    A removal is asked for someone nothing was asked for yet, and nothing is asked for them afterwards.
    """
    if kind == "remove":  # from the people kept aside for it, as long as there are some
        for person in vendor_people[-REMOVAL_RESERVE:]:
            if len(free[person.pk]) == len(levels):
                free[person.pk].clear()
                return person, []
        kind = "new"
    for _attempt in range(len(vendor_people) * 2):
        person = vendor_people[cursor[vendor_no] % (len(vendor_people) - REMOVAL_RESERVE)]
        cursor[vendor_no] += 1
        left = free[person.pk]
        wanted = 2 if rng.random() < 0.2 else 1
        chosen = []
        for system_id in list(left):
            fitting = [level for level in levels[system_id] if (level.risk >= 3) == above]
            if fitting:
                chosen.append(rng.choice(fitting))
                left.remove(system_id)
                if len(chosen) == wanted:
                    break
        if chosen:
            return person, chosen
    raise RuntimeError("not enough vendor people for the requests: raise VENDOR_PEOPLE")


# --- 4. the RFP ------------------------------------------------------------------------------------------------------

# (section key of the built-in template, title, Markdown text, explanation for the client PM)
RFP_SECTIONS = [
    (
        "background",
        "背景と目的",
        (
            "あおぞら生命保険株式会社（以下「当社」）は、2008年に稼働した**保険金請求システム**を刷新する。\n\n"
            "現行システムは紙の請求書を前提としており、代理店と受取人からのオンライン請求に対応できない。"
            "また、査定の判断根拠がシステムに残らないため、監査のたびに担当者が書類を探している。\n\n"
            "本プロジェクトの目的は次のとおりである。\n\n"
            "1. 代理店と受取人がオンラインで保険金を請求できるようにする。\n"
            "2. 受付から支払までの平均日数を12日から5日に短縮する。\n"
            "3. 査定の判断と根拠を記録し、監査に即答できるようにする。"
        ),
        "ベンダーは「なぜ作るのか」が分かると、より的確な提案をします。目的を数字で書くと、提案を比べやすくなります。",
    ),
    (
        "current_state",
        "現状",
        (
            "## 現行システムの構成\n\n"
            "| 項目 | 現状 |\n|---|---|\n| 稼働開始 | 2008年4月 |\n| 利用者 | 本社査定部 120名、代理店 約800店 |\n"
            "| 年間請求件数 | 約18万件（うちオンライン 0件） |\n| 基盤 | オンプレミス（保守期限 2027年3月） |\n\n"
            "## 業務の流れ\n\n受付（郵送）→ 書類確認 → 査定 → 支払計算 → 支払 → 通知。"
            "査定と支払計算は別部署が担当している。"
        ),
        "今のシステムの規模が分かると、移行の手間を見積もれます。書かないと、契約後に追加費用が出やすくなります。",
    ),
    (
        "scope",
        "範囲",
        (
            "- 代理店と受取人からの**保険金請求**の受付、査定、支払までを対象とする。\n"
            "- 既存の契約管理システムとの連携を含む。\n"
            "- 現行システムからのデータ移行（過去10年分）を含む。\n"
            "- 会計システムの改修は対象外とする（連携ファイルの形式は現行どおり）。\n"
            "- コールセンターの電話システムは対象外とする。"
        ),
        "範囲外をはっきり書くことが、後のもめごとを防ぐ一番の方法です。",
    ),
    (
        "functional",
        "機能要件",
        (
            "機能要件は要件一覧（FR-001 以降）に記載する。主な機能は次のとおり。\n\n"
            "### 請求の受付\n\n- 代理店の担当者が、請求書類の画像を添付してオンラインで請求を登録できること。\n"
            "- 受取人が、スマートフォンから請求の進み具合を確認できること。\n\n"
            "### 査定\n\n- 査定担当者が、請求ごとに支払の可否と根拠を記録できること。\n"
            "- 免責に当たる場合、該当する約款の条項を選んで記録できること。\n\n"
            "### 支払\n\n- 支払計算の結果を、査定とは別の担当者が承認できること。\n"
            "- 支払予定日を受取人に通知できること。"
        ),
        "各要件に番号を付けると、提案・評価・受入テストで同じ要件を指せます。一覧にないものは作られません。",
    ),
    (
        "non_functional",
        "非機能要件",
        (
            "- **性能**：通常時、画面操作の95%が2秒以内に応答すること。\n"
            "- **可用性**：平日8時から20時の稼働率99.9%以上。\n"
            "- **容量**：年間請求件数30万件、添付画像 年間5TB に対応すること。\n"
            "- **利用性**：代理店の担当者が研修なしで請求を登録できること（ユーザーテストで確認）。\n"
            "- **アクセシビリティ**：JIS X 8341-3:2016 の適合レベルAAに準拠すること。"
        ),
        "機能がそろっていても、遅い・止まるシステムは使われません。数値で書くと、品質に値段が付けられます。",
    ),
    (
        "security",
        "セキュリティ",
        (
            "- 個人情報（病歴を含む）は、保存時・通信時とも暗号化すること。\n"
            "- 当社のID管理基盤と連携し、多要素認証を必須とすること。\n"
            "- 本番環境へのアクセスは、当社情報セキュリティ室が承認した者に限ること。\n"
            "- セキュリティ事故は、発見から1時間以内に当社へ報告すること。\n"
            "- 年1回、第三者による脆弱性診断を受け、結果を報告すること。"
        ),
        "契約後にセキュリティを追加すると高くつきます。ここに書けば、価格と受入条件に含まれます。",
    ),
    (
        "operations",
        "運用・保守",
        (
            "- 稼働後5年間の運用・保守を提案に含めること。\n"
            "- 問合せ窓口は平日9時から18時、重大障害は24時間365日対応とすること。\n"
            "- 重大障害の初動は30分以内、復旧目標は4時間以内とすること。\n"
            "- 月次で稼働状況と問合せ件数を報告すること。"
        ),
        "運用費は開発費より大きくなることがよくあります。書かないと、提案は開発費だけで比べられてしまいます。",
    ),
    (
        "deliverables",
        "成果物",
        (
            "| 工程 | 成果物 |\n|---|---|\n| 要件定義 | 要件定義書、画面一覧 |\n| 設計 | 基本設計書、詳細設計書、データ移行設計書 |\n"
            "| テスト | テスト計画書、テスト結果報告書 |\n| 移行 | 移行手順書、移行結果報告書 |\n| 運用 | 運用手順書、利用者向け操作マニュアル |"
        ),
        "成果物に挙げていないものは、納品されないことがあります。操作マニュアルは特に忘れがちです。",
    ),
    (
        "schedule",
        "スケジュール",
        (
            "- 2026年10月：契約締結\n- 2027年3月：要件定義・基本設計の完了\n- 2027年9月：結合テストの完了\n"
            "- 2027年12月：受入テストの完了\n- 2028年1月：本番稼働\n\n現行基盤の保守期限（2027年3月）は延長契約で対応する。"
        ),
        "ベンダーはこの日付に合わせて要員を計画します。無理な日付は、無理な提案を招きます。",
    ),
    (
        "budget",
        "予算の枠",
        (
            "予算の上限は、開発・移行で4億円、運用・保守で年間6,000万円（いずれも税抜）とする。\n\n"
            "見積は、工程別・役割別の工数と単価に分けて提示すること。"
        ),
        "内訳をそろえると提案を比べられます。上限を示すと、払えない金額の提案を防げます。",
    ),
    (
        "proposal_format",
        "提案書の形式と提出",
        (
            "- 提案書はPDFで、A4・40ページ以内とする。\n- 要件一覧の各要件に対する対応方針を、別紙の回答表に記入すること。\n"
            "- 提出期限までに、本ポータルから提出すること。期限後の提出は受け付けない。"
        ),
        "形式をそろえると、提案を公平に、早く比べられます。",
    ),
    (
        "evaluation",
        "評価基準",
        (
            "提案は次の基準と重みで評価する。\n\n"
            "| 評価基準 | 重み |\n|---|---|\n| 保険金請求業務の理解 | 35% |\n| 技術と移行の方式 | 30% |\n"
            "| 運用・保守体制 | 15% |\n| 価格 | 20% |"
        ),
        "ベンダーは評価される点に合わせて書きます。基準を公開すると、選定が公平で説明しやすくなります。",
    ),
    (
        "contract",
        "契約条件",
        (
            "- 要件定義は準委任契約、設計から受入テストまでは請負契約とする。\n- 瑕疵担保（契約不適合責任）の期間は、検収後1年とする。\n"
            "- 成果物の著作権は、ベンダーが従前から保有するものを除き当社に帰属する。"
        ),
        "ベンダーが受け入れられない条件は、選定後ではなく今のうちに分かるようにします。",
    ),
    (
        "contact",
        "問合せ先",
        (
            "本RFPに関する質問は、本ポータルの質問機能から提出すること。"
            "回答は、質問者名を伏せてすべての招待ベンダーに公開する。\n\n窓口：Keystone PMO Partners（当社PMO）"
        ),
        "質問の窓口を一つにすると、どのベンダーも同じ情報を得られます。",
    ),
]
RFP_CRITERIA = [
    ("保険金請求業務の理解 / Understanding of the claims business", 35),
    ("技術と移行の方式 / Technical and migration approach", 30),
    ("運用・保守体制 / Operations and support", 15),
    ("価格 / Price", 20),
]
RFP_REQUIREMENT_TEXTS = {
    "functional": [
        "代理店の担当者が、請求書類の画像を添付してオンラインで請求を登録できること。",
        "受取人が、スマートフォンから請求の進み具合を確認できること。",
        "査定担当者が、請求ごとに支払の可否と根拠を記録できること。",
        "免責に当たる場合、該当する約款の条項を選んで記録できること。",
        "支払計算の結果を、査定とは別の担当者が承認できること。",
        "支払予定日を受取人に通知できること。",
        "請求書類の不足を代理店に差し戻せること。",
        "同一事故の重複請求を検知して警告すること。",
    ],
    "non_functional": [
        "通常時、画面操作の95%が2秒以内に応答すること。",
        "平日8時から20時の稼働率が99.9%以上であること。",
        "年間請求件数30万件に対応できること。",
    ],
    "security": [
        "個人情報を保存時・通信時とも暗号化すること。",
        "当社のID管理基盤と連携し、多要素認証を必須とすること。",
    ],
    "operations": ["重大障害の初動を30分以内に行うこと。", "月次で稼働状況を報告すること。"],
}


def seed_rfp(project, *, people: dict) -> dict:
    from projects.dictionary_demo import seed_dictionary
    from rfp.services import criteria_save, requirement_create, rfp_create, section_update

    pmo = people["pmo"]
    seed_dictionary(project=project, people=people)  # the insurer's claims terms the text uses, and release #1
    rfp = rfp_create(actor=pmo, project=project, title="保険金請求システム刷新 提案依頼書（RFP）", language="ja")
    texts = {key: (title, body, explanation) for key, title, body, explanation in RFP_SECTIONS}
    sections = list(rfp.sections.all())
    for section in sections:
        title, body, explanation = texts[section.key]
        section_update(actor=pmo, section=section, title=title, body=body, explanation=explanation)
    criteria = criteria_save(actor=pmo, rfp=rfp, rows=[{"id": None, "name": n, "description": "", "weight": w} for n, w in RFP_CRITERIA])  # fmt: skip
    count = 0
    for round_no in range(2):  # two rounds of the list: ~30 requirements, as an RFP of this size has
        for category, lines in RFP_REQUIREMENT_TEXTS.items():
            for n, text in enumerate(lines):
                suffix = "" if round_no == 0 else "（第2期の対象）"
                requirement_create(
                    actor=pmo, rfp=rfp, category=category, text=text + suffix, priority=("must", "should", "could")[(n + round_no) % 3],  # fmt: skip
                    acceptance_criteria="受入テストで確認する。" if n % 2 == 0 else "", criterion=criteria[min(n % 3, 2)],
                )  # fmt: skip
                count += 1
    editor = next(s for s in sections if s.key == "functional")
    return {"rfp": rfp, "editor_section": editor, "sections": len(sections), "requirements": count}


# --- 5. the manuals --------------------------------------------------------------------------------------------------

MANUALS = [
    ("経費精算システム 操作マニュアル", "経費を立て替えた社員と、その上長", "経費精算"),
    ("勤怠管理システム 操作マニュアル", "支社の勤怠担当者", "勤怠管理"),
    ("保険金請求システム 代理店向け操作マニュアル", "代理店で請求を受け付ける担当者", "保険金請求"),
]
SCREENS = ["ログイン画面", "メニュー画面", "申請一覧画面", "新規申請画面", "明細入力画面", "添付書類画面", "確認画面", "承認一覧画面", "検索画面", "設定画面"]  # fmt: skip
ACTIONS = [
    ("「{menu}」を開く", "画面左のメニューから **{menu}** を選びます。", "{screen}が表示されます。"),
    (
        "{field}を入力する",
        "**{field}** に値を入力します。全角・半角のどちらでも構いません。",
        "入力した値が欄に表示されます。",
    ),
    ("「{button}」を押す", "内容を確認し、画面下の **{button}** ボタンを押します。", "{screen}に進みます。"),
    ("{field}を選ぶ", "**{field}** の一覧から該当するものを選びます。", "選んだ項目が強調表示されます。"),
    (
        "入力内容を確かめる",
        "表示された内容が正しいか、**{field}** を中心に確認します。\n\n誤りがあれば **戻る** を押して修正します。",
        "誤りがなければ次の手順に進みます。",
    ),
]
MENUS = ["新規作成", "申請一覧", "承認待ち", "検索", "各種設定", "お知らせ", "履歴"]
FIELDS = ["日付", "金額", "科目", "支払先", "部署", "申請理由", "添付書類", "契約番号", "事故日", "受取人"]
BUTTONS = ["次へ", "保存", "申請", "確認", "登録", "承認依頼"]


def _step_text(rng: random.Random, subject: str, number: int) -> tuple[str, str, str]:
    title, instruction, expected = ACTIONS[number % len(ACTIONS)]
    words = {"menu": rng.choice(MENUS), "field": rng.choice(FIELDS), "button": rng.choice(BUTTONS), "screen": rng.choice(SCREENS)}  # fmt: skip
    instruction = f"{subject}の{words['screen']}で操作します。\n\n" + instruction.format(**words)
    return title.format(**words), instruction, expected.format(**words)  # the manual numbers the steps itself


def seed_manuals(project, *, people: dict, screens: dict, seed: int) -> list[dict]:
    from manuals import services
    from projects.dictionary_demo import seed_dictionary

    pmo = people["pmo"]
    rng = random.Random(seed)
    seed_dictionary(project=project, people=people)  # step texts link a dictionary, as in a real project
    made = []
    for manual_no, ((title, audience, subject), steps) in enumerate(zip(MANUALS, MANUAL_STEPS, strict=True)):
        manual = services.manual_create(actor=pmo, project=project, title=title, language="ja", audience=audience, variants=["Windows 11"])  # fmt: skip
        for number in range(1, steps + 1):
            step_title, instruction, expected = _step_text(rng, subject, number)
            step = services.step_add(
                actor=pmo, manual=manual, title=step_title, instruction=instruction, expected=expected
            )
            version = services.screenshot_upload(actor=pmo, step=step, variant=None, file=screens[manual_no, number].result())  # fmt: skip
            if number % 4 == 1:  # a numbered callout on the button, an arrow to it and a box around the form
                x = (560 + (number * 97) % 900 + 90) / SCREEN_SIZE[0]
                shapes = [
                    {"type": "callout", "x": round(x, 4), "y": 0.69, "n": 1},
                    {"type": "arrow", "x1": round(min(x + 0.15, 0.95), 4), "y1": 0.55, "x2": round(x, 4), "y2": 0.66},
                    {"type": "rect", "x": 0.29, "y": 0.16, "w": 0.5, "h": 0.48},
                ]
                services.screenshot_annotate(actor=pmo, screenshot=version.screenshot, shapes=shapes)
        made.append({"manual": manual, "steps": steps})
    return made


# --- main -------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the benchmark's data in an empty, migrated database.")
    parser.add_argument("--out", required=True, help="Where to write what the benchmark needs to know (JSON).")
    parser.add_argument("--seed", type=int, default=SEED, help="Seed of the generated content (default: %(default)s).")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="Dictionary sizes times this, to try the script quickly."
    )
    args = parser.parse_args(argv)
    password = os.environ.get(PASSWORD_ENV, "")
    if not password:
        print(f"seed: set {PASSWORD_ENV} to the password of the benchmark's users", file=sys.stderr)
        return 2

    clock = Clock()
    pool, screens = _screens_in_background()  # drawn while the database loads
    try:
        _setup_django()
        result = build(args.seed, password, screens, clock, scale=args.scale)
    finally:
        pool.shutdown(cancel_futures=True)
    result["seconds"] = clock.total
    result["phases"] = clock.phases
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    counts = result["counts"]
    print(
        f"seed: {counts['terms_10k']:,} + {counts['terms_100k']:,} terms ({SEARCH_QUERY}: {result['search_matches']['10k']} / "
        f"{result['search_matches']['100k']}), {counts['access_requests']:,} access requests "
        f"({len(result['approve']['paths']):,} to approve), RFP of {counts['rfp_sections']} sections, manuals of "
        f"{'/'.join(str(n) for n in MANUAL_STEPS)} steps in {result['seconds']:.1f}s -> {args.out}"
    )
    return 0


def build(seed: int, password: str, screens: dict, clock: Clock, *, scale: float = 1.0) -> dict:
    from django.db import connection
    from django.urls import reverse

    from projects.models import Project, Term

    if Project.objects.filter(code__in=list(PROJECTS)).exists():
        raise SystemExit("seed: the database already has the benchmark's projects; give it an empty, migrated one")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")  # a loader: losing the last commit on a crash is fine

    orgs, people, projects = seed_people(password)
    clock.lap("people")
    dictionaries = {}
    for n, (code, count) in enumerate(DICTIONARIES.items()):
        dictionaries[code] = seed_terms(
            projects[code], max(int(count * scale), SEARCH_EVERY), seed=seed + n, people=people
        )
        clock.lap(f"dictionary {code}")
    access = seed_access(projects["ACCESS"], orgs=orgs, people=people, seed=seed)
    clock.lap("access requests")
    rfp_terms = seed_terms(projects["RFP"], RFP_TERMS, seed=seed + 7, people=people)
    rfp = seed_rfp(projects["RFP"], people=people)
    clock.lap("rfp")
    manuals = seed_manuals(projects["MANUALS"], people=people, screens=screens, seed=seed)
    clock.lap("manuals")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # outside any transaction: Django autocommits here
    clock.lap("vacuum analyze")

    matches = {size: Term.objects.filter(project=projects[code]).search(SEARCH_QUERY).count() for size, code in (("10k", "DICT10K"), ("100k", "DICT100K"))}  # fmt: skip
    query = "?" + urlencode({"q": SEARCH_QUERY})
    rfp_obj, section = rfp["rfp"], rfp["editor_section"]
    first_manual = manuals[0]["manual"]
    pages = {
        "dictionary_10k": reverse("dictionary:list", kwargs={"code": "DICT10K"}),
        "search_10k": reverse("dictionary:list", kwargs={"code": "DICT10K"}) + query,
        "search_100k": reverse("dictionary:list", kwargs={"code": "DICT100K"}) + query,
        "dictionary_100k": reverse("dictionary:list", kwargs={"code": "DICT100K"}),
        "requests": reverse("access:requests", kwargs={"code": "ACCESS"}),
        "inbox": reverse("inbox:list"),
        "rfp_editor": reverse("rfp:section_edit", kwargs={"code": "RFP", "pk": rfp_obj.pk, "section_pk": section.pk}),
        "rfp_document": reverse("rfp:detail", kwargs={"code": "RFP", "pk": rfp_obj.pk}),
        "manual_editor": reverse("manuals:detail", kwargs={"code": "MANUALS", "pk": first_manual.pk}),
        "admin_requests": None,
    }
    viewer = {name: ("pm" if name == "inbox" else "pmo") for name in pages if pages[name] is not None}
    exports = {}
    for made in manuals:
        manual = made["manual"]
        exports[f"manual_{made['steps']}"] = {
            "path": reverse("exports:start", kwargs={"kind": "manual", "object_id": str(manual.pk)}),
            "fields": {"language": "ja"},
            "user": "pmo",
            "steps": made["steps"],
            "manual_id": manual.pk,
            "editor": reverse("manuals:detail", kwargs={"code": "MANUALS", "pk": manual.pk}),
            "alt_path": reverse("manuals:export", kwargs={"code": "MANUALS", "pk": manual.pk}),
        }
    return {
        "password_env": PASSWORD_ENV,
        "users": {key: USERS[key][0] for key in ("pmo", "pm", "security", "vendor", "admin")},
        "vendor_users": [USERS[key][0] for key in VENDOR_USER_KEYS],
        "projects": list(PROJECTS),
        "pages": pages,
        "search_headers": {"HX-Request": "true", "HX-Target": "term-results"},
        "viewer": viewer,
        "search_query": SEARCH_QUERY,
        "search_matches": matches,
        "approve": {
            "user": "pm",
            "paths": [
                reverse("inbox:approve", kwargs={"kind": "access", "pk": str(pk)}) for pk in access["approvable"]
            ],
            "fields": {"comment": ""},
        },
        "exports": exports,
        "counts": {
            "terms_10k": dictionaries["DICT10K"]["terms"],
            "terms_100k": dictionaries["DICT100K"]["terms"],
            "terms_pending_changes": sum(d["pending_changes"] for d in dictionaries.values()),
            "terms_rfp": rfp_terms["terms"],
            "access_requests": access["requests"],
            "access_by_status": access["by_status"],
            "access_items": access["items"],
            "access_grants": access["grants"],
            "access_events": access["events"],
            "vendor_people": access["vendor_people"],
            "target_systems": access["systems"],
            "approvable": len(access["approvable"]),
            "rfp_sections": rfp["sections"],
            "rfp_requirements": rfp["requirements"],
            "manual_steps": [m["steps"] for m in manuals],
            "screenshots": sum(m["steps"] for m in manuals),
        },
    }


if __name__ == "__main__":
    sys.exit(main())
