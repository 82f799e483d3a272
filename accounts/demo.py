"""Demo data of vendor access (called by ``seed_demo``): systems, contracts, a delegation and one grant.

Written straight to the tables, like the rest of the demo: nothing waits in anyone's inbox, so the demo
starts quiet. Idempotent.
"""

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from .models import Delegation, Grant, PermissionLevel, Risk, TargetSystem, VendorContract, VendorPerson

# A one-page PDF standing for the security team's signed memo.
MEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

SYSTEMS = {
    "保険金請求DB（テスト環境） / Claims DB (test)": ("請求システム運用チーム / Claims IT operations", [
        ("参照のみ / Read only", "テスト環境の契約者データを見られます。変更やリリースはできません。 / Can read policyholder records in the test environment; cannot change or deploy anything.", Risk.LOW, 180),  # fmt: skip
        ("参照・更新 / Read and write", "テストデータを変更できます。本番には触れられず、リリースもできません。 / Can change test data; cannot touch production or deploy.", Risk.MEDIUM, 90),  # fmt: skip
        ("管理者 / Administrator", "テスト環境のすべて（他の人の権限を含む）を変更できます。 / Can change everything in the test environment, including other people's access.", Risk.CRITICAL, 30),  # fmt: skip
    ]),
    "代理店ポータル（ステージング） / Agent portal (staging)": ("デジタル推進部 / Digital channels", [
        ("閲覧 / Viewer", "画面を見て動作を確認できます。設定は変えられません。 / Can open the screens and check how they behave; cannot change settings.", Risk.LOW, 180),  # fmt: skip
        ("リリース担当 / Deployer", "ステージングに新しい版を公開できます。 / Can publish new versions to staging.", Risk.HIGH, 60),  # fmt: skip
    ]),
}


def seed_access(*, project, people: dict, orgs: dict) -> None:
    today = timezone.localdate()
    levels = {}
    for system_name, (owner, system_levels) in SYSTEMS.items():
        system, _created = TargetSystem.objects.update_or_create(project=project, name=system_name, defaults={"owner": owner})  # fmt: skip
        for name, explanation, risk, days in system_levels:
            levels[name], _created = PermissionLevel.objects.update_or_create(system=system, name=name, defaults={"explanation": explanation, "risk": risk, "max_duration_days": days})  # fmt: skip
    contracts = {
        key: VendorContract.objects.update_or_create(
            project=project, vendor=orgs[key],
            defaults={"start_date": date(2026, 4, 1), "end_date": date(2027, 9, 30), "contact_name": contact, "contact_email": email, "ended_at": None},  # fmt: skip
        )[0]
        for key, contact, email in [("vendor_a", "田中 翔", "vendor-a@demo.example"), ("vendor_b", "김민준", "vendor-b@demo.example")]  # fmt: skip
    }
    delegation = Delegation.objects.filter(project=project, delegate=people["pmo"], note="DEMO").first()
    if delegation is None:
        delegation = Delegation(
            project=project, delegate=people["pmo"], granted_by=people["security"], max_risk=Risk.MEDIUM, max_duration_days=180,
            valid_from=today - timedelta(days=30), valid_until=today + timedelta(days=335), note="DEMO",
            evidence_name="委任状_2026.pdf",
        )  # fmt: skip
        delegation.evidence.save("memo.pdf", ContentFile(MEMO_PDF), save=False)
        delegation.save()
        delegation.systems.set(TargetSystem.objects.filter(project=project))
    # Vendor B's engineer already has read access: vendor A never sees it.
    person, _created = VendorPerson.objects.get_or_create(contract=contracts["vendor_b"], email="seoyeon.lee@hanbit.example", defaults={"name": "이서연 (Seoyeon Lee)", "job_role": "테스트 엔지니어", "added_by": people["vendor-b"]})  # fmt: skip
    Grant.objects.get_or_create(
        person=person, level=levels["参照のみ / Read only"],
        defaults={"project": project, "vendor": orgs["vendor_b"], "login_name": "hb-slee", "start_date": today - timedelta(days=10), "end_date": today + timedelta(days=80), "provisioned_by": people["pmo"], "delegation": delegation},  # fmt: skip
    )
