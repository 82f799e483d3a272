"""Annotations drawn over a screenshot: boxes, arrows, numbered callouts and areas to blur.

They are stored as JSON next to the screenshot, never burned into it, in coordinates relative to the image
(fractions 0..1 of its width and height) so that they survive a resized or replaced image::

    [{"type": "rect",    "x": 0.10, "y": 0.20, "w": 0.30, "h": 0.10},
     {"type": "arrow",   "x1": 0.5, "y1": 0.5, "x2": 0.05, "y2": 0.95},
     {"type": "callout", "x": 0.04, "y": 0.96, "n": 1},
     {"type": "blur",    "x": 0.60, "y": 0.10, "w": 0.20, "h": 0.05}]

``parse`` is the only way in (it validates what the browser sends); ``to_pixels`` / ``image_context`` prepare
the shapes for ``templates/manuals/_annotated_image.html``; ``touched_by`` says which annotations sit on a
part of the picture that changed when the screenshot is replaced.

The drawing sizes (stroke width, callout radius, arrowhead) are repeated in ``static/manuals/editor.js``,
which redraws the same SVG while someone edits: change both together.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_SHAPES",
    "TYPES",
    "blur_boxes",
    "bounds",
    "image_context",
    "parse",
    "to_json",
    "to_pixels",
    "touched_by",
]

MAX_SHAPES = 50
MAX_JSON_BYTES = 20_000  # of the JSON text as sent by the browser (UTF-8)
DECIMALS = 4
MAX_CALLOUT = 99
# Half the side of the box that ``bounds`` gives a callout, relative to the image.
CALLOUT_BOUNDS_RADIUS = 0.02

# Keys of each type, in the order they are written back. Anything else in a shape is dropped.
TYPES: dict[str, tuple[str, ...]] = {
    "rect": ("x", "y", "w", "h"),
    "arrow": ("x1", "y1", "x2", "y2"),
    "callout": ("x", "y", "n"),
    "blur": ("x", "y", "w", "h"),
}
BOXES = ("rect", "blur")

MESSAGES = {
    "invalid": _("The annotations could not be read; draw them again."),
    "too_many": _("At most %(max)d annotations per screenshot."),
    "too_large": _("The annotations are too large to save; remove some and try again."),
    "empty": _("An annotation is empty or lies outside the screenshot; draw it again."),
    "callout_number": _("Callout numbers go from 1 to %(max)d."),
}

Shape = dict[str, Any]
Box = tuple[float, float, float, float]


def _error(code: str, **params: Any) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


# --- parsing -------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    """json.loads calls this for NaN, Infinity and -Infinity, which are not JSON."""
    raise ValueError(name)


def _number(value: Any) -> float:
    """A finite JSON number (not a bool, not a string holding digits)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _error("invalid")
    try:
        number = float(value)
    except OverflowError:  # an int with hundreds of digits
        raise _error("invalid") from None
    if not math.isfinite(number):
        raise _error("invalid")
    return number


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _round(value: float) -> float:
    rounded = round(value, DECIMALS)
    return rounded + 0.0  # no "-0.0"


def _parse_box(item: dict[str, Any]) -> dict[str, float]:
    x, y, w, h = (_number(item.get(key)) for key in ("x", "y", "w", "h"))
    if w <= 0 or h <= 0:
        raise _error("empty")
    # Clamp both corners, so a box hanging over an edge is cut at the edge rather than shifted.
    left, right = _round(_clamp(x)), _round(_clamp(x + w))
    top, bottom = _round(_clamp(y)), _round(_clamp(y + h))
    width, height = _round(right - left), _round(bottom - top)
    if width <= 0 or height <= 0:
        raise _error("empty")
    return {"x": left, "y": top, "w": width, "h": height}


def _parse_arrow(item: dict[str, Any]) -> dict[str, float]:
    ends = {key: _round(_clamp(_number(item.get(key)))) for key in ("x1", "y1", "x2", "y2")}
    if ends["x1"] == ends["x2"] and ends["y1"] == ends["y2"]:
        raise _error("empty")
    return ends


def _parse_callout(item: dict[str, Any]) -> dict[str, Any]:
    x, y = (_round(_clamp(_number(item.get(key)))) for key in ("x", "y"))
    n = item.get("n")
    if isinstance(n, bool) or not isinstance(n, int):
        # 3.0 is accepted as 3 (some JSON writers add the decimal); 2.5 and "3" are not.
        if isinstance(n, float) and math.isfinite(n) and n.is_integer():
            n = int(n)
        else:
            raise _error("invalid")
    if not 1 <= n <= MAX_CALLOUT:
        raise _error("callout_number", max=MAX_CALLOUT)
    return {"x": x, "y": y, "n": n}


_PARSERS = {"rect": _parse_box, "blur": _parse_box, "arrow": _parse_arrow, "callout": _parse_callout}


def parse(raw: str | bytes | Sequence[Any] | None) -> list[Shape]:
    """Validate annotations sent by the editor and return them normalised.

    ``raw`` is the JSON text of the hidden ``annotations`` field, or a list already decoded (for instance
    from a JSONField). An empty string or ``None`` means "no annotations". Coordinates are clamped into
    0..1 and rounded to 4 decimals; unknown keys are dropped. Raises ``ValidationError`` (codes ``invalid``,
    ``too_many``, ``too_large``, ``empty``, ``callout_number``) with a message meant for the person drawing.
    """
    if raw is None:
        return []
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _error("invalid") from None
    if isinstance(raw, str):
        if not raw.strip():
            return []
        if len(raw.encode("utf-8")) > MAX_JSON_BYTES:
            raise _error("too_large")
        try:
            data = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            raise _error("invalid") from None
    else:
        data = list(raw) if isinstance(raw, tuple) else raw
        try:
            size = len(json.dumps(data, allow_nan=True, separators=(",", ":")).encode("utf-8"))
        except (TypeError, ValueError, RecursionError):
            raise _error("invalid") from None
        if size > MAX_JSON_BYTES:
            raise _error("too_large")

    if not isinstance(data, list):
        raise _error("invalid")
    if len(data) > MAX_SHAPES:
        raise _error("too_many", max=MAX_SHAPES)

    shapes: list[Shape] = []
    for item in data:
        if not isinstance(item, dict):
            raise _error("invalid")
        kind = item.get("type")
        if not isinstance(kind, str) or kind not in _PARSERS:
            raise _error("invalid")
        shapes.append({"type": kind, **_PARSERS[kind](item)})
    return shapes


def to_json(shapes: Iterable[Shape]) -> str:
    """Compact JSON for the hidden form field (the template escapes it)."""
    return json.dumps(list(shapes), separators=(",", ":"), allow_nan=False)


# --- geometry ------------------------------------------------------------------------------------------


def blur_boxes(shapes: Iterable[Shape]) -> list[Box]:
    """(x, y, w, h) of every blur shape, relative to the image: what the server blurs in the image."""
    return [(s["x"], s["y"], s["w"], s["h"]) for s in shapes if s["type"] == "blur"]


def bounds(shape: Shape) -> Box:
    """Relative bounding box (x, y, w, h) of a shape.

    Arrows: the box of their two ends. Callouts: a square of ``CALLOUT_BOUNDS_RADIUS`` around the centre
    (not clamped, so it may reach past the image's edges).
    """
    kind = shape["type"]
    if kind in BOXES:
        return (shape["x"], shape["y"], shape["w"], shape["h"])
    if kind == "arrow":
        left, top = min(shape["x1"], shape["x2"]), min(shape["y1"], shape["y2"])
        return (left, top, abs(shape["x2"] - shape["x1"]), abs(shape["y2"] - shape["y1"]))
    if kind == "callout":
        r = CALLOUT_BOUNDS_RADIUS
        return (shape["x"] - r, shape["y"] - r, 2 * r, 2 * r)
    raise ValueError(f"unknown annotation type {kind!r}")


# Drawing sizes, in pixels of the image (mirrored in editor.js).


def stroke_width(width: float) -> int:
    """Lines and box outlines: 0.3 % of the image width, at least 3 px."""
    return max(3, round(width * 0.003))


def callout_radius(width: float) -> int:
    """Callout circles: 2.2 % of the image width, at least 14 px, so that numbers stay readable in print."""
    return max(14, round(width * 0.022))


def arrowhead_length(width: float) -> int:
    """From the tip to the base of the arrowhead; the base is as wide as the head is long."""
    return max(20, stroke_width(width) * 6)


def _intersects(a: Box, b: Box) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax <= bx + bw and bx <= ax + aw and ay <= by + bh and by <= ay + ah


def _grow(box: Box, margin: float) -> Box:
    x, y, w, h = box
    return (x - margin, y - margin, w + 2 * margin, h + 2 * margin)


def _segment_hits_box(x1: float, y1: float, x2: float, y2: float, box: Box) -> bool:
    """Whether the segment (x1, y1)-(x2, y2) crosses the box (Liang-Barsky clipping)."""
    bx, by, bw, bh = box
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - bx), (dx, bx + bw - x1), (-dy, y1 - by), (dy, by + bh - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def touched_by(
    shapes: Sequence[Shape], regions: Iterable[Box], width: float, height: float, margin_px: float = 8
) -> list[int]:
    """Indices of the annotations lying on a changed part of the image.

    ``regions`` are (x, y, w, h) rectangles in pixels of an image ``width`` × ``height`` px (what an image
    diff reports). Blur shapes are never reported. Each annotation is grown by ``margin_px`` first:

    * rect: its box;
    * callout: the box of the circle as drawn (see ``callout_radius``);
    * arrow: the neighbourhood of its head (x2, y2), as large as the arrowhead, and the line itself,
      so a long diagonal arrow is not reported for a change in an empty corner of its bounding box.
    """
    areas = [tuple(float(v) for v in region) for region in regions]
    if not areas:
        return []
    touched: list[int] = []
    for index, shape in enumerate(shapes):
        kind = shape["type"]
        if kind == "blur":
            continue
        if kind == "rect":
            box = _grow((shape["x"] * width, shape["y"] * height, shape["w"] * width, shape["h"] * height), margin_px)
            hit = any(_intersects(box, area) for area in areas)
        elif kind == "callout":
            r = callout_radius(width)
            box = _grow((shape["x"] * width - r, shape["y"] * height - r, 2 * r, 2 * r), margin_px)
            hit = any(_intersects(box, area) for area in areas)
        elif kind == "arrow":
            x1, y1 = shape["x1"] * width, shape["y1"] * height
            x2, y2 = shape["x2"] * width, shape["y2"] * height
            head = arrowhead_length(width)
            head_box = _grow((x2 - head, y2 - head, 2 * head, 2 * head), margin_px)
            hit = any(
                _intersects(head_box, area) or _segment_hits_box(x1, y1, x2, y2, _grow(area, margin_px))
                for area in areas
            )
        else:
            continue
        if hit:
            touched.append(index)
    return touched


# --- rendering -----------------------------------------------------------------------------------------


def _arrow_pixels(x1: float, y1: float, x2: float, y2: float, width: float) -> dict[str, Any]:
    """The line (stopping short of the tip, so its thick end does not poke through) and the head triangle."""
    sw = stroke_width(width)
    head = arrowhead_length(width)
    half = head * 0.5
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    back = min(head, length)  # a very short arrow is all head
    bx, by = x2 - ux * back, y2 - uy * back
    left = (bx - uy * half, by + ux * half)
    right = (bx + uy * half, by - ux * half)
    points = " ".join(f"{round(px)},{round(py)}" for px, py in ((x2, y2), left, right))
    line_end = back * 0.5
    return {
        "x1": round(x1),
        "y1": round(y1),
        "x2": round(x2 - ux * line_end),
        "y2": round(y2 - uy * line_end),
        "tip_x": round(x2),
        "tip_y": round(y2),
        "head": points,
        "sw": sw,
    }


def to_pixels(shapes: Iterable[Shape], width: float, height: float) -> list[Shape]:
    """Shapes in whole pixels of a ``width`` × ``height`` image, with what the template needs to draw them.

    Every shape keeps ``type`` and gets ``sw`` (stroke width). Boxes: ``x``, ``y``, ``w``, ``h`` (w, h at
    least 1). Arrows: ``x1``, ``y1``, ``x2``, ``y2`` (the line, ending inside the head), ``tip_x``,
    ``tip_y`` and ``head`` (the "x,y x,y x,y" points of the head triangle). Callouts: ``cx``, ``cy``, ``r``,
    ``fs`` (font size) and ``n``. All numbers are ints, so they print the same in every language.
    """
    sw = stroke_width(width)
    out: list[Shape] = []
    for shape in shapes:
        kind = shape["type"]
        if kind in BOXES:
            out.append({
                "type": kind,
                "x": round(shape["x"] * width),
                "y": round(shape["y"] * height),
                "w": max(1, round(shape["w"] * width)),
                "h": max(1, round(shape["h"] * height)),
                "sw": sw,
            })  # fmt: skip
        elif kind == "arrow":
            coords = (shape["x1"] * width, shape["y1"] * height, shape["x2"] * width, shape["y2"] * height)
            out.append({"type": "arrow", **_arrow_pixels(*coords, width)})
        elif kind == "callout":
            r = callout_radius(width)
            out.append({
                "type": "callout",
                "cx": round(shape["x"] * width),
                "cy": round(shape["y"] * height),
                "r": r,
                "fs": round(r * (1.15 if shape["n"] < 10 else 0.95)),
                "n": int(shape["n"]),
                "sw": sw,
            })  # fmt: skip
    return out


def image_context(
    *,
    src: str,
    width: int,
    height: int,
    shapes: Iterable[Shape],
    alt: str = "",
    show_blur: bool = False,
    editable: bool = False,
    uid: str | int = "0",
    extra_class: str = "",
) -> dict[str, Any]:
    """Everything ``manuals/_annotated_image.html`` needs, from parsed (relative) shapes.

    Use it as the whole context (``render_to_string("manuals/_annotated_image.html", image_context(...))``)
    or put it in the page context as ``fig`` and write
    ``{% include "manuals/_annotated_image.html" with src=fig.src width=fig.width height=fig.height
    shapes=fig.shapes alt=fig.alt show_blur=fig.show_blur editable=fig.editable shapes_json=fig.shapes_json
    uid=fig.uid %}``. ``uid`` must be unique on the page when several figures show blur boxes.
    """
    relative = list(shapes)
    return {
        "src": src,
        "width": int(width),
        "height": int(height),
        "shapes": to_pixels(relative, width, height),
        "shapes_json": to_json(relative) if editable else "",
        "alt": alt,
        "show_blur": show_blur,
        "editable": editable,
        "uid": str(uid),
        "extra_class": extra_class,
    }
