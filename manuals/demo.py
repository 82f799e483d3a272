"""Demo data of the manuals (called by ``seed_demo``): "how to file an expense claim" for Windows 10 and 11, three
steps with drawn screenshots and annotations, the client PM as reviewer, published as edition 1 and then shared with
the project's readers. Made through the services; idempotent.

The demo starts quiet: nobody has a notification or an inbox item from it (the browser tests count them). Replace
step 1's Windows 10 picture in the demo to see a changed screenshot reach the client PM."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from . import services
from .models import Manual

TITLE = "経費精算の申請手順"
STEPS = [
    ("スタートメニューを開く", "画面の下にある**スタート**ボタンを押します。", "メニューが開きます。"),
    ("経費精算を選ぶ", "メニューの中から「経費精算」を押します。", "経費精算の画面が開きます。"),
    ("申請を送る", "金額と日付を入れて、「申請」を押します。", "「申請しました」と表示されます。"),
]
CALLOUT = [{"type": "callout", "x": 0.03, "y": 0.93, "n": 1}, {"type": "arrow", "x1": 0.25, "y1": 0.7, "x2": 0.04, "y2": 0.9}]  # fmt: skip


def _screen(start_x: int, step: int) -> SimpleUploadedFile:
    """A 1280×720 desktop: a window with a few lines of "text", a taskbar, and the Start button at ``start_x``."""
    image = Image.new("RGB", (1280, 720), (32, 86, 140))
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 90, 1080, 560), fill=(246, 246, 246), outline=(90, 90, 90))
    for line in range(3 + step * 2):
        draw.rectangle((230, 130 + line * 34, 430 + (line * 97) % 500, 144 + line * 34), fill=(70, 70, 70))
    draw.rectangle((0, 680, 1280, 720), fill=(20, 20, 28))
    draw.rectangle((start_x, 684, start_x + 40, 716), fill=(0, 120, 215))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(f"step{step}.png", buffer.getvalue(), content_type="image/png")


def seed_manual(*, project, people: dict) -> None:
    if Manual.objects.filter(project=project, title=TITLE).exists():
        return
    pmo = people["pmo"]
    manual = services.manual_create(actor=pmo, project=project, title=TITLE, language="ja", audience="支店の事務担当者", variants=["Windows 10", "Windows 11"])  # fmt: skip
    # Shared with nobody while it is written and published; then with every reader (sharing notifies no one).
    manual = services.manual_update(actor=pmo, manual=manual, title=TITLE, audience=manual.audience, language="ja", reviewer=people["pm"], share_with_all_readers=False)  # fmt: skip
    windows10, windows11 = manual.variants.all()
    for number, (title, instruction, expected) in enumerate(STEPS, start=1):
        step = services.step_add(actor=pmo, manual=manual, title=title, instruction=instruction, expected=expected)
        old = services.screenshot_upload(actor=pmo, step=step, variant=windows10, file=_screen(8, number))
        new = services.screenshot_upload(actor=pmo, step=step, variant=windows11, file=_screen(8 if number > 1 else 620, number))
        if number == 1:
            services.screenshot_annotate(actor=pmo, screenshot=old.screenshot, shapes=CALLOUT)
            services.screenshot_annotate(actor=pmo, screenshot=new.screenshot, shapes=[{"type": "callout", "x": 0.5, "y": 0.93, "n": 1}])  # fmt: skip
    services.manual_publish(actor=pmo, manual=manual, note="初版")
    services.manual_update(actor=pmo, manual=manual, title=TITLE, audience=manual.audience, language="ja", reviewer=people["pm"], share_with_all_readers=True)  # fmt: skip
