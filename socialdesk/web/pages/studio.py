"""The studio page: the brand kit (logo, colours, fonts, the alt-text rule), branded cards from templates,
and infographics from the workspace's own numbers — each made into a file of the media library."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from socialdesk.channels import service as channels
from socialdesk.core.errors import ValidationFailed
from socialdesk.goals import service as goals
from socialdesk.media import service as media
from socialdesk.media.models import MediaAsset
from socialdesk.studio import accessibility, brand, cards, contrast, fonts, infographics
from socialdesk.studio.specs import SPECS, spec_for
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, field, render, ws_url
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


@router.get("/w/{workspace_id}/studio", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def studio_page(request: Request, ctx: Ctx, made: str = "") -> HTMLResponse:
    kit = brand.kit(ctx)
    colours = brand.colours_of(kit, ctx)
    library = [a for a in media.list_media(ctx) if a.kind == "image"]
    shown: list[MediaAsset] = []
    for media_id in [m for m in made.split(",") if m][:6]:
        asset = ctx.session.get(MediaAsset, media_id)
        if asset is not None and asset.workspace_id == ctx.workspace_id:
            shown.append(asset)
    checks = [(name, contrast.ratio(colours[a], colours[b])) for name, a, b in (
        ("Text on background", "text", "background"), ("Background on primary (cards with a coloured ground)",
                                                       "background", "primary"))]
    can_analytics = ctx.can(Permission.ANALYTICS_READ)
    return render(request, "studio.html", ctx=ctx, section="studio", kit=kit, colours=colours,
                  font_choices=brand.font_choices(kit), templates_=cards.TEMPLATES, library=library,
                  networks=sorted(SPECS), spec_for=spec_for, made=shown, contrast_checks=checks,
                  aa=contrast.AA_TEXT, infographics=infographics.KINDS, channels=channels.list_channels(ctx),
                  goals=goals.list_goals(ctx) if can_analytics else [], can_analytics=can_analytics)


@router.post("/w/{workspace_id}/studio/brand")
@requires(Permission.WORKSPACE_ADMIN)
def save_brand(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        brand.update(ctx, colours={n: field(form, n) for n in brand.COLOUR_NAMES if field(form, n)},
                     heading_font=field(form, "heading_font") or None, body_font=field(form, "body_font") or None,
                     logo_media_id=field(form, "logo_media_id") or None, clear_logo=field(form, "logo_media_id") == "",
                     require_alt_text=field(form, "require_alt_text") == "1")
        return ["Brand kit saved."]

    return act(ctx, run, back=ws_url(ctx, "/studio"))


@router.post("/w/{workspace_id}/studio/fonts")
@requires(Permission.WORKSPACE_ADMIN)
def upload_font(ctx: Ctx, form: Form) -> Response:
    upload = form.get("font")

    def run() -> list[str]:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("Choose a .ttf or .otf font file to upload.")
        name = brand.upload_font(ctx, upload.filename, upload.file.read(fonts.MAX_FONT_BYTES + 1))
        return [f"Font uploaded: choose “{name}” as the heading or body font."]

    return act(ctx, run, back=ws_url(ctx, "/studio"))


@router.post("/w/{workspace_id}/studio/cards")
@requires(Permission.POSTS_WRITE)
def make_card(ctx: Ctx, form: Form) -> Response:
    made: list[str] = []

    def run() -> list[str]:
        name = field(form, "template")
        tpl = cards.template(name)
        values = {f.name: field(form, f"field_{f.name}") for f in tpl.fields}
        assets, warnings = brand.make_card(ctx, name, values, network=field(form, "network") or "instagram",
                                           size=field(form, "size") or None,
                                           photo_media_id=field(form, "photo_media_id") or None)
        made.extend(a.id for a in assets)
        return [f"{tpl.label} made: {', '.join(a.filename for a in assets)} — in the media library, with alt text.",
                *warnings]

    response = act(ctx, run, back=ws_url(ctx, "/studio"))
    if made:
        response.headers["location"] = ws_url(ctx, f"/studio?made={','.join(made)}")
    return response


@router.post("/w/{workspace_id}/studio/infographics")
@requires(Permission.POSTS_WRITE, Permission.ANALYTICS_READ)
def make_infographic(ctx: Ctx, form: Form) -> Response:
    made: list[str] = []
    back = field(form, "back") or ""

    def run() -> list[str]:
        asset = infographics.make(ctx, field(form, "kind"), channel_id=field(form, "channel_id") or None,
                                  goal_id=field(form, "goal_id") or None,
                                  network=field(form, "network") or "instagram")
        made.append(asset.id)
        return [f"{infographics.KINDS[field(form, 'kind')]} made: {asset.filename}, in the media library. "
                f"Alt text: {asset.alt_text}"]

    safe_back = back if back.startswith(f"/w/{ctx.workspace_id}/") else ws_url(ctx, "/studio")
    response = act(ctx, run, back=safe_back)
    if made:
        response.headers["location"] = ws_url(ctx, f"/studio?made={made[0]}")
    return response


@router.post("/w/{workspace_id}/media/{media_id}/alt-skip")
@requires(Permission.POSTS_WRITE)
def alt_skip(media_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        skipped = field(form, "skip", "1") != "0"
        asset = accessibility.skip(ctx, media_id, skipped)
        return [f"{asset.filename}: " + ("marked decorative, no alt text needed." if skipped else
                                         "alt text needed again.")]

    return act(ctx, run, back=ws_url(ctx, f"/media#media-{media_id}"))
