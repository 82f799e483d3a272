"""The screenshot diff on synthetic screens: what counts as a change, where the boxes go, which band."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from manuals.imagediff import CHANGED, LAYOUT, UNCHANGED, DiffResult, compare, compare_bytes, overlay_png

W, H = 1920, 1080
BUTTON = 48
MAGENTA = (255, 0, 255)


def screen(width: int = W, height: int = H, seed: int = 0) -> np.ndarray:
    """A desktop-like screen: flat background, windows with title bars, lines of text-like glyphs, a taskbar."""
    rng = np.random.default_rng(seed)
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    pixels[:] = (36, 90, 140)
    for _ in range(4):
        x, y = int(rng.integers(0, width // 2)), int(rng.integers(0, height // 2))
        w, h = int(rng.integers(width // 4, width // 2)), int(rng.integers(height // 4, height // 2))
        pixels[y : y + h, x : x + w] = (246, 246, 246)
        pixels[y : y + 24, x : x + w] = (222, 228, 238)
        for line_y in range(y + 36, y + h - 14, 20):
            glyphs = rng.integers(0, 3, size=(11, max(w - 40, 0))) * 100 + 20
            pixels[line_y : line_y + 11, x + 20 : x + w - 20] = glyphs[: pixels[line_y : line_y + 11].shape[0], :, None]
    pixels[height - 50 :, :] = (30, 30, 36)
    return pixels


def image(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(pixels)


def png(img: Image.Image) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    return buffer.getvalue()


def contains(box: tuple[int, int, int, int], inner: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    ix, iy, iw, ih = inner
    return x <= ix and y <= iy and ix + iw <= x + w and iy + ih <= y + h


def overlaps(box: tuple[int, int, int, int], other: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    ox, oy, ow, oh = other
    return x < ox + ow and ox < x + w and y < oy + oh and oy < y + h


def with_button(pixels: np.ndarray, x: int, y: int) -> np.ndarray:
    out = pixels.copy()
    out[y : y + BUTTON, x : x + BUTTON] = (0, 120, 215)
    return out


def test_identical_screens_are_unchanged():
    pixels = screen()
    result = compare(image(pixels), image(pixels.copy()))
    assert result.band == UNCHANGED
    assert result.changed_ratio == 0
    assert result.regions == []
    assert not result.size_changed
    assert result.old_size == result.new_size == (W, H)


def test_moved_button_is_boxed_at_both_positions_and_nowhere_else():
    base = screen()
    before, after = (20, 1030), (936, 1030)
    result = compare(image(with_button(base, *before)), image(with_button(base, *after)))

    assert result.band == CHANGED
    assert result.changed_ratio == pytest.approx(2 * BUTTON * BUTTON / (W * H))
    positions = [(*before, BUTTON, BUTTON), (*after, BUTTON, BUTTON)]
    for position in positions:
        assert any(contains(box, position) for box in result.regions), (position, result.regions)
    for box in result.regions:
        assert any(overlaps(box, position) for position in positions), (box, result.regions)
    assert result.regions == sorted(result.regions, key=lambda box: (box[1], box[0]))


def test_boxes_are_tight_and_in_new_image_coordinates():
    base = screen(seed=1)
    changed = base.copy()
    changed[1071:1080, 1900:1920] = (255, 255, 0)
    changed[5:25, 7:17] = (255, 0, 0)
    result = compare(image(base), image(changed), unchanged_max=0)
    assert result.band == CHANGED
    assert result.regions == [(7, 5, 10, 20), (1900, 1071, 20, 9)]


def test_nearby_changes_share_a_box_and_distant_ones_do_not():
    base = screen(seed=2)
    changed = base.copy()
    changed[300:310, 300:310] = MAGENTA
    changed[300:310, 340:350] = MAGENTA
    changed[700:710, 1500:1510] = MAGENTA
    result = compare(image(base), image(changed), unchanged_max=0)
    boxes_near = [box for box in result.regions if overlaps(box, (300, 300, 50, 10))]
    assert boxes_near == [(300, 300, 50, 10)]
    assert len(result.regions) == 2


def test_small_noise_never_counts():
    rng = np.random.default_rng(3)
    base = screen(seed=3).astype(np.int16)
    noisy = base.copy()
    count = int(W * H * 0.005)
    ys, xs = rng.integers(0, H, count), rng.integers(0, W, count)
    noisy[ys, xs] += rng.integers(-2, 3, size=(count, 3))
    noisy = np.clip(noisy, 0, 255).astype(np.uint8)
    assert np.count_nonzero((noisy != base).any(axis=2)) > count // 2

    result = compare(image(base.astype(np.uint8)), image(noisy))
    assert result.band == UNCHANGED
    assert result.changed_ratio == 0
    assert result.regions == []
    assert compare(image(base.astype(np.uint8)), image(noisy), pixel_threshold=0).changed_ratio > 0.002


def test_anti_aliasing_a_few_levels_off_does_not_count():
    base = screen(seed=4)
    shifted = np.clip(base.astype(np.int16) + 6, 0, 255).astype(np.uint8)
    result = compare(image(base), image(shifted))
    assert result.changed_ratio == 0
    assert result.band == UNCHANGED


def test_a_visible_change_below_a_tenth_of_a_percent_is_unchanged_by_the_configured_band():
    """The UNCHANGED band is "at most 0.1 % of the pixels changed": a 20×20 block (0.02 %) is accepted."""
    base = screen(seed=5)
    changed = base.copy()
    changed[500:520, 800:820] = (255, 0, 0)
    result = compare(image(base), image(changed))
    assert result.band == UNCHANGED
    assert result.changed_ratio == pytest.approx(400 / (W * H))
    assert result.regions == [(800, 500, 20, 20)]

    assert compare(image(base), image(changed), unchanged_max=0.0001).band == CHANGED


@pytest.mark.parametrize(
    ("old_size", "new_size"),
    [((1920, 1080), (1366, 768)), ((1, 1), (1920, 1080)), ((1920, 1080), (1, 1)), ((1080, 1920), (1920, 1080))],
)
@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "L"])
def test_different_sizes_are_layout(old_size, new_size, mode):
    old = Image.new(mode, old_size)
    new = Image.new(mode, new_size)
    result = compare(old, new)
    assert result.band == LAYOUT
    assert result.size_changed
    assert result.changed_ratio == 1.0
    assert result.regions == [(0, 0, *new_size)]
    assert (result.old_size, result.new_size) == (old_size, new_size)


MODES = ["1", "L", "P", "RGB", "RGBA", "CMYK", "YCbCr", "LAB", "HSV", "I", "F", "LA", "PA", "RGBX", "RGBa", "La"]
MODES += ["I;16", "I;16B", "I;16L"]


@pytest.mark.parametrize("mode", MODES)
def test_any_mode_compares(mode):
    pixels = screen(200, 120, seed=6)
    changed = pixels.copy()
    changed[40:80, 60:140] = 255 - changed[40:80, 60:140]
    old = image(pixels).convert(mode, dither=Image.Dither.NONE)
    new = image(changed).convert(mode, dither=Image.Dither.NONE)

    assert compare(old, old.copy()).band == UNCHANGED
    result = compare(old, new, unchanged_max=0)
    assert not result.size_changed
    assert result.band in {CHANGED, LAYOUT}
    assert all(contains((56, 36, 88, 48), box) for box in result.regions)


def test_the_same_picture_in_another_mode_is_unchanged():
    grey = image(screen(seed=7)).convert("L")
    assert compare(grey, grey.convert("RGB")).band == UNCHANGED
    assert compare(grey.convert("P"), grey.convert("RGBA")).changed_ratio == 0


def test_colours_under_transparent_pixels_are_no_change():
    old = np.zeros((60, 80, 4), dtype=np.uint8)
    new = old.copy()
    new[..., :3] = 200
    assert compare(Image.fromarray(old), Image.fromarray(new)).band == UNCHANGED
    new[10:30, 10:30, 3] = 255
    result = compare(Image.fromarray(old), Image.fromarray(new), unchanged_max=0)
    assert result.band == CHANGED
    assert result.regions == [(10, 10, 20, 20)]


def test_empty_images_do_not_raise():
    assert compare(Image.new("RGB", (0, 0)), Image.new("RGB", (0, 0))).band == UNCHANGED
    assert compare(Image.new("RGB", (0, 5)), Image.new("RGB", (5, 5))).band == LAYOUT


@pytest.mark.parametrize("size", [(1, 1), (1, 40), (40, 1), (3, 1), (17, 17), (33, 5)])
def test_tiny_and_odd_sizes_compare(size):
    result = compare(Image.new("RGB", size, "black"), Image.new("RGB", size, "white"))
    assert result.band == LAYOUT
    assert result.changed_ratio == 1.0
    assert not result.size_changed
    assert result.regions == ([(0, 0, *size)] if size[0] * size[1] >= 4 else [])
    overlay, pixels = decode(overlay_png(Image.new("RGB", size), result))
    assert overlay.size == size
    assert pixels[..., 3].all()


def test_dark_mode_is_layout():
    pixels = screen(seed=8)
    result = compare(image(pixels), image(255 - pixels))
    assert result.band == LAYOUT
    assert not result.size_changed
    assert result.changed_ratio >= 0.30


def test_custom_thresholds_are_respected():
    base = (screen(seed=9) * 0.75).astype(np.uint8)
    changed = base.copy()
    changed[100:400, 100:400] += 30
    ratio = 300 * 300 / (W * H)

    default = compare(image(base), image(changed))
    assert default.band == CHANGED
    assert default.changed_ratio == pytest.approx(ratio)
    assert compare(image(base), image(changed), pixel_threshold=40).changed_ratio == 0
    assert compare(image(base), image(changed), unchanged_max=ratio).band == UNCHANGED
    assert compare(image(base), image(changed), layout_min=ratio).band == LAYOUT
    assert compare(image(base), image(changed), layout_min=ratio * 1.01).band == CHANGED


def test_specks_count_but_get_no_box():
    base = screen(seed=10)
    changed = base.copy()
    changed[200, 200] = 255 - changed[200, 200]
    changed[600, 900:903] = (255, 0, 255)
    result = compare(image(base), image(changed), unchanged_max=0)
    assert result.changed_ratio == pytest.approx(4 / (W * H))
    assert result.regions == []

    changed[600, 903] = (255, 0, 255)
    assert compare(image(base), image(changed), unchanged_max=0).regions == [(900, 600, 4, 1)]


def test_many_scattered_changes_are_all_covered_by_tight_boxes():
    rng = np.random.default_rng(11)
    base = screen(seed=11)
    changed = base.copy()
    blocks = []
    for _ in range(40):
        x, y = int(rng.integers(0, W - 30)), int(rng.integers(0, H - 30))
        w, h = int(rng.integers(2, 30)), int(rng.integers(2, 30))
        changed[y : y + h, x : x + w] = MAGENTA
        blocks.append((x, y, w, h))
    truth = (changed != base).any(axis=2)

    result = compare(image(base), image(changed), unchanged_max=0)
    for x, y, w, h in blocks:
        block = truth[y : y + h, x : x + w]
        if block.any():
            ys, xs = np.nonzero(block)
            tight = (x + int(xs.min()), y + int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1)
            assert any(contains(box, tight) for box in result.regions), tight
    for x, y, w, h in result.regions:
        inside = truth[y : y + h, x : x + w]
        assert inside[0].any() and inside[-1].any() and inside[:, 0].any() and inside[:, -1].any()
    assert result.changed_ratio == pytest.approx(np.count_nonzero(truth) / (W * H))


def test_as_json_round_trips():
    base = screen(seed=12)
    result = compare(image(with_button(base, 20, 1030)), image(with_button(base, 936, 1030)))
    data = result.as_json()
    assert json.loads(json.dumps(data)) == data
    assert data["band"] == CHANGED
    assert data["regions"] == [list(box) for box in result.regions]
    assert data["old_size"] == data["new_size"] == [W, H]
    assert set(data) == {"band", "changed_ratio", "regions", "size_changed", "old_size", "new_size"}


def decode(data: bytes) -> tuple[Image.Image, np.ndarray]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    overlay = Image.open(io.BytesIO(data))
    overlay.load()
    return overlay, np.asarray(overlay)


def test_overlay_is_transparent_except_changes_and_outlines():
    base = screen(seed=13)
    new = image(with_button(base, 936, 1030))
    result = compare(image(with_button(base, 20, 1030)), new)
    overlay, pixels = decode(overlay_png(new, result))

    assert overlay.mode == "RGBA"
    assert overlay.size == new.size
    assert pixels[500, 500, 3] == 0
    assert pixels[100:900, :, 3].max() == 0
    red, green, blue, alpha = (int(v) for v in pixels[1050, 960])
    assert alpha > 0 and red > 200 and green < 80 and blue < 80
    for box in result.regions:
        x, y, w, h = box
        assert pixels[y - 2, x + w // 2, 3] == 255
        assert pixels[y + h // 2, x - 2, 3] == 255
    painted = np.count_nonzero(pixels[..., 3])
    outline = sum((w + 6) * (h + 6) - w * h for _, _, w, h in result.regions)
    assert 2 * BUTTON * BUTTON < painted <= 2 * BUTTON * BUTTON + outline


def test_overlay_takes_an_explicit_mask_and_clips_outlines_at_the_edge():
    new = Image.new("RGB", (50, 40), "white")
    result = DiffResult(CHANGED, 0.1, [(0, 0, 10, 10)], False, (50, 40), (50, 40))
    mask = np.zeros((40, 50), dtype=bool)
    mask[30, 40] = True
    _, pixels = decode(overlay_png(new, result, mask=mask))
    assert pixels[30, 40, 3] > 0 and pixels[30, 40, 0] > 200
    assert pixels[0, 0, 3] == 255
    assert pixels[11, 11, 3] == 255
    assert pixels[5, 5, 3] == 0
    assert np.count_nonzero(pixels[..., 3]) == 1 + 13 * 13 - 7 * 7


def test_compare_bytes_builds_the_overlay_only_when_there_is_something_to_show():
    base = screen(seed=14)
    old_png = png(image(with_button(base, 20, 1030)))
    new_png = png(image(with_button(base, 936, 1030)))

    result, overlay = compare_bytes(old_png, new_png)
    assert result.band == CHANGED
    assert len(result.regions) >= 1
    assert decode(overlay)[0].size == (W, H)

    result, overlay = compare_bytes(old_png, old_png)
    assert (result.band, overlay) == (UNCHANGED, None)

    result, overlay = compare_bytes(old_png, png(Image.new("RGB", (1366, 768))))
    assert (result.band, result.size_changed, overlay) == (LAYOUT, True, None)

    result, overlay = compare_bytes(old_png, new_png, unchanged_max=0.01)
    assert (result.band, overlay) == (UNCHANGED, None)
