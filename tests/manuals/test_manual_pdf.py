"""The manual's PDF (done-when 3): a 50-step manual with 1920×1080 screenshots, published, exported by the job and
read back with poppler — Japanese text, the CJK font embedded, contents, big step numbers, the change log, and
the blurred area destroyed in the picture the PDF carries."""

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from manuals import services
from pmo_portal.models import ExportStatus

from ..dictionary_factories import member
from ..manual_factories import START_CENTRE, START_LEFT, desktop, replace, upload

pytestmark = pytest.mark.django_db

# A blur box over the window's "text" lines of step 1 (relative to the picture).
SECRET = {"type": "blur", "x": 0.18, "y": 0.15, "w": 0.3, "h": 0.3}


def _poppler(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"`{tool}` was not found: `make test` installs poppler-utils", pytrace=False)
    return subprocess.run([path, *args], capture_output=True, text=True, check=True, timeout=120).stdout


def _fifty_steps(project):
    pmo = member(project, "pmo")
    manual = services.manual_create(actor=pmo, project=project, title="経費精算システムの使い方", language="ja", audience="支店の事務担当者", variants=["Windows 11"])  # fmt: skip
    for n in range(1, 51):
        step = services.step_add(actor=pmo, manual=manual, title=f"手順{n}：申請画面を開く", instruction=f"画面下の**スタート**を押し、「経費精算」を選びます。（{n}）", expected="申請の一覧が表示されます。")  # fmt: skip
        version = services.screenshot_upload(
            actor=pmo, step=step, variant=None, file=upload(desktop(START_LEFT, seed_text=n))
        )
        shapes = [
            {"type": "callout", "x": 0.02, "y": 0.975, "n": 1},
            {"type": "rect", "x": 0.17, "y": 0.12, "w": 0.66, "h": 0.63},
        ]
        services.screenshot_annotate(
            actor=pmo, screenshot=version.screenshot, shapes=shapes + ([SECRET] if n == 1 else [])
        )
    return manual, pmo


def test_a_50_step_manual_exports_to_a_pdf_read_back_in_japanese(project, pmo, client_pm, tmp_path, django_capture_on_commit_callbacks):  # fmt: skip
    manual, pmo = _fifty_steps(project)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.manual_publish(actor=pmo, manual=manual, note="初版")
    # Edition 2: step 7's picture changed, confirmed by the client PM.
    step7 = manual.steps.order_by("position")[6]
    version = replace(step7, None, desktop(START_CENTRE, seed_text=7), by=pmo)
    services.version_confirm(actor=client_pm, version=version, comment="Windows 11 の位置")
    with django_capture_on_commit_callbacks(execute=True):
        edition = services.manual_publish(actor=pmo, manual=manual, note="スタートボタンの位置を更新")
    edition.refresh_from_db()
    first.refresh_from_db()
    assert first.export.status == ExportStatus.DONE, first.export.error
    assert edition.export.status == ExportStatus.DONE, edition.export.error
    pdf = Path(edition.export.file.path)

    info = _poppler("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages >= 26  # cover, contents, 50 steps with a 1920×1080 picture each, the change log
    fonts = _poppler("pdffonts", str(pdf))
    assert "Noto-Sans-CJK-JP" in fonts
    text = re.sub(r"\s+", "", _poppler("pdftotext", str(pdf), "-"))
    assert "経費精算システムの使い方" in text
    assert "手順1：申請画面を開く" in text and "手順50：申請画面を開く" in text
    assert "画面下のスタートを押し、「経費精算」を選びます。（50）" in text
    assert "申請の一覧が表示されます。" in text
    contents = re.sub(r"\s+", "", _poppler("pdftotext", "-f", "2", "-l", "2", str(pdf), "-"))
    assert "目次" in contents and "1.手順1：申請画面を開く" in contents
    # The change log names edition 2's changed step, in the manual's language.
    assert "スタートボタンの位置を更新" in text and "7.手順7：申請画面を開く:スクリーンショットを変更" in text.replace(
        "（すべての環境）", ""
    )

    # The picture of step 1 in the PDF has the blurred area destroyed (pdfimages gives back the embedded pixels).
    listing = _poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]
    first_page = min(int(line.split()[0]) for line in listing)  # the first step's picture: after cover and contents
    assert len(listing) >= 50
    _poppler("pdfimages", "-f", str(first_page), "-l", str(first_page), "-png", str(pdf), str(tmp_path / "img"))
    pictures = sorted(tmp_path.glob("img-*.png"))
    assert pictures, "no picture on the first step's page"
    picture = np.asarray(Image.open(pictures[0]).convert("L"), dtype=np.float32)
    h, w = picture.shape
    box = picture[int(h * 0.17) : int(h * 0.43), int(w * 0.2) : int(w * 0.46)]
    outside = picture[int(h * 0.17) : int(h * 0.43), int(w * 0.5) : int(w * 0.76)]
    assert box.std() < outside.std() / 4
