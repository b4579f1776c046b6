"""Making a post's images into what Instagram takes, before they are offered at a public address.

Instagram cURLs each image itself and takes only JPEG, with an aspect ratio from 4:5 to 1.91:1
(rules.py). A PNG or WebP is converted to JPEG (transparency laid on white), an image outside the ratio
is padded (white bars, nothing lost) or centre-cropped (fills the frame, the edges lost) as the channel's
`fit` setting — or the post's `fit` option — chooses, and a very large image is scaled down to Instagram's
1440-pixel width. The converted copy goes to `derived_path(...)` next to the other derived files, and is
made once: a second try reuses it.

Videos are sent as they are (no transcoder here); Instagram's own processing reports what it refuses
through the container's status (ERROR with a subcode).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from socialdesk.media.images import open_checked
from socialdesk.media.public_links import derived_path
from socialdesk.networks.base import MediaKind, OutgoingMedia, PermanentNetworkError
from socialdesk.networks.instagram.rules import IMAGE_MAX_BYTES, MAX_RATIO, MIN_RATIO, STORY

PAD, CROP = "pad", "crop"
FITS = (PAD, CROP)
MAX_WIDTH = 1440  # Instagram scales wider images down to this
JPEG_QUALITY = 90


def fit_of(value: object) -> str:
    fit = str(value or PAD).strip().lower()
    if fit not in FITS:
        raise PermanentNetworkError(f"Unknown fit {fit!r} for images outside Instagram's 4:5 to 1.91:1 "
                                    "aspect ratio; choose pad or crop.")
    return fit


def target_size(width: int, height: int, fit: str) -> tuple[int, int]:
    """The frame (width, height) an image of this size gets: itself when its ratio is allowed."""
    ratio = width / height
    if MIN_RATIO <= ratio <= MAX_RATIO:
        return width, height
    wanted = MIN_RATIO if ratio < MIN_RATIO else MAX_RATIO
    if fit == PAD:  # grow the short side
        if ratio < MIN_RATIO:
            return round(height * wanted), height
        return width, round(width / wanted)
    if ratio < MIN_RATIO:  # crop the long side
        return width, round(width / wanted)
    return round(height * wanted), height


def needs_conversion(media: OutgoingMedia, kind: str) -> bool:
    if media.kind != MediaKind.IMAGE:
        return False
    if media.content_type != "image/jpeg" or media.size_bytes > IMAGE_MAX_BYTES:
        return True
    if kind == STORY:
        return False
    if not media.width or not media.height:
        return True  # size unknown: open it and make sure
    return not MIN_RATIO <= media.width / media.height <= MAX_RATIO or media.width > MAX_WIDTH


def prepared_path(media: OutgoingMedia, *, kind: str, fit: str) -> Path:
    """The file Instagram should fetch for `media`: the original, or a JPEG made to fit."""
    if not needs_conversion(media, kind):
        return media.path
    target = derived_path(media.path, f"-instagram-{fit if kind != STORY else 'story'}.jpg")
    if target.exists() and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open_checked(media.path, media.path.name) as image:
        converted = convert(image, fit=fit, keep_ratio=kind == STORY)
    partial = target.with_suffix(".partial")
    quality = JPEG_QUALITY
    while True:
        converted.save(partial, "JPEG", quality=quality, optimize=True)
        if partial.stat().st_size <= IMAGE_MAX_BYTES or quality <= 50:
            break
        quality -= 10
    partial.replace(target)
    return target


def convert(image: Image.Image, *, fit: str, keep_ratio: bool = False) -> Image.Image:
    """An RGB image in an allowed aspect ratio, at most MAX_WIDTH wide."""
    image.load()
    if image.mode in ("RGBA", "LA", "P") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if not keep_ratio:
        width, height = target_size(image.width, image.height, fit)
        if (width, height) != image.size:
            if fit == PAD:
                framed = Image.new("RGB", (width, height), "white")
                framed.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
                image = framed
            else:
                left, top = (image.width - width) // 2, (image.height - height) // 2
                image = image.crop((left, top, left + width, top + height))
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, max(1, round(image.height * MAX_WIDTH / image.width))),
                             Image.Resampling.LANCZOS)
    return image
