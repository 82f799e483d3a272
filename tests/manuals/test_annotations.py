"""Screenshot annotations: parsing what the editor posts, which annotations a changed image touches, and the
include that draws them over the screenshot (editor, review, reader and PDF). No database needed."""

import json
import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from manuals import annotations
from manuals.annotations import MAX_JSON_BYTES, MAX_SHAPES, parse, to_pixels, touched_by

EXAMPLE = [
    {"type": "rect", "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.1},
    {"type": "arrow", "x1": 0.5, "y1": 0.5, "x2": 0.05, "y2": 0.95},
    {"type": "callout", "x": 0.04, "y": 0.96, "n": 1},
    {"type": "blur", "x": 0.6, "y": 0.1, "w": 0.2, "h": 0.05},
]
READ_ERROR = "The annotations could not be read; draw them again."


def _error(raw) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(raw)
    return caught.value


# --- parse -----------------------------------------------------------------------------------------------


def test_valid_shapes_round_trip_from_json_text_and_from_a_list():
    assert parse(json.dumps(EXAMPLE)) == EXAMPLE
    assert parse(EXAMPLE) == EXAMPLE
    assert parse(annotations.to_json(EXAMPLE)) == EXAMPLE
    assert parse(json.dumps(EXAMPLE).encode()) == EXAMPLE


@pytest.mark.parametrize("raw", ["", "   ", None, "[]", []])
def test_nothing_means_no_annotations(raw):
    assert parse(raw) == []


@pytest.mark.parametrize(
    "raw",
    [
        '[{"type": "circle", "x": 0.1, "y": 0.1}]',  # unknown type
        '[{"type": "RECT", "x": 0.1, "y": 0.1, "w": 0.1, "h": 0.1}]',
        '[{"x": 0.1, "y": 0.1, "w": 0.1, "h": 0.1}]',  # no type
        '[{"type": ["rect"], "x": 0.1, "y": 0.1, "w": 0.1, "h": 0.1}]',
        '[{"type": "rect", "x": NaN, "y": 0.1, "w": 0.1, "h": 0.1}]',
        '[{"type": "rect", "x": Infinity, "y": 0.1, "w": 0.1, "h": 0.1}]',
        '[{"type": "arrow", "x1": -Infinity, "y1": 0.1, "x2": 0.5, "y2": 0.5}]',
        '[{"type": "rect", "x": 1e400, "y": 0.1, "w": 0.1, "h": 0.1}]',  # overflows to infinity
        '[{"type": "rect", "x": 1' + "0" * 400 + ', "y": 0.1, "w": 0.1, "h": 0.1}]',  # too big for a float
        '[{"type": "rect", "x": "0.1", "y": 0.1, "w": 0.1, "h": 0.1}]',  # a string is not a number
        '[{"type": "rect", "x": true, "y": 0.1, "w": 0.1, "h": 0.1}]',  # nor is a bool
        '[{"type": "rect", "x": null, "y": 0.1, "w": 0.1, "h": 0.1}]',
        '[{"type": "rect", "x": 0.1, "y": 0.1, "w": 0.1}]',  # h missing
        '[{"type": "callout", "x": 0.1, "y": 0.1, "n": "1"}]',
        '[{"type": "callout", "x": 0.1, "y": 0.1, "n": 1.5}]',
        '[{"type": "callout", "x": 0.1, "y": 0.1, "n": true}]',
        '[{"type": "callout", "x": 0.1, "y": 0.1}]',
        '{"type": "rect", "x": 0.1, "y": 0.1, "w": 0.1, "h": 0.1}',  # not a list
        '"rect"',
        "42",
        "null",
        '["rect"]',  # items must be objects
        "[[0.1, 0.1]]",
        '[{"type": "rect", "x": 0.1',  # broken JSON
        "not json at all",
        "[" * 5000 + "]" * 5000,  # deep nesting, still under the size limit
    ],
)
def test_unreadable_annotations_are_refused_with_a_clear_message(raw):
    error = _error(raw)
    assert error.code == "invalid"
    assert error.messages == [READ_ERROR]


@pytest.mark.parametrize(
    "shape",
    [
        {"type": "rect", "x": math.nan, "y": 0.1, "w": 0.1, "h": 0.1},
        {"type": "blur", "x": 0.1, "y": math.inf, "w": 0.1, "h": 0.1},
        {"type": "callout", "x": 0.1, "y": 0.1, "n": math.inf},
        {"type": "rect", "x": "0.1", "y": 0.1, "w": 0.1, "h": 0.1},
    ],
)
def test_an_already_decoded_list_is_checked_as_strictly(shape):
    assert _error([shape]).code == "invalid"


def test_non_list_python_values_are_refused():
    assert _error({"type": "rect"}).code == "invalid"
    assert _error(b"\xff\xfe").code == "invalid"


def test_too_many_shapes():
    callout = {"type": "callout", "x": 0.5, "y": 0.5, "n": 1}
    assert len(parse([callout] * MAX_SHAPES)) == MAX_SHAPES
    error = _error(json.dumps([callout] * (MAX_SHAPES + 1)))
    assert error.code == "too_many"
    assert error.messages == [f"At most {MAX_SHAPES} annotations per screenshot."]


def test_oversize_json_is_refused_before_it_is_decoded():
    padded = [{**EXAMPLE[0], "note": "x" * 1000}] * 21  # under MAX_SHAPES, over the size limit
    text = json.dumps(padded)
    assert len(text) > MAX_JSON_BYTES
    error = _error(text)
    assert error.code == "too_large"
    assert "too large" in error.messages[0]
    assert _error(padded).code == "too_large"
    # The limit is on bytes, so multi-byte characters count as such.
    assert _error('[{"type": "rect", "note": "' + "あ" * (MAX_JSON_BYTES // 3 + 1) + '"}]').code == "too_large"


def test_coordinates_are_clamped_into_the_image_and_rounded():
    shapes = parse(
        [
            {"type": "rect", "x": -0.1, "y": 0.9, "w": 0.3, "h": 0.5},  # over the left and bottom edges
            {"type": "arrow", "x1": 1.5, "y1": -2, "x2": 0.123456, "y2": 0.98765},
            {"type": "callout", "x": -0.2, "y": 1.2, "n": 99},
            {"type": "blur", "x": 0.75, "y": 0, "w": 0.5, "h": 1.00004},
            {"type": "callout", "x": 0.5, "y": 0.5, "n": 3.0},  # a whole float is a whole number
        ]
    )
    assert shapes == [
        {"type": "rect", "x": 0.0, "y": 0.9, "w": 0.2, "h": 0.1},
        {"type": "arrow", "x1": 1.0, "y1": 0.0, "x2": 0.1235, "y2": 0.9877},
        {"type": "callout", "x": 0.0, "y": 1.0, "n": 99},
        {"type": "blur", "x": 0.75, "y": 0.0, "w": 0.25, "h": 1.0},
        {"type": "callout", "x": 0.5, "y": 0.5, "n": 3},
    ]
    assert isinstance(shapes[4]["n"], int)


def test_clamped_blur_at_the_edge_keeps_a_positive_size():
    # 0.99999 rounds to 1.0: nothing is left of the box, which is refused rather than kept empty.
    assert _error([{"type": "blur", "x": 0.99999, "y": 0, "w": 0.5, "h": 1}]).code == "empty"
    assert parse([{"type": "blur", "x": 0.9, "y": 0, "w": 0.5, "h": 1}]) == [
        {"type": "blur", "x": 0.9, "y": 0.0, "w": 0.1, "h": 1.0}
    ]


@pytest.mark.parametrize(
    "shape",
    [
        {"type": "rect", "x": 0.1, "y": 0.1, "w": 0, "h": 0.1},
        {"type": "rect", "x": 0.1, "y": 0.1, "w": 0.1, "h": -0.1},
        {"type": "blur", "x": 1.5, "y": 0.1, "w": 0.2, "h": 0.1},  # wholly outside the image
        {"type": "rect", "x": 0.1, "y": 0.1, "w": 0.00001, "h": 0.1},  # rounds to nothing
        {"type": "arrow", "x1": 0.3, "y1": 0.3, "x2": 0.3, "y2": 0.3},
        {"type": "arrow", "x1": 1.2, "y1": 0.3, "x2": 1.5, "y2": 0.3},  # both ends clamp to the same point
    ],
)
def test_empty_shapes_are_refused(shape):
    error = _error([shape])
    assert error.code == "empty"
    assert "draw it again" in error.messages[0]


@pytest.mark.parametrize("n", [0, -1, 100, 1000])
def test_callout_numbers_run_from_1_to_99(n):
    error = _error([{"type": "callout", "x": 0.1, "y": 0.1, "n": n}])
    assert error.code == "callout_number"
    assert error.messages == ["Callout numbers go from 1 to 99."]


def test_extra_keys_are_dropped():
    shapes = parse(
        [
            {"type": "rect", "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.1, "style": "fill:red", "onclick": "x()"},
            {"type": "callout", "x": 0.5, "y": 0.5, "n": 2, "label": "<script>"},
        ]
    )
    assert [sorted(s) for s in shapes] == [["h", "type", "w", "x", "y"], ["n", "type", "x", "y"]]


def test_parse_does_not_change_its_argument():
    given = [{"type": "rect", "x": -1, "y": 0.2, "w": 1.5, "h": 0.1, "extra": 1}]
    parse(given)
    assert given == [{"type": "rect", "x": -1, "y": 0.2, "w": 1.5, "h": 0.1, "extra": 1}]


# --- geometry --------------------------------------------------------------------------------------------


def test_blur_boxes_and_bounds():
    assert annotations.blur_boxes(EXAMPLE) == [(0.6, 0.1, 0.2, 0.05)]
    assert annotations.bounds(EXAMPLE[0]) == (0.1, 0.2, 0.3, 0.1)
    assert annotations.bounds(EXAMPLE[1]) == pytest.approx((0.05, 0.5, 0.45, 0.45))
    assert annotations.bounds(EXAMPLE[2]) == pytest.approx((0.02, 0.94, 0.04, 0.04))
    assert annotations.bounds(EXAMPLE[3]) == (0.6, 0.1, 0.2, 0.05)


# An image of 1000 x 500 px: relative 0.5 is x=500 or y=250.
W, H = 1000, 500


def test_a_callout_on_a_changed_region_is_reported_and_one_far_away_is_not():
    shapes = [
        {"type": "callout", "x": 0.1, "y": 0.1, "n": 1},  # centre (100, 50)
        {"type": "callout", "x": 0.9, "y": 0.9, "n": 2},  # centre (900, 450)
    ]
    assert touched_by(shapes, [(90, 40, 20, 20)], W, H) == [0]
    assert touched_by(shapes, [(880, 440, 5, 5), (95, 45, 5, 5)], W, H) == [0, 1]
    assert touched_by(shapes, [(400, 200, 100, 100)], W, H) == []
    assert touched_by(shapes, [], W, H) == []


def test_the_circle_and_the_margin_count():
    callout = [{"type": "callout", "x": 0.5, "y": 0.5, "n": 1}]  # centre (500, 250), radius 22 px
    radius = annotations.callout_radius(W)
    assert radius == 22
    just_outside_circle = (500 + radius + 2, 250, 4, 4)
    assert touched_by(callout, [just_outside_circle], W, H) == [0]  # within the default 8 px margin
    assert touched_by(callout, [just_outside_circle], W, H, margin_px=0) == []
    rect = [{"type": "rect", "x": 0.1, "y": 0.1, "w": 0.1, "h": 0.1}]  # (100, 50) to (200, 100)
    assert touched_by(rect, [(205, 60, 10, 10)], W, H) == [0]
    assert touched_by(rect, [(215, 60, 10, 10)], W, H) == []


def test_blur_shapes_are_never_reported():
    shapes = [{"type": "blur", "x": 0, "y": 0, "w": 1, "h": 1}, {"type": "rect", "x": 0, "y": 0, "w": 1, "h": 1}]
    assert touched_by(shapes, [(10, 10, 50, 50)], W, H) == [1]


def test_an_arrow_is_reported_when_its_head_or_its_line_is_on_the_change():
    # From (900, 450) to a head at (100, 50).
    arrow = [{"type": "arrow", "x1": 0.9, "y1": 0.9, "x2": 0.1, "y2": 0.1}]
    assert touched_by(arrow, [(95, 45, 10, 10)], W, H) == [0]  # the head
    assert touched_by(arrow, [(480, 230, 40, 40)], W, H) == [0]  # the middle of the line
    # Inside the box of the two ends but far from the line: the arrow does not point there.
    assert touched_by(arrow, [(800, 50, 50, 50)], W, H) == []
    assert touched_by(arrow, [(0, 400, 50, 50)], W, H) == []


def test_an_arrow_head_neighbourhood_is_as_large_as_the_head():
    arrow = [{"type": "arrow", "x1": 0.5, "y1": 0.9, "x2": 0.5, "y2": 0.1}]  # vertical, head at (500, 50)
    head = annotations.arrowhead_length(W)
    beside_head = (500 + head + 4, 50, 5, 5)  # beside the tip, off the line
    assert touched_by(arrow, [beside_head], W, H) == [0]
    assert touched_by(arrow, [beside_head], W, H, margin_px=0) == []


# --- to_pixels -------------------------------------------------------------------------------------------


def test_to_pixels_maths():
    rect, arrow, callout, blur = to_pixels(EXAMPLE, 1280, 800)
    assert rect == {"type": "rect", "x": 128, "y": 160, "w": 384, "h": 80, "sw": 4}
    assert blur == {"type": "blur", "x": 768, "y": 80, "w": 256, "h": 40, "sw": 4}
    assert callout == {"type": "callout", "cx": 51, "cy": 768, "r": 28, "fs": 32, "n": 1, "sw": 4}
    assert (arrow["tip_x"], arrow["tip_y"], arrow["x1"], arrow["y1"]) == (64, 760, 640, 400)
    # The line stops inside the head, on the way from the tail to the tip.
    assert 64 < arrow["x2"] < 640 and 400 < arrow["y2"] < 760
    tip, *base = [tuple(map(int, point.split(","))) for point in arrow["head"].split()]
    assert tip == (64, 760)
    assert len(base) == 2
    for shape in (rect, arrow, callout, blur):
        assert all(isinstance(v, int) for k, v in shape.items() if k not in {"type", "head"})


def test_sizes_scale_with_the_image_width_with_minimums():
    assert annotations.stroke_width(400) == 3
    assert annotations.stroke_width(3000) == 9
    assert annotations.callout_radius(400) == 14
    assert annotations.callout_radius(3000) == 66
    small, large = to_pixels([EXAMPLE[2]], 400, 300)[0], to_pixels([EXAMPLE[2]], 3000, 2000)[0]
    assert (small["r"], large["r"]) == (14, 66)
    two_digits = to_pixels([{"type": "callout", "x": 0.5, "y": 0.5, "n": 42}], 1000, 500)[0]
    assert two_digits["fs"] < to_pixels([EXAMPLE[2]], 1000, 500)[0]["fs"]  # "42" fits in the circle too


def test_tiny_boxes_stay_visible_in_pixels():
    (box,) = to_pixels([{"type": "rect", "x": 0.5, "y": 0.5, "w": 0.0001, "h": 0.0001}], 1000, 500)
    assert (box["w"], box["h"]) == (1, 1)


# --- the include -----------------------------------------------------------------------------------------

TEMPLATE = "manuals/_annotated_image.html"


def _render(shapes=EXAMPLE, **options) -> str:
    context = annotations.image_context(
        src="/media/shot.png", width=1280, height=800, shapes=parse(shapes), alt="The sign-in page", **options
    )
    return render_to_string(TEMPLATE, context)


def _svg(html: str) -> ET.Element:
    """The overlay, which must be well-formed XML (WeasyPrint parses inline SVG as XML)."""
    match = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert match, html
    return ET.fromstring(match.group(0))


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def test_the_overlay_has_the_image_size_as_viewbox():
    html = _render()
    assert re.search(r'<figure class="annotated"', html)
    assert '<div class="annotated-frame">' in html
    assert '<img src="/media/shot.png" width="1280" height="800" alt="The sign-in page"' in html
    svg = _svg(html)
    assert svg.get("viewBox") == "0 0 1280 800"
    assert svg.get("preserveAspectRatio") == "none"


def test_a_callout_is_a_circle_with_its_number():
    svg = _svg(_render([{"type": "callout", "x": 0.5, "y": 0.5, "n": 7}]))
    circles = [e for e in svg.iter() if _tag(e) == "circle"]
    texts = [e for e in svg.iter() if _tag(e) == "text"]
    assert len(circles) == 1 and len(texts) == 1
    assert (circles[0].get("cx"), circles[0].get("cy"), circles[0].get("r")) == ("640", "400", "28")
    assert circles[0].get("fill") == "#d00"
    assert texts[0].text == "7"
    assert texts[0].get("text-anchor") == "middle"
    assert texts[0].get("dominant-baseline") == "central"
    assert texts[0].get("fill") == "#fff"


def test_an_arrow_is_a_line_with_a_head():
    svg = _svg(_render([EXAMPLE[1]]))
    lines = [e for e in svg.iter() if _tag(e) == "line"]
    heads = [e for e in svg.iter() if _tag(e) == "polygon"]
    assert len(lines) == 1 and len(heads) == 1
    assert (lines[0].get("x1"), lines[0].get("y1")) == ("640", "400")
    assert lines[0].get("stroke") == "#d00" and lines[0].get("stroke-width") == "4"
    assert heads[0].get("points").startswith("64,760 ")
    assert heads[0].get("fill") == "#d00"


def test_a_rect_is_a_red_outline():
    svg = _svg(_render([EXAMPLE[0]]))
    (rect,) = [e for e in svg.iter() if _tag(e) == "rect"]
    assert (rect.get("x"), rect.get("y"), rect.get("width"), rect.get("height")) == ("128", "160", "384", "80")
    assert (rect.get("fill"), rect.get("stroke")) == ("none", "#d00")


def test_user_text_is_escaped():
    html = render_to_string(
        TEMPLATE,
        annotations.image_context(
            src='/x.png" onerror="alert(1)', width=10, height=10, shapes=[], alt='"><script>alert(1)</script>',
            extra_class='x" onclick="y',
        ),
    )  # fmt: skip
    assert "<script>" not in html
    assert 'alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'onerror="' not in html and 'onclick="' not in html


def test_blur_boxes_are_drawn_only_in_the_editor():
    hidden = _render([EXAMPLE[3]], show_blur=False)
    assert "data-blur" not in hidden and "<pattern" not in hidden
    assert not [e for e in _svg(hidden).iter() if _tag(e) == "rect"]

    shown = _render([EXAMPLE[3]], show_blur=True, uid="s7")
    blurs = [e for e in _svg(shown).iter() if _tag(e) == "rect" and e.get("data-blur") is not None]
    assert len(blurs) == 1
    assert blurs[0].get("fill") == "url(#annot-hatch-s7)"
    assert 'id="annot-hatch-s7"' in shown


def test_editable_mode_renders_the_toolbar_and_the_hidden_input():
    tricky = [{"type": "callout", "x": 0.5, "y": 0.5, "n": 3}]
    html = _render(tricky, editable=True, show_blur=True)
    assert "data-annotator" in html
    (field,) = re.findall(r'<input type="hidden" name="annotations" value="([^"]*)">', html)
    assert "&quot;" in field and '"' not in field
    assert json.loads(field.replace("&quot;", '"')) == tricky
    for tool in ("select", "rect", "arrow", "callout", "blur"):
        assert re.search(rf'<button type="button"[^>]* data-tool="{tool}" aria-pressed="(true|false)">\w', html)
    assert 'data-action="delete"' in html and 'data-action="clear"' in html

    reader = _render(tricky)
    assert 'name="annotations"' not in reader and "data-tool=" not in reader and "data-annotator" not in reader


def test_the_hidden_input_escapes_markup_in_json():
    context = annotations.image_context(src="/x.png", width=100, height=100, shapes=[], editable=True)
    context["shapes_json"] = '[{"type": "</script><b>"}]'  # whatever a caller passes is escaped
    html = render_to_string(TEMPLATE, context)
    assert 'value="[{&quot;type&quot;: &quot;&lt;/script&gt;&lt;b&gt;&quot;}]"' in html


def test_markup_obeys_the_content_security_policy():
    html = _render(editable=True, show_blur=True, extra_class="reader-shot")
    assert 'class="annotated annotated-editable reader-shot"' in html
    assert not re.search(r"\sstyle\s*=", html, re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert "<script" not in html and "<style" not in html


def test_numbers_are_not_localised(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    from django.utils import translation

    with translation.override("de"):  # decimal comma, "." as thousands separator
        html = render_to_string(
            TEMPLATE,
            annotations.image_context(src="/x.png", width=12800, height=8000, shapes=parse(EXAMPLE), show_blur=True),
        )
    svg = _svg(html)
    assert svg.get("viewBox") == "0 0 12800 8000"
    assert 'width="12800"' in html
    for element in svg.iter():
        for name in ("x", "y", "width", "height", "cx", "cy", "r", "stroke-width"):
            value = element.get(name)
            assert value is None or re.fullmatch(r"\d+", value), (name, value)


def test_the_editor_draws_with_the_same_sizes():
    """static/manuals/editor.js redraws the overlay while someone edits; its sizes must match to_pixels."""
    from pathlib import Path

    from django.conf import settings

    script = (Path(settings.BASE_DIR) / "static" / "manuals" / "editor.js").read_text(encoding="utf-8")
    assert "function strokeWidth(w) { return Math.max(3, Math.round(w * 0.003)); }" in script
    assert "function calloutRadius(w) { return Math.max(14, Math.round(w * 0.022)); }" in script
    assert "function arrowheadLength(w) { return Math.max(20, strokeWidth(w) * 6); }" in script
    assert f"var MAX_SHAPES = {MAX_SHAPES};" in script
    for width in (100, 1280, 1919, 3840):
        assert annotations.stroke_width(width) == max(3, round(width * 0.003))
        assert annotations.callout_radius(width) == max(14, round(width * 0.022))
        assert annotations.arrowhead_length(width) == max(20, annotations.stroke_width(width) * 6)
