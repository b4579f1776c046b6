"""Opening images safely: the size an image claims is checked before a single pixel is decoded.

A PNG of 15,400 × 15,400 pixels compresses to under 1 MB and decodes to almost 1 GB. Pillow's
`Image.open` only reads the header (decoding happens on `load`, `convert`, `thumbnail`, `verify`), so
width × height can be checked first. Pillow's own guard (`Image.MAX_IMAGE_PIXELS`) only warns below
twice its limit, which is why the check here is explicit and refuses at the limit itself.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed

try:  # HEIC/HEIF photos (iPhones) open like any other image once pillow-heif registers its opener.
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - pillow-heif is a dependency; without it HEIC is refused as unknown
    pass
else:
    register_heif_opener()


def max_pixels() -> int:
    return get_settings().max_image_pixels


def check_pixels(width: int, height: int, filename: str) -> None:
    """Refuse an image whose header declares more pixels than SOCIALDESK_MAX_IMAGE_PIXELS."""
    limit = max_pixels()
    if width * height > limit:
        raise ValidationFailed(
            f"{filename}: {width:,} × {height:,} pixels ({width * height / 1e6:.0f} megapixels) is over the "
            f"{limit / 1e6:.0f} megapixel limit (SOCIALDESK_MAX_IMAGE_PIXELS). Resize it and upload it again.")


@contextmanager
def open_checked(source: bytes | Path | BinaryIO, filename: str) -> Iterator[Image.Image]:
    """`Image.open`, refused before decoding when the declared size is over the limit.

    Raises PIL.UnidentifiedImageError when the bytes are no image Pillow knows.
    """
    fp = io.BytesIO(source) if isinstance(source, bytes) else source
    if not isinstance(fp, Path):
        fp.seek(0)
    try:
        opened = Image.open(fp)
    except Image.DecompressionBombError as exc:  # Pillow's own guard, at twice its MAX_IMAGE_PIXELS
        raise ValidationFailed(f"{filename}: the image is too large to open ({exc}).") from exc
    with opened as image:
        check_pixels(image.width, image.height, filename)
        yield image
