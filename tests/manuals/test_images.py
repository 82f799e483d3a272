"""Screenshot uploads: the hostile corpus is refused or cleaned, and blurred boxes cannot be read back."""

from __future__ import annotations

import hashlib
import io
import math
import random
import time
import warnings
import zlib

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from manuals import images
from manuals.images import ALLOWED_FORMATS, CleanImage, apply_blur, clean_upload, random_name

from . import hostile_uploads
from .hostile_uploads import (
    EXPECTED_CODES,
    REJECTED,
    SANITISED,
    SECRETS,
    TEST_MAX_BYTES,
    TEST_MAX_PIXELS,
    encode,
    flat_png,
    hostile_files,
    picture,
    png_chunks,
)

CORPUS = hostile_files()
BY_NAME = {name: content for name, _filename, content, _expected in CORPUS}
METADATA_KEYS = {"exif", "icc_profile", "transparency", "dpi", "xmp", "XML:com.adobe.xmp", "comment", "gamma"}


def clean(content: bytes, **limits: int) -> CleanImage:
    limits = {"max_bytes": TEST_MAX_BYTES, "max_pixels": TEST_MAX_PIXELS} | limits
    return clean_upload(SimpleUploadedFile("upload.png", content, content_type="image/png"), **limits)


def pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB")).astype(np.int16)


# --- the corpus -------------------------------------------------------------------------------------


def test_corpus_is_large_varied_and_cheap():
    hostile_uploads._corpus.cache_clear()
    started = time.perf_counter()
    corpus = hostile_files()
    assert time.perf_counter() - started < 5  # about 0.1 s; the bound only catches an accidental slow entry
    names = [name for name, _filename, _content, _expected in corpus]
    assert len(corpus) >= 30
    assert len(set(names)) == len(names)
    assert {expected for *_rest, expected in corpus} == {REJECTED, SANITISED}
    assert {name for name, _filename, _content, expected in corpus if expected == REJECTED} == set(EXPECTED_CODES)
    assert max(len(content) for _name, _filename, content, _expected in corpus) > TEST_MAX_BYTES


@pytest.mark.parametrize(
    ("name", "filename", "content"),
    [
        pytest.param(name, filename, content, id=name)
        for name, filename, content, expected in CORPUS
        if expected == REJECTED
    ],
)
def test_hostile_upload_is_refused_with_a_message(name, filename, content):
    with pytest.raises(ValidationError) as refused:
        clean_upload(SimpleUploadedFile(filename, content, content_type="image/png"), max_bytes=TEST_MAX_BYTES, max_pixels=TEST_MAX_PIXELS)  # fmt: skip
    assert refused.value.code == EXPECTED_CODES[name]
    message = refused.value.messages[0]
    assert message.strip() and "%(" not in message


@pytest.mark.parametrize(
    ("name", "filename", "content"),
    [
        pytest.param(name, filename, content, id=name)
        for name, filename, content, expected in CORPUS
        if expected == SANITISED
    ],
)
def test_awkward_upload_is_kept_as_a_clean_png(name, filename, content):
    result = clean_upload(SimpleUploadedFile(filename, content), max_bytes=TEST_MAX_BYTES, max_pixels=TEST_MAX_PIXELS)

    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    with Image.open(io.BytesIO(result.content), formats=["PNG"]) as image:
        image.load()
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", (result.width, result.height))
        assert not METADATA_KEYS & set(image.info), image.info
        assert image.text == {}
        assert not image.getexif()
    assert {ctype for ctype, _body in png_chunks(result.content)} <= {b"IHDR", b"IDAT", b"IEND"}
    assert result.content != content and content not in result.content
    for secret in SECRETS:
        assert secret not in result.content
    assert result.content.endswith(b"IEND\xaeB`\x82")  # nothing appended after the image


def test_every_secret_is_planted_in_some_sanitised_upload():
    """Otherwise "no secret in the output" would prove nothing."""
    planted = b"".join(content for _name, _filename, content, expected in CORPUS if expected == SANITISED)
    assert [secret for secret in SECRETS if secret not in planted] == []


def test_gps_and_camera_are_in_the_upload_but_not_in_the_clean_image():
    content = BY_NAME["jpeg_exif_gps"]
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif().get_ifd(0x8825)[2] == (35.0, 39.0, 31.0)  # the test plants what it looks for
    assert b"GPS-SECRET-MARKER" in content and b"SecretCam" in content
    result = clean(content)
    with Image.open(io.BytesIO(result.content)) as image:
        assert not image.getexif().get_ifd(0x8825)
    assert b"GPS-SECRET-MARKER" not in result.content and b"SecretCam" not in result.content


def test_exif_orientation_is_applied():
    result = clean(BY_NAME["jpeg_exif_orientation_6"])
    assert (result.width, result.height) == (10, 20)

    stored = Image.new("RGB", (20, 10), (220, 0, 0))
    stored.paste((0, 0, 220), (10, 0, 20, 10))  # left half red, right half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": the left edge ends up on top
    upright = pixels(clean(encode(stored, "JPEG", exif=exif, quality=95)).content)
    assert upright.shape[:2] == (20, 10)
    assert upright[3, 5, 0] > 180 and upright[3, 5, 2] < 60  # red on top
    assert upright[16, 5, 2] > 180 and upright[16, 5, 0] < 60  # blue below


def test_transparency_is_flattened_on_white():
    image = Image.new("RGBA", (3, 1), (0, 0, 0, 0))
    image.putpixel((1, 0), (0, 0, 0, 128))
    image.putpixel((2, 0), (255, 0, 0, 255))
    row = pixels(clean(encode(image, "PNG")).content)[0]
    assert row[0].tolist() == [255, 255, 255]
    assert all(abs(value - 127) <= 1 for value in row[1])
    assert row[2].tolist() == [255, 0, 0]


def test_sixteen_bit_grey_is_scaled_not_clipped():
    values = np.array([[0, 256, 32768, 65535]], dtype=np.uint16)
    grey = Image.frombytes("I;16", (4, 1), values.astype("<u2").tobytes())
    row = pixels(clean(encode(grey, "PNG")).content)[0]
    assert row[:, 0].tolist() == [0, 1, 128, 255]


def test_multi_picture_jpeg_keeps_the_primary_picture():
    result = clean(BY_NAME["mpo_two_pictures"])
    assert (result.width, result.height) == picture().size


def test_clean_output_is_deterministic():
    assert clean(BY_NAME["png_php_polyglot"]) == clean(BY_NAME["png_php_polyglot"])


def test_a_damaged_file_is_refused_even_when_another_library_turned_truncated_loading_on(monkeypatch):
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True when imported; uploads must not care."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    for name in ("png_idat_stream_cut", "jpeg_truncated", "png_idat_not_zlib"):
        with Image.open(io.BytesIO(BY_NAME[name])) as image:
            image.load()  # Pillow alone, with the flag on, pads the picture with grey and says nothing
        with pytest.raises(ValidationError) as refused:
            clean(BY_NAME[name])
        assert refused.value.code == "broken", name
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back as it was found


def test_allowed_formats_are_the_ones_sniffed():
    assert ALLOWED_FORMATS == ("PNG", "JPEG", "WEBP")
    for content in (encode(picture(), "PNG"), encode(picture(), "JPEG"), encode(picture(), "WEBP")):
        assert clean(content).width == picture().width


# --- limits -----------------------------------------------------------------------------------------


class EndlessStream:
    """A file-like object that never ends and counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "read the whole of an endless stream"
        self.read_bytes += size
        return b"\x89PNG\r\n\x1a\n" + bytes(max(0, size - 8))


def test_reads_at_most_one_byte_past_the_limit():
    stream = EndlessStream()
    with pytest.raises(ValidationError) as refused:
        clean_upload(stream, max_bytes=1000, max_pixels=TEST_MAX_PIXELS)
    assert refused.value.code == "too_large"
    assert stream.read_bytes <= 1001


class TooBig:
    """What Django knows of a large upload before anyone reads it: its size."""

    name = "big.png"
    size = TEST_MAX_BYTES + 1

    def seek(self, offset: int) -> None:
        pass

    def read(self, size: int = -1) -> bytes:
        pytest.fail("the file was read although its size was known to be too large")


def test_a_declared_size_over_the_limit_is_refused_unread():
    with pytest.raises(ValidationError) as refused:
        clean_upload(TooBig(), max_bytes=TEST_MAX_BYTES, max_pixels=TEST_MAX_PIXELS)
    assert refused.value.code == "too_large"
    assert "MB" in refused.value.messages[0]


def test_a_file_at_the_limits_is_accepted():
    content = encode(picture((40, 25)), "PNG")
    result = clean_upload(io.BytesIO(content), max_bytes=len(content), max_pixels=40 * 25)
    assert (result.width, result.height) == (40, 25)
    with pytest.raises(ValidationError, match="too many pixels"):
        clean_upload(io.BytesIO(content), max_bytes=len(content), max_pixels=40 * 25 - 1)
    with pytest.raises(ValidationError):
        clean_upload(io.BytesIO(content), max_bytes=len(content) - 1, max_pixels=40 * 25)


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_pixel_limit_applies_to_every_format_and_says_the_numbers(image_format):
    content = encode(picture((300, 200)), image_format)
    with pytest.raises(ValidationError) as refused:
        clean_upload(content, max_bytes=TEST_MAX_BYTES, max_pixels=59_999)
    assert refused.value.code == "too_many_pixels"
    assert "60,000" in refused.value.messages[0] and "59,999" in refused.value.messages[0]


def test_pillows_own_bomb_check_is_reported_as_too_many_pixels(monkeypatch):
    """When max_pixels is above Pillow's MAX_IMAGE_PIXELS, Pillow's error (or warning made an error) speaks."""
    content = encode(picture((100, 100)), "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 4_000)
    with pytest.raises(ValidationError) as refused:  # over twice Pillow's limit: DecompressionBombError
        clean_upload(content, max_bytes=TEST_MAX_BYTES, max_pixels=10**9)
    assert refused.value.code == "too_many_pixels" and "10,000" in refused.value.messages[0]
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 8_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with pytest.raises(ValidationError) as refused:
            clean_upload(content, max_bytes=TEST_MAX_BYTES, max_pixels=10**9)
    assert refused.value.code == "too_many_pixels"


def test_flat_png_builder_makes_a_valid_image():
    """The corpus's huge "real" PNGs are only worth something if the construction is valid."""
    png = flat_png(8_000, 2_000)  # several repeated runs plus a remainder
    raw = zlib.decompress(b"".join(body for ctype, body in png_chunks(png) if ctype == b"IDAT"))
    assert len(raw) == 2_000 * (1 + 1_000) and not any(raw)
    small = clean(flat_png(70, 3_000))
    assert (small.width, small.height) == (70, 3_000)
    assert pixels(small.content).max() == 0


# --- blurring ---------------------------------------------------------------------------------------


def text_like(seed: int, size: tuple[int, int] = (200, 100)) -> Image.Image:
    """Black 5 x 8 random "glyphs" in lines on white: high contrast, detail at the scale of characters."""
    rng = random.Random(seed)
    canvas = np.full((size[1], size[0]), 255, np.uint8)
    for top in range(2, size[1] - 10, 12):
        for left in range(2, size[0] - 6, 6):
            canvas[top : top + 8, left : left + 5] = [
                [0 if rng.random() < 0.4 else 255 for _ in range(5)] for _ in range(8)
            ]
    return Image.fromarray(canvas).convert("RGB")


def outside(mask_box: tuple[int, int, int, int], shape: tuple[int, ...]) -> np.ndarray:
    left, top, right, bottom = mask_box
    mask = np.ones(shape[:2], bool)
    mask[top:bottom, left:right] = False
    return mask


@pytest.mark.parametrize(
    ("box", "pixel_box"),
    [
        ((0.25, 0.25, 0.5, 0.5), (50, 25, 150, 75)),  # a paragraph
        ((0.1, 0.38, 0.8, 0.14), (20, 38, 180, 52)),  # a line of text
        ((0.3, 0.3, 0.05, 0.1), (60, 30, 70, 40)),  # a word
    ],
)
def test_blurred_box_loses_its_text_and_nothing_else_changes(box, pixel_box):
    left, top, right, bottom = pixel_box
    originals = [encode(text_like(seed), "PNG") for seed in (1, 2)]
    blurred = [pixels(apply_blur(original, [box])) for original in originals]
    before = [pixels(original) for original in originals]

    assert before[0][top:bottom, left:right].std() > 80  # there was text to hide
    for after, original in zip(blurred, before, strict=True):
        assert after[top:bottom, left:right].std() < 8
        mask = outside(pixel_box, after.shape)
        assert np.array_equal(after[mask], original[mask])
    # two different texts of the same density blur to nearly the same thing: the text cannot be told apart
    difference_before = np.abs(before[0] - before[1])[top:bottom, left:right].mean()
    difference_after = np.abs(blurred[0] - blurred[1])[top:bottom, left:right].mean()
    assert difference_before > 40 and difference_after < difference_before / 2


def test_blur_output_is_a_clean_png():
    blurred = apply_blur(clean(BY_NAME["jpeg_exif_gps"]).content, [(0, 0, 0.5, 0.5)])
    assert {ctype for ctype, _body in png_chunks(blurred)} <= {b"IHDR", b"IDAT", b"IEND"}


def test_no_boxes_returns_the_same_bytes():
    content = encode(text_like(1), "PNG")
    assert apply_blur(content, []) == content


def test_empty_and_outside_boxes_are_ignored():
    content = encode(text_like(1), "PNG")
    ignored = [(0.1, 0.1, 0, 0.5), (0.2, 0.2, 0.3, 0), (0.5, 0.5, -0.2, 0.2), (1.5, 1.5, 0.2, 0.2), (-1, 0, 0.5, 1), (math.nan, 0, 1, 1), (0, 0, math.inf, 1)]  # fmt: skip
    assert apply_blur(content, ignored) == content


def test_boxes_partly_outside_are_clamped():
    original = pixels(encode(text_like(3), "PNG"))
    after = pixels(apply_blur(encode(text_like(3), "PNG"), [(-0.5, -0.5, 1.0, 1.0), (0.9, 0.8, 0.5, 0.5)]))
    assert after.shape == original.shape
    for box in ((0, 0, 100, 50), (180, 80, 200, 100)):
        left, top, right, bottom = box
        assert after[top:bottom, left:right].std() < 8 < original[top:bottom, left:right].std()
    mask = outside((0, 0, 100, 50), after.shape) & outside((180, 80, 200, 100), after.shape)
    assert np.array_equal(after[mask], original[mask])


def test_box_edges_round_outwards_to_whole_pixels():
    image = Image.new("RGB", (30, 30), "white")
    image.paste((0, 0, 0), (0, 0, 30, 30))
    image.paste((255, 255, 255), (3, 3, 6, 6))
    after = pixels(apply_blur(encode(image, "PNG"), [(0.1, 0.1, 0.1, 0.1)]))  # exactly pixels 3..5
    assert (after[3:6, 3:6] == 255).all() and (outside((3, 3, 6, 6), after.shape) & (after[..., 0] != 0)).sum() == 0
    after = pixels(apply_blur(encode(image, "PNG"), [(0.105, 0.105, 0.09, 0.09)]))  # inside 3..6: the same pixels
    assert (outside((3, 3, 6, 6), after.shape) & (after[..., 0] != 0)).sum() == 0


# --- random input -----------------------------------------------------------------------------------

SEEDS = [encode(picture((24, 16)), "PNG"), encode(picture((24, 16)), "JPEG"), encode(picture((24, 16)), "WEBP"), encode(picture((24, 16), mode="P"), "PNG", transparency=0)]  # fmt: skip


def _refused_or_clean(content: bytes) -> None:
    try:
        result = clean_upload(content, max_bytes=100_000, max_pixels=1_000_000)
    except ValidationError as error:
        assert error.messages[0].strip()
    else:
        assert result.content.startswith(b"\x89PNG\r\n\x1a\n")


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=2_000))
def test_random_bytes_only_ever_raise_validation_error(content):
    _refused_or_clean(content)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(min_value=0, max_value=2_000), st.integers(min_value=0, max_value=255)), max_size=8),
    st.integers(min_value=1, max_value=2_000),
)
def test_damaged_real_images_only_ever_raise_validation_error(seed, flips, cut):
    content = bytearray(seed[: max(cut, 16)])
    for position, value in flips:
        content[position % len(content)] = value
    _refused_or_clean(bytes(content))


def test_damaged_png_with_fixed_crcs_only_ever_raises_validation_error():
    """Fuzz past the CRC check: flip bytes inside IHDR/IDAT and write a matching CRC."""
    rng = random.Random(5)
    seed = SEEDS[0]
    for _attempt in range(300):
        chunks = png_chunks(seed)
        index = rng.randrange(len(chunks) - 1)
        ctype, body = chunks[index]
        body = bytearray(body)
        for _flip in range(rng.randint(1, 4)):
            if body:
                body[rng.randrange(len(body))] = rng.randrange(256)
        chunks[index] = (ctype, bytes(body))
        _refused_or_clean(hostile_uploads.PNG_SIGNATURE + b"".join(hostile_uploads.chunk(t, b) for t, b in chunks))


# --- names ------------------------------------------------------------------------------------------


def test_random_name_is_unguessable_and_png():
    first, second = random_name("manuals/screenshots"), random_name("manuals/screenshots/")
    assert first.startswith("manuals/screenshots/") and first.endswith(".png") and "//" not in second
    assert first != second and len(first.rsplit("/", 1)[1]) == 32 + len(".png")


def test_images_module_leaves_truncated_loading_as_it_found_it():
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    with pytest.raises(ValidationError):
        clean(BY_NAME["png_truncated"])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is before
    assert images._strict_decoding_lock.acquire(blocking=False)
    images._strict_decoding_lock.release()  # not left held after an error
