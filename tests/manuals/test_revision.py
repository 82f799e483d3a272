"""A manual's revision counts every change to it and its parts, in the change's own transaction: the writer's
overview is kept per revision (manuals/views/authoring.py), so a change that did not count would leave it stale."""

import pytest
from django.test import TestCase
from django.urls import reverse

from manuals import services
from manuals.models import Edition, Manual, Screenshot, ScreenshotVersion, Step, VersionState, manual_changed
from manuals.services.screenshots import screenshot_compare

from ..conftest import client_for
from ..manual_factories import START_CENTRE, START_LEFT, desktop, manual_with_steps, published, replace, upload

pytestmark = pytest.mark.django_db


def _revision(manual) -> int:
    return Manual.objects.values_list("revision", flat=True).get(pk=manual.pk)


def _first(manual) -> Step:
    return manual.steps.order_by("position").first()


def _windows10(manual) -> Screenshot:
    return _first(manual).screenshots.get(variant__name="Windows 10")


def _waiting(manual, pmo, start) -> ScreenshotVersion:
    """A new picture of step 1 in Windows 10 with the Start button at ``start``, compared: it waits if it moved."""
    shot = _windows10(manual)
    return replace(shot.step, shot.variant, desktop(start, seed_text=1), by=pmo)


def _report(manual, reader):
    edition = Edition.objects.get(manual=manual)
    return services.report_create(actor=reader, edition=edition, step_id=edition.snapshot["steps"][0]["id"], variant_id=None, comment="ボタンがありません")  # fmt: skip


# Each change a person (or the comparison worker) makes: (name, is the manual published first, the change).
CHANGES = [
    ("title", False, lambda m, p: services.manual_update(actor=p["pmo"], manual=m, title="新しい題", audience=m.audience, language=m.language, reviewer=None)),  # fmt: skip
    ("environment added", False, lambda m, p: services.variant_add(actor=p["pmo"], manual=m, name="macOS")),
    ("environment removed", False, lambda m, p: services.variant_delete(actor=p["pmo"], variant=m.variants.last())),
    ("step added", False, lambda m, p: services.step_add(actor=p["pmo"], manual=m, title="確認")),
    ("step edited", False, lambda m, p: services.step_update(actor=p["pmo"], step=_first(m), title="開く", instruction="押します。", expected="")),  # fmt: skip
    ("step moved", False, lambda m, p: services.step_move(actor=p["pmo"], step=_first(m), delta=+1)),
    ("step duplicated", False, lambda m, p: services.step_duplicate(actor=p["pmo"], step=_first(m))),
    ("step deleted", False, lambda m, p: services.step_delete(actor=p["pmo"], step=_first(m))),
    ("screenshot uploaded", False, lambda m, p: services.screenshot_upload(actor=p["pmo"], step=_first(m), variant=None, file=upload(desktop(START_LEFT)))),  # fmt: skip
    ("screenshot annotated", False, lambda m, p: services.screenshot_annotate(actor=p["pmo"], screenshot=_windows10(m), shapes=[{"type": "rect", "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}])),  # fmt: skip
    ("screenshot removed", False, lambda m, p: services.screenshot_delete(actor=p["pmo"], screenshot=_windows10(m))),
    ("submitted for review", False, lambda m, p: services.manual_submit(actor=p["pmo"], manual=m)),
    ("published", False, lambda m, p: services.manual_publish(actor=p["pmo"], manual=m)),
    ("reader's report", True, lambda m, p: _report(m, p["reader"])),
    ("report resolved", True, lambda m, p: services.report_resolve(actor=p["pmo"], report=_report(m, p["reader"]), resolution="直しました")),  # fmt: skip
]


@pytest.mark.parametrize(("name", "publish", "change"), CHANGES, ids=[c[0] for c in CHANGES])
def test_every_change_counts_in_the_revision(project, pmo, reader, name, publish, change):
    manual = published(project) if publish else manual_with_steps(project)
    before = _revision(manual)
    change(Manual.objects.get(pk=manual.pk), {"pmo": pmo, "reader": reader})
    assert _revision(manual) > before, name


def test_the_comparison_and_the_decisions_on_it_count(project, pmo, client_pm):
    manual = published(project)
    shot = _windows10(manual)
    with TestCase.captureOnCommitCallbacks(execute=False):  # uploaded; the worker has not compared it yet
        version = services.screenshot_upload(actor=pmo, step=shot.step, variant=shot.variant, file=upload(desktop(START_CENTRE, seed_text=1)))  # fmt: skip
    uploaded = _revision(manual)
    screenshot_compare(version.pk)  # the worker, in a transaction of its own
    assert ScreenshotVersion.objects.get(pk=version.pk).state == VersionState.AWAITING
    compared = _revision(manual)
    assert compared > uploaded
    services.version_confirm(actor=client_pm, version=version)
    confirmed = _revision(manual)
    assert confirmed > compared
    services.version_reject(actor=client_pm, version=_waiting(manual, pmo, START_LEFT), comment="古い画面です")
    assert _revision(manual) > confirmed


def test_a_manual_saved_from_an_older_copy_still_counts_up(project, pmo):
    """The count is the database's: a copy read before another change never writes its older number back."""
    manual = manual_with_steps(project)
    stale = Manual.objects.get(pk=manual.pk)
    manual_changed(Manual.objects.filter(pk=manual.pk))
    newer = _revision(manual)
    stale.title = "古い写しから"
    stale.save()
    assert _revision(manual) == newer + 1
    assert stale.revision == newer + 1  # read again when asked for


def test_the_overview_shows_a_change_made_by_the_comparison_worker(project, pmo):
    """The kept overview is drawn again after a change no request of this worker made (the worker's comparison)."""
    manual = published(project)
    client = client_for(pmo)
    url = reverse("manuals:detail", kwargs={"code": project.code, "pk": manual.pk})
    assert 'data-testid="publish-blocked"' not in client.get(url).content.decode()
    shot = _windows10(manual)
    with TestCase.captureOnCommitCallbacks(execute=False):
        version = services.screenshot_upload(actor=pmo, step=shot.step, variant=shot.variant, file=upload(desktop(START_CENTRE, seed_text=1)))  # fmt: skip
    page = client.get(url).content.decode()
    assert "the new screenshot is still being compared" in page
    screenshot_compare(version.pk)
    page = client.get(url).content.decode()
    assert "the changed screenshot waits for confirmation" in page and "still being compared" not in page
