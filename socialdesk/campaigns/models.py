"""A campaign (one goal, one budget), what belongs to it, the ads it runs and their daily results.

Money is stored in millionths of the currency unit (`*_micros`, as Google Ads and Meta report cost),
so sums are exact and never drift by a cent.
"""

from __future__ import annotations

from datetime import date
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
