"""Text that fits a box: wrapped at word boundaries, shrunk step by step until every line fits the width
and all lines the height (a word too long for a line is broken, never drawn past the edge)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import ImageDraw, ImageFont

from socialdesk.studio.fonts import load


@dataclass(frozen=True)
class Fitted:
    lines: list[str]
    font: ImageFont.FreeTypeFont
    size: int
    line_height: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def _width(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> float:
    return draw.textlength(text, font=font)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            while _width(draw, word, font) > width and len(word) > 1:  # a word wider than the box: break it
                cut = len(word) - 1
                while cut > 1 and _width(draw, (line + " " if line else "") + word[:cut], font) > width:
                    cut -= 1
                if line and _width(draw, line + " " + word[:cut], font) > width:
                    lines.append(line)
                    line = ""
                    continue
                lines.append((line + " " if line else "") + word[:cut])
                line, word = "", word[cut:]
            candidate = f"{line} {word}" if line else word
            if _width(draw, candidate, font) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def fit(draw: ImageDraw.ImageDraw, text: str, font_path: Path, box: tuple[int, int], *, largest: int,
        smallest: int = 12, spacing: float = 1.25) -> Fitted:
    """The largest size from `largest` down to `smallest` at which `text` fits `box` (width, height); at the
    smallest size the lines that do not fit are cut, the last one ending with an ellipsis."""
    width, height = box
    size = largest
    while True:
        font = load(font_path, size)
        line_height = int(size * spacing)
        lines = wrap(draw, text, font, width)
        if line_height * len(lines) <= height or size <= smallest:
            break
        size = max(smallest, int(size * 0.9))
    room = max(1, height // line_height)
    if len(lines) > room:
        lines = lines[:room]
        while lines[-1] and _width(draw, lines[-1] + "…", font) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "…"
    return Fitted(lines, font, size, line_height)
