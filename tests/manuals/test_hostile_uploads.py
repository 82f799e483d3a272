"""Done-when 4: every file of the hostile corpus, uploaded as a screenshot through the page, is refused with a
message or stored re-encoded — never a 500, never the original bytes in the storage."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from manuals.models import ScreenshotVersion

from ..conftest import client_for
from ..manual_factories import manual_with_steps
from .hostile_uploads import TEST_MAX_BYTES, TEST_MAX_PIXELS, hostile_files

pytestmark = pytest.mark.django_db
CORPUS = hostile_files()


def _stored_files() -> dict[Path, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {path: path.read_bytes() for path in root.rglob("*") if path.is_file()} if root.exists() else {}


@pytest.fixture
def step(project, pmo, settings):
    settings.MANUAL_IMAGE_MAX_BYTES, settings.MANUAL_IMAGE_MAX_PIXELS = TEST_MAX_BYTES, TEST_MAX_PIXELS
    return manual_with_steps(project, steps=1).steps.get()


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 30
    assert {expected for *_rest, expected in CORPUS} == {"rejected", "sanitised"}


@pytest.mark.parametrize(("case", "filename", "content", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_a_hostile_upload_is_refused_or_sanitised(step, pmo, case, filename, content, expected):
    manual = step.manual
    before = ScreenshotVersion.objects.count()
    url = reverse(
        "manuals:screenshot_upload", kwargs={"code": manual.project.code, "pk": manual.pk, "step_pk": step.pk}
    )
    response = client_for(pmo).post(url, {"variant": "", "image": SimpleUploadedFile(filename, content, content_type="image/png")}, follow=True)  # fmt: skip
    assert response.status_code < 500
    stored = _stored_files()
    assert all(data != content for data in stored.values()), "the original bytes were stored"
    if expected == "rejected":
        assert ScreenshotVersion.objects.count() == before
        page = response.content.decode()
        assert "alert-danger" in page or "invalid-feedback" in page, "no message says why the file was refused"
        return
    version = ScreenshotVersion.objects.exclude(pk__lte=0).latest("pk")
    assert ScreenshotVersion.objects.count() == before + 1
    with Image.open(Path(settings.MEDIA_ROOT) / version.image.name) as image:
        assert image.format == "PNG"
        assert not {"exif", "icc_profile", "XML:com.adobe.xmp"} & set(image.info)
        assert getattr(image, "text", {}) == {}
