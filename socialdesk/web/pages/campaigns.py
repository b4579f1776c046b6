"""The campaigns pages: the list (with forms to start one and to import an ad report) and a campaign's
spend vs budget with pacing, paid metrics with intervals, targets, organic vs paid, and an A/B check."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from socialdesk.campaigns import ab, ad_accounts, ad_import, ad_requests, audiences, conversions, sandbox_ads, service
from socialdesk.campaigns.models import GOALS, Ad
from socialdesk.core.errors import DomainError, ValidationFailed
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, attempt, field, fields, redirect, render, ws_url
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


@router.get("/w/{workspace_id}/campaigns", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def campaigns_page(request: Request, ctx: Ctx) -> HTMLResponse:
    listed = service.list_campaigns(ctx)
    views = {}
    for c in listed:
        try:
            views[c.id] = service.view(ctx, c.id)
        except ValidationFailed:
            views[c.id] = None  # mixed currencies: its own page says so
    suggestion, suggest_error = None, None
    if request.query_params.get("suggest"):
        try:
            suggestion = audiences.suggest(ctx)
        except DomainError as exc:
            suggest_error = exc.message
    from socialdesk.channels.models import Channel

    sandbox = list(ctx.session.scalars(ctx.select(Channel).where(Channel.network == "sandbox").order_by(Channel.name)))
    connection = ad_accounts.get(ctx)
    # A/B of two published posts (service.compare_posts): ?pa=…&pb=…&pmetric=…
    pa, pb, pmetric = (request.query_params.get(k, "") for k in ("pa", "pb", "pmetric"))
    post_comparison, post_comparison_error = None, None
    if pa or pb:
        try:
            if not (pa and pb):
                raise ValidationFailed("Choose two posts, A and B.")
            post_comparison = service.compare_posts(ctx, pa, pb, pmetric or "engagement_rate")
        except DomainError as exc:
            post_comparison_error = exc.message
    page = render(request, "campaigns.html", ctx=ctx, section="campaigns", campaigns=listed, views=views,
                  goals=GOALS, audiences=audiences.list_audiences(ctx), suggestion=suggestion,
                  suggest_error=suggest_error, sandbox_channels=sandbox, ad_connection=connection,
                  ad_connection_expiring=connection is not None and ad_accounts.expires_soon(connection),
                  published=_published(ctx, limit=200), pa=pa, pb=pb, pmetric=pmetric or "engagement_rate",
                  post_metrics=service.POST_METRICS, post_comparison=post_comparison,
                  post_comparison_error=post_comparison_error)
    # "Connect with Meta" posts here and is redirected to Facebook's dialog (and only that, from this page).
    from socialdesk.networks.facebook.oauth import DIALOG_URL
    from socialdesk.web.headers import allow_form_targets

    allow_form_targets(page, DIALOG_URL)
    return page


@router.post("/w/{workspace_id}/ad-accounts/connect")
@requires(Permission.CHANNELS_MANAGE)
def connect_ad_accounts(request: Request, ctx: Ctx) -> Response:
    """"Connect with Meta": the Facebook login of the channels (channels/oauth.py), asking for ads_read and
    ads_management; it comes back to /oauth/callback and then to this page to choose the ad accounts."""
    from socialdesk.channels import oauth

    identity = getattr(request.state, "identity", None)
    user_session = identity.user_session if identity is not None else None
    redirect_uri = str(request.url_for("oauth_callback"))

    def begin() -> str:
        if user_session is None:
            raise ValidationFailed("Signing in with Meta needs a browser session; paste a token instead.")
        return oauth.start(ctx, user_session.id, "facebook", "", redirect_uri, purpose="meta_ads")

    url, error = attempt(ctx.session, begin)
    if error is not None or url is None:
        return redirect(ws_url(ctx, "/campaigns#ad-accounts"), errors=[error.message if error else "Not connected."])
    return RedirectResponse(url, status_code=303)


@router.post("/w/{workspace_id}/ad-accounts/choose")
@requires(Permission.CHANNELS_MANAGE)
def choose_ad_accounts(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        chosen = ad_accounts.choose(ctx, fields(form, "account"))
        return [f"Connected ad accounts: {', '.join(a['name'] for a in chosen.accounts)}."]

    return act(ctx, run, back=ws_url(ctx, "/campaigns#ad-accounts"))


@router.post("/w/{workspace_id}/ad-accounts/remove")
@requires(Permission.CHANNELS_MANAGE)
def remove_ad_accounts(ctx: Ctx) -> Response:
    def run() -> list[str]:
        ad_accounts.remove(ctx)
        return ["Meta ad accounts disconnected; the stored token is deleted (a pasted token still works)."]

    return act(ctx, run, back=ws_url(ctx, "/campaigns#ad-accounts"))


def _day(text: str, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"Give the {what} as a date (YYYY-MM-DD).") from None


def _amount(text: str, what: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise ValidationFailed(f"{what} is a number, not {text!r}.") from None


@router.post("/w/{workspace_id}/campaigns")
@requires(Permission.POSTS_WRITE)
def create_campaign(ctx: Ctx, form: Form) -> Response:
    created: list[str] = []

    def run() -> list[str]:
        targets = {k: v for k in ("roas", "cpc", "ctr", "cpa") if (v := _amount(field(form, f"target_{k}"), k))
                   is not None}
        campaign = service.create(
            ctx, name=field(form, "name"), goal=field(form, "goal", "traffic"),
            starts_on=_day(field(form, "starts_on"), "first day"), ends_on=_day(field(form, "ends_on"), "last day"),
            currency=field(form, "currency", "EUR") or "EUR", budget=_amount(field(form, "budget"), "The budget"),
            targets=targets, utm={k: field(form, k) for k in ("utm_source", "utm_medium", "utm_campaign")})
        created.append(campaign.id)
        return [f"Campaign {campaign.name} created."]

    response = act(ctx, run, back=ws_url(ctx, "/campaigns"))
    if created:
        response.headers["location"] = ws_url(ctx, f"/campaigns/{created[0]}")
    return response


@router.post("/w/{workspace_id}/campaigns/import")
@requires(Permission.POSTS_WRITE)
async def import_report(ctx: Ctx, form: Form) -> Response:
    upload = form.get("file")
    back = ws_url(ctx, "/campaigns")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return redirect(back, errors=["Choose the CSV or XLSX file exported from the ad platform."])
    data = await upload.read(ad_import.MAX_BYTES + 1)
    name = upload.filename

    def run() -> list[str]:
        parsed = ad_import.read(data, name, date_order=field(form, "date_order") or None,
                                decimal={"dot": ".", "comma": ","}.get(field(form, "decimal")),
                                currency=field(form, "currency").upper() or None)
        if parsed.errors:
            shown = "; ".join(parsed.errors[:8]) + (f"; … {len(parsed.errors) - 8} more" if len(parsed.errors) > 8
                                                     else "")
            raise ValidationFailed(f"{len(parsed.errors)} row error(s); nothing was imported: {shown}")
        outcome = service.import_export(ctx, parsed, label=name, campaign_id=field(form, "campaign_id") or None)
        return [f"{parsed.describe()}. Imported {outcome.rows} rows ({outcome.replaced} earlier rows replaced) "
                f"into {', '.join(outcome.campaigns)}."]

    return act(ctx, run, back=back)


@router.get("/w/{workspace_id}/campaigns/{campaign_id}", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def campaign_page(request: Request, campaign_id: str, ctx: Ctx) -> HTMLResponse:
    campaign = service.get(ctx, campaign_id)
    error = None
    try:
        shown = service.view(ctx, campaign.id)
    except ValidationFailed as exc:
        shown, error = None, exc.message
    a, b, metric = (request.query_params.get(k, "") for k in ("a", "b", "metric"))
    comparison, comparison_error = None, None
    if a and b:
        try:
            comparison = service.compare_ads(ctx, a, b, metric or "ctr")
        except DomainError as exc:
            comparison_error = exc.message
    from socialdesk.channels.models import Channel
    from socialdesk.networks.sandbox.vocabulary import TOPIC_NAMES

    sandbox_channels = list(ctx.session.scalars(ctx.select(Channel).where(Channel.network == "sandbox")
                                                .order_by(Channel.name))) if ctx.can(Permission.POSTS_WRITE) else []
    requests = ad_requests.of_campaign(ctx, campaign.id)
    return render(request, "campaign.html", ctx=ctx, section="campaigns", campaign=campaign, view=shown,
                  error=error, comparison=comparison, comparison_error=comparison_error, a=a, b=b,
                  metric=metric or "ctr", proportions=ab.PROPORTIONS, sandbox_channels=sandbox_channels,
                  topics=TOPIC_NAMES, play_money_left=sandbox_ads.play_money_left(ctx) if sandbox_channels else 0,
                  attributed=conversions.attribute(ctx, campaign.id), windows=(1, 7, 14, 28, 90),
                  ad_requests=[(r, ad_requests.describe(ctx, r)) for r in requests],
                  boostable=_boostable(ctx) if ctx.can(Permission.POSTS_WRITE) else [],
                  meta_ads=[a for a in (shown.ads if shown else []) if a.platform == "meta"],
                  ad_connection=ad_accounts.get(ctx),
                  saved_audiences=audiences.list_audiences(ctx))


def _boostable(ctx: WorkspaceContext) -> list[tuple[str, str]]:
    """Published Facebook Page posts (newest first): what a boost can promote."""
    return _published(ctx, network="facebook", limit=50)


def _published(ctx: WorkspaceContext, *, network: str | None = None, limit: int) -> list[tuple[str, str]]:
    """Published posts, newest first, as (publication id, "channel: text"), for the page's choices."""
    from socialdesk.channels.models import Channel
    from socialdesk.content.models import Post, Publication, PublicationStatus

    query = (select(Publication.id, Post.text, Channel.name, Publication.published_at)
             .join(Post, Post.id == Publication.post_id).join(Channel, Channel.id == Publication.channel_id)
             .where(Publication.workspace_id == ctx.workspace_id, Publication.status == PublicationStatus.PUBLISHED)
             .order_by(Publication.published_at.desc()).limit(limit))
    if network is not None:
        query = query.where(Channel.network == network)
    return [(pid, f"{name}: {' '.join(text.split())[:70]}") for pid, text, name, _ in ctx.session.execute(query)]


def _countries(text: str) -> list[str]:
    return [p.strip().upper() for p in text.split(",") if p.strip()]


@router.post("/w/{workspace_id}/campaigns/{campaign_id}/boost")
@requires(Permission.POSTS_WRITE)
def request_boost(campaign_id: str, ctx: Ctx, form: Form) -> Response:
    """Ask for a boost of a published Facebook post; it waits for the workspace's approvals (docs/ads.md)."""
    def run() -> list[str]:
        service.get(ctx, campaign_id)
        audience_id = field(form, "audience_id") or None
        targeting = None if audience_id else {
            "geo_locations": {"countries": _countries(field(form, "countries"))} if field(form, "countries") else {},
            "age_min": _int(field(form, "age_min"), "The youngest age", 18),
            "age_max": _int(field(form, "age_max"), "The oldest age", 65)}
        made = ad_requests.request_boost(
            ctx, campaign_id=campaign_id, publication_id=field(form, "publication_id"), token=field(form, "token"),
            ad_account=field(form, "ad_account"), daily_budget=_amount(field(form, "daily_budget"),
                                                                       "The daily budget") or 0.0,
            days=_int(field(form, "days"), "Days", 7), targeting=targeting, audience_id=audience_id)
        return [f"Boost asked for: {made.status.replace('_', ' ')}."]

    return act(ctx, run, back=ws_url(ctx, f"/campaigns/{campaign_id}"))


@router.post("/w/{workspace_id}/campaigns/{campaign_id}/ad-status")
@requires(Permission.POSTS_WRITE)
def request_ad_status(campaign_id: str, ctx: Ctx, form: Form) -> Response:
    """Ask to pause or resume a Meta ad of the campaign; approved like a boost."""
    def run() -> list[str]:
        service.get(ctx, campaign_id)
        ad = ctx.get(Ad, field(form, "ad_id"), what="ad")
        if ad.campaign_id != campaign_id:
            raise ValidationFailed("That ad is not in this campaign.")
        if field(form, "action") not in ("pause", "resume"):
            raise ValidationFailed("Choose pause or resume.")
        made = ad_requests.request_status(ctx, ad.id, token=field(form, "token"),
                                          active=field(form, "action") == "resume")
        return [f"{field(form, 'action').capitalize()} asked for: {made.status.replace('_', ' ')}."]

    return act(ctx, run, back=ws_url(ctx, f"/campaigns/{campaign_id}"))


@router.post("/w/{workspace_id}/ad-requests/{request_id}/approve")
@requires(Permission.POSTS_APPROVE)
def approve_ad_request(request_id: str, ctx: Ctx, form: Form) -> Response:
    return act(ctx, lambda: ad_requests.approve(ctx, request_id, field(form, "comment")),
               back=ws_url(ctx, "/approvals"))


@router.post("/w/{workspace_id}/ad-requests/{request_id}/reject")
@requires(Permission.POSTS_APPROVE)
def reject_ad_request(request_id: str, ctx: Ctx, form: Form) -> Response:
    return act(ctx, lambda: ad_requests.reject(ctx, request_id, field(form, "comment")),
               back=ws_url(ctx, "/approvals"))


@router.post("/w/{workspace_id}/campaigns/{campaign_id}/attribution")
@requires(Permission.POSTS_WRITE)
def set_attribution(campaign_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        days = _int(field(form, "days"), "The window", 7)
        conversions.set_window(ctx, campaign_id, days)
        return [f"Orders and leads now count when the last click came at most {days} days before them."]

    return act(ctx, run, back=ws_url(ctx, f"/campaigns/{campaign_id}"))


@router.post("/w/{workspace_id}/conversions/import")
@requires(Permission.POSTS_WRITE)
async def import_conversions(ctx: Ctx, form: Form) -> Response:
    """An orders/leads CSV with UTM parameters, or a GA4 report export (docs/ads.md)."""
    upload = form.get("file")
    back = ws_url(ctx, f"/campaigns/{field(form, 'campaign_id')}") if field(form, "campaign_id") \
        else ws_url(ctx, "/campaigns")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return redirect(back, errors=["Choose the orders/leads CSV or the GA4 export."])
    data = await upload.read(ad_import.MAX_BYTES + 1)
    name = upload.filename

    def run() -> list[str]:
        parsed = conversions.read(data, name, zone=ctx.workspace.timezone,
                                  currency=field(form, "currency").upper() or None,
                                  kind=field(form, "kind") or "order")
        new, replaced = conversions.save(ctx, parsed, label=name)
        return [f"{parsed.describe()}. {new} new, {replaced} replaced."]

    return act(ctx, run, back=back)


def _spec(form: Form) -> dict[str, object]:
    return {k: field(form, k) for k in ("locations", "age_min", "age_max", "genders", "languages", "interests",
                                        "custom_audiences", "lookalikes")}


@router.post("/w/{workspace_id}/audiences")
@requires(Permission.POSTS_WRITE)
def save_audience(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        saved = audiences.save(ctx, name=field(form, "name"), spec=_spec(form), notes=field(form, "notes"),
                               audience_id=field(form, "audience_id") or None)
        return [f"Audience {saved.name} saved."]

    return act(ctx, run, back=ws_url(ctx, "/campaigns#audiences"))


@router.post("/w/{workspace_id}/audiences/{audience_id}/delete")
@requires(Permission.POSTS_WRITE)
def delete_audience(audience_id: str, ctx: Ctx) -> Response:
    def run() -> list[str]:
        audiences.delete(ctx, audience_id)
        return ["Audience deleted."]

    return act(ctx, run, back=ws_url(ctx, "/campaigns#audiences"))


@router.post("/w/{workspace_id}/audiences/{audience_id}/estimate")
@requires(Permission.POSTS_WRITE)
def estimate_audience(audience_id: str, ctx: Ctx, form: Form) -> Response:
    """Estimated reach: the sandbox's count on a sandbox channel, or Meta's estimate for an ad account."""
    def run() -> list[str]:
        if field(form, "channel_id"):
            found = audiences.estimate_sandbox(ctx, audience_id, field(form, "channel_id"))
            return [f"The sandbox audience holds {found['lower']:,} people matching it."]
        found = audiences.estimate_meta(ctx, audience_id, token=field(form, "token"),
                                        ad_account=field(form, "ad_account"))
        return [f"Meta estimates {found['lower']:,}–{found['upper']:,} people."]

    return act(ctx, run, back=ws_url(ctx, "/campaigns#audiences"))


def _int(text: str, what: str, default: int) -> int:
    if not text:
        return default
    if not text.strip().isdigit():
        raise ValidationFailed(f"{what} is a whole number, not {text!r}.")
    return int(text)


@router.post("/w/{workspace_id}/campaigns/{campaign_id}/sandbox-ads")
@requires(Permission.POSTS_WRITE)
def create_sandbox_ad(campaign_id: str, ctx: Ctx, form: Form) -> Response:
    """A play-money ad on a sandbox channel's audience (docs/sandbox.md, "Ads")."""
    def run() -> list[str]:
        targeting = sandbox_ads.targeting_from({
            "locations": [p.strip().upper() if len(p.strip()) == 2 else p.strip()
                          for p in field(form, "locations").split(",") if p.strip()],
            "age_min": _int(field(form, "age_min"), "The youngest age", 18),
            "age_max": _int(field(form, "age_max"), "The oldest age", 65),
            "languages": [p.strip() for p in field(form, "languages").split(",") if p.strip()],
            "interests": [p.strip() for p in field(form, "interests").split(",") if p.strip()]})
        starts = _day(field(form, "starts_on"), "first day")
        if starts is None:
            raise ValidationFailed("Give the ad's first day.")
        ad = sandbox_ads.create(
            ctx, campaign_id=campaign_id, channel_id=field(form, "channel_id"), name=field(form, "name"),
            text=field(form, "text"), starts_on=starts, days=_int(field(form, "days"), "Days", 7),
            daily_budget=_amount(field(form, "daily_budget"), "The daily budget") or 0.0,
            bid_cpm=_amount(field(form, "bid_cpm"), "The bid") or 0.0, targeting=targeting,
            creative_quality=_amount(field(form, "quality"), "Creative quality") or 0.5)
        return [f"Sandbox ad {ad.name} created for an estimated audience of "
                f"{ad.details['estimated_audience']:,}; its results arrive as its days pass."]

    return act(ctx, run, back=ws_url(ctx, f"/campaigns/{campaign_id}"))
