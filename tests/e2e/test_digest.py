"""A consultant chooses a daily digest in the browser; the morning run sends it once, in their language."""

import re

from django.core import mail
from playwright.sync_api import Page, expect

from pmo_portal.notification_tasks import send_daily_digests

from .test_sign_in import sign_in


def test_digest_chosen_in_the_browser_arrives_once_with_the_days_news(page: Page, demo: str):
    from accounts.models import User
    from projects import services
    from projects.models import SignOffRequest

    url = demo
    sign_in(page, url, "pmo")
    page.goto(f"{url}/notifications/settings/")
    page.locator("select[name='signoff.decided']").select_option("digest")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # During the day the client PM answers the PMO's sign-off request (the demo's kick-off minutes).
    signoff = SignOffRequest.objects.get()
    services.signoff_approve(actor=User.objects.get(username="pm"), signoff=signoff, comment="OK")
    assert mail.outbox == []  # a digest, not an immediate e-mail

    # The morning run (beat's send_daily_digests) sends one digest; a second run sends nothing more.
    assert send_daily_digests() == 1
    assert send_daily_digests() == 0
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["pmo@demo.example"]
    html = digest.alternatives[0][0]
    assert 'lang="ja"' in html and signoff.title in digest.body
    link = re.search(r"https?://[^/\s]+(/projects/SMI-CLAIMS/signoffs/\d+/)", digest.body).group(1)

    # The news is also under the bell, and the link in the e-mail opens the answer.
    page.goto(f"{url}{link}")
    expect(page.locator("main")).to_contain_text(signoff.title)
