"""The PMO consultant invites a vendor engineer through the browser; the invitee joins by the e-mailed link."""

import re

from django.core import mail
from playwright.sync_api import Browser, Page, expect

from .test_sign_in import sign_in


def test_pmo_invites_a_vendor_who_then_signs_in(page: Page, browser: Browser, demo: str):
    url = demo
    sign_in(page, url, "pmo")  # the demo's pmo works in Japanese
    page.goto(f"{url}/projects/SMI-CLAIMS/members/")
    page.get_by_role("link", name="メンバーを招待").click()

    form = page.locator("main form").first
    vendor_company = form.get_by_label("ベンダー企業", exact=True)
    expect(vendor_company).to_be_hidden()  # only vendors belong to a vendor company
    form.get_by_label("メールアドレス").fill("lee@kaito.example")
    form.get_by_label("名前").fill("李 成民")
    form.get_by_label("役割").select_option("vendor")
    expect(vendor_company).to_be_visible()
    vendor_company.select_option(label="株式会社カイトシステムズ (Kaito Systems)")
    form.get_by_role("button", name="招待する").click()

    expect(page).to_have_url(f"{url}/projects/SMI-CLAIMS/members/")
    expect(page.get_by_role("row", name=re.compile("李 成民"))).to_contain_text("ベンダー")

    # The invitation, in the project's language, carries a one-time link to choose a password.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/account/invitation/\S+/", mail.outbox[0].body).group(0)
    invitee = browser.new_context().new_page()
    invitee.goto(url + link[link.index("/account/") :])
    expect(invitee.locator("main h1")).to_have_text("PMOポータルへようこそ")  # greeted in their account's language
    invitee.locator("input[name=new_password1]").fill("Lantern-Harbor-42")
    invitee.locator("input[name=new_password2]").fill("Lantern-Harbor-42")
    invitee.locator("main").get_by_role("button").click()
    expect(invitee).to_have_url(f"{url}/")
    expect(invitee.locator("main")).to_contain_text("保険金請求システム刷新")
