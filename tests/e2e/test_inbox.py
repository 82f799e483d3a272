"""The client PM approves from the inbox (htmx, no page reload); the PMO consultant hears it under the bell.

Selectors are ids and test ids, not words: these pages are in Japanese and Korean too.
"""

import re

from playwright.sync_api import Page, expect

from .test_sign_in import sign_in


def _no_csp_violations(page: Page) -> list:
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_the_pm_approves_in_the_inbox_and_the_pmo_hears_it_under_the_bell(page: Page, browser, demo: str):
    from projects.models import SignOffRequest

    url = demo
    signoff = SignOffRequest.objects.get()  # the demo's kick-off minutes, waiting for the client PM
    errors = _no_csp_violations(page)
    sign_in(page, url, "pm")
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    expect(page.get_by_test_id("inbox-count")).to_contain_text("1")
    page.goto(f"{url}/inbox/")
    item = page.locator(f"#inbox-signoff-{signoff.pk}")
    expect(item).to_contain_text("キックオフ会議 議事録")
    item.locator(f"#approve-signoff-{signoff.pk}").fill("内容を確認しました。")
    item.locator("form").first.locator("button[type=submit]").click()
    # htmx swaps the item in place: the page stays, the item turns into its outcome.
    expect(page.locator(f"#inbox-signoff-{signoff.pk}[role=status]")).to_be_visible()
    expect(page).to_have_url(f"{url}/inbox/")
    signoff.refresh_from_db()
    assert signoff.status == "approved" and signoff.comment == "内容を確認しました。"
    assert errors == [], errors

    pmo = browser.new_context().new_page()
    errors = _no_csp_violations(pmo)
    sign_in(pmo, url, "pmo")
    expect(pmo.get_by_test_id("unread-count")).to_have_text("1")
    pmo.locator("#notification-bell").click()
    menu = pmo.locator("#notification-menu")
    expect(menu.locator("button.notification-item")).to_have_count(1)  # loaded by htmx when the bell opened
    expect(menu).to_contain_text("キックオフ会議 議事録")
    menu.locator("button.notification-item").click()
    expect(pmo).to_have_url(re.compile(rf"/projects/SMI-CLAIMS/signoffs/{signoff.pk}/$"))
    expect(pmo.get_by_test_id("unread-count")).to_have_count(0)
    assert errors == [], errors


def test_a_second_decision_in_another_tab_hears_who_was_first(page: Page, browser, demo: str):
    from projects.models import SignOffRequest

    url = demo
    signoff = SignOffRequest.objects.get()
    sign_in(page, url, "pm")
    page.goto(f"{url}/inbox/")
    other = page.context.new_page()
    other.goto(f"{url}/inbox/")
    other.locator(f"#inbox-signoff-{signoff.pk} form").first.locator("button[type=submit]").click()
    expect(other.locator(f"#inbox-signoff-{signoff.pk}[role=status]")).to_be_visible()
    # The first tab still shows the item; rejecting it now answers 409 and the notice replaces the item.
    item = page.locator(f"#inbox-signoff-{signoff.pk}")
    item.locator(f"#reject-signoff-{signoff.pk}").fill("やはり差し戻します。")
    item.locator("form").nth(1).locator("button[type=submit]").click()
    expect(page.locator(f"#inbox-signoff-{signoff.pk} .alert-warning")).to_be_visible()
    signoff.refresh_from_db()
    assert signoff.status == "approved"
