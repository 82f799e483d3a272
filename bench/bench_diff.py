"""How long the screenshot diff takes, measured against decoding the two screenshots it compares.

Run:  .venv/bin/python bench/bench_diff.py   (or: make bench-diff; no Django needed)

A 1920×1080 desktop-like pair is drawn (gradient wallpaper, windows with anti-aliased text, a table,
a sidebar, a taskbar with a clock) and PNG-encoded at Pillow's default level; between the two the Start
button moves from the bottom-left corner to the centre of the taskbar. Each round, after one warm-up,
times decoding the pair (Image.open(...).load() twice) and then the diff of the decoded pair
(manuals.imagediff.compare + overlay_png); rounds alternate the two, so drift hits both alike.

Goal D1: median diff / median decode <= 1.5. Exit code 0 when met, 1 when missed or when the diff does
not find the moved button. The numbers also go to var/bench-diff.json.
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from manuals.imagediff import CHANGED, compare, overlay_png  # noqa: E402

ROUNDS = 7
GOAL = 1.5
SIZE = WIDTH, HEIGHT = 1920, 1080
TASKBAR = 48
START = 40
OLD_START = (4, HEIGHT - TASKBAR + 4)
NEW_START = (WIDTH // 2 - START // 2, HEIGHT - TASKBAR + 4)
WORDS = (
    "project schedule milestone vendor review approved pending budget risk owner status report "
    "deliverable sign-off scope change request meeting minutes action item deadline invoice contract "
    "test case defect release deployment server database backup screenshot manual step click open save"
).split()


def font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError):
        return ImageFont.load_default()


def sentence(rng: np.random.Generator, words: int) -> str:
    return " ".join(WORDS[int(i)] for i in rng.integers(0, len(WORDS), words)).capitalize()


def window(draw: ImageDraw.ImageDraw, rng: np.random.Generator, box: tuple[int, int, int, int]) -> None:
    """A window as screenshots show them: title bar, menu, toolbar, sidebar, paragraphs and a table."""
    x0, y0, x1, y1 = box
    text, small = font(14), font(12)
    draw.rectangle((x0 + 4, y0 + 4, x1 + 4, y1 + 4), fill=(20, 40, 70))
    draw.rectangle(box, fill=(250, 250, 250), outline=(170, 170, 175))
    draw.rectangle((x0, y0, x1, y0 + 30), fill=(232, 236, 243))
    draw.text((x0 + 12, y0 + 7), sentence(rng, 3), font=text, fill=(30, 30, 30))
    for k, colour in enumerate(((232, 17, 35), (120, 120, 120), (120, 120, 120))):
        cx = x1 - 20 - 40 * k
        draw.line((cx - 5, y0 + 10, cx + 5, y0 + 20), fill=colour, width=2)
    menu_x = x0 + 10
    for word in ("File", "Edit", "View", "Tools", "Help"):
        draw.text((menu_x, y0 + 38), word, font=small, fill=(40, 40, 40))
        menu_x += 50
    for k in range(8):
        bx = x0 + 10 + 34 * k
        draw.rounded_rectangle((bx, y0 + 60, bx + 26, y0 + 86), radius=4, fill=(225, 230, 240), outline=(190, 195, 205))
    draw.rectangle((x0 + 1, y0 + 96, x0 + 180, y1 - 1), fill=(243, 244, 247))
    for k in range(min(20, (y1 - y0 - 110) // 24)):
        draw.text((x0 + 14, y0 + 106 + 24 * k), sentence(rng, 2), font=small, fill=(50, 60, 80))
    y = y0 + 108
    while y < y1 - 140:
        draw.text((x0 + 196, y), sentence(rng, int(rng.integers(6, 14))), font=text, fill=(25, 25, 25))
        y += 22
    top = y1 - 130
    for row in range(5):
        ry = top + row * 24
        draw.rectangle((x0 + 196, ry, x1 - 16, ry + 24), fill=(236, 240, 247) if row == 0 else (255, 255, 255))
        draw.line((x0 + 196, ry + 24, x1 - 16, ry + 24), fill=(210, 214, 220))
        for col in range(4):
            cx = x0 + 196 + col * (x1 - x0 - 212) // 4
            draw.text((cx + 6, ry + 5), sentence(rng, 1), font=small, fill=(30, 30, 30))


def screenshot(start: tuple[int, int]) -> Image.Image:
    """The same desktop each time (fixed seed); only the Start button's place changes."""
    rng = np.random.default_rng(2026)
    rows = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None, None]
    top, bottom = np.array([18, 62, 112], np.float32), np.array([70, 130, 180], np.float32)
    wallpaper = np.broadcast_to(top + (bottom - top) * rows, (HEIGHT, WIDTH, 3)).astype(np.uint8)
    image = Image.fromarray(wallpaper)
    draw = ImageDraw.Draw(image)
    for k in range(6):
        draw.rounded_rectangle((24, 24 + 92 * k, 80, 80 + 92 * k), radius=8, fill=(200, 210, 225))
        draw.text((20, 84 + 92 * k), sentence(rng, 1)[:9], font=font(11), fill=(255, 255, 255))
    for box in ((140, 60, 1100, 760), (620, 180, 1700, 900), (1180, 90, 1880, 620)):
        window(draw, rng, box)
    draw.rectangle((0, HEIGHT - TASKBAR, WIDTH, HEIGHT), fill=(32, 32, 38))
    for k in range(10):
        ix = WIDTH // 2 + 40 + 48 * k
        draw.rounded_rectangle((ix, HEIGHT - 42, ix + 36, HEIGHT - 6), radius=6, fill=(60 + 12 * k, 90, 150))
    draw.text((WIDTH - 90, HEIGHT - 38), "10:42\n2026-05-14", font=font(12), fill=(235, 235, 235))
    x, y = start
    draw.rounded_rectangle((x, y, x + START, y + START), radius=6, fill=(0, 120, 215))
    for dx in (8, 22):
        for dy in (8, 22):
            draw.rectangle((x + dx, y + dy, x + dx + 10, y + dy + 10), fill=(255, 255, 255))
    return image


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def covered(regions: list[tuple[int, int, int, int]], place: tuple[int, int]) -> bool:
    px, py = place
    return any(x <= px and y <= py and px + START <= x + w and py + START <= y + h for x, y, w, h in regions)


def measure(rounds: int = ROUNDS) -> dict:
    """Time decoding the pair and diffing it, alternating, after one warm-up; medians in milliseconds."""
    old_png, new_png = png(screenshot(OLD_START)), png(screenshot(NEW_START))
    decode_times: list[float] = []
    diff_times: list[float] = []
    for round_ in range(rounds + 1):
        started = time.perf_counter()
        old, new = decode(old_png), decode(new_png)
        decoded = time.perf_counter()
        result = compare(old, new)
        overlay = overlay_png(new, result)
        finished = time.perf_counter()
        if round_:
            decode_times.append(decoded - started)
            diff_times.append(finished - decoded)

    decode_ms, diff_ms = statistics.median(decode_times) * 1000, statistics.median(diff_times) * 1000
    ratio = diff_ms / decode_ms
    found = result.band == CHANGED and covered(result.regions, OLD_START) and covered(result.regions, NEW_START)
    return {
        "pair_kib": [round(len(old_png) / 1024), round(len(new_png) / 1024)],
        "overlay_kib": round(len(overlay) / 1024),
        "decode_pair_ms": [round(t * 1000, 2) for t in decode_times],
        "diff_overlay_ms": [round(t * 1000, 2) for t in diff_times],
        "decode_ms": round(decode_ms, 2),
        "diff_ms": round(diff_ms, 2),
        "found": found,
        "D1": {"value": round(ratio, 3), "goal": GOAL, "met": ratio <= GOAL and found},
        "result": result.as_json(),
    }


def main() -> int:
    results = measure()
    kib, result = results["pair_kib"], results["result"]
    ratio = results["D1"]["value"]
    print(f"pair: {WIDTH}x{HEIGHT} PNG, {kib[0]} KiB + {kib[1]} KiB")
    print(f"result        : {result['band']}, {result['changed_ratio']:.4%} changed, regions {result['regions']}")
    print(f"overlay       : {results['overlay_kib']} KiB")
    print(f"decode pair   : {results['decode_ms']:.1f} ms (median of {ROUNDS})")
    print(f"diff + overlay: {results['diff_ms']:.1f} ms (median of {ROUNDS})")
    print(f"D1 diff ÷ decode = {ratio:.2f}  (goal ≤ {GOAL:g})  {'met' if ratio <= GOAL else 'missed'}")
    if not results["found"]:
        print("the diff did not box the moved Start button at both places", file=sys.stderr)

    path = ROOT / "var" / "bench-diff.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if results["D1"]["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
