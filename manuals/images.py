"""Screenshot uploads made safe to store, show and diff (DESIGN.md §4, "Uploads").

An upload is untrusted bytes. :func:`clean_upload` keeps only the pixels: it reads at most the size limit,
accepts PNG, JPEG and WebP by their magic bytes (not by name), checks the size the header declares before
anything is decoded (decompression bombs), decodes the image completely (a truncated or damaged file is an
error, never a grey half-picture), turns it the way the camera meant (EXIF orientation), flattens it to RGB
on white and writes a fresh PNG. Nothing of the original file survives but its pixels: no EXIF (GPS), no
text chunks, no ICC profile, no polyglot payload appended after the image.

PNG, because screenshots are later compared pixel by pixel: a lossy re-encoding would itself be a change.

Animated images (APNG, animated WebP) are **refused** (code ``animated``) rather than cut to their first
frame: a manual step shows one still screen, and silently dropping frames would publish something the
author never saw. A multi-picture JPEG (MPO, as some cameras write) is not an animation: its primary
picture is kept.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
import struct
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO
from uuid import uuid4

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageFilter, ImageOps

from pmo_portal.tabular import megabytes, read_upload

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")
# The longest side accepted, whatever the pixel count: a 200000 x 1 "screenshot" is an attack on whatever
# lays it out or diffs it, not a screen. 32767 is the largest canvas side browsers draw.
MAX_SIDE = 32_767
# Ancillary PNG chunks are dropped before Pillow sees the file, so their parsers (zTXt/iTXt/iCCP inflate,
# text-memory limits) never run on upload bytes. Kept: what draws the image, and eXIf for the orientation.
_PNG_KEPT_CHUNKS = frozenset({b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"eXIf"})
_PNG_CRITICAL_CHUNKS = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND"})
_PNG_MAX_CHUNKS = 100_000  # a real PNG within the byte limit has a few thousand; more is only CPU to burn
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # DHT, JPG and DAC are not frames
_SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})
WHITE = (255, 255, 255)
_THOROUGH_PNG_MAX_PIXELS = 8_500_000  # 4096 x 2160 and a little more
# apply_blur: a box keeps at most this many average colours, along its longer side.
BLUR_CELLS = 8

# WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole process when it is imported (this
# project imports it for PDFs, via a template tag library, so in practice it is always on). With it on,
# Pillow pads a truncated file with grey and ignores decoder errors. Decoding runs with it off, under a
# lock because the flag is process-wide; it is put back afterwards so WeasyPrint keeps its behaviour.
_strict_decoding_lock = threading.Lock()


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded upload: PNG bytes, RGB, no metadata chunks."""

    content: bytes
    width: int
    height: int
    sha256: str


class _Broken(Exception):
    """The bytes claim a format but do not follow it; reported to the user as "damaged"."""


def clean_upload(file: IO[bytes] | bytes, *, max_bytes: int, max_pixels: int, max_side: int = MAX_SIDE) -> CleanImage:
    """The upload's pixels as a clean PNG, or a ValidationError saying, in the user's language, what is wrong.

    ``file`` is a Django UploadedFile or any binary file-like object (read from the start), or bytes.
    Codes: ``too_large``, ``empty``, ``not_image``, ``too_many_pixels``, ``bad_dimensions``, ``animated``,
    ``broken``. For any content whatsoever, nothing but ValidationError is raised.
    """
    data = _read(file, max_bytes)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = _sniff(data)
    if kind is None:
        raise _not_image()
    try:
        if kind == "PNG":
            data, declared, frames = _minimal_png(data)
            if frames > 1:
                raise _animated()
        elif kind == "JPEG":
            declared = _jpeg_size(data)
        else:
            declared = _webp_size(data)
        if declared is not None:  # before Pillow allocates anything for it
            _check_dimensions(declared, max_pixels, max_side)
        with _strict_decoding():
            image = _decode(data, kind, max_pixels, max_side)
        rgb = _flatten(image)
        del image
        content = _encode_png(rgb)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Only reached when max_pixels is above Pillow's own limit (MAX_IMAGE_PIXELS), or our header
        # parsing and Pillow's disagree: Pillow's message carries the count.
        found = re.search(r"\((\d+) pixels\)", str(error))
        raise _too_many_pixels(int(found.group(1)) if found else None, max_pixels) from error
    except (_Broken, OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error) as error:
        raise _broken() from error
    except Exception as error:  # Pillow's parsers raise a zoo of types on hostile input (IndexError, KeyError...)
        logger.warning("Unexpected error while decoding an uploaded %s image", kind, exc_info=True)
        raise _broken() from error
    return CleanImage(content=content, width=rgb.width, height=rgb.height, sha256=hashlib.sha256(content).hexdigest())


def apply_blur(png_bytes: bytes, boxes: Sequence[Sequence[float]]) -> bytes:
    """``png_bytes`` (a CleanImage's content) with each box's content destroyed, as a new PNG.

    Boxes are relative ``(x, y, w, h)`` in 0..1 of the image size; they are clamped to the image, and rounded
    outwards to whole pixels (a hidden name must not keep a sliver). Empty, negative or non-finite boxes are
    ignored; with nothing left to blur the input comes back unchanged. Each box is reduced to one row of at
    most ``BLUR_CELLS`` average colours, each cell as long as the box is thin, then Gaussian-blurred: what
    remains is a few averages over several characters each, from which the text cannot be read back.
    """
    if not boxes:
        return png_bytes
    with Image.open(io.BytesIO(png_bytes), formats=["PNG"]) as source:
        image = source.convert("RGB")
    regions = [region for box in boxes if (region := _pixel_box(box, image.size)) is not None]
    if not regions:
        return png_bytes
    for region in regions:
        image.paste(_obliterate(image.crop(region)), region[:2])
    return _encode_png(image)


def random_name(prefix: str) -> str:
    """A storage name nobody can guess or collide with, e.g. ``manuals/screenshots/3f2c...9a.png``."""
    return f"{prefix.rstrip('/')}/{uuid4().hex}.png"


# --- reading and recognising ------------------------------------------------------------------------


def _read(file: IO[bytes] | bytes, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes are ever read: a huge stream is refused, never loaded."""
    too_large = _("The image is larger than %(limit)s MB.") % {"limit": megabytes(max_bytes)}
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
        if len(data) > max_bytes:
            raise ValidationError(too_large, code="too_large")
        return data
    return read_upload(file, max_bytes, too_large)


def _sniff(data: bytes) -> str | None:
    """The format the magic bytes announce, if it is one we accept; a file name or Content-Type proves nothing."""
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _minimal_png(data: bytes) -> tuple[bytes, tuple[int, int], int]:
    """The PNG rebuilt from the chunks that draw it, its declared (width, height) and animation frame count.

    Checks the structure Pillow does not (the CRC of IDAT, an IEND at the end) and drops everything else:
    text, ICC, animation control chunks and whatever is appended after IEND (polyglots).
    """
    view = memoryview(data)
    kept: list[bytes | memoryview] = [PNG_SIGNATURE]
    size: tuple[int, int] | None = None
    frames = 1
    pos = len(PNG_SIGNATURE)
    for _chunk_number in range(_PNG_MAX_CHUNKS):
        if pos + 12 > len(data):
            raise _Broken("no IEND: the file is truncated")
        length, ctype = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if length > 2**31 - 1 or end > len(data) or not ctype.isalpha():
            raise _Broken(f"bad chunk at {pos}")
        body = view[pos + 8 : end - 4]
        crc_ok = zlib.crc32(body, zlib.crc32(ctype)) == struct.unpack_from(">I", data, end - 4)[0]
        critical = ctype[0] & 0x20 == 0  # upper-case first letter
        if critical and not crc_ok:
            raise _Broken(f"bad CRC in {ctype!r}")
        if size is None and ctype != b"IHDR":
            raise _Broken("IHDR is not the first chunk")
        if ctype == b"IHDR":
            if size is not None or length != 13:
                raise _Broken("bad IHDR")
            size = struct.unpack_from(">II", body)
            if not size[0] or not size[1]:
                raise _Broken("zero width or height")
        elif ctype == b"acTL" and crc_ok and length == 8:
            frames = struct.unpack_from(">I", body)[0]
        elif critical and ctype not in _PNG_CRITICAL_CHUNKS:
            raise _Broken(f"unknown critical chunk {ctype!r}")  # the PNG spec says: stop
        if ctype in _PNG_KEPT_CHUNKS and crc_ok:
            kept.append(view[pos:end])
        pos = end
        if ctype == b"IEND":
            assert size is not None
            return b"".join(kept), size, frames
    raise _Broken("too many chunks")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the first frame header, without decoding; None when not found before the scan."""
    pos = 2
    while pos + 9 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            pos += 2
            continue
        if marker in _JPEG_SOF_MARKERS:
            height, width = struct.unpack_from(">HH", data, pos + 5)
            return (width, height) if width and height else None
        if marker in (0xDA, 0xD9):  # scan or end before any frame header
            return None
        pos += 2 + struct.unpack_from(">H", data, pos + 2)[0]
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """The canvas size of a WebP, read from its first chunk: libwebp allocates the whole canvas on open."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _check_dimensions(size: tuple[int, int], max_pixels: int, max_side: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise _too_many_pixels(width * height, max_pixels)
    if width > max_side or height > max_side:
        raise ValidationError(
            _("The image is %(width)s × %(height)s pixels: each side may be at most %(limit)s pixels.")
            % {"width": _number(width), "height": _number(height), "limit": _number(max_side)},
            code="bad_dimensions",
        )


# --- decoding and re-encoding -----------------------------------------------------------------------


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Truncated images are errors while we decode, whatever another library set (see the lock's comment)."""
    with _strict_decoding_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _decode(data: bytes, kind: str, max_pixels: int, max_side: int) -> Image.Image:
    """The fully decoded first picture; the format Pillow may try is the one the magic bytes announced."""
    assert kind in ALLOWED_FORMATS
    image = Image.open(io.BytesIO(data), formats=[kind])
    _check_dimensions(image.size, max_pixels, max_side)  # the decoder's own view of the header
    if image.format == "MPO":
        pass  # a JPEG with extra pictures (a camera's preview or depth map): frame 0 is the photo
    elif image.format != kind:
        raise _not_image()
    elif getattr(image, "is_animated", False):
        raise _animated()
    image.load()  # decode everything now, so a damaged file fails here and not later
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """An upright RGB image, transparency composited on white, with none of the upload's metadata."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # a broken EXIF block costs the orientation, not the upload
        logger.info("Ignoring unreadable EXIF orientation of an uploaded image", exc_info=True)
    if image.mode in _SIXTEEN_BIT_MODES:
        image = _to_eight_bit(image)
    if image.has_transparency_data:
        canvas = Image.new("RGBA", image.size, (*WHITE, 255))
        canvas.alpha_composite(image.convert("RGBA"))
        rgb = canvas.convert("RGB")
    else:
        rgb = image.convert("RGB")
    rgb.info = {}  # convert() copies info: icc_profile and transparency would be written back
    return rgb


def _to_eight_bit(image: Image.Image) -> Image.Image:
    """16-bit grey as 8-bit grey (Pillow's own conversion clips at 255 instead of scaling); tRNS kept as alpha."""
    values = np.asarray(image).astype(np.int32, copy=False)
    grey = Image.fromarray((np.clip(values, 0, 65535) >> 8).astype(np.uint8))
    transparent = image.info.get("transparency")
    if isinstance(transparent, int):
        alpha = Image.fromarray(np.where(values == transparent, 0, 255).astype(np.uint8))
        return Image.merge("LA", (grey, alpha))
    return grey


def _encode_png(image: Image.Image) -> bytes:
    """Lossless PNG. Above a 4K screen's worth of pixels, zlib's fastest level: at level 6 a 40-megapixel photo
    takes some 20 s (a worker timeout), at level 1 about 5 s; a screenshot costs 10-20 % more bytes."""
    level = 6 if image.width * image.height <= _THOROUGH_PNG_MAX_PIXELS else 1
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=level)
    return buffer.getvalue()


# --- blurring ---------------------------------------------------------------------------------------


def _pixel_box(box: Sequence[float], size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """A relative (x, y, w, h) as a pixel (left, top, right, bottom) inside the image, or None when empty."""
    x, y, w, h = (float(value) for value in box)
    if not all(math.isfinite(value) for value in (x, y, w, h)) or w <= 0 or h <= 0:
        return None
    width, height = size
    epsilon = 1e-9  # 0.1 * 30 must not round out to a 4th pixel
    left = max(0, math.floor(x * width + epsilon))
    top = max(0, math.floor(y * height + epsilon))
    right = min(width, math.ceil((x + w) * width - epsilon))
    bottom = min(height, math.ceil((y + h) * height - epsilon))
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def _obliterate(region: Image.Image) -> Image.Image:
    """The region as one row (or column) of at most BLUR_CELLS average colours, blurred.

    Each cell is at least as long as the box is thin, so in a box drawn around a line of text a cell spans
    a couple of characters or more, and no pixel of the result depends on any one glyph.
    """
    width, height = region.size
    long_side, short_side = max(width, height), min(width, height)
    count = max(1, min(BLUR_CELLS, round(long_side / short_side)))
    cells = region.resize((count, 1) if width >= height else (1, count), Image.Resampling.BOX)  # true averages
    blocky = cells.resize((width, height), Image.Resampling.NEAREST)
    return blocky.filter(ImageFilter.GaussianBlur(radius=max(1.0, short_side / 2)))


# --- messages ---------------------------------------------------------------------------------------


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _not_image() -> ValidationError:
    return ValidationError(_("This file is not a PNG, JPEG or WebP image."), code="not_image")


def _animated() -> ValidationError:
    return ValidationError(
        _("This image is animated. Upload a still screenshot (one picture) as PNG, JPEG or WebP."), code="animated"
    )


def _broken() -> ValidationError:
    return ValidationError(
        _("The image is damaged or incomplete; please save it again and upload the new file."), code="broken"
    )


def _too_many_pixels(pixels: int | None, limit: int) -> ValidationError:
    if pixels is None:
        return ValidationError(
            _("The image has too many pixels (at most %(limit)s).") % {"limit": _number(limit)}, code="too_many_pixels"
        )
    return ValidationError(
        _("The image has too many pixels (%(pixels)s; at most %(limit)s).")
        % {"pixels": _number(pixels), "limit": _number(limit)},
        code="too_many_pixels",
    )
