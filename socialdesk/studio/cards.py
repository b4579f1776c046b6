"""Branded cards drawn with Pillow: quote card, announcement, event card, "new on the menu".

Each template names its fields; `render` draws one at any size in the brand kit's colours and fonts, fits
the text to its box (wrap, then shrink), checks the text's contrast against the background (WCAG AA,
switching to black or white when the brand's text colour would be unreadable, and saying so), puts the
logo in a corner, and writes the alt text from what the card says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from socialdesk.core.errors import ValidationFailed
from socialdesk.studio import contrast, textfit


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    max_length: int = 300


@dataclass(frozen=True)
class Template:
    name: str
    label: str
    fields: tuple[Field, ...]


TEMPLATES: dict[str, Template] = {t.name: t for t in (
    Template("quote", "Quote card", (Field("quote", "Quote", True, 400), Field("author", "Who said it", False, 100))),
    Template("announcement", "Announcement", (Field("title", "Headline", True, 120), Field("body", "Text", False, 400),
                                              Field("cta", "Call to action", False, 60))),
    Template("event", "Event card", (Field("title", "Event", True, 120), Field("when", "When", True, 80),
                                     Field("where", "Where", False, 120), Field("details", "Details", False, 300))),
    Template("menu", "New on the menu", (Field("dish", "Dish", True, 100), Field("description", "Description", False,
                                                                                   300),
                                         Field("price", "Price", False, 30))),
)}


@dataclass(frozen=True)
class Brand:
    """What a card needs of the brand kit, resolved: colours and font files."""

    heading_font: Path
    body_font: Path
    primary: str = "#3b5bdb"
    accent: str = "#f59f00"
    background: str = "#ffffff"
    text: str = "#1c1c1c"
    logo: Path | None = None
    name: str = ""


@dataclass
class Card:
    image: Image.Image
    alt_text: str
    warnings: list[str] = field(default_factory=list)


def template(name: str) -> Template:
    found = TEMPLATES.get(name)
    if found is None:
        raise ValidationFailed(f"Unknown template {name!r}; choose {', '.join(TEMPLATES)}.")
    return found


def clean_fields(tpl: Template, given: dict[str, str]) -> dict[str, str]:
    """The template's fields, trimmed; a clear error for a missing required one, an unknown or a too long one."""
    unknown = sorted(set(given) - {f.name for f in tpl.fields})
    if unknown:
        raise ValidationFailed(f"The {tpl.label.lower()} has no field {', '.join(unknown)}; its fields are "
                               f"{', '.join(f.name for f in tpl.fields)}.")
    values = {}
    for item in tpl.fields:
        value = str(given.get(item.name) or "").strip()
        if item.required and not value:
            raise ValidationFailed(f"The {tpl.label.lower()} needs “{item.label}” ({item.name}).")
        if len(value) > item.max_length:
            raise ValidationFailed(f"“{item.label}” is {len(value)} characters; the card holds {item.max_length}. "
                                   "Shorten it.")
        values[item.name] = value
    return values


def render(name: str, given: dict[str, str], brand: Brand, size: tuple[int, int],
           photo: Image.Image | None = None) -> Card:
    tpl = template(name)
    values = clean_fields(tpl, given)
    width, height = size
    if not (200 <= width <= 4096 and 200 <= height <= 4096):
        raise ValidationFailed("A card is from 200 to 4,096 pixels on each side.")
    warnings: list[str] = []
    dark_background = name in ("announcement", "event")
    background = brand.primary if dark_background else brand.background
    wanted_text = brand.background if dark_background else brand.text
    ink = contrast.readable_text(background, wanted_text)
    found = contrast.ratio(wanted_text, background)
    if ink != wanted_text:
        warnings.append(f"The brand's text colour {wanted_text} on {background} has a contrast of {found:.1f}:1, "
                        f"below WCAG AA's {contrast.AA_TEXT}:1; the card uses {ink} instead "
                        f"({contrast.ratio(ink, background):.1f}:1).")
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    margin = round(min(width, height) * 0.08)
    accent_ink = contrast.readable_text(brand.accent, "#ffffff")
    drawer = _DRAWERS[name]
    alt = drawer(image, draw, values, brand, ink, accent_ink, margin, photo)
    _logo(image, brand.logo, margin)
    return Card(image, alt, warnings)


# Layouts ------------------------------------------------------------------------------------------------


def _block(draw: ImageDraw.ImageDraw, text: str, font: Path, box: tuple[int, int, int, int], colour: str, *,
           largest: int, align: str = "left") -> int:
    """Draw fitted text in box (left, top, right, bottom); the bottom of what was drawn."""
    left, top, right, bottom = box
    fitted = textfit.fit(draw, text, font, (right - left, bottom - top), largest=largest)
    y = top
    for line in fitted.lines:
        x = left
        if align == "center":
            x = left + (right - left - draw.textlength(line, font=fitted.font)) / 2
        draw.text((x, y), line, font=fitted.font, fill=colour)
        y += fitted.line_height
    return y


def _quote(image: Image.Image, draw: ImageDraw.ImageDraw, v: dict[str, str], brand: Brand, ink: str,
           accent_ink: str, margin: int, photo: Image.Image | None) -> str:
    width, height = image.size
    draw.rectangle((0, 0, round(width * 0.025), height), fill=brand.accent)
    mark = textfit.fit(draw, "“", brand.heading_font, (width, height), largest=round(height * 0.22))
    draw.text((margin, margin * 0.6), "“", font=mark.font, fill=brand.accent)
    top = margin + round(height * 0.16)
    author_room = round(height * 0.12) if v["author"] else 0
    end = _block(draw, v["quote"], brand.heading_font, (margin, top, width - margin,
                                                           height - margin - author_room), ink,
                 largest=round(height * 0.08))
    if v["author"]:
        _block(draw, f"— {v['author']}", brand.body_font, (margin, end + margin // 3, width - margin,
                                                            end + margin // 3 + author_room), brand.primary
               if contrast.ratio(brand.primary, brand.background) >= contrast.AA_LARGE else ink,
               largest=round(height * 0.045))
    return f"Quote card: “{v['quote']}”" + (f" — {v['author']}" if v["author"] else "")


def _announcement(image: Image.Image, draw: ImageDraw.ImageDraw, v: dict[str, str], brand: Brand, ink: str,
                  accent_ink: str, margin: int, photo: Image.Image | None) -> str:
    width, height = image.size
    end = _block(draw, v["title"], brand.heading_font, (margin, margin * 2, width - margin,
                                                       round(height * 0.5)), ink, largest=round(height * 0.1))
    if v["body"]:
        end = _block(draw, v["body"], brand.body_font, (margin, end + margin // 2, width - margin,
                                                        round(height * 0.78)), ink, largest=round(height * 0.045))
    if v["cta"]:
        _pill(draw, v["cta"], brand, accent_ink, (margin, round(height * 0.82)), width - 2 * margin, height)
    return f"Announcement: {v['title']}." + (f" {v['body']}" if v["body"] else "") + (
        f" {v['cta']}" if v["cta"] else "")


def _event(image: Image.Image, draw: ImageDraw.ImageDraw, v: dict[str, str], brand: Brand, ink: str,
           accent_ink: str, margin: int, photo: Image.Image | None) -> str:
    width, height = image.size
    band = round(height * 0.2)
    draw.rectangle((0, 0, width, band), fill=brand.accent)
    _block(draw, v["when"], brand.heading_font, (margin, round(band * 0.2), width - margin, band - round(band * 0.15)),
           accent_ink, largest=round(band * 0.5))
    end = _block(draw, v["title"], brand.heading_font, (margin, band + margin, width - margin,
                                                       band + round(height * 0.35)), ink, largest=round(height * 0.09))
    if v["where"]:
        end = _block(draw, v["where"], brand.body_font,
                     (margin, end + margin // 3, width - margin, end + margin // 3 + round(height * 0.1)), ink,
                     largest=round(height * 0.05))
    if v["details"]:
        _block(draw, v["details"], brand.body_font, (margin, end + margin // 2, width - margin,
                                                     height - margin * 2), ink, largest=round(height * 0.04))
    return f"Event: {v['title']}, {v['when']}" + (f", {v['where']}" if v["where"] else "") + "." + (
        f" {v['details']}" if v["details"] else "")


def _menu(image: Image.Image, draw: ImageDraw.ImageDraw, v: dict[str, str], brand: Brand, ink: str,
          accent_ink: str, margin: int, photo: Image.Image | None) -> str:
    width, height = image.size
    top = margin
    if photo is not None:
        band = round(height * 0.5)
        image.paste(ImageOps.fit(photo.convert("RGB"), (width, band), centering=(0.5, 0.5)), (0, 0))
        top = band + margin // 2
    label = "NEW ON THE MENU"
    _pill(draw, label, brand, accent_ink, (margin, top), width - 2 * margin, height, small=True)
    top += round(height * 0.09)
    end = _block(draw, v["dish"], brand.heading_font, (margin, top, width - margin,
                                                      top + round(height * 0.16)), ink, largest=round(height * 0.08))
    if v["description"]:
        end = _block(draw, v["description"], brand.body_font, (margin, end + margin // 4, width - margin,
                                                               height - margin * 2), ink, largest=round(height * 0.04))
    if v["price"]:
        _block(draw, v["price"], brand.heading_font, (margin, height - margin * 2, width - margin,
                                                     height - margin // 2), ink, largest=round(height * 0.06))
    return f"New on the menu: {v['dish']}." + (f" {v['description']}" if v["description"] else "") + (
        f" {v['price']}" if v["price"] else "")


def _pill(draw: ImageDraw.ImageDraw, text: str, brand: Brand, ink: str, at: tuple[int, int], room: int, height: int,
          *, small: bool = False) -> None:
    fitted = textfit.fit(draw, text, brand.heading_font, (room - 40, round(height * 0.08)),
                         largest=round(height * (0.03 if small else 0.045)))
    line = fitted.lines[0]
    pad = fitted.size // 2
    length = draw.textlength(line, font=fitted.font)
    x, y = at
    draw.rounded_rectangle((x, y, x + length + 2 * pad, y + fitted.line_height + pad), radius=pad, fill=brand.accent)
    draw.text((x + pad, y + pad // 2), line, font=fitted.font, fill=ink)


def _logo(image: Image.Image, path: Path | None, margin: int) -> None:
    if path is None or not path.is_file():
        return
    with Image.open(path) as opened:
        logo = opened.convert("RGBA")
    side = round(min(image.size) * 0.14)
    logo.thumbnail((side, side))
    image.paste(logo, (image.width - margin // 2 - logo.width, image.height - margin // 2 - logo.height), logo)


_DRAWERS = {"quote": _quote, "announcement": _announcement, "event": _event, "menu": _menu}
