"""Building blocks for manual tests: synthetic desktop screenshots and manuals moved along by the real services."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from manuals import services
from manuals.models import Manual
from projects.models import Role

from .dictionary_factories import member

START_LEFT = (12, 1032)  # Windows 10: the Start button sits at the bottom left
START_CENTRE = (936, 1032)  # Windows 11: in the middle of the taskbar


def desktop(start=START_LEFT, size=(1920, 1080), window=True, seed_text: int = 0) -> bytes:
    """A PNG of a desktop: wallpaper, a window with "text" lines, a taskbar and a 48×40 Start button at ``start``.

    ``start`` is given on a 1920×1080 screen; another ``size`` scales the drawing (tests that only need some
    picture use a small one: making and checking full-HD pictures is most of their time).
    """
    width, height = size
    scale = width / 1920
    image = Image.new("RGB", size, (32, 86, 140))
    draw = ImageDraw.Draw(image)
    if window:
        draw.rectangle((width // 6, height // 8, width * 5 // 6, height * 3 // 4), fill=(245, 245, 245), outline=(90, 90, 90))  # fmt: skip
        for line in range(12):
            y = height // 8 + 40 + line * 36
            draw.rectangle((width // 6 + 30, y, width // 6 + 30 + 300 + ((line * 137 + seed_text) % 600), y + 14), fill=(60, 60, 60))  # fmt: skip
    draw.rectangle((0, height - round(48 * scale), width, height), fill=(20, 20, 28))
    x, y = round(start[0] * scale), round(start[1] * height / 1080)
    draw.rectangle((x, y, x + max(round(48 * scale), 6), y + max(round(40 * scale), 5)), fill=(0, 120, 215))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def upload(content: bytes, name: str = "screen.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


# A callout on the Start button of a Windows 10 screen, and an arrow pointing at it (relative coordinates).
START_CALLOUT = [{"type": "callout", "x": 0.02, "y": 0.975, "n": 1}, {"type": "arrow", "x1": 0.2, "y1": 0.8, "x2": 0.02, "y2": 0.96}]  # fmt: skip


def manual_with_steps(project, *, steps: int = 3, variants=("Windows 10", "Windows 11"), title="経費精算の手順", size=(1920, 1080)) -> Manual:  # noqa: E501
    """A draft manual: ``steps`` steps, each with a Windows 10 and a Windows 11 screenshot; step 1 points at Start."""
    pmo = member(project, Role.PMO)
    manual = services.manual_create(actor=pmo, project=project, title=title, language="ja", audience="支店の事務担当者", variants=list(variants))  # fmt: skip
    envs = list(manual.variants.all())
    for n in range(1, steps + 1):
        step = services.step_add(actor=pmo, manual=manual, title=f"手順{n}: スタートを開く", instruction=f"**スタート**ボタンを押します。({n})", expected="メニューが開きます。")  # fmt: skip
        for env, start in zip(envs, (START_LEFT, START_CENTRE), strict=False):
            version = services.screenshot_upload(actor=pmo, step=step, variant=env, file=upload(desktop(start, size=size, seed_text=n)))
            if n == 1 and start == START_LEFT:
                services.screenshot_annotate(actor=pmo, screenshot=version.screenshot, shapes=START_CALLOUT)
    return manual


def published(project, **kwargs) -> Manual:
    manual = manual_with_steps(project, **kwargs)
    services.manual_publish(actor=member(project, Role.PMO), manual=manual, note="初版")
    manual.refresh_from_db()
    return manual


def replace(step, variant, content: bytes, by=None):
    """Upload a new picture and let the comparison run, as the worker would once the upload is committed."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        version = services.screenshot_upload(actor=by or member(step.manual.project, Role.PMO), step=step, variant=variant, file=upload(content))  # fmt: skip
    version.refresh_from_db()
    return version
