"""A workspace's brand kit (logo, colours, fonts, the alt-text rule) and the cards drawn with it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from socialdesk.audit import service as audit
from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.ids import new_id
from socialdesk.media import images
from socialdesk.media import service as media
from socialdesk.media.models import MediaAsset
from socialdesk.networks.base import MediaKind
from socialdesk.studio import cards, contrast, fonts
from socialdesk.studio.models import BrandKit
from socialdesk.studio.specs import Size, spec_for
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

COLOUR_NAMES = ("primary", "accent", "background", "text")
MAX_UPLOADED_FONTS = 10


def kit(ctx: WorkspaceContext) -> BrandKit:
    """The workspace's kit; a new one (not yet saved) in the workspace's brand colour when there is none."""
    found = ctx.session.scalars(ctx.select(BrandKit)).first()
    if found is not None:
        return found
    return BrandKit(workspace_id=ctx.workspace_id, colours=default_colours(ctx), heading_font=fonts.DEFAULT_HEADING,
                    body_font=fonts.DEFAULT_BODY, fonts=[], require_alt_text=False)


def default_colours(ctx: WorkspaceContext) -> dict[str, str]:
    return {"primary": ctx.workspace.brand_colour or "#3b5bdb", "accent": "#f59f00", "background": "#ffffff",
            "text": "#1c1c1c"}


def colours_of(found: BrandKit, ctx: WorkspaceContext) -> dict[str, str]:
    return {**default_colours(ctx), **{k: v for k, v in (found.colours or {}).items() if k in COLOUR_NAMES}}


def _saved(ctx: WorkspaceContext) -> BrandKit:
    found = kit(ctx)
    if found.id is None or found not in ctx.session:
        ctx.session.add(found)
        ctx.session.flush()
    return found


def update(ctx: WorkspaceContext, *, colours: dict[str, str] | None = None, heading_font: str | None = None,
           body_font: str | None = None, logo_media_id: str | None = None, clear_logo: bool = False,
           require_alt_text: bool | None = None) -> BrandKit:
    """Change what is given; each value is checked first, so a bad one changes nothing."""
    ctx.require(Permission.WORKSPACE_ADMIN)
    found = kit(ctx)
    new_colours = colours_of(found, ctx)
    for name, value in (colours or {}).items():
        if name not in COLOUR_NAMES:
            raise ValidationFailed(f"Unknown brand colour {name!r}; the kit has {', '.join(COLOUR_NAMES)}.")
        try:
            red, green, blue = contrast.rgb(value)
        except ValueError as exc:
            raise ValidationFailed(f"{name}: {exc}") from None
        new_colours[name] = f"#{red:02x}{green:02x}{blue:02x}"
    choices = font_choices(found)
    for label, value in (("heading", heading_font), ("body", body_font)):
        if value is not None and value not in choices:
            raise ValidationFailed(f"The {label} font {value!r} is neither installed on the server nor uploaded; "
                                   "choose one from the list or upload it.")
    if logo_media_id:
        logo = media.get(ctx, logo_media_id)
        if logo.kind != MediaKind.IMAGE:
            raise ValidationFailed(f"{logo.filename} is not an image; the logo is a PNG (transparent is best) or JPEG.")
    found = _saved(ctx)
    found.colours = new_colours
    if heading_font is not None:
        found.heading_font = heading_font
    if body_font is not None:
        found.body_font = body_font
    if logo_media_id:
        found.logo_media_id = logo_media_id
    elif clear_logo:
        found.logo_media_id = None
    if require_alt_text is not None:
        found.require_alt_text = require_alt_text
    audit.record(ctx, "brand_kit.update", "brand_kit", found.id, "Updated the brand kit")
    return found


def font_choices(found: BrandKit) -> list[str]:
    return sorted(fonts.system_fonts()) + [fonts.UPLOADED + f["name"] for f in found.fonts or []]


def upload_font(ctx: WorkspaceContext, filename: str, data: bytes) -> str:
    """Store a font file for this workspace's cards; returns the name to choose it by."""
    ctx.require(Permission.WORKSPACE_ADMIN)
    filename = Path(filename or "font.ttf").name[:200]
    fonts.check_upload(filename, data)
    found = _saved(ctx)
    name = Path(filename).stem[:80] or "font"
    existing = [f for f in found.fonts or [] if f.get("name") != name]
    if len(existing) >= MAX_UPLOADED_FONTS:
        raise ValidationFailed(f"A brand kit holds {MAX_UPLOADED_FONTS} uploaded fonts; remove one first.")
    key = f"fonts/{ctx.workspace_id}/{new_id()}{Path(filename).suffix.lower() or '.ttf'}"
    target = get_settings().media_dir / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    found.fonts = [*existing, {"name": name, "key": key}]
    audit.record(ctx, "brand_kit.font", "brand_kit", found.id, f"Uploaded the font {name}")
    return fonts.UPLOADED + name


def brand_of(ctx: WorkspaceContext) -> cards.Brand:
    found = kit(ctx)
    colours = colours_of(found, ctx)
    uploaded: list[dict[str, Any]] = list(found.fonts or [])
    logo = None
    if found.logo_media_id:
        asset = ctx.session.get(MediaAsset, found.logo_media_id)
        logo = media.path_of(asset) if asset is not None else None
    return cards.Brand(heading_font=fonts.resolve(found.heading_font, uploaded, fonts.DEFAULT_HEADING),
                       body_font=fonts.resolve(found.body_font, uploaded, fonts.DEFAULT_BODY),
                       primary=colours["primary"], accent=colours["accent"], background=colours["background"],
                       text=colours["text"], logo=logo, name=ctx.workspace.name)


def sizes(network: str, size: str | None) -> list[Size]:
    """The network's recommended sizes: the one named, or the first; "all" for every one."""
    spec = spec_for(network)
    if size == "all":
        return list(spec.sizes)
    if not size:
        return [spec.sizes[0]]
    for item in spec.sizes:
        if item.name == size:
            return [item]
    raise ValidationFailed(f"{spec.label} has no size {size!r}; choose "
                           f"{', '.join(s.name for s in spec.sizes)} or all.")


def make_card(ctx: WorkspaceContext, template_name: str, values: dict[str, str], *, network: str = "instagram",
              size: str | None = None, photo_media_id: str | None = None) -> tuple[list[MediaAsset], list[str]]:
    """Render a card at the network's size(s) into the media library, with alt text from what it says.

    Returns the new files and any contrast warnings.
    """
    ctx.require(Permission.POSTS_WRITE)
    brand = brand_of(ctx)
    photo = _photo(ctx, photo_media_id)
    made, warnings = [], []
    for item in sizes(network, size):
        card = cards.render(template_name, values, brand, (item.width, item.height), photo)
        out = io.BytesIO()
        card.image.save(out, "JPEG", quality=92, optimize=True)
        asset = media.upload(ctx, f"{template_name}-{network}-{item.name}.jpg", out.getvalue(), card.alt_text)
        made.append(asset)
        warnings = card.warnings
    return made, warnings


def _photo(ctx: WorkspaceContext, media_id: str | None) -> Image.Image | None:
    if not media_id:
        return None
    asset = media.get(ctx, media_id)
    if asset.kind != MediaKind.IMAGE:
        raise ValidationFailed(f"{asset.filename} is not an image; choose a photo for the card.")
    with images.open_checked(media.path_of(asset), asset.filename) as image:
        image.draft("RGB", (2048, 2048))
        return image.convert("RGB")
