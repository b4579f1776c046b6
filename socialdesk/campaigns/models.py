"""A campaign (one goal, one budget), what belongs to it, the ads it runs and their daily results.

Money is stored in millionths of the currency unit (`*_micros`, as Google Ads and Meta report cost),
so sums are exact and never drift by a cent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin

GOALS = ("awareness", "traffic", "engagement", "leads", "sales")
MEMBER_KINDS = ("post", "ad", "contest", "link")
SOURCES = ("import", "api", "sandbox")
MICROS = 1_000_000


class Campaign(IdMixin, TimestampMixin, Base):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(String(20), default="traffic")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    budget_micros: Mapped[int | None] = mapped_column(BigInteger)  # the total; None: no budget set
    # Per platform ("meta": micros, "google": micros, …); the parts need not add up to the total.
    platform_budgets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Target KPIs: {"ctr": 1.2, "cpc": 0.4, "roas": 3.0, "conversions": 100} (metric key → value).
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # UTM defaults for the campaign's links: {"utm_source": …, "utm_medium": …, "utm_campaign": …}.
    utm: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Orders and leads count for the campaign when their last click was at most this many days before them
    # (docs/ads.md, "Conversions from orders and leads").
    attribution_days: Mapped[int] = mapped_column(default=7, server_default="7")


class CampaignMember(IdMixin, Base):
    """A post, ad, contest or short link that belongs to a campaign (by its id in socialdesk)."""

    __tablename__ = "campaign_members"
    __table_args__ = (UniqueConstraint("campaign_id", "kind", "ref"),)

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(300), default="")


class Ad(IdMixin, TimestampMixin, Base):
    """One ad on one ad platform, as its reports name it."""

    __tablename__ = "ads"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "external_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"), index=True)
    platform: Mapped[str] = mapped_column(String(20))  # meta, google, linkedin, tiktok, x, vk, sandbox
    # The platform's ad id, or "name:<campaign>/<ad set>/<ad>" where the export has no id column.
    external_id: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(300), default="")
    platform_campaign: Mapped[str] = mapped_column(String(300), default="")  # the campaign's name there
    ad_set: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="")  # active, paused, … where known
    # The published post it promotes (a boosted post), where socialdesk made it.
    publication_id: Mapped[str | None] = mapped_column(ForeignKey("publications.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # targeting summary, bid, creative quality …


class AdResult(IdMixin, Base):
    """What one ad did over one reporting period (a day, as a rule: starts_on == ends_on)."""

    __tablename__ = "ad_results"
    __table_args__ = (UniqueConstraint("ad_id", "starts_on", "ends_on"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    ad_id: Mapped[str] = mapped_column(ForeignKey("ads.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    spend_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    reach: Mapped[int | None] = mapped_column(BigInteger)  # None: the platform did not report it
    clicks: Mapped[int | None] = mapped_column(BigInteger)  # all clicks
    link_clicks: Mapped[int | None] = mapped_column(BigInteger)
    conversions: Mapped[float | None]
    revenue_micros: Mapped[int | None] = mapped_column(BigInteger)
    video_views: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(10))  # import, api, sandbox
    import_label: Mapped[str] = mapped_column(String(300), default="")  # the file or job it came from


AD_REQUEST_KINDS = ("boost", "pause", "resume")


class AdRequestStatus:
    PENDING_APPROVAL = "pending_approval"  # waits for the workspace's approval steps, like a post
    QUEUED = "queued"  # approved (or needing no approval): a job will carry it out
    RUNNING = "running"  # a job is carrying it out (or died doing so: the next try looks up before making)
    DONE = "done"
    FAILED = "failed"  # the network refused it; `error` has its own words
    REJECTED = "rejected"


class AdRequest(IdMixin, TimestampMixin, Base):
    """Boosting a post, or pausing/resuming an ad: asked for, approved like a post, then carried out once
    by the `ad_request.execute` job (docs/ads.md, "Boosting behind approvals")."""

    __tablename__ = "ad_requests"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    publication_id: Mapped[str | None] = mapped_column(ForeignKey("publications.id", ondelete="SET NULL"))
    ad_id: Mapped[str | None] = mapped_column(ForeignKey("ads.id", ondelete="SET NULL"))  # paused/made
    # What to do: ad_account, daily_budget, days, targeting (a Graph targeting spec), audience name.
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The Meta token (ads_management), encrypted (core.crypto) until the request is done, then wiped.
    token_encrypted: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=AdRequestStatus.PENDING_APPROVAL, index=True)
    approval_step: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_by_label: Mapped[str] = mapped_column(String(200), default="")
    decided_by_label: Mapped[str] = mapped_column(String(200), default="")
    comment: Mapped[str] = mapped_column(Text, default="")  # the approver's (a rejection needs one)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")  # the network's own words, when it refused
    finished_at: Mapped[datetime | None]


class Audience(IdMixin, TimestampMixin, Base):
    """A saved audience: who a boost or a sandbox ad is shown to (docs/ads.md, "Saved audiences")."""

    __tablename__ = "ad_audiences"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # {"locations": ["HR", …], "age_min": 18, "age_max": 65, "genders": ["female"], "languages": ["hr"],
    #  "interests": ["coffee", "6003107902433:Coffee"], "custom_audiences": ["2384…"], "lookalikes": ["…"]}
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The last reach estimate: {"source": "meta"|"sandbox", "lower": n, "upper": n, "at": iso time}.
    estimate: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Conversion(IdMixin, Base):
    """One order or lead from the shop's/CRM's export (or a GA4 report row), with the UTM parameters of the
    click that brought it (docs/ads.md, "Conversions from orders and leads")."""

    __tablename__ = "ad_conversions"
    __table_args__ = (UniqueConstraint("workspace_id", "source", "external_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # orders (CSV), ga4
    external_id: Mapped[str] = mapped_column(String(300))  # the order/lead id, or a GA4 row's key
    kind: Mapped[str] = mapped_column(String(10), default="order")  # order, lead
    occurred_at: Mapped[datetime]
    clicked_at: Mapped[datetime | None]  # the click that brought it, where the export has it
    count: Mapped[float] = mapped_column(default=1.0)  # a GA4 row may hold several conversions
    revenue_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="")
    utm_source: Mapped[str] = mapped_column(String(200), default="")
    utm_medium: Mapped[str] = mapped_column(String(200), default="")
    utm_campaign: Mapped[str] = mapped_column(String(200), default="", index=True)
    utm_content: Mapped[str] = mapped_column(String(200), default="")
    import_label: Mapped[str] = mapped_column(String(300), default="")


class AdConnectionStatus:
    CHOOSING = "choosing"  # signed in with Meta; the ad accounts to use are not chosen yet
    CONNECTED = "connected"
    NEEDS_RECONNECTION = "needs_reconnection"  # Meta refused the token (error 190): sign in again


class MetaAdConnection(IdMixin, TimestampMixin, Base):
    """A workspace's Meta ad accounts connected through the Meta login (docs/ads.md, "Meta login for ad
    accounts"): the person's long-lived user token (ads_read, ads_management), encrypted, and the ad
    accounts chosen among those Meta listed. One per workspace; a pasted token still works beside it."""

    __tablename__ = "meta_ad_connections"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=AdConnectionStatus.CHOOSING)
    status_message: Mapped[str] = mapped_column(Text, default="")  # Meta's own words when it refused the token
    token_encrypted: Mapped[str] = mapped_column(Text, default="")  # core.crypto: {"token": …}
    token_expires_at: Mapped[datetime | None]
    # What /me/adaccounts listed: [{"id": "act_…", "name", "currency", "timezone_name", "account_status"}].
    offered: Mapped[list[Any]] = mapped_column(default=list)
    accounts: Mapped[list[Any]] = mapped_column(default=list)  # the chosen ones, same shape
    connected_by_label: Mapped[str] = mapped_column(String(200), default="")
