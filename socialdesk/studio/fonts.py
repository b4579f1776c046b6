"""Fonts for cards: the server's own (fontconfig's folders) and those a workspace uploads."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed

SYSTEM_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
UPLOADED = "upload:"
DEFAULT_HEADING = "DejaVuSans-Bold"
DEFAULT_BODY = "DejaVuSans"
MAX_FONT_BYTES = 20 * 1024 * 1024


@lru_cache(maxsize=1)
def system_fonts() -> dict[str, Path]:
    """File stem → path of every TrueType/OpenType font on the server (colour-emoji bitmaps left out)."""
    found: dict[str, Path] = {}
    for folder in SYSTEM_FOLDERS:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.suffix.lower() in (".ttf", ".otf") and "Emoji" not in path.name:
                    found.setdefault(path.stem, path)
    return found


def check_upload(filename: str, data: bytes) -> None:
    """Refuse what is not a font Pillow can draw with."""
    if not data:
        raise ValidationFailed(f"{filename}: the file is empty.")
    if len(data) > MAX_FONT_BYTES:
        raise ValidationFailed(f"{filename}: a font of {len(data) / 1e6:.0f} MB is too large (20 MB at most).")
    try:
        ImageFont.truetype(io.BytesIO(data), 20)
    except OSError:
        raise ValidationFailed(f"{filename}: not a TrueType or OpenType font; upload a .ttf or .otf file.") from None


def resolve(name: str, uploaded: list[dict[str, str]], fallback: str) -> Path:
    """The file of a font named in a brand kit; the fallback (DejaVu) when it is gone or unknown."""
    if name.startswith(UPLOADED):
        wanted = name[len(UPLOADED):]
        for item in uploaded:
            if item.get("name") == wanted:
                path = get_settings().media_dir / item["key"]
                if path.is_file():
                    return path
    elif name in system_fonts():
        return system_fonts()[name]
    fonts = system_fonts()
    if fallback in fonts:
        return fonts[fallback]
    if fonts:
        return next(iter(fonts.values()))
    raise ValidationFailed("No font is installed on this server; install one (apt-get install fonts-dejavu-core) "
                           "or upload a font to the brand kit.")


def load(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)
