"""Ads on Meta through the Marketing API: import an ad account's ads and daily insights into a campaign,
boost a published Facebook Page post, pause and resume (docs/ads.md, "Meta Marketing API").

The token is a user token with `ads_read` (import) and `ads_management` (boost, pause, resume), pasted
or, when none is given, the workspace's Meta login (campaigns/ad_accounts.py). A stored token that Meta
refuses (error 190) marks that connection as needing reconnection, in a transaction of its own once the
caller's has ended (committed or rolled back: the refusal is raised as an error, which rolls it back), so
the mark stays whatever happens to the caller's and never waits on its locks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete

from socialdesk.audit import service as audit
from socialdesk.campaigns import ad_accounts, service
from socialdesk.campaigns.insights import result_of
from socialdesk.campaigns.models import Ad, AdResult
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.core.errors import ServiceUnavailable, ValidationFailed
from socialdesk.networks.base import AuthError, NetworkError
from socialdesk.networks.meta.marketing import ATTRIBUTION, BoostRequest, MarketingClient
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission


@contextmanager
def client_for(ctx: WorkspaceContext, token: str, ad_account: str) -> Iterator[MarketingClient]:
    """`marketing` with the pasted token, or the workspace's Meta login when no token is given."""
    token, ad_account, stored = ad_accounts.credentials(ctx, token, ad_account)
    with marketing(token, ad_account, stored_for=ctx if stored else None) as client:
        yield client


def _mark_when_done(ctx: WorkspaceContext, message: str) -> None:
    """Mark the workspace's Meta login for reconnection as soon as the caller's transaction ends."""
    from sqlalchemy import event

    from socialdesk.core.db import get_database

    session, workspace_id, fired = ctx.session, ctx.workspace_id, []

    def mark(_session: object) -> None:
        if fired:
            return
        fired.append(True)
        with get_database().unit_of_work() as own:
            ad_accounts.mark_needs_reconnection(own, workspace_id, message)

    event.listen(session, "after_commit", mark, once=True)
    event.listen(session, "after_rollback", mark, once=True)


@contextmanager
def marketing(token: str, ad_account: str, *, stored_for: WorkspaceContext | None = None,
              ) -> Iterator[MarketingClient]:
    """A Marketing API client whose failures read as Meta's own words (never a traceback). `stored_for`:
    the workspace whose Meta login gave the token (marked for reconnection if Meta refuses it)."""
    if not token.strip() or not ad_account.strip():
        raise ValidationFailed("Give a Meta token (ads_read / ads_management) and the ad account id.")
    try:
        with MarketingClient(token.strip(), ad_account.strip()) as client:
            yield client
    except AuthError as exc:
        if stored_for is not None:
            _mark_when_done(stored_for, exc.network_message)
            raise ValidationFailed(f"Meta Ads: {exc.network_message} The Meta ad account connection needs "
                                   "reconnecting (campaigns page).") from None
        raise ValidationFailed(f"Meta Ads: {exc.network_message}") from None
    except NetworkError as exc:
        if exc.transient:
            raise ServiceUnavailable(f"Meta Ads: {exc.network_message} (try again later)") from None
        raise ValidationFailed(f"Meta Ads: {exc.network_message}") from None


def import_insights(ctx: WorkspaceContext, *, token: str = "", ad_account: str = "", since: date, until: date,
                    campaign_id: str | None = None) -> int:
    """Daily insights of every ad of the account from `since` to `until`; the days fetched replace what was
    stored for them (so importing again, or from the last day imported on, never doubles)."""
    ctx.require(Permission.POSTS_WRITE)
    if until < since:
        raise ValidationFailed("The period ends before it starts.")
    chosen = service.get(ctx, campaign_id) if campaign_id else None
    token, ad_account, stored = ad_accounts.credentials(ctx, token, ad_account)
    with marketing(token, ad_account, stored_for=ctx if stored else None) as client:
        statuses = {a["id"]: a.get("effective_status") or a.get("status", "") for a in client.ads()}
        rows = client.daily_insights(since, until)
    ads: dict[str, Ad] = {a.external_id: a for a in ctx.session.scalars(ctx.select(Ad).where(Ad.platform == "meta"))}
    for row in rows:
        ad_id = str(row["ad_id"])
        ad = ads.get(ad_id)
        if ad is None:
            ad = Ad(workspace_id=ctx.workspace_id, platform="meta", external_id=ad_id, name=row.get("ad_name", ad_id),
                    platform_campaign=row.get("campaign_name", ""), ad_set=row.get("adset_name", ""),
                    details={"attribution": ATTRIBUTION, "ad_account": ad_account})
            ctx.session.add(ad)
            ads[ad_id] = ad
        if chosen is not None:
            ad.campaign_id = chosen.id
        ad.status = str(statuses.get(ad_id, ad.status)).lower()
    ctx.session.flush()
    touched = {ads[str(r["ad_id"])].id for r in rows}
    if touched:
        ctx.session.execute(delete(AdResult).where(AdResult.workspace_id == ctx.workspace_id,
                                                   AdResult.ad_id.in_(touched), AdResult.starts_on >= since,
                                                   AdResult.ends_on <= until))
    for row in rows:
        ctx.session.add(result_of(row, workspace_id=ctx.workspace_id, ad_id=ads[str(row["ad_id"])].id,
                                  currency=str(row.get("account_currency") or "EUR"), source="api",
                                  label=f"Marketing API {ad_account}"))
    ctx.session.flush()
    audit.record(ctx, "ads.api_imported", "campaign", chosen.id if chosen else None,
                 f"Imported {len(rows)} daily insight rows from {ad_account}")
    return len(rows)


def boost(ctx: WorkspaceContext, *, campaign_id: str, publication_id: str, token: str = "", ad_account: str = "",
          daily_budget: float, days: int, targeting: dict[str, Any], starts: datetime | None = None) -> Ad:
    """Boost a published Facebook Page post: campaign → ad set → creative → ad, each made exactly once
    (looked up by name before any retry). The ad is created paused; `set_status` starts it."""
    ctx.require(Permission.POSTS_PUBLISH)
    campaign = service.get(ctx, campaign_id)
    publication, channel = check_boost(ctx, publication_id=publication_id, daily_budget=daily_budget, days=days,
                                       targeting=targeting)
    existing = ctx.session.scalars(ctx.select(Ad).where(Ad.platform == "meta", Ad.publication_id == publication.id,
                                                        Ad.campaign_id == campaign.id)).first()
    if existing is not None:
        return existing  # boosted already: the same boost is never made twice
    start = starts or datetime.combine(service.today_in(ctx) + timedelta(days=1), time(0))
    post_id = publication.external_id if "_" in publication.external_id else \
        f"{channel.external_id}_{publication.external_id}"
    request = BoostRequest(key=publication.id, page_id=channel.external_id, post_id=post_id,
                           daily_budget_minor=round(daily_budget * 100), start_time=start.isoformat(),
                           end_time=(start + timedelta(days=days)).isoformat(), targeting=targeting)
    token, ad_account, stored = ad_accounts.credentials(ctx, token, ad_account)
    with marketing(token, ad_account, stored_for=ctx if stored else None) as client:
        made = client.boost(request)
    ad = Ad(workspace_id=ctx.workspace_id, campaign_id=campaign.id, platform="meta", external_id=made.ad_id,
            name=f"Boost: {publication.id}", platform_campaign=made.campaign_id, ad_set=made.adset_id,
            status="paused", publication_id=publication.id,
            details={"ad_account": ad_account, "campaign_id": made.campaign_id, "adset_id": made.adset_id,
                     "creative_id": made.creative_id, "daily_budget": daily_budget, "days": days,
                     "targeting": targeting, "attribution": ATTRIBUTION})
    ctx.session.add(ad)
    ctx.session.flush()
    service.add_member(ctx, campaign.id, "ad", ad.id, ad.name)
    audit.record(ctx, "ads.boosted", "campaign", campaign.id, f"Boosted publication {publication.id} on Meta",
                 ad_id=made.ad_id)
    return ad


def check_boost(ctx: WorkspaceContext, *, publication_id: str, daily_budget: float, days: int,
                targeting: dict[str, Any]) -> tuple[Publication, Any]:
    """What a boost needs before any call: a published Facebook Page post, sane days and budget, a place."""
    from socialdesk.channels.models import Channel

    publication = ctx.get(Publication, publication_id, what="publication")
    if publication.status != PublicationStatus.PUBLISHED or not publication.external_id:
        raise ValidationFailed("Only a published post can be boosted.")
    channel = ctx.get(Channel, publication.channel_id, what="channel")
    if channel.network != "facebook":
        raise ValidationFailed("Boosting through the Marketing API works for Facebook Page posts.")
    if not 1 <= days <= 90 or not 1 <= daily_budget <= 100_000:
        raise ValidationFailed("Boost for 1 to 90 days with a daily budget of 1 to 100,000.")
    if not targeting.get("geo_locations"):
        raise ValidationFailed("Choose where the boost is shown (at least one country).")
    return publication, channel


def set_status(ctx: WorkspaceContext, ad_id: str, *, token: str = "", active: bool) -> Ad:
    ctx.require(Permission.POSTS_PUBLISH)
    ad = ctx.get(Ad, ad_id, what="ad")
    if ad.platform != "meta":
        raise ValidationFailed("Only Meta ads are paused and resumed from socialdesk.")
    with client_for(ctx, token, ad.details.get("ad_account", "")) as client:
        client.set_status(ad.external_id, "ACTIVE" if active else "PAUSED")
    ad.status = "active" if active else "paused"
    audit.record(ctx, "ads.resumed" if active else "ads.paused", "campaign", ad.campaign_id,
                 f"Ad {ad.name} {'resumed' if active else 'paused'}")
    return ad
