"""Vendor access end to end (issue 4, done-when 1): vendor A asks, the PMO reviews, the client PM approves in
the inbox, the PMO provisions under its delegation; time moves on, reminders arrive once, the grant expires;
vendor B never sees any of it.

Selectors are ids, names and test ids, not words: the demo people read Japanese and Korean.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from .test_sign_in import sign_in

PROJECT = "SMI-CLAIMS"


def _at(day) -> datetime:
    """Ten in the morning, Tokyo time, on ``day``: when the hourly reminder beat would find it due."""
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def test_a_vendor_request_goes_through_review_approval_provisioning_and_expiry(page: Page, browser, demo: str):
    from accounts.models import AccessRequest, Grant, GrantStatus, PermissionLevel, RequestKind
    from accounts.services import grants_expire_due
    from pmo_portal.models import Notification
    from pmo_portal.reminders import send_due_reminders

    url, access = demo, f"{demo}/projects/{PROJECT}/access"
    read_only = PermissionLevel.objects.get(name="参照のみ / Read only")
    today = timezone.localdate()
    end = today + timedelta(days=89)

    # Vendor A asks read access to the claims test DB for a new colleague, for three months.
    sign_in(page, url, "vendor-a")
    page.goto(f"{access}/")
    page.get_by_test_id("request-access").click()
    page.locator("#id_new_name").fill("佐々木 亮")
    page.locator("#id_new_email").fill("ryo.sasaki@kaito.example")
    page.locator("#id_new_job_role").fill("テストエンジニア")
    page.locator(f'input[name="levels"][value="{read_only.pk}"]').check()
    page.locator("#id_end_date").fill(end.isoformat())
    page.locator("#id_justification").fill("結合テストでテスト環境の契約データを確認するため。")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "draft")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "submitted")
    request = AccessRequest.objects.get(person__name="佐々木 亮")
    request_url = f"{access}/requests/{request.pk}/"

    # The PMO finds it complete: within its delegation, so the client PM decides and security never sees it.
    pmo = browser.new_context().new_page()
    sign_in(pmo, url, "pmo")
    pmo.goto(request_url)
    pmo.locator("#forward").fill("必要事項は揃っています。")
    pmo.get_by_test_id("forward-submit").click()
    expect(pmo.get_by_test_id("request-status")).to_have_attribute("data-status", "pm_approval")

    pm = browser.new_context().new_page()
    sign_in(pm, url, "pm")
    pm.goto(f"{url}/inbox/")
    item = pm.locator(f"#inbox-access-{request.pk}")
    expect(item).to_contain_text("佐々木 亮")
    expect(item).to_contain_text("3")  # "3 months" / "3か月", in the PM's language
    item.locator("form").first.locator("button[type=submit]").click()
    expect(pm.locator(f"#inbox-access-{request.pk}[role=status]")).to_be_visible()
    request.refresh_from_db()
    assert request.status == "approved" and not request.needs_security

    # The PMO creates the account on the system and records it, citing its delegation.
    pmo.goto(request_url)
    pmo.get_by_test_id("provision-link").click()
    item_pk = request.items.get().pk
    pmo.locator(f"#id_login_{item_pk}").fill("kt-rsasaki")
    pmo.locator("main form button[type=submit]").click()
    expect(pmo.get_by_test_id("request-status")).to_have_attribute("data-status", "provisioned")
    grant = Grant.objects.get(login_name="kt-rsasaki")
    expect(pmo.get_by_test_id("timeline")).to_contain_text(f"#{grant.delegation_id}")

    # Time moves on: the hourly beat runs several times 14 days and 3 days before the end.
    for day in (end - timedelta(days=14), end - timedelta(days=3)):
        for hour in range(3):
            send_due_reminders(now=_at(day) + timedelta(hours=hour))
    expiring = Notification.objects.filter(kind="access.expiring", object_id=str(grant.pk))
    assert sorted(expiring.values_list("recipient__username", flat=True)) == ["pmo", "pmo", "vendor-a", "vendor-a"]

    # Vendor A hears it under the bell and asks for an extension in one click from the grant page.
    page.goto(f"{access}/grants/{grant.pk}/")
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.get_by_test_id("extend").click()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "draft")
    assert AccessRequest.objects.filter(kind=RequestKind.EXTEND, items__grant=grant).count() == 1

    # The day after the end the beat marks it expired; the PMO sees it "to be removed on the system".
    grants_expire_due(today=end + timedelta(days=1))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.EXPIRED
    pmo.goto(f"{access}/removals/")
    expect(pmo.locator(f'[data-testid="removal-table"] tr[data-grant="{grant.pk}"]')).to_contain_text("kt-rsasaki")

    # Vendor B (Korean) never sees any of it.
    vendor_b = browser.new_context().new_page()
    sign_in(vendor_b, url, "vendor-b")
    for path in (request_url, f"{access}/grants/{grant.pk}/", f"{access}/requests/{request.pk}/edit/"):
        assert vendor_b.goto(path).status == 404, path
    for path in (f"{access}/requests/?show=closed", f"{access}/grants/?show=expired", f"{access}/"):
        vendor_b.goto(path)
        expect(vendor_b.locator("main")).not_to_contain_text("佐々木")
