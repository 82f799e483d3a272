"""The manuals' reminders: changed screenshots waiting for a PMO confirmation, and published manuals nobody re-read
for the project's number of months — each sent once per period however often beat runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from manuals import services
from manuals.models import Manual, ManualSettings, ScreenshotVersion
from pmo_portal import reminders
from pmo_portal.models import Notification

from ..factories import MembershipFactory
from ..manual_factories import START_CENTRE, desktop, published, replace

pytestmark = pytest.mark.django_db


def _sent(kind, recipient=None):
    found = Notification.objects.filter(kind=kind)
    return found.filter(recipient=recipient) if recipient else found


def test_a_screenshot_waiting_more_than_a_day_reminds_the_other_pmo_staff_once_a_day(project, pmo, client_pm):
    colleague = MembershipFactory(project=project, role="pmo").user
    manual = published(project)  # no reviewer named: PMO staff but the uploader confirm
    step = manual.steps.order_by("position").first()
    version = replace(step, step.screenshots.get(variant__name="Windows 10").variant, desktop(START_CENTRE, seed_text=1), by=pmo)  # fmt: skip
    now = timezone.now().replace(hour=12, minute=0)  # an hour later is the same day whenever the suite runs
    reminders.send_due_reminders(now)
    assert not _sent("manual.screenshots_waiting").exists()  # not a day yet
    ScreenshotVersion.objects.filter(pk=version.pk).update(uploaded_at=now - timedelta(days=2))
    reminders.send_due_reminders(now)
    reminders.send_due_reminders(now + timedelta(hours=1))
    assert _sent("manual.screenshots_waiting", colleague).count() == 1
    assert not _sent("manual.screenshots_waiting", pmo).exists()  # the uploader never confirms their own picture
    assert "cannot be published" in _sent("manual.screenshots_waiting", colleague).get().sentence


def test_a_client_pm_reviewer_is_reminded_by_the_inbox_not_twice(project, pmo, client_pm):
    manual = published(project)
    services.manual_update(actor=pmo, manual=manual, title=manual.title, audience="", language="ja", reviewer=client_pm)
    step = manual.steps.order_by("position").first()
    version = replace(step, step.screenshots.get(variant__name="Windows 10").variant, desktop(START_CENTRE, seed_text=1), by=pmo)  # fmt: skip
    ScreenshotVersion.objects.filter(pk=version.pk).update(uploaded_at=timezone.now() - timedelta(days=2))
    reminders.send_due_reminders(timezone.now())
    assert not _sent("manual.screenshots_waiting", client_pm).exists()


def test_a_manual_not_reviewed_for_the_projects_months_reminds_its_author_once_a_month(project, pmo):
    manual = published(project)
    ManualSettings.objects.create(project=project, review_months=3)
    now = timezone.now().replace(day=15, hour=12)  # two hours later is the same month whenever the suite runs
    Manual.objects.filter(pk=manual.pk).update(reviewed_at=now - timedelta(days=80))
    reminders.send_due_reminders(now)
    assert not _sent("manual.review_due").exists()
    Manual.objects.filter(pk=manual.pk).update(reviewed_at=now - timedelta(days=100))
    reminders.send_due_reminders(now)
    reminders.send_due_reminders(now + timedelta(hours=2))
    assert _sent("manual.review_due", pmo).count() == 1
    services.manual_mark_reviewed(actor=pmo, manual=manual)
    reminders.send_due_reminders(now + timedelta(days=40))
    assert _sent("manual.review_due", pmo).count() == 1
