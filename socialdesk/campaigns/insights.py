"""Rows in the shape of Meta's Insights API (`date_start`, `spend`, `impressions`, `actions` …) as ad
results: the Marketing API import and the sandbox auction both give this shape."""

from __future__ import annotations

from datetime import date
from typing import Any

from socialdesk.campaigns.models import MICROS, AdResult

# The action types counted as conversions, best first (the first one present is used).
CONVERSION_ACTIONS = ("offsite_conversion.fb_pixel_purchase", "purchase", "omni_purchase", "lead",
                      "offsite_conversion.fb_pixel_lead")


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


def _action(actions: list[dict[str, Any]] | None) -> float | None:
    if actions is None:
        return None
    by_type = {a.get("action_type"): _number(a.get("value")) for a in actions}
    for kind in CONVERSION_ACTIONS:
        if kind in by_type:
            return by_type[kind]
    return 0.0


def result_of(row: dict[str, Any], *, workspace_id: str, ad_id: str, currency: str, source: str,
              label: str) -> AdResult:
    spend = _number(row.get("spend")) or 0.0
    revenue = _action(row.get("action_values", []))
    views = row.get("video_play_actions")
    return AdResult(
        workspace_id=workspace_id, ad_id=ad_id, starts_on=date.fromisoformat(row["date_start"]),
        ends_on=date.fromisoformat(row.get("date_stop") or row["date_start"]), currency=currency,
        spend_micros=round(spend * MICROS), impressions=int(_number(row.get("impressions")) or 0),
        reach=_int(row.get("reach")), clicks=_int(row.get("clicks")), link_clicks=_int(row.get("inline_link_clicks")),
        conversions=_action(row.get("actions", [])),
        revenue_micros=None if revenue is None else round(revenue * MICROS),
        video_views=int(sum(float(v.get("value", 0)) for v in views)) if views else None,
        source=source, import_label=label)


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else round(number)
