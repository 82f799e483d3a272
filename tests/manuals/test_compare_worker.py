"""With CELERY_BROKER_URL set, a replaced screenshot travels through Redis to a worker that compares it; when the
broker lost it, the sweep sends it again; a comparison out of attempts is handed to a person."""

import time

import pytest
from django.db import transaction

from manuals import services
from manuals.models import Band, ScreenshotVersion, VersionState
from manuals.services import screenshots

from ..manual_factories import START_CENTRE, desktop, published, upload


def _replace_step1(project, pmo) -> ScreenshotVersion:
    manual = published(project)
    step = manual.steps.order_by("position").first()
    shot = step.screenshots.get(variant__name="Windows 10")
    with transaction.atomic():  # the comparison is sent when this commits, as in a request
        return services.screenshot_upload(actor=pmo, step=step, variant=shot.variant, file=upload(desktop(START_CENTRE, seed_text=1)))  # fmt: skip


def _wait_for(version: ScreenshotVersion, seconds: float = 30) -> ScreenshotVersion:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        version.refresh_from_db()
        if version.state != VersionState.COMPARING:
            break
        time.sleep(0.2)
    return version


@pytest.mark.broker
def test_a_replaced_screenshot_is_compared_by_the_worker(celery_worker, project, pmo, client_pm):
    version = _wait_for(_replace_step1(project, pmo))
    assert (version.state, version.band, version.compare_attempts) == (VersionState.AWAITING, Band.CHANGED, 1)
    assert version.touched == [0, 1] and version.overlay.name


@pytest.mark.django_db
def test_the_sweep_sends_a_lost_comparison_again(project, pmo, client_pm, settings, monkeypatch):
    monkeypatch.setattr(screenshots, "_enqueue_compare", lambda version_id: None)  # the broker was down
    version = _replace_step1(project, pmo)
    assert version.state == VersionState.COMPARING
    settings.EXPORT_REQUEUE_AFTER_SECONDS = 0
    assert services.screenshot_compare_sweep() == 1  # tasks run in-process here: the sweep's send compares it
    version.refresh_from_db()
    assert version.state == VersionState.AWAITING


@pytest.mark.django_db
def test_a_comparison_out_of_attempts_waits_for_a_person(project, pmo, client_pm, settings, monkeypatch):
    monkeypatch.setattr(screenshots, "_enqueue_compare", lambda version_id: None)
    version = _replace_step1(project, pmo)
    ScreenshotVersion.objects.filter(pk=version.pk).update(compare_attempts=services.COMPARE_MAX_ATTEMPTS)
    settings.EXPORT_REQUEUE_AFTER_SECONDS = 0
    assert services.screenshot_compare_sweep() == 0
    version.refresh_from_db()
    assert (version.state, version.band) == (VersionState.AWAITING, Band.LAYOUT)
    assert services.publish_blockers(version.screenshot.step.manual)
