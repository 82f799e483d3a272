"""Visual diff of two versions of a manual's screenshot.

When a new screenshot replaces an approved one, the reviewer needs to know whether anything visible
changed and where. `compare` sorts the pair into a band (unchanged, changed, layout) and lists boxes
around the changes in the new image; `overlay_png` draws them as a transparent PNG that the browser
lays over the new screenshot.

A pixel counts as changed when its perceptual colour distance (YIQ, weighted as in pixelmatch and
scaled so that a grey-level step of d is d) exceeds `pixel_threshold`: compression noise and
anti-aliasing a few levels off never count; the default 24 is close to pixelmatch's threshold 0.1.
Transparent parts are seen over white, as the portal's pages show them.

Changed pixels are grouped on a grid of 16×16 tiles, grown by one tile so that nearby changes share
a box (always when less than 48 px apart, never when more than 63 px); each box is then tightened to
its pixels. A group of fewer than 4 changed pixels is a speck: it counts in `changed_ratio` but gets
no box.

Bands: a ratio up to `unchanged_max` (0.1 % by default) is UNCHANGED and may be accepted without a
look, even when a small visible change is among it (a 20×20 block on a 1920×1080 screen is 0.02 %);
a ratio from `layout_min` (30 %) is LAYOUT, as is any change of size; anything between is CHANGED.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageChops

UNCHANGED, CHANGED, LAYOUT = "unchanged", "changed", "layout"

TILE_BITS = 4
TILE = 1 << TILE_BITS
MIN_REGION_PIXELS = 4
OUTLINE_WIDTH = 3
TINT = (255, 0, 0, 128)
OUTLINE = (255, 0, 255, 255)

Box = tuple[int, int, int, int]

_YIQ = np.array(
    [
        [0.29889531, 0.58662247, 0.11448426],
        [0.59597799, -0.27417610, -0.32180189],
        [0.21147017, -0.52261711, 0.31114694],
    ],
    dtype=np.float32,
).T
_YIQ_WEIGHTS = np.array([1.0, 0.299 / 0.5053, 0.1957 / 0.5053], dtype=np.float32)
_RGB_BITS = 0x00FFFFFF


def _rgba_word(colour: tuple[int, int, int, int]) -> np.uint32:
    return np.frombuffer(bytes(colour), dtype="<u4")[0]


@dataclass(frozen=True)
class DiffResult:
    """How a new screenshot differs from the approved one; regions are (x, y, w, h) in the new image.

    `_changed` (left, top, booleans) keeps which pixels changed, for `overlay_png`; it is no part of the
    result's value, equality or JSON.
    """

    band: str
    changed_ratio: float
    regions: list[Box]
    size_changed: bool
    old_size: tuple[int, int]
    new_size: tuple[int, int]
    _changed: tuple[int, int, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict:
        """Plain lists and numbers, so that the result survives a JSONField or an API response as is."""
        return {
            "band": self.band,
            "changed_ratio": self.changed_ratio,
            "regions": [list(box) for box in self.regions],
            "size_changed": self.size_changed,
            "old_size": list(self.old_size),
            "new_size": list(self.new_size),
        }


def compare(
    old: Image.Image,
    new: Image.Image,
    *,
    pixel_threshold: int = 24,
    unchanged_max: float = 0.001,
    layout_min: float = 0.30,
) -> DiffResult:
    """Compare two screenshots of any mode and size; a change of size is LAYOUT, never an error."""
    old_size = (int(old.size[0]), int(old.size[1]))
    new_size = (int(new.size[0]), int(new.size[1]))
    width, height = new_size
    if old_size != new_size:
        return DiffResult(LAYOUT, 1.0, [(0, 0, width, height)], True, old_size, new_size)
    if width * height == 0:
        return DiffResult(UNCHANGED, 0.0, [], False, old_size, new_size)

    old_rgb, new_rgb = _rgb(old), _rgb(new)
    box = ImageChops.difference(old_rgb, new_rgb).getbbox()
    if box is None:
        return DiffResult(UNCHANGED, 0.0, [], False, old_size, new_size)

    left, top, right, bottom = box
    if box != (0, 0, width, height):
        old_rgb, new_rgb = old_rgb.crop(box), new_rgb.crop(box)
    mask, changed = _changed_pixels(_pixels(old_rgb), _pixels(new_rgb), float(pixel_threshold))
    ratio = changed.size / (width * height)
    if ratio <= unchanged_max:
        band = UNCHANGED
    elif ratio >= layout_min:
        band = LAYOUT
    else:
        band = CHANGED
    mask = mask.reshape(bottom - top, right - left)
    regions = [(x + left, y + top, w, h) for x, y, w, h in _regions(mask)] if changed.size else []
    return DiffResult(band, ratio, regions, False, old_size, new_size, (left, top, mask))


def overlay_png(new: Image.Image, result: DiffResult, mask: np.ndarray | None = None) -> bytes:
    """A transparent RGBA PNG of the new image's size: changed pixels tinted red, regions outlined.

    `mask` (booleans shaped height × width) replaces the changed pixels kept on the result. The PNG is
    mostly zeros, so the fastest zlib level costs little in size.
    """
    width, height = new.size
    canvas = np.zeros(width * height, dtype="<u4")
    plane = canvas.reshape(height, width)
    if mask is not None:
        changed = (0, 0, np.asarray(mask, dtype=bool).reshape(height, width))
    elif result.new_size == (width, height):
        changed = result._changed
    else:
        changed = None
    if changed is not None:
        left, top, pixels = changed
        plane[top : top + pixels.shape[0], left : left + pixels.shape[1]][pixels] = _rgba_word(TINT)

    edge, ink = OUTLINE_WIDTH, _rgba_word(OUTLINE)
    for x, y, w, h in result.regions:
        left, top = max(x - edge, 0), max(y - edge, 0)
        right, bottom = min(x + w + edge, width), min(y + h + edge, height)
        if right <= left or bottom <= top:
            continue
        plane[top : top + edge, left:right] = ink
        plane[max(bottom - edge, top) : bottom, left:right] = ink
        plane[top:bottom, left : left + edge] = ink
        plane[top:bottom, max(right - edge, left) : right] = ink

    image = Image.frombuffer("RGBA", (width, height), canvas, "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def compare_bytes(old_bytes: bytes, new_bytes: bytes, **kw: float) -> tuple[DiffResult, bytes | None]:
    """Compare two encoded images; the overlay only when there is something to show on the same canvas."""
    old, new = _decode(old_bytes), _decode(new_bytes)
    result = compare(old, new, **kw)
    if result.band == UNCHANGED or result.size_changed:
        return result, None
    return result, overlay_png(new, result)


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _pixels(rgb: Image.Image) -> np.ndarray:
    """One little-endian word per pixel (R, G, B, padding): equal pixels compare in one operation."""
    return np.frombuffer(rgb.tobytes("raw", "RGBX"), dtype="<u4")


def _rgb(image: Image.Image) -> Image.Image:
    """RGB as the viewer sees it: a hidden colour under a transparent pixel is no change."""
    if image.mode == "RGB":
        return image
    if not image.has_transparency_data:
        return _convert(image, "RGB")
    rgba = _convert(image, "RGBA")
    if rgba.getchannel("A").getextrema()[0] < 255:
        rgba = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return rgba.convert("RGB")


def _convert(image: Image.Image, mode: str) -> Image.Image:
    """Pillow lacks a few direct conversions (premultiplied "La" to RGB); go through a common mode."""
    try:
        return image.convert(mode)
    except ValueError:
        for via in ("RGBA", "LA", "L"):
            try:
                return image.convert(via).convert(mode)
            except ValueError:
                continue
        raise


def _changed_pixels(before: np.ndarray, after: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Mask and flat indices of pixels whose perceptual distance exceeds the threshold.

    Exact comparison of whole pixel words first, so the float arithmetic runs only on differing pixels.
    """
    differs = np.bitwise_xor(before, after)
    np.bitwise_and(differs, _RGB_BITS, out=differs)
    mask = differs != 0
    del differs
    changed = np.flatnonzero(mask)
    if changed.size and threshold > 0:
        faint = _distance2(before[changed], after[changed]) <= threshold * threshold
        if faint.any():
            mask[changed[faint]] = False
            changed = changed[~faint]
    return mask, changed


def _distance2(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Squared perceptual distance of pixel words, in grey levels squared (pixelmatch's YIQ weights)."""
    delta = np.subtract(before.view(np.uint8).reshape(-1, 4), after.view(np.uint8).reshape(-1, 4), dtype=np.float32)
    yiq = delta[:, :3] @ _YIQ
    yiq *= yiq
    return yiq @ _YIQ_WEIGHTS


def _regions(mask: np.ndarray) -> list[Box]:
    """Boxes around groups of changed pixels, sorted by (y, x); specks get none.

    The mask is reduced to per-tile column counts and row hits first, so that grouping and tightening
    work on the small tile grid and cost the same whatever the number of changed pixels.
    """
    height, width = mask.shape
    rows, columns = -(-height // TILE), -(-width // TILE)
    if (rows * TILE, columns * TILE) != mask.shape:
        mask = np.pad(mask, ((0, rows * TILE - height), (0, columns * TILE - width)))
    cells = mask.view(np.uint8).reshape(rows, TILE, columns, TILE)
    column_counts = np.add.reduce(cells, axis=1, dtype=np.uint8)
    words = mask.view(np.uint64).reshape(rows, TILE, columns, TILE // 8)
    row_hits = np.bitwise_or.reduce(words, axis=3) != 0
    pixels = column_counts.sum(axis=2, dtype=np.intp)
    labels = _label(_grow(pixels > 0))

    tile_y, tile_x = np.nonzero(pixels)
    x_hits = column_counts[tile_y, tile_x] > 0
    y_hits = row_hits[tile_y, :, tile_x]
    left = (tile_x << TILE_BITS) + x_hits.argmax(axis=1)
    right = (tile_x << TILE_BITS) + (TILE - 1) - x_hits[:, ::-1].argmax(axis=1)
    top = (tile_y << TILE_BITS) + y_hits.argmax(axis=1)
    bottom = (tile_y << TILE_BITS) + (TILE - 1) - y_hits[:, ::-1].argmax(axis=1)

    _, group = np.unique(labels[tile_y, tile_x], return_inverse=True)
    count = int(group.max()) + 1
    box_left = np.full(count, width, dtype=np.intp)
    box_top = np.full(count, height, dtype=np.intp)
    box_right = np.zeros(count, dtype=np.intp)
    box_bottom = np.zeros(count, dtype=np.intp)
    np.minimum.at(box_left, group, left)
    np.minimum.at(box_top, group, top)
    np.maximum.at(box_right, group, right)
    np.maximum.at(box_bottom, group, bottom)
    size = np.bincount(group, weights=pixels[tile_y, tile_x], minlength=count)

    boxes = [
        (int(box_left[g]), int(box_top[g]), int(box_right[g] - box_left[g] + 1), int(box_bottom[g] - box_top[g] + 1))
        for g in np.flatnonzero(size >= MIN_REGION_PIXELS)
    ]
    return sorted(boxes, key=lambda box: (box[1], box[0]))


def _grow(grid: np.ndarray) -> np.ndarray:
    """The grid with every set cell's eight neighbours set too."""
    rows, columns = grid.shape
    padded = np.pad(grid, 1)
    grown = np.zeros_like(grid)
    for dy in range(3):
        for dx in range(3):
            grown |= padded[dy : dy + rows, dx : dx + columns]
    return grown


def _label(grid: np.ndarray) -> np.ndarray:
    """Connected components (four neighbours) of a small boolean grid: 0 for empty cells, else a label.

    Works on runs of set cells row by row with union-find, so a full grid costs one step per row.
    """
    parent = [0]

    def root(label: int) -> int:
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    labels = np.zeros(grid.shape, dtype=np.intp)
    edges = np.diff(grid.astype(np.int8), axis=1, prepend=0, append=0)
    above: list[tuple[int, int, int]] = []
    for y in range(grid.shape[0]):
        starts = np.flatnonzero(edges[y] == 1).tolist()
        ends = np.flatnonzero(edges[y] == -1).tolist()
        runs = []
        first = 0
        for start, end in zip(starts, ends, strict=True):
            label = len(parent)
            parent.append(label)
            while first < len(above) and above[first][1] <= start:
                first += 1
            k = first
            while k < len(above) and above[k][0] < end:
                a, b = root(label), root(above[k][2])
                parent[max(a, b)] = min(a, b)
                k += 1
            runs.append((start, end, label))
            labels[y, start:end] = label
        above = runs
    roots = np.array([root(label) for label in range(len(parent))], dtype=np.intp)
    return roots[labels]
