"""Conversions and revenue from the shop's or CRM's own records, joined to campaigns by UTM and time:
an orders/leads CSV with UTM parameters, a GA4 report export, and the clicks on the campaign's short links
(docs/ads.md, "Conversions from orders and leads").

The attribution rule, stated on the campaign's page: **last click within N days** (N = the campaign's
`attribution_days`, 7 unless the user chooses 1–90). A conversion counts for the campaign when

1. its `utm_campaign` is the campaign's UTM campaign (its UTM default, else its name as a slug), and
2. its last click — the click time in the export where there is one; else the last day with a human click
   on one of the campaign's short links, on or before the conversion; else the conversion's own time (the
   UTM came with the visit that converted) — lies within the campaign's dates, and
3. the conversion came at most N days after that click.

GA4 rows are already attributed by GA4 (its session's campaign, last non-direct click); they are counted
on their day by rules 1–2. Metrics over the result (CPA, ROAS, ROI, conversion rate) are the analytics
definitions over days, with the same intervals as the ad platform's numbers, and never a ratio over zero.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from slugify import slugify
from sqlalchemy import select

from socialdesk.analytics.definitions import METRICS
from socialdesk.audit import service as audit
from socialdesk.campaigns import ad_import, service
from socialdesk.campaigns.metrics import MetricValue, estimate
from socialdesk.campaigns.models import MICROS, Campaign, Conversion
from socialdesk.core.errors import ValidationFailed
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

MAX_ROWS = 200_000
ATTRIBUTION_DAYS = (1, 90)
OWN_METRICS = ("cpa", "roas", "roi", "conversion_rate")

# Orders/leads CSV: the column names shops and CRMs use (lower-cased, spaces and dashes as "_").
ORDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("order_id", "order_number", "order", "lead_id", "id", "transaction_id", "name"),
    "occurred_at": ("created_at", "order_date", "date", "created", "time", "timestamp", "submitted_at",
                    "processed_at", "paid_at"),
    "clicked_at": ("click_time", "clicked_at", "landing_time", "session_start"),
    "revenue": ("revenue", "total", "total_price", "amount", "value", "order_total", "grand_total"),
    "currency": ("currency",),
    "kind": ("type", "kind"),
    "utm_source": ("utm_source",), "utm_medium": ("utm_medium",), "utm_campaign": ("utm_campaign",),
    "utm_content": ("utm_content",),
    "landing": ("landing_page", "landing_site", "landing_url", "url", "referring_url"),
}
# GA4 report export (Reports → Acquisition → Traffic acquisition, "Download file" → CSV): "#" comment lines,
# then a header of the report's dimension and metric names as the GA4 interface writes them.
GA4_COLUMNS: dict[str, tuple[str, ...]] = {
    "day": ("date",),
    "campaign": ("session campaign", "session manual campaign name", "campaign", "first user campaign"),
    "source_medium": ("session source / medium", "session manual source / medium", "source / medium"),
    "count": ("key events", "conversions"),
    "revenue": ("total revenue", "purchase revenue"),
}


def _key(header: object) -> str:
    return re.sub(r"[\s\-]+", "_", ad_import._text(header).lower().lstrip("\ufeff"))


@dataclass
class ParsedConversions:
    source: str  # orders | ga4
    rows: list[Conversion] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    currencies: set[str] = field(default_factory=set)

    def describe(self) -> str:
        kind = "GA4 report" if self.source == "ga4" else "orders/leads file"
        if not self.rows:
            return f"{kind}: no rows"
        first = min(r.occurred_at for r in self.rows).date()
        last = max(r.occurred_at for r in self.rows).date()
        return (f"{kind}: {len(self.rows)} rows, {first} to {last}; currency "
                f"{', '.join(sorted(self.currencies)) or 'none given'}")


def read(data: bytes, filename: str, *, zone: str = "UTC", currency: str | None = None,
         kind: str = "order") -> ParsedConversions:
    """Rows of an orders/leads CSV or a GA4 export (told apart by their headers); every bad row is an error,
    and nothing is kept of a file with errors."""
    if kind not in ("order", "lead"):
        raise ValidationFailed("A conversion is an order or a lead.")
    table = ad_import.table_of(data, filename)
    body = [r for r in table if r and not ad_import._text(r[0]).startswith("#")]
    while body and not any(ad_import._text(c) for c in body[0]):
        body.pop(0)
    if not body:
        raise ValidationFailed(f"{filename} has no header row.")
    header = [ad_import._text(c).lower().lstrip("\ufeff") for c in body[0]]
    if len(body) - 1 > MAX_ROWS:
        raise ValidationFailed(f"{filename} has more than {MAX_ROWS:,} rows; export a shorter period.")
    tz = ZoneInfo(zone)
    if any(h in GA4_COLUMNS["campaign"] for h in header):
        return _read_ga4(table, header, body[1:], tz, currency)
    return _read_orders([_key(h) for h in header], body[1:], tz, currency, kind)


def _columns(header: list[str], names: dict[str, tuple[str, ...]]) -> dict[str, int]:
    found = {}
    for field_name, options in names.items():
        for option in options:
            if option in header:
                found[field_name] = header.index(option)
                break
    return found


def _when(cell: object, tz: ZoneInfo, order: str) -> datetime:
    """An order's time: ISO date-time (with or without offset; without, in the workspace's zone), or a date
    (noon local)."""
    if isinstance(cell, datetime):
        return (cell if cell.tzinfo else cell.replace(tzinfo=tz)).astimezone(UTC)
    text = ad_import._text(cell)
    if re.fullmatch(r"\d{8}", text):  # GA4's Date: 20261103
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", text):
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", "+00:00"))
        return (stamp if stamp.tzinfo else stamp.replace(tzinfo=tz)).astimezone(UTC)
    return datetime.combine(ad_import.parse_date(text, order), time(12), tz).astimezone(UTC)


def _read_orders(header: list[str], rows: list[list[object]], tz: ZoneInfo, currency: str | None,
                 kind: str) -> ParsedConversions:
    out = ParsedConversions("orders")
    columns = _columns(header, ORDER_COLUMNS)
    missing = [n for n in ("id", "occurred_at") if n not in columns]
    if missing:
        names = " or ".join(ORDER_COLUMNS[missing[0]][:4])
        raise ValidationFailed(f"The file has no {missing[0].replace('_', ' ')} column ({names}); found: "
                               f"{', '.join(header[:12])}.")
    if "utm_campaign" not in columns and "landing" not in columns:
        raise ValidationFailed("The file has neither a utm_campaign column nor a landing page URL with UTM "
                               "parameters: socialdesk cannot tell which campaign brought each order.")
    cell = {name: (lambda row, i=i: row[i] if i < len(row) else None) for name, i in columns.items()}
    texts = [ad_import._text(cell["revenue"](r)) for r in rows] if "revenue" in columns else []
    decimal = ad_import.detect_decimal(texts, ".")
    dates = [ad_import._text(cell["occurred_at"](r)) for r in rows]
    order = ad_import.detect_date_order([d for d in dates if not re.match(r"^\d{4}-", d)])
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        if not any(ad_import._text(c) for c in row):
            continue
        try:
            ident = ad_import._text(cell["id"](row))
            if not ident:
                raise ValueError("no order/lead id")
            if ident in seen:
                raise ValueError(f"order/lead {ident} appears twice")
            seen.add(ident)
            try:
                occurred = _when(cell["occurred_at"](row), tz, order)
            except ValueError:
                raise ValueError(f"the date {ad_import._text(cell['occurred_at'](row))!r} is not a date") from None
            clicked = None
            if "clicked_at" in columns and ad_import._text(cell["clicked_at"](row)):
                clicked = _when(cell["clicked_at"](row), tz, order)
            revenue = 0.0
            if "revenue" in columns:
                try:
                    revenue = ad_import.number(cell["revenue"](row), decimal) or 0.0
                except ValueError:
                    raise ValueError(f"revenue {ad_import._text(cell['revenue'](row))!r} is not a number") from None
                if revenue < 0:
                    raise ValueError("revenue is negative (refunds are left out of this file)")
            utm = {k: ad_import._text(cell[k](row)) if k in columns else "" for k in
                   ("utm_source", "utm_medium", "utm_campaign", "utm_content")}
            if "landing" in columns:
                query = parse_qs(urlsplit(ad_import._text(cell["landing"](row))).query)
                for k in utm:
                    utm[k] = utm[k] or (query.get(k) or [""])[0]
            row_currency = (ad_import._text(cell["currency"](row)).upper() if "currency" in columns else "") or \
                (currency or "").upper()
            if revenue and not re.fullmatch(r"[A-Z]{3}", row_currency):
                raise ValueError("no currency: add a currency column or give one (--currency EUR)")
            row_kind = ad_import._text(cell["kind"](row)).lower() if "kind" in columns else kind
            if row_kind not in ("order", "lead"):
                raise ValueError(f"type {row_kind!r} is neither order nor lead")
        except ValueError as exc:
            out.errors.append(f"row {line}: {exc}")
            continue
        if row_currency:
            out.currencies.add(row_currency)
        out.rows.append(Conversion(source="orders", external_id=ident[:300], kind=row_kind, occurred_at=occurred,
                                   clicked_at=clicked, count=1.0, revenue_micros=round(revenue * MICROS),
                                   currency=row_currency, **{k: v[:200] for k, v in utm.items()}))
    return out


def _read_ga4(table: list[list[object]], header: list[str], rows: list[list[object]], tz: ZoneInfo,
              currency: str | None) -> ParsedConversions:
    out = ParsedConversions("ga4")
    columns = _columns(header, GA4_COLUMNS)
    if "count" not in columns:
        raise ValidationFailed("The GA4 export has no Key events (or Conversions) column; add it to the report.")
    end = None
    for row in table:
        text = ad_import._text(row[0]) if row else ""
        if m := re.match(r"#\s*End date:\s*(\d{8})", text):
            end = m.group(1)
    if "day" not in columns and end is None:
        raise ValidationFailed("The GA4 export has neither a Date column nor its '# End date:' line; add Date "
                               "as a dimension.")
    for line, row in enumerate(rows, start=2):
        values = [ad_import._text(c) for c in row]
        if not any(values) or values[0].lower().startswith(("grand total", "total")):
            continue
        try:
            day = values[columns["day"]] if "day" in columns else end
            occurred = _when(day, tz, "iso")
            campaign = values[columns["campaign"]]
            source, _, medium = (values[columns["source_medium"]] if "source_medium" in columns else "").partition(
                " / ")
            count = ad_import.number(values[columns["count"]], ".") or 0.0
            revenue = (ad_import.number(values[columns["revenue"]], ".") or 0.0) if "revenue" in columns else 0.0
        except (ValueError, IndexError):
            out.errors.append(f"row {line}: not a GA4 report row ({', '.join(values[:4])})")
            continue
        if campaign in ("(not set)", "(direct)", "(organic)", "(referral)") or (not count and not revenue):
            continue
        if revenue and not currency:
            out.errors.append(f"row {line}: GA4 exports carry no currency: give the property's (--currency EUR)")
            continue
        if currency:
            out.currencies.add(currency.upper())
        out.rows.append(Conversion(source="ga4", external_id=f"{occurred.date()}|{campaign}|{source}/{medium}"[:300],
                                   kind="order" if revenue else "lead", occurred_at=occurred, count=count,
                                   revenue_micros=round(revenue * MICROS), currency=(currency or "").upper(),
                                   utm_source=source[:200], utm_medium=medium[:200], utm_campaign=campaign[:200]))
    return out


def save(ctx: WorkspaceContext, parsed: ParsedConversions, *, label: str) -> tuple[int, int]:
    """Store the rows; a row already imported (same source and id) is replaced, never doubled.
    Returns (new, replaced)."""
    ctx.require(Permission.POSTS_WRITE)
    if parsed.errors:
        raise ValidationFailed(f"{len(parsed.errors)} row error(s); nothing was imported: "
                               + "; ".join(parsed.errors[:8]))
    existing = {c.external_id: c for c in ctx.session.scalars(ctx.select(Conversion).where(
        Conversion.source == parsed.source,
        Conversion.external_id.in_([r.external_id for r in parsed.rows])))} if parsed.rows else {}
    new = replaced = 0
    for row in parsed.rows:
        old = existing.get(row.external_id)
        if old is not None:
            for name in ("kind", "occurred_at", "clicked_at", "count", "revenue_micros", "currency", "utm_source",
                         "utm_medium", "utm_campaign", "utm_content"):
                setattr(old, name, getattr(row, name))
            old.import_label = label[:300]
            replaced += 1
        else:
            row.workspace_id, row.import_label = ctx.workspace_id, label[:300]
            ctx.session.add(row)
            new += 1
    ctx.session.flush()
    audit.record(ctx, "ads.conversions_imported", "workspace", ctx.workspace_id,
                 f"Imported {new} conversions ({replaced} replaced) from {label[:100]}")
    return new, replaced


def set_window(ctx: WorkspaceContext, campaign_id: str, days: int) -> Campaign:
    ctx.require(Permission.POSTS_WRITE)
    if not ATTRIBUTION_DAYS[0] <= days <= ATTRIBUTION_DAYS[1]:
        raise ValidationFailed(f"The attribution window is {ATTRIBUTION_DAYS[0]} to {ATTRIBUTION_DAYS[1]} days.")
    campaign = service.get(ctx, campaign_id)
    campaign.attribution_days = days
    audit.record(ctx, "campaign.attribution", "campaign", campaign.id, f"Attribution: last click within {days} days")
    return campaign


# Attribution -----------------------------------------------------------------------------------------------


def utm_campaign_of(campaign: Campaign) -> str:
    return (campaign.utm or {}).get("utm_campaign") or slugify(campaign.name)


def rule_text(campaign: Campaign) -> str:
    n = campaign.attribution_days
    return (f"Last click within {n} day{'s' if n != 1 else ''}: an order or lead with utm_campaign="
            f"{utm_campaign_of(campaign)} counts when its last click (from the export, else the campaign's "
            f"short-link clicks, else the visit itself) fell within the campaign's dates and came at most {n} "
            f"day{'s' if n != 1 else ''} before it.")


@dataclass
class Attributed:
    rule: str
    days: int
    utm_campaign: str
    orders: int
    leads: int
    conversions: float
    revenue: float
    currency: str | None
    outside_window: int  # matching UTM, but the click was too long before (or outside the campaign)
    short_link_clicks: int | None  # None: the campaign has no short links
    spend: float
    metrics: dict[str, MetricValue]
    error: str = ""  # e.g. currencies that do not match the ad spend

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "days": self.days, "utm_campaign": self.utm_campaign, "orders": self.orders,
                "leads": self.leads, "conversions": self.conversions, "revenue": round(self.revenue, 6),
                "currency": self.currency, "outside_window": self.outside_window,
                "short_link_clicks": self.short_link_clicks, "spend": round(self.spend, 6), "error": self.error,
                "metrics": {k: m.as_dict() for k, m in self.metrics.items()}}


def _campaign_link_clicks(ctx: WorkspaceContext, campaign: Campaign, utm_campaign: str) -> dict[date, int] | None:
    """Human clicks per day on the campaign's short links: its link members and every short link whose
    destination carries its utm_campaign."""
    from socialdesk.links import shortlinks
    from socialdesk.links.models import LinkClickDay, ShortLink

    codes = {shortlinks.code_from_url(m.ref) for m in service.members(ctx, campaign) if m.kind == "link"}
    links = [link for link in ctx.session.scalars(ctx.select(ShortLink))
             if link.code in codes or (parse_qs(urlsplit(link.destination_url).query).get("utm_campaign") or [""])[0]
             .lower() == utm_campaign.lower()]
    if not links:
        return None
    by_day: dict[date, int] = defaultdict(int)
    for row in ctx.session.scalars(select(LinkClickDay).where(LinkClickDay.workspace_id == ctx.workspace_id,
                                                              LinkClickDay.link_id.in_([x.id for x in links]))):
        by_day[row.day] += row.clicks  # people only: the redirect counts bots apart (bot_clicks)
    return by_day


def attribute(ctx: WorkspaceContext, campaign_id: str) -> Attributed:
    """The campaign's orders and leads by the stated rule, and CPA/ROAS/ROI/conversion rate over them."""
    ctx.require(Permission.ANALYTICS_READ)
    campaign = service.get(ctx, campaign_id)
    utm_campaign = utm_campaign_of(campaign)
    n = campaign.attribution_days
    tz = ZoneInfo(ctx.workspace.timezone)
    clicks_by_day = _campaign_link_clicks(ctx, campaign, utm_campaign)
    click_days = sorted(d for d, c in (clicks_by_day or {}).items() if c > 0)
    starts = campaign.starts_on or date.min
    ends = campaign.ends_on or date.max
    candidates = ctx.session.scalars(ctx.select(Conversion).where(
        Conversion.utm_campaign.ilike(utm_campaign.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_"),
                                      escape="\\")))
    kept: list[Conversion] = []
    outside = 0
    for conv in candidates:
        local = conv.occurred_at.astimezone(tz)
        if conv.clicked_at is not None:
            click_day, gap = conv.clicked_at.astimezone(tz).date(), conv.occurred_at - conv.clicked_at
        else:
            earlier = [d for d in click_days if d <= local.date()]
            click_day = earlier[-1] if earlier else local.date()
            gap = timedelta(days=(local.date() - click_day).days)
        if starts <= click_day <= ends and timedelta(0) <= gap <= timedelta(days=n):
            kept.append(conv)
        else:
            outside += 1
    rows = service.results_rows(ctx, [a.id for a in service.ads_of(ctx, campaign)])
    spend_currencies = {r.currency for r in rows}
    conv_currencies = {c.currency for c in kept if c.currency and c.revenue_micros}
    error = ""
    if spend_currencies and conv_currencies and conv_currencies != spend_currencies:
        error = (f"The orders are in {', '.join(sorted(conv_currencies))} and the ad spend in "
                 f"{', '.join(sorted(spend_currencies))}; socialdesk does not convert currencies, so ROAS, ROI "
                 "and CPA from orders are not computed.")
    days: dict[date, dict[str, float | None]] = defaultdict(lambda: {"spend": 0.0, "conversions": 0.0,
                                                                     "revenue": 0.0, "clicks": None})
    for r in rows:
        days[r.starts_on]["spend"] = (days[r.starts_on]["spend"] or 0.0) + r.spend_micros / MICROS
    for c in kept:
        day = days[c.occurred_at.astimezone(tz).date()]
        day["conversions"] = (day["conversions"] or 0.0) + c.count
        day["revenue"] = (day["revenue"] or 0.0) + c.revenue_micros / MICROS
    if clicks_by_day is not None:
        for d in list(days) + list(clicks_by_day):
            days[d]["clicks"] = float(clicks_by_day.get(d, 0))
    inputs = []
    for d in sorted(days):
        one = dict(days[d])
        one["ad_profit"] = (one["revenue"] or 0.0) - (one["spend"] or 0.0)
        inputs.append(one)
    metrics = {} if error or not rows else {k: estimate(METRICS[k], inputs) for k in OWN_METRICS}
    if error:
        metrics = {k: MetricValue(METRICS[k], None, missing="currencies differ") for k in OWN_METRICS}
    elif not rows:  # no ad results at all: a cost of 0 per order would be a claim, not a measurement
        metrics = {k: MetricValue(METRICS[k], None, missing="no ad results: no spend to set the orders against")
                   for k in OWN_METRICS}
    elif clicks_by_day is None:
        metrics["conversion_rate"] = MetricValue(METRICS["conversion_rate"], None,
                                                 missing="the campaign has no short links to count clicks on")
    return Attributed(rule=rule_text(campaign), days=n, utm_campaign=utm_campaign,
                      orders=sum(1 for c in kept if c.kind == "order"), leads=sum(1 for c in kept if c.kind == "lead"),
                      conversions=sum(c.count for c in kept), revenue=sum(c.revenue_micros for c in kept) / MICROS,
                      currency=next(iter(conv_currencies)) if len(conv_currencies) == 1 else None,
                      outside_window=outside, short_link_clicks=sum((clicks_by_day or {}).values())
                      if clicks_by_day is not None else None,
                      spend=sum(r.spend_micros for r in rows) / MICROS, metrics=metrics, error=error)
