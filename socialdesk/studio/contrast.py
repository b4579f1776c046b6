"""WCAG 2.x contrast: relative luminance and the ratio between two colours (4.5:1 for body text, 3:1 for
large text, https://www.w3.org/TR/WCAG21/#contrast-minimum)."""

from __future__ import annotations

from PIL import ImageColor

AA_TEXT = 4.5
AA_LARGE = 3.0


def rgb(colour: str) -> tuple[int, int, int]:
    """"#1c7ed6", "#fff", "navy" → (r, g, b); ValueError saying how to write a colour."""
    try:
        found = ImageColor.getrgb(colour.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"{colour!r} is not a colour; write it as #rrggbb, e.g. #1c7ed6.") from None
    return found[0], found[1], found[2]


def luminance(colour: str | tuple[int, int, int]) -> float:
    values = rgb(colour) if isinstance(colour, str) else colour
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(foreground: str | tuple[int, int, int], background: str | tuple[int, int, int]) -> float:
    """From 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_text(background: str | tuple[int, int, int], preferred: str) -> str:
    """`preferred` when it reaches AA on `background`, else black or white, whichever contrasts more."""
    if ratio(preferred, background) >= AA_TEXT:
        return preferred
    return "#000000" if ratio("#000000", background) >= ratio("#ffffff", background) else "#ffffff"
