"""The composer: new posts and edits, the live per-network check with previews, upload on the spot."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.comments import service as team_comments
from socialdesk.content import features as content_features
from socialdesk.content import service as content
from socialdesk.content.features import Features
from socialdesk.content.schemas import ChannelCheck
from socialdesk.core import inputs
from socialdesk.core.errors import DomainError
from socialdesk.links import shortlinks
from socialdesk.media import service as media
from socialdesk.media.models import MediaAsset
from socialdesk.strategy import platforms as strategy_platforms
from socialdesk.strategy import service as strategy
from socialdesk.strategy import suggest as pillar_suggest
from socialdesk.studio import service as studio
from socialdesk.web.deps import Ctx
from socialdesk.web.pages import writing as writing_panel
from socialdesk.web.pages.common import Form, attempt, partial, redirect, render, ws_url
from socialdesk.web.pages.compose_form import POLL_DURATIONS, REPEATS, ComposeForm, parse_intent
from socialdesk.web.pages.views import TIMEZONES
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
NOT_SAVED = "Nothing was saved: some channels need changes (marked in red on the right). Fix them and try again."


@dataclass(frozen=True)
class Preview:
    check: ChannelCheck
    channel: Channel
    text: str
    media: list[MediaAsset]
    # What the channel gets of the thread, poll, content warning and visibility (where it has them), and
    # its first comment: shown as the network shows them.
    features: Features = field(default_factory=Features)
    first_comment: str = ""
    poll_label: str = ""
    # Attached files a one-click fit would make acceptable here (studio), and the network to fit them for.
    fit_offers: list[MediaAsset] = field(default_factory=list)
    network: str = ""
    # What happens to each link when the post is saved (UTM tags, a short link), by the workspace's rules.
    links: list[shortlinks.LinkPreview] = field(default_factory=list)


def _compose_page(request: Request, ctx: WorkspaceContext, form: ComposeForm, *, post_id: str | None = None,
                  checks: list[ChannelCheck] | None = None, errors: list[str] | None = None,
                  status_code: int = 200, chosen_pillar: str | None = None) -> HTMLResponse:
    all_channels = channels.list_channels(ctx)
    return render(request, "compose.html", ctx=ctx, section="compose", form=form, post_id=post_id,
                  pillars=strategy.pillars(ctx) if ctx.can(Permission.POSTS_READ) else [], chosen_pillar=chosen_pillar,
                  channels=all_channels, caps={c.id: channels.capabilities(c) for c in all_channels},
                  library=media.list_media(ctx), timezones=TIMEZONES, repeats=REPEATS,
                  poll_durations=POLL_DURATIONS,
                  previews=_previews(ctx, form, checks) if checks else None, errors=errors, status_code=status_code,
                  **_comments(ctx, post_id))


def _comments(ctx: WorkspaceContext, post_id: str | None) -> dict[str, object]:
    """Editing a post: its team comments beside the preview."""
    if post_id is None:
        return {}
    return {"threads": team_comments.threads(ctx, post_id), "members": team_comments.members(ctx)}


def _previews(ctx: WorkspaceContext, form: ComposeForm, checks: list[ChannelCheck]) -> list[Preview]:
    by_id = {c.id: c for c in channels.list_channels(ctx)}
    assets = [media.get(ctx, m) for m in form.media_ids]
    data = form.to_post_in(content_only=True)
    post_extras = content_features.from_post_input(data)
    previews = []
    for check in checks:
        own = form.variants.get(check.channel_id, "")
        channel = by_id[check.channel_id]
        caps = channels.capabilities(channel)
        wanted = content_features.effective(post_extras, content_features.from_variant(
            data.variants.get(check.channel_id)))
        shown = Features(thread=wanted.thread if caps.threads else (), poll=wanted.poll if caps.polls else None,
                         content_warning=wanted.content_warning if caps.content_warnings else "",
                         visibility=wanted.visibility if caps.visibilities else None)
        comment = str(form.options.get(check.channel_id, {}).get("first_comment") or "").strip()
        seconds = str((shown.poll or {}).get("expires_in_seconds") or "")
        sent = studio.for_channel(ctx.session, ctx.workspace_id, assets, channel)
        media_problems = any(p.field == "media" and p.code not in ("media_required", "alt_text_missing")
                             for p in check.problems)
        offers = [a for a in sent if a.derived_from_id is None] if media_problems else []
        text, links = shortlinks.preview(ctx.session, ctx.workspace_id, channel,
                                         own if own.strip() else form.text, day=form.day or None)
        previews.append(Preview(check, channel, text, sent, shown,
                                comment if any(o.name == "first_comment" for o in caps.options) else "",
                                POLL_DURATIONS.get(seconds, f"{int(seconds) // 60} minutes" if seconds else ""),
                                offers, studio.target_of(channel), links))
    return previews


@router.get("/w/{workspace_id}/compose", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)  # a viewer sees the composer without its buttons
def new_post(request: Request, ctx: Ctx, day: str = "", channel: str = "") -> HTMLResponse:
    if day:
        inputs.parse_day(day, "day")
    form = ComposeForm(timezone=ctx.workspace.timezone, day=day, time="09:00" if day else "",
                       channel_ids=[channel] if channel else [])
    return _compose_page(request, ctx, form)


@router.get("/w/{workspace_id}/posts/{post_id}/edit", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)  # a viewer sees the composer without its buttons
def edit_post(request: Request, post_id: str, ctx: Ctx) -> HTMLResponse:
    post = content.to_out(ctx, [content.get_post(ctx, post_id)])[0]
    return _compose_page(request, ctx, ComposeForm.from_post(post), post_id=post_id,
                         chosen_pillar=strategy.pillar_id_of(ctx, post_id))


def _save(request: Request, ctx: WorkspaceContext, raw: FormData, post_id: str | None) -> Response:
    form = ComposeForm.from_form(raw)

    def save() -> content.SaveResult:
        saved = content.compose(ctx, form.to_post_in(parse_intent(str(raw.get("intent") or ""))), post_id)
        if "pillar" in raw:  # the field is there when the workspace has pillars; "" takes the post out
            strategy.tag_post(ctx, saved.post.id, str(raw.get("pillar") or "") or None)
        # The page's own timer; something odd in it leaves the effort uncounted, never the post unsaved.
        with contextlib.suppress(DomainError):
            strategy_platforms.record_effort(ctx, saved.post.id, str(raw.get("work_seconds") or "0"))
        return saved

    result, error = attempt(ctx.session, save)
    if error is None and result is not None:
        return redirect(ws_url(ctx, f"/posts/{result.post.id}"), notes=result.notes or ["Saved."])
    assert error is not None
    checks = _checks_after(ctx, form, error)
    # The check panel lists each channel's problems; the banner only says why nothing happened.
    per_channel = isinstance(error.details, dict) and "channels" in error.details
    message = NOT_SAVED if per_channel and checks else error.message
    return _compose_page(request, ctx, form, post_id=post_id, checks=checks, errors=[message],
                         status_code=error.status_code, chosen_pillar=str(raw.get("pillar") or "") or None)


def _checks_after(ctx: WorkspaceContext, form: ComposeForm, error: DomainError) -> list[ChannelCheck] | None:
    """The per-channel problems to show next to a refused save: from the error, else a fresh check."""
    failing = (error.details or {}).get("channels") if isinstance(error.details, dict) else None
    checks, _ = attempt(ctx.session, lambda: content.check(ctx, form.to_post_in(content_only=True)))
    if checks is None and failing:
        return [ChannelCheck(**c) for c in failing]
    return checks


@router.post("/w/{workspace_id}/compose")
@requires(Permission.POSTS_WRITE)
def create_post(request: Request, ctx: Ctx, raw: Form) -> Response:
    return _save(request, ctx, raw, None)


@router.post("/w/{workspace_id}/posts/{post_id}/edit")
@requires(Permission.POSTS_WRITE)
def update_post(request: Request, post_id: str, ctx: Ctx, raw: Form) -> Response:
    content.get_post(ctx, post_id)  # 404 before anything else for a post of another workspace
    return _save(request, ctx, raw, post_id)


@router.post("/w/{workspace_id}/compose/check", response_class=HTMLResponse)
@requires(Permission.POSTS_WRITE)
def check(request: Request, ctx: Ctx, raw: Form) -> HTMLResponse:
    """The live check: per channel, the count as the network counts, the problems, a preview."""
    form = ComposeForm.from_form(raw)
    checks = content.check(ctx, form.to_post_in(content_only=True))
    return partial(request, "partials/compose_checks.html", ctx=ctx, previews=_previews(ctx, form, checks),
                   compose_text=form.text, pillar_suggestion=_pillar_suggestion(ctx, form.text),
                   **writing_panel.composer_check(ctx, raw, form.text, form.channel_ids))


def _pillar_suggestion(ctx: WorkspaceContext, text: str) -> pillar_suggest.Suggestion | None:
    """The pillar the text seems to belong to; None without pillars (the composer then has no pillar field, and
    an out-of-band swap must have its target)."""
    suggestion = pillar_suggest.suggest(ctx, text)
    return None if suggestion.pillar is None and suggestion.note.startswith("no content pillars") else suggestion


@router.post("/w/{workspace_id}/compose/upload", response_class=HTMLResponse)
@requires(Permission.POSTS_WRITE)
def upload(request: Request, ctx: Ctx, raw: Form) -> HTMLResponse:
    """Upload from the composer: the new file joins the picker, ticked (app.js then runs the check again)."""
    form = ComposeForm.from_form(raw)
    upload = raw.get("upload")
    error = None
    if isinstance(upload, UploadFile) and upload.filename:
        file = upload.file  # spooled to disk past 1 MB: passed on as it is, never read into memory
        asset, error = attempt(ctx.session, lambda: media.upload(ctx, upload.filename or "upload", file))
        if asset is not None and asset.id not in form.media_ids:
            form.media_ids.append(asset.id)
    return partial(request, "partials/media_picker.html", ctx=ctx, library=media.list_media(ctx), form=form,
                   upload_error=error.message if error else None)
