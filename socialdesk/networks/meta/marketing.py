"""Meta's Marketing API: ad account objects, daily insights, boosting a published Page post, pausing
and resuming an ad (docs/ads.md, "Meta Marketing API").

Why the Graph client (graph.py) and not the official `facebook-business` SDK: the SDK can be pointed at
another base (its `FacebookSession.GRAPH` attribute), but it sends every call through `requests` with
its own session, past socialdesk's outbound policy (socialdesk/networks/outbound.py) and past the one
sorting of Graph errors into transient, rate-limited, permanent and "outcome unknown" that the
publisher's exactly-once rule depends on. The Marketing API calls used here are plain Graph GETs and
form POSTs, so they go through the same `GraphClient`, at SOCIALDESK_META_GRAPH_URL.

Exactly once without an idempotency key: every object a boost creates carries a name that includes the
boost's own key (`socialdesk boost <key> · campaign|ad set|creative|ad`). Before creating one, and again
after a call whose answer was lost (OutcomeUnknown), the client looks the name up on the ad account
(`filtering=[{"field":"name","operator":"EQUAL",…}]`) and reuses what it finds, so a retry never makes a
second campaign, ad set or ad.

Rate limits: besides Graph's error codes (graph.error_for), the ad account's `X-Ad-Account-Usage`
(`acc_id_util_pct`) and `X-Business-Use-Case-Usage` (`call_count`, `total_time`, `total_cputime`) are
read after every answer; at USAGE_STOP % the client stops with RateLimited (retry after the header's
`reset_time_duration` / `estimated_time_to_regain_access`) instead of running into the throttle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from socialdesk.networks.base import OutcomeUnknown, RateLimited
from socialdesk.networks.meta.graph import GraphClient, usage, usage_retry_after

USAGE_STOP = 95.0
INSIGHT_FIELDS = ("ad_id", "ad_name", "adset_name", "campaign_id", "campaign_name", "account_currency", "spend",
                  "impressions", "reach", "frequency", "clicks", "inline_link_clicks", "ctr", "cpc", "cpm",
                  "actions", "action_values", "video_play_actions")
AD_FIELDS = ("id", "name", "status", "effective_status", "adset_id", "campaign_id", "creative")
ATTRIBUTION = ["7d_click", "1d_view"]  # Meta's default attribution setting, stated with every import


@dataclass(frozen=True)
class BoostRequest:
    key: str  # socialdesk's id for this boost (the publication's): it names every object made
    page_id: str
    post_id: str  # the Page post's id as Graph gives it ("{page_id}_{post_id}")
    daily_budget_minor: int  # in the account currency's minor unit (cents), as the API takes it
    start_time: str  # ISO 8601
    end_time: str
    targeting: dict[str, Any]  # Graph targeting spec: geo_locations, age_min, age_max, locales, interests
    objective: str = "OUTCOME_ENGAGEMENT"


@dataclass(frozen=True)
class Boost:
    campaign_id: str
    adset_id: str
    creative_id: str
    ad_id: str


def _account(ad_account_id: str) -> str:
    return ad_account_id if ad_account_id.startswith("act_") else f"act_{ad_account_id}"


class MarketingClient:
    def __init__(self, access_token: str, ad_account_id: str, *, base_url: str | None = None,
                 version: str | None = None) -> None:
        self.graph = GraphClient(access_token, base_url=base_url, version=version, site="Meta Ads")
        self.account = _account(ad_account_id)

    def close(self) -> None:
        self.graph.close()

    def __enter__(self) -> MarketingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- rate limits -----------------------------------------------------------------------------------

    def _check_usage(self) -> None:
        found = usage(self.graph.last_headers)
        highest = 0.0
        account = found.get("x-ad-account-usage")
        if isinstance(account, dict):
            highest = max(highest, float(account.get("acc_id_util_pct") or 0))
        business = found.get("x-business-use-case-usage")
        if isinstance(business, dict):
            for entries in business.values():
                for entry in entries if isinstance(entries, list) else [entries]:
                    if isinstance(entry, dict):
                        highest = max([highest] + [float(entry.get(k) or 0) for k in
                                                   ("call_count", "total_time", "total_cputime")])
        if highest >= USAGE_STOP:
            raise RateLimited(f"The Meta ad account has used {highest:.0f} % of its API allowance; socialdesk "
                              "waits before calling again.", retry_after=usage_retry_after(self.graph.last_headers)
                              or 300.0)

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        body = self.graph.get(path, params)
        self._check_usage()
        return body

    def _pages(self, path: str, params: dict[str, Any], max_pages: int = 50) -> Iterator[dict[str, Any]]:
        query = dict(params)
        for _ in range(max_pages):
            body = self._get(path, query) or {}
            yield from (item for item in body.get("data") or [] if isinstance(item, dict))
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not after or not paging.get("next"):
                return
            query["after"] = after

    # -- reading -----------------------------------------------------------------------------------------

    def campaigns(self) -> list[dict[str, Any]]:
        return list(self._pages(f"{self.account}/campaigns", {
            "fields": "id,name,objective,status,effective_status,daily_budget,lifetime_budget,start_time,stop_time",
            "limit": 100}))

    def ad_sets(self) -> list[dict[str, Any]]:
        return list(self._pages(f"{self.account}/adsets", {
            "fields": "id,name,campaign_id,status,daily_budget,lifetime_budget,start_time,end_time,targeting",
            "limit": 100}))

    def ads(self) -> list[dict[str, Any]]:
        return list(self._pages(f"{self.account}/ads", {"fields": ",".join(AD_FIELDS), "limit": 100}))

    def daily_insights(self, since: date, until: date) -> list[dict[str, Any]]:
        """One row per ad and day from `since` to `until` (incremental: ask from the last day imported)."""
        return list(self._pages(f"{self.account}/insights", {
            "level": "ad", "time_increment": 1, "fields": ",".join(INSIGHT_FIELDS),
            "time_range": json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
            "action_attribution_windows": json.dumps(ATTRIBUTION), "limit": 100}))

    def reach_estimate(self, targeting: dict[str, Any]) -> dict[str, Any]:
        """`GET act_{id}/reachestimate?targeting_spec=…`: users_lower_bound, users_upper_bound (-1 where Meta
        gives none) and estimate_ready (https://developers.facebook.com/docs/marketing-api/reference/ad-account/
        reachestimate/)."""
        body = self._get(f"{self.account}/reachestimate", {"targeting_spec": json.dumps(targeting)}) or {}
        data = body.get("data")
        if isinstance(data, list):
            data = data[0] if data else {}
        return data if isinstance(data, dict) else {}

    # -- boosting ------------------------------------------------------------------------------------------

    def _find(self, edge: str, name: str) -> str | None:
        filtering = json.dumps([{"field": "name", "operator": "EQUAL", "value": name}])
        for item in self._pages(f"{self.account}/{edge}", {"fields": "id,name", "filtering": filtering}, 2):
            if item.get("name") == name:
                return str(item["id"])
        return None

    def _create_once(self, edge: str, name: str, data: dict[str, Any]) -> str:
        """Create `name` on `edge` unless it exists; after a lost answer, look again before anything else."""
        found = self._find(edge, name)
        if found:
            return found
        try:
            body = self.graph.post(f"{self.account}/{edge}", {"name": name, **data})
        except OutcomeUnknown:
            found = self._find(edge, name)
            if found:
                return found
            raise
        return str(body["id"])

    def boost(self, request: BoostRequest) -> Boost:
        stem = f"socialdesk boost {request.key}"
        campaign = self._create_once("campaigns", f"{stem} · campaign", {
            "objective": request.objective, "status": "PAUSED", "special_ad_categories": []})
        adset = self._create_once("adsets", f"{stem} · ad set", {
            "campaign_id": campaign, "daily_budget": request.daily_budget_minor, "billing_event": "IMPRESSIONS",
            "optimization_goal": "POST_ENGAGEMENT", "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
            "start_time": request.start_time, "end_time": request.end_time, "targeting": request.targeting,
            "status": "PAUSED"})
        creative = self._create_once("adcreatives", f"{stem} · creative", {"object_story_id": request.post_id})
        ad = self._create_once("ads", f"{stem} · ad", {"adset_id": adset, "creative": {"creative_id": creative},
                                                       "status": "PAUSED"})
        return Boost(campaign, adset, creative, ad)

    def set_status(self, object_id: str, status: str) -> None:
        """Pause or resume a campaign, ad set or ad (the same status twice is harmless)."""
        if status not in ("ACTIVE", "PAUSED"):
            raise ValueError("status is ACTIVE or PAUSED")
        self.graph.post(object_id, {"status": status}, creates=False)
