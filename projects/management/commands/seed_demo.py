"""Demo data: one bilingual project for a Japanese insurer, and a second one only `pmo` can see.

Idempotent: run it again and nothing is duplicated; passwords are reset to the one given.
"""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import seed_access
from accounts.models import Organization, OrganizationKind, User
from manuals.demo import seed_manual
from projects.dictionary_demo import seed_dictionary
from projects.models import Membership, Phase, Project, Role, SignOffRequest
from rfp.demo import seed_rfp

DEFAULT_PASSWORD = "pmo-demo-2026"

ORGANIZATIONS = {
    "client": ("さくら未来損害保険株式会社 (Sakura Mirai Insurance)", OrganizationKind.CLIENT),
    "pmo": ("Meridian PMO Partners", OrganizationKind.PMO),
    "vendor_a": ("株式会社カイトシステムズ (Kaito Systems)", OrganizationKind.VENDOR),
    "vendor_b": ("한빛소프트 (Hanbit Soft)", OrganizationKind.VENDOR),
    "other_client": ("北星物流株式会社 (Hokusei Logistics)", OrganizationKind.CLIENT),
}

# username: (display name, e-mail, organization, language, role in the main project)
PEOPLE = {
    "pmo": ("佐藤 健 (Ken Sato)", "pmo@demo.example", "pmo", "ja", Role.PMO),
    "pm": ("山田 花子 (Hanako Yamada)", "pm@demo.example", "client", "ja", Role.CLIENT_PM),
    "security": ("鈴木 誠 (Makoto Suzuki)", "security@demo.example", "client", "ja", Role.SECURITY),
    "vendor-a": ("田中 翔 (Sho Tanaka)", "vendor-a@demo.example", "vendor_a", "ja", Role.VENDOR),
    "vendor-b": ("김민준 (Minjun Kim)", "vendor-b@demo.example", "vendor_b", "ko", Role.VENDOR),
    "reader": ("高橋 美咲 (Misaki Takahashi)", "reader@demo.example", "client", "ja", Role.READER),
    # Only in the hidden project:
    "hidden-pm": ("伊藤 大輔 (Daisuke Ito)", "hidden-pm@demo.example", "other_client", "ja", None),
}

MAIN_PROJECT = {
    "code": "SMI-CLAIMS",
    "name": "保険金請求システム刷新 (Claims system renewal)",
    "description": (
        "老朽化した保険金請求システムを刷新し、代理店と顧客のオンライン請求に対応する。\n"
        "Replace the ageing claims system and support online claims by agents and customers."
    ),
    "phase": Phase.RFP,
    "start_date": date(2026, 4, 1),
    "end_date": date(2027, 9, 30),
    "default_language": "ja",
}

HIDDEN_PROJECT = {
    "code": "HKL-WMS",
    "name": "倉庫管理システム導入 (Warehouse management system)",
    "description": "Only the PMO consultant of the demo belongs to this project.",
    "phase": Phase.PLANNING,
    "start_date": date(2026, 7, 1),
    "end_date": date(2027, 3, 31),
    "default_language": "ja",
}

DEMO_SIGNOFF = {
    "title": "キックオフ会議 議事録 (Kick-off meeting minutes)",
    "summary": "4月1日のキックオフ会議の決定事項（範囲・体制・次の予定）です。内容に同意される場合は承認してください。",
    "approver_role": Role.CLIENT_PM,
}


class Command(BaseCommand):
    help = "Create (or refresh) the demo organizations, personas and projects."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password for every demo persona.")
        parser.add_argument("--force", action="store_true", help="Allow running with DJANGO_ENV=production.")

    @transaction.atomic
    def handle(self, *args, password, force, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("Refusing to create demo accounts in production (use --force if you really mean it).")
        orgs = {
            key: Organization.objects.update_or_create(name=name, defaults={"kind": kind})[0]
            for key, (name, kind) in ORGANIZATIONS.items()
        }
        people = {}
        for username, (display_name, email, org_key, language, _role) in PEOPLE.items():
            user, _created = User.objects.update_or_create(
                username=username,
                defaults={"display_name": display_name, "email": email, "organization": orgs[org_key], "language": language, "time_zone": "Asia/Seoul" if language == "ko" else "Asia/Tokyo", "is_active": True},  # fmt: skip
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            people[username] = user

        main = self._project(MAIN_PROJECT, client=orgs["client"], pmo_firm=orgs["pmo"])
        for username, (*_ignored, role) in PEOPLE.items():
            if role is not None:
                org = orgs[PEOPLE[username][2]]
                Membership.objects.update_or_create(project=main, user=people[username], defaults={"role": role, "organization": org})  # fmt: skip

        hidden = self._project(HIDDEN_PROJECT, client=orgs["other_client"], pmo_firm=orgs["pmo"])
        Membership.objects.update_or_create(project=hidden, user=people["pmo"], defaults={"role": Role.PMO, "organization": orgs["pmo"]})  # fmt: skip
        Membership.objects.update_or_create(project=hidden, user=people["hidden-pm"], defaults={"role": Role.CLIENT_PM, "organization": orgs["other_client"]})  # fmt: skip

        # One sign-off waiting in the client PM's approval inbox.
        SignOffRequest.objects.get_or_create(project=main, title=DEMO_SIGNOFF["title"], defaults={**DEMO_SIGNOFF, "requested_by": people["pmo"]})  # fmt: skip
        # Vendor access: systems and levels, both vendors' contracts, the PMO's delegation, one grant of vendor B.
        seed_access(project=main, people=people, orgs=orgs)
        # The project dictionary: the insurer's claims vocabulary, approved, and its release at kick-off.
        seed_dictionary(project=main, people=people)
        # A draft RFP: the usual sections, its scope written, criteria and a few requirements.
        seed_rfp(project=main, people=people)
        # A published screenshot manual for Windows 10 and 11, shared with the readers.
        seed_manual(project=main, people=people)

        self.stdout.write(self.style.SUCCESS(f"Demo data ready: projects {main.code} and {hidden.code}."))
        self.stdout.write("Sign in as: " + ", ".join(u for u in PEOPLE if u != "hidden-pm") + f" (password: {password})")

    def _project(self, fields, **orgs):
        fields = dict(fields)
        project, _created = Project.objects.update_or_create(code=fields.pop("code"), defaults={**fields, **orgs})
        return project
