"""Hostile and awkward screenshot uploads, built in code (no binary fixtures), for every upload test.

``hostile_files()`` returns ``(id, filename, content, expected)`` with ``expected`` "rejected" or "sanitised"
under the limits below. A view test can use the same limits, e.g.
``settings.MANUALS_SCREENSHOT_MAX_BYTES = TEST_MAX_BYTES``. ``EXPECTED_CODES`` says which ValidationError
code each rejected entry must get from :func:`manuals.images.clean_upload`.

The corpus is built once per process (about 0.2 s) and cached; ``SECRETS`` are byte strings planted in the
sanitised entries' metadata and payloads that must never come out of a clean image.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from functools import cache

from PIL import Image, ImageDraw, PngImagePlugin

TEST_MAX_BYTES = 2_000_000
TEST_MAX_PIXELS = 40_000_000

REJECTED = "rejected"
SANITISED = "sanitised"

SECRETS = (
    b"<?php",
    b"<script",
    b"SecretCam",
    b"GPS-SECRET-MARKER",
    b"PK\x03\x04",
    b"Exif\x00\x00",
    b"SECRET-COMMENT",
    b"SECRET-XMP",
    b"SECRET-ICC",
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- building blocks ----------------------------------------------------------------------------------


def chunk(ctype: bytes, body: bytes) -> bytes:
    """A PNG chunk with a correct CRC."""
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def ihdr(width: int, height: int, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, body) of each chunk up to IEND; for building variants and for checking clean output."""
    chunks, pos = [], len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length, ctype = struct.unpack_from(">I4s", data, pos)
        chunks.append((ctype, data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
        if ctype == b"IEND":
            break
    return chunks


def insert_before_idat(png: bytes, *extra: bytes) -> bytes:
    at = png.index(b"IDAT") - 4
    return png[:at] + b"".join(extra) + png[at:]


def cut_image_data(png: bytes) -> bytes:
    """The PNG with its compressed pixel data cut in half but every chunk well-formed (CRCs recomputed)."""
    chunks = png_chunks(png)
    data = b"".join(body for ctype, body in chunks if ctype == b"IDAT")
    head = b"".join(chunk(ctype, body) for ctype, body in chunks if ctype not in (b"IDAT", b"IEND"))
    return PNG_SIGNATURE + head + chunk(b"IDAT", data[: len(data) // 2]) + chunk(b"IEND", b"")


def encode(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def noise(size: tuple[int, int], mode: str = "RGB", seed: int = 1) -> Image.Image:
    """Incompressible pixels, so that a cut in the file lands in the middle of the image data."""
    bands = len(Image.new(mode, (1, 1)).getbands())
    return Image.frombytes(mode, size, random.Random(seed).randbytes(size[0] * size[1] * bands))


def picture(size: tuple[int, int] = (48, 32), mode: str = "RGB") -> Image.Image:
    """A small screenshot-like image: flat background, a dark bar, a coloured button."""
    image = Image.new("RGB", size, (240, 240, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] - 1, size[1] // 5), fill=(30, 30, 60))
    draw.rectangle((size[0] // 4, size[1] // 2, size[0] * 3 // 4, size[1] * 3 // 4), fill=(200, 40, 40))
    return image.convert(mode)


def flat_png(width: int, height: int) -> bytes:
    """A valid black 1-bit PNG of any size in a few kilobytes, built without compressing width x height bytes.

    The zlib stream repeats one independently compressed run of zero rows (a full flush ends each run on
    a byte boundary with no back-references), and the Adler-32 of N zero bytes is ((N mod 65521) << 16) | 1.
    """
    row = 1 + (width + 7) // 8  # filter byte 0, then bits all 0
    rows_per_run = max(1, min(height, 1_000_000 // row))
    runs, rest = divmod(height, rows_per_run)

    def run(rows: int) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(bytes(rows * row)) + compressor.flush(zlib.Z_FULL_FLUSH)

    body = run(rows_per_run) * runs + (run(rest) if rest else b"") + b"\x03\x00"  # empty final block
    adler = ((height * row) % 65521) << 16 | 1
    stream = b"\x78\xda" + body + struct.pack(">I", adler)
    return (
        PNG_SIGNATURE + ihdr(width, height, bit_depth=1, colour_type=0) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")
    )


def interlaced_png(image: Image.Image) -> bytes:
    """An Adam7-interlaced RGB PNG (Pillow reads these but cannot write them)."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    pixels = rgb.tobytes()
    raw = bytearray()
    for x0, y0, dx, dy in (
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ):
        for y in range(y0, height, dy):
            raw.append(0)
            for x in range(x0, width, dx):
                raw += pixels[(y * width + x) * 3 : (y * width + x) * 3 + 3]
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1))
    return PNG_SIGNATURE + header + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b"")


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x010E] = "GPS-SECRET-MARKER"  # ImageDescription
    if orientation is not None:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)  # GPSInfo
    gps[1], gps[2] = "N", (35.0, 39.0, 31.0)  # Tokyo
    gps[3], gps[4] = "E", (139.0, 44.0, 28.0)
    gps[27] = b"ASCII\x00\x00\x00GPS-SECRET-MARKER"  # GPSProcessingMethod
    return exif


def srgb_profile() -> bytes:
    """An ICC profile with a marker in its description tag area (Pillow stores iCCP bytes unparsed)."""
    try:
        from PIL import ImageCms

        return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + b"SECRET-ICC"
    except ImportError:  # Pillow without LittleCMS: any bytes make an iCCP / APP2 chunk
        return b"\x00" * 128 + b"SECRET-ICC"


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("shell.php", "<?php system($_GET['c']); ?>")
    return buffer.getvalue()


# --- the corpus -------------------------------------------------------------------------------------


@cache
def _corpus() -> tuple[tuple[str, str, bytes, str], ...]:
    base_png = encode(picture(), "PNG")
    base_jpeg = encode(picture(), "JPEG", quality=90)
    noise_png = encode(noise((96, 96)), "PNG")
    noise_jpeg = encode(noise((96, 96)), "JPEG", quality=95)
    script = b"<script>alert(document.cookie)</script>"
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'  # noqa: E501
    entries: list[tuple[str, str, bytes, str]] = []

    def rejected(name: str, filename: str, content: bytes) -> None:
        entries.append((name, filename, content, REJECTED))

    def sanitised(name: str, filename: str, content: bytes) -> None:
        entries.append((name, filename, content, SANITISED))

    # Not images at all, or images in formats we do not take.
    rejected("empty", "empty.png", b"")
    rejected("random_garbage", "screenshot.png", b"\x00junk" + random.Random(7).randbytes(4096))
    rejected("svg_with_script", "diagram.svg", svg)
    rejected("svg_renamed_png", "screenshot.png", svg)
    rejected("pdf_renamed_png", "screenshot.png", b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n")
    rejected("html_renamed_png", "screenshot.png", b"<!DOCTYPE html><html><body>" + script + b"</body></html>")
    rejected("gif", "anim.gif", encode(picture(mode="P"), "GIF"))
    rejected("gif_renamed_png", "screenshot.png", encode(picture(mode="P"), "GIF"))
    rejected("bmp", "screenshot.bmp", encode(picture(), "BMP"))
    rejected("tiff", "screenshot.tiff", encode(picture(), "TIFF"))
    rejected("ico", "favicon.ico", encode(picture((32, 32)), "ICO"))
    rejected(
        "psd_header", "design.psd", b"8BPS\x00\x01" + bytes(6) + struct.pack(">HIIHH", 3, 32, 48, 8, 3) + bytes(64)
    )
    rejected("zip", "screenshots.zip", zip_archive())
    rejected("elf", "screenshot.png", b"\x7fELF\x02\x01\x01\x00" + bytes(56))
    rejected("exe", "screenshot.exe", b"MZ\x90\x00" + bytes(56) + struct.pack("<I", 64) + b"PE\x00\x00" + bytes(64))

    # Decompression bombs and absurd dimensions: refused from the header, before decoding.
    bomb_idat = chunk(b"IDAT", zlib.compress(bytes(1000)))
    rejected("png_bomb_header_100000x100000", "bomb.png", PNG_SIGNATURE + ihdr(100_000, 100_000) + bomb_idat + chunk(b"IEND", b""))  # fmt: skip
    rejected("png_real_30000x30000_flat", "flat.png", flat_png(30_000, 30_000))
    rejected("png_real_8000x8000_flat", "flat.png", flat_png(8_000, 8_000))  # 64M: under Pillow's own limit, over ours
    rejected("png_200000x1", "wide.png", flat_png(200_000, 1))
    sof = base_jpeg.index(b"\xff\xc0")
    rejected("jpeg_declares_65500x65500", "huge.jpg", base_jpeg[: sof + 5] + struct.pack(">HH", 65_500, 65_500) + base_jpeg[sof + 9 :])  # fmt: skip
    webp = encode(picture(), "WEBP", lossless=True)
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes(4) + (16_383).to_bytes(3, "little") * 2  # canvas - 1
    huge_webp = b"WEBP" + vp8x + webp[12:]
    rejected("webp_vp8x_declares_16384x16384", "huge.webp", b"RIFF" + struct.pack("<I", len(huge_webp)) + huge_webp)
    rejected("over_byte_limit", "big.png", insert_before_idat(base_png, chunk(b"zzZz", bytes(TEST_MAX_BYTES))))

    # Truncated, corrupt, malformed.
    rejected("png_truncated", "cut.png", noise_png[: len(noise_png) // 2])
    rejected("png_without_iend", "cut.png", noise_png[:-12])
    rejected("png_idat_stream_cut", "cut.png", cut_image_data(noise_png))  # every chunk whole, the pixels half there
    rejected("png_signature_only", "cut.png", PNG_SIGNATURE)
    rejected("jpeg_truncated", "cut.jpg", noise_jpeg[: len(noise_jpeg) * 2 // 3])
    rejected("jpeg_magic_then_garbage", "photo.jpg", b"\xff\xd8\xff\xe0" + random.Random(3).randbytes(512))
    rejected("webp_truncated", "cut.webp", encode(noise((64, 64)), "WEBP", quality=90)[:600])
    crc_at = len(PNG_SIGNATURE) + 8 + 13
    rejected("png_bad_ihdr_crc", "crc.png", noise_png[:crc_at] + bytes(4) + noise_png[crc_at + 4 :])
    idat_crc_at = noise_png.index(b"IDAT") + 4 + struct.unpack_from(">I", noise_png, noise_png.index(b"IDAT") - 4)[0]
    rejected("png_bad_idat_crc", "crc.png", noise_png[:idat_crc_at] + b"\xde\xad\xbe\xef" + noise_png[idat_crc_at + 4 :])  # fmt: skip
    rejected("png_chunk_length_2_31", "chunk.png", insert_before_idat(base_png, struct.pack(">I", 2**31) + b"tEXt" + b"Comment\x00hi"))  # fmt: skip
    rejected("png_idat_not_zlib", "zlib.png", PNG_SIGNATURE + ihdr(16, 16) + chunk(b"IDAT", b"this is not deflate data at all") + chunk(b"IEND", b""))  # fmt: skip
    rejected("png_zero_width", "zero.png", PNG_SIGNATURE + ihdr(0, 16) + bomb_idat + chunk(b"IEND", b""))
    rejected("png_unknown_critical_chunk", "odd.png", insert_before_idat(base_png, chunk(b"EVIL", b"payload")))

    # Animation: refused (manuals.images docstring says why).
    frames = [picture(), picture().transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    rejected("apng", "anim.png", encode(frames[0], "PNG", save_all=True, append_images=frames[1:]))
    rejected("webp_animated", "anim.webp", encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True))  # fmt: skip

    # Accepted, with everything but the pixels thrown away.
    php = b"<?php system($_GET['cmd']); ?>"
    sanitised("png_php_polyglot", "shell.php.png", insert_before_idat(base_png, chunk(b"tEXt", b"Comment\x00" + script)) + php)  # fmt: skip
    sanitised("png_with_zip_appended", "screenshot.png", base_png + zip_archive())
    sanitised("jpeg_exif_gps", "photo.jpg", encode(picture(), "JPEG", exif=exif_with_gps()))
    sanitised("jpeg_exif_orientation_6", "rotated.jpg", encode(picture((20, 10)), "JPEG", exif=exif_with_gps(orientation=6)))  # fmt: skip
    sanitised("jpeg_icc_comment_xmp", "photo.jpg", encode(picture(), "JPEG", icc_profile=srgb_profile(), comment=b"SECRET-COMMENT", xmp=b"<x:xmpmeta>SECRET-XMP</x:xmpmeta>"))  # fmt: skip
    sanitised("jpeg_cmyk", "print.jpg", encode(picture(mode="CMYK"), "JPEG"))
    sanitised("jpeg_greyscale", "grey.jpg", encode(picture(mode="L"), "JPEG"))
    sanitised("mpo_two_pictures", "camera.jpg", encode(picture(), "MPO", save_all=True, append_images=[picture((24, 16))]))  # fmt: skip
    sanitised("png_exif_chunk", "exif.png", encode(picture(), "PNG", exif=exif_with_gps()))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "SECRET-COMMENT " + script.decode())
    text.add_text("Software", "<?php echo 1; ?>", zip=True)  # zTXt
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>SECRET-XMP</x:xmpmeta>", lang="en", tkey="XMP", zip=False)
    sanitised("png_text_chunks", "text.png", encode(picture(), "PNG", pnginfo=text))
    ztxt_bomb = chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * 5_000_000, 9))
    sanitised("png_ztxt_bomb", "bomb.png", insert_before_idat(base_png, ztxt_bomb))
    sanitised("png_icc_profile", "icc.png", encode(picture(), "PNG", icc_profile=srgb_profile()))
    grey16 = Image.frombytes("I;16", (40, 30), bytes((x * 7) % 256 for x in range(40 * 30 * 2)))
    sanitised("png_16bit_greyscale", "deep.png", encode(grey16, "PNG"))
    sanitised("png_16bit_greyscale_trns", "deep.png", encode(grey16, "PNG", transparency=grey16.getpixel((0, 0))))
    palette = picture(mode="P")
    sanitised("png_palette_transparency", "palette.png", encode(palette, "PNG", transparency=palette.getpixel((0, 0))))
    sanitised("png_rgba", "alpha.png", encode(noise((32, 24), mode="RGBA"), "PNG"))
    sanitised("png_greyscale_alpha", "la.png", encode(noise((32, 24), mode="LA"), "PNG"))
    sanitised("png_1bit", "mono.png", encode(picture(mode="1"), "PNG"))
    sanitised("png_1x1", "dot.png", encode(Image.new("RGB", (1, 1), (12, 34, 56)), "PNG", dpi=(300, 300)))
    sanitised("png_interlaced_gamma", "adam7.png", insert_before_idat(interlaced_png(picture((13, 11))), chunk(b"gAMA", struct.pack(">I", 45455))))  # fmt: skip
    single = insert_before_idat(base_png, chunk(b"acTL", struct.pack(">II", 1, 0)), chunk(b"fcTL", struct.pack(">IIIIIHHBB", 0, 48, 32, 0, 0, 1, 10, 0, 0)))  # fmt: skip
    sanitised("apng_single_frame", "still.png", single)
    sanitised("png_bad_crc_ancillary", "crc.png", insert_before_idat(base_png, chunk(b"tEXt", b"Comment\x00SECRET-COMMENT")[:-4] + bytes(4)))  # fmt: skip
    sanitised("webp_lossless_exif", "shot.webp", encode(picture(), "WEBP", lossless=True, exif=exif_with_gps()))
    sanitised("webp_lossy_alpha_icc", "shot.webp", encode(noise((32, 24), mode="RGBA"), "WEBP", quality=80, icc_profile=srgb_profile()))  # fmt: skip
    return tuple(entries)


def hostile_files() -> list[tuple[str, str, bytes, str]]:
    """``(id, filename, content, expected)`` for each hostile or awkward upload; see the module docstring."""
    return list(_corpus())


EXPECTED_CODES: dict[str, str] = {
    "empty": "empty",
    "random_garbage": "not_image",
    "svg_with_script": "not_image",
    "svg_renamed_png": "not_image",
    "pdf_renamed_png": "not_image",
    "html_renamed_png": "not_image",
    "gif": "not_image",
    "gif_renamed_png": "not_image",
    "bmp": "not_image",
    "tiff": "not_image",
    "ico": "not_image",
    "psd_header": "not_image",
    "zip": "not_image",
    "elf": "not_image",
    "exe": "not_image",
    "png_bomb_header_100000x100000": "too_many_pixels",
    "png_real_30000x30000_flat": "too_many_pixels",
    "png_real_8000x8000_flat": "too_many_pixels",
    "png_200000x1": "bad_dimensions",
    "jpeg_declares_65500x65500": "too_many_pixels",
    "webp_vp8x_declares_16384x16384": "too_many_pixels",
    "over_byte_limit": "too_large",
    "png_truncated": "broken",
    "png_without_iend": "broken",
    "png_idat_stream_cut": "broken",
    "png_signature_only": "broken",
    "jpeg_truncated": "broken",
    "jpeg_magic_then_garbage": "broken",
    "webp_truncated": "broken",
    "png_bad_ihdr_crc": "broken",
    "png_bad_idat_crc": "broken",
    "png_chunk_length_2_31": "broken",
    "png_idat_not_zlib": "broken",
    "png_zero_width": "broken",
    "png_unknown_critical_chunk": "broken",
    "apng": "animated",
    "webp_animated": "animated",
}
