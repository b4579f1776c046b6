"""Fitting one library file to the workspace's networks: how each crops it, and a fitted copy in one click."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.core.errors import ValidationFailed
from socialdesk.media import service as media
from socialdesk.studio import fitting
from socialdesk.studio import service as studio
from socialdesk.studio.specs import SPECS, parse_aspect, spec_for
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, attempt, field, partial, render, ws_url
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


@router.get("/w/{workspace_id}/media/{media_id}/fit", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def fit_page(request: Request, media_id: str, ctx: Ctx, network: str = "") -> HTMLResponse:
    asset = studio.original_of(ctx, media.get(ctx, media_id))
    networks = studio.workspace_networks(ctx)
    if network and network in SPECS and network not in networks:
        networks.append(network)
    return render(request, "studio_fit.html", ctx=ctx, section="media", asset=asset,
                  fits=studio.review(ctx, asset.id, networks), all_networks=sorted(SPECS),
                  modes=fitting.MODES, spec_for=spec_for)


def _request(form: Form) -> fitting.FitRequest:
    try:
        aspect = field(form, "aspect")
        colour = field(form, "background") or "#ffffff"
        width = field(form, "max_width")
        return fitting.FitRequest(
            mode=field(form, "mode") or "auto", aspect=parse_aspect(aspect) if aspect else None,
            focal=(float(field(form, "focal_x") or 0.5), float(field(form, "focal_y") or 0.5)),
            background="blur" if field(form, "pad_with") == "blur" else colour,
            max_width=int(width) if width else None)
    except ValueError as exc:
        message = str(exc) if "could not convert" not in str(exc) and "invalid literal" not in str(exc) else (
            "The focal point and the width are numbers, e.g. 0.5 and 1080.")
        raise ValidationFailed(message) from None


def _network(form: Form) -> str:
    network = field(form, "network")
    if network not in SPECS:
        raise ValidationFailed(f"Choose a network to fit for: {', '.join(sorted(SPECS))}.")
    return network


@router.post("/w/{workspace_id}/media/{media_id}/fit")
@requires(Permission.POSTS_WRITE)
def fit(request: Request, media_id: str, ctx: Ctx, form: Form) -> Response:
    """One click (mode auto) or a chosen crop, pad or resize. From the composer (htmx) the answer is a line
    that replaces the button; from the fit page, back to the page with what was done."""
    if request.headers.get("HX-Request"):
        return _fit_inline(request, media_id, ctx, form)

    def run() -> list[str]:
        copy = studio.fit(ctx, media_id, _network(form), _request(form))
        return [f"Fitted for {spec_for(copy.fitted_for or '').label}: {copy.fit_note}. The copy is what "
                f"{spec_for(copy.fitted_for or '').label} channels get; the original is kept."]

    return act(ctx, run, back=ws_url(ctx, f"/media/{media_id}/fit"))


def _fit_inline(request: Request, media_id: str, ctx: WorkspaceContext, form: Form) -> HTMLResponse:
    copy, error = attempt(ctx.session, lambda: studio.fit(ctx, media_id, _network(form), _request(form)))
    return partial(request, "partials/fit_result.html", ctx=ctx, copy=copy, error=error,
                   label=spec_for(field(form, "network")).label)


@router.post("/w/{workspace_id}/media/{media_id}/focal")
@requires(Permission.POSTS_WRITE)
def focal_point(media_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        try:
            x, y = float(field(form, "focal_x")), float(field(form, "focal_y"))
        except ValueError:
            raise ValidationFailed("The focal point is two numbers from 0 to 1, e.g. 0.5 and 0.3.") from None
        studio.set_focal_point(ctx, media_id, x, y)
        return [f"Focal point set to {x:.0%} across, {y:.0%} down: crops keep it in the frame."]

    return act(ctx, run, back=ws_url(ctx, f"/media/{media_id}/fit"))
