"""The Meta Marketing API endpoints socialdesk uses, on the Graph contract server (tests/contract/meta.py):
an ad account's campaigns, ad sets, ad creatives and ads (read, create, look up by name), status changes,
and daily insights. Each endpoint cites the page it follows; what those pages call wrong is refused with
Graph's documented error body.

    world = MetaWorld(); graph = meta_server(world); ads = install_marketing(graph)
    account = ads.add_account("111", currency="EUR")
    token = world.user_token(user_id, scopes=("ads_management", "ads_read"))

Insights are served synchronously (`GET /act_{id}/insights`), as the insights guide allows for small
reports; the asynchronous report-run flow (`POST …/insights` then polling `/{report_run_id}`) is not
served (socialdesk does not use it yet).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from fastapi import Request

from tests.contract.meta import Auth, GraphRefusal, MetaGraph, graph_error, invalid_parameter, paged, require

DOC_CAMPAIGNS = "https://developers.facebook.com/docs/marketing-api/reference/ad-account/campaigns/"
DOC_CAMPAIGN = "https://developers.facebook.com/docs/marketing-api/reference/ad-campaign-group/"
DOC_ADSETS = "https://developers.facebook.com/docs/marketing-api/reference/ad-account/adsets/"
DOC_CREATIVES = "https://developers.facebook.com/docs/marketing-api/reference/ad-account/adcreatives/"
DOC_ADS = "https://developers.facebook.com/docs/marketing-api/reference/ad-account/ads/"
DOC_AD = "https://developers.facebook.com/docs/marketing-api/reference/adgroup/"
DOC_INSIGHTS = "https://developers.facebook.com/docs/marketing-api/insights/"
DOC_BOOST = "https://developers.facebook.com/docs/marketing-api/ad-creative/object-story-id/"
DOC_REACH = "https://developers.facebook.com/docs/marketing-api/reference/ad-account/reachestimate/"
# The User node's adaccounts edge ("All ad accounts associated with this person", Marketing API reference
# root nodes: https://developers.facebook.com/docs/marketing-api/reference/v2.8); the edge's own page is
# https://developers.facebook.com/docs/graph-api/reference/user/adaccounts/. account_status 1 is ACTIVE,
# 2 DISABLED, 3 UNSETTLED … (Ad Account reference, https://developers.facebook.com/docs/marketing-api/reference/ad-account/).
DOC_USER_ADACCOUNTS = "https://developers.facebook.com/docs/graph-api/reference/user/adaccounts/"
DOC_RATE = "https://developers.facebook.com/docs/marketing-api/overview/rate-limiting/"

OBJECTIVES = {"OUTCOME_AWARENESS", "OUTCOME_TRAFFIC", "OUTCOME_ENGAGEMENT", "OUTCOME_LEADS", "OUTCOME_SALES",
              "OUTCOME_APP_PROMOTION"}
STATUSES = {"ACTIVE", "PAUSED"}


@dataclass
class Marketing:
    graph: MetaGraph
    # Insights rows per ad id: {"date_start", "spend", …} as the API answers.
    insights: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    usage_pct: float = 1.0  # what X-Ad-Account-Usage reports (acc_id_util_pct)
    # People per country the reach estimate counts from (a country not listed has 1,000,000).
    people: dict[str, int] = field(default_factory=dict)

    def add_account(self, number: str, *, currency: str = "EUR", name: str = "Brand ads",
                    users: list[str] | None = None, timezone_name: str = "Europe/Zagreb",
                    account_status: int = 1) -> dict[str, Any]:
        """An ad account; `users`: the people with a role on it (None: every user of the world)."""
        return self.graph.world.add("ad_account", {"name": name, "currency": currency, "account_id": number,
                                                   "timezone_name": timezone_name, "account_status": account_status,
                                                   "_users": users}, id=f"act_{number}")

    def of(self, kind: str, account_id: str) -> list[dict[str, Any]]:
        return self.graph.world.of_kind(kind, account=account_id)

    def add_daily(self, ad: dict[str, Any], day: date, **values: Any) -> None:
        row = {"date_start": day.isoformat(), "date_stop": day.isoformat(), "ad_id": ad["id"], "ad_name": ad["name"],
               **{k: str(v) if not isinstance(v, list) else v for k, v in values.items()}}
        self.insights.setdefault(ad["id"], []).append(row)


def _needs(auth: Auth, scope: str) -> None:
    if auth.token.kind != "user" or (auth.token.scopes and scope not in auth.token.scopes
                                     and "ads_management" not in auth.token.scopes):
        raise GraphRefusal(graph_error(f"(#200) Requires {scope} permission to manage the object", code=200))


def _filtered(items: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """`filtering=[{"field","operator","value"}]` (campaigns edge page, "Parameters"): EQUAL on name only."""
    if not params.get("filtering"):
        return items
    try:
        rules = json.loads(params["filtering"])
    except ValueError:
        raise GraphRefusal(invalid_parameter("Param filtering must be a JSON array")) from None
    for rule in rules:
        if rule.get("operator") != "EQUAL" or rule.get("field") not in ("name", "id"):
            raise GraphRefusal(invalid_parameter(f"Filtering field {rule.get('field')} with operation "
                                                 f"{rule.get('operator')} is not supported"))
        items = [i for i in items if str(i.get(rule["field"])) == str(rule.get("value"))]
    return items


def _public(obj: dict[str, Any], params: dict[str, Any], default: tuple[str, ...]) -> dict[str, Any]:
    wanted = [f.strip().split("{")[0] for f in str(params.get("fields") or "").split(",") if f.strip()] or default
    return {"id": obj["id"], **{k: obj[k] for k in wanted if k in obj and not k.startswith("_")}}


def install_marketing(graph: MetaGraph) -> Marketing:
    world = graph.world
    ads = Marketing(graph)

    def headers_with_usage() -> None:
        world.usage_headers = lambda token: {  # type: ignore[method-assign]
            "X-Ad-Account-Usage": json.dumps({"acc_id_util_pct": ads.usage_pct, "reset_time_duration": 120})}

    headers_with_usage()

    def reading(kind: str, default: tuple[str, ...]) -> Any:
        def handler(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
            _needs(auth, "ads_read")
            items = _filtered(ads.of(kind, obj["id"]), params)
            return paged([_public(i, params, default) for i in items], params)
        return handler

    @graph.edge("GET", "user", "adaccounts", doc=DOC_USER_ADACCOUNTS)
    def user_ad_accounts(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """The ad accounts this person has a role on; a user token of that person with ads_read or
        ads_management, else (#200)."""
        if auth.token.kind != "user" or auth.subject != obj["id"]:
            raise GraphRefusal(graph_error("(#200) Requires a user access token for this user", code=200))
        _needs(auth, "ads_read")
        mine = [a for a in world.of_kind("ad_account") if a.get("_users") is None or obj["id"] in a["_users"]]
        return paged([_public(a, params, ("id", "account_id")) for a in mine], params)

    graph.edge("GET", "ad_account", "campaigns", doc=DOC_CAMPAIGNS)(reading("campaign", ("id", "name")))
    graph.edge("GET", "ad_account", "adsets", doc=DOC_ADSETS)(reading("adset", ("id", "name")))
    graph.edge("GET", "ad_account", "adcreatives", doc=DOC_CREATIVES)(reading("adcreative", ("id", "name")))
    graph.edge("GET", "ad_account", "ads", doc=DOC_ADS)(reading("ad", ("id", "name")))

    @graph.edge("POST", "ad_account", "campaigns", doc=DOC_CAMPAIGNS)
    def create_campaign(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """name, objective (an OUTCOME_* value) and special_ad_categories are required."""
        _needs(auth, "ads_management")
        require(params, "name", "objective")
        if "special_ad_categories" not in params:
            raise GraphRefusal(invalid_parameter("The parameter special_ad_categories is required"))
        if params["objective"] not in OBJECTIVES:
            raise GraphRefusal(invalid_parameter(f"Param objective must be one of {sorted(OBJECTIVES)}"))
        status = params.get("status", "ACTIVE")
        if status not in STATUSES:
            raise GraphRefusal(invalid_parameter("Param status must be ACTIVE or PAUSED"))
        made = world.add("campaign", {"name": params["name"], "objective": params["objective"], "status": status,
                                      "effective_status": status, "account": obj["id"]})
        return {"id": made["id"]}

    @graph.edge("POST", "ad_account", "adsets", doc=DOC_ADSETS)
    def create_adset(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """campaign_id, billing_event, optimization_goal, targeting (with geo_locations) and a daily or
        lifetime budget (in the currency's minor unit) are required; end_time after start_time."""
        _needs(auth, "ads_management")
        require(params, "name", "campaign_id", "billing_event", "optimization_goal", "targeting")
        if not params.get("daily_budget") and not params.get("lifetime_budget"):
            raise GraphRefusal(invalid_parameter("Either daily_budget or lifetime_budget must be set"))
        if world.get(params["campaign_id"], "campaign") is None:
            raise GraphRefusal(invalid_parameter("Invalid campaign_id"))
        try:
            targeting = json.loads(params["targeting"])
            budget = int(params.get("daily_budget") or params["lifetime_budget"])
        except (ValueError, TypeError):
            raise GraphRefusal(invalid_parameter("Param targeting must be a JSON object and the budget an "
                                                 "integer in the currency's minor unit")) from None
        if not isinstance(targeting, dict) or not targeting.get("geo_locations"):
            raise GraphRefusal(graph_error("Invalid parameter", code=100, subcode=1487756,
                                           user_title="Location Is Required",
                                           user_msg="Please select a location for your ad set."))
        if budget < 100:
            raise GraphRefusal(graph_error("Invalid parameter", code=100, subcode=1885272,
                                           user_title="Budget Too Low", user_msg="The daily budget is too low."))
        if params.get("start_time") and params.get("end_time") and params["end_time"] <= params["start_time"]:
            raise GraphRefusal(invalid_parameter("The end time must be after the start time"))
        made = world.add("adset", {"name": params["name"], "campaign_id": params["campaign_id"],
                                   "daily_budget": str(budget), "targeting": targeting,
                                   "status": params.get("status", "ACTIVE"), "account": obj["id"]})
        return {"id": made["id"]}

    @graph.edge("POST", "ad_account", "adcreatives", doc=DOC_BOOST)
    def create_creative(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """A creative from an existing Page post: object_story_id = "{page_id}_{post_id}"."""
        _needs(auth, "ads_management")
        require(params, "name", "object_story_id")
        story = str(params["object_story_id"])
        if "_" not in story:
            raise GraphRefusal(invalid_parameter("object_story_id must be {page_id}_{post_id}"))
        made = world.add("adcreative", {"name": params["name"], "object_story_id": story, "account": obj["id"]})
        return {"id": made["id"]}

    @graph.edge("POST", "ad_account", "ads", doc=DOC_ADS)
    def create_ad(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _needs(auth, "ads_management")
        require(params, "name", "adset_id", "creative")
        if world.get(params["adset_id"], "adset") is None:
            raise GraphRefusal(invalid_parameter("Invalid adset_id"))
        try:
            creative = json.loads(params["creative"])
        except ValueError:
            raise GraphRefusal(invalid_parameter("Param creative must be a JSON object")) from None
        if world.get(str(creative.get("creative_id")), "adcreative") is None:
            raise GraphRefusal(invalid_parameter("Invalid creative_id"))
        status = params.get("status", "ACTIVE")
        made = world.add("ad", {"name": params["name"], "adset_id": params["adset_id"], "creative": creative,
                                "status": status, "effective_status": status, "account": obj["id"]})
        return {"id": made["id"]}

    def set_status(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """Updating `status` to ACTIVE or PAUSED (object reference pages, "Updating")."""
        _needs(auth, "ads_management")
        if params.get("status") not in STATUSES:
            raise GraphRefusal(invalid_parameter("Param status must be one of {ACTIVE, PAUSED}"))
        obj["status"] = obj["effective_status"] = params["status"]
        return {"success": True}

    graph.node("POST", "ad", doc=DOC_AD)(set_status)
    graph.node("POST", "campaign", doc=DOC_CAMPAIGN)(set_status)

    @graph.edge("GET", "ad_account", "reachestimate", doc=DOC_REACH)
    def reach_estimate(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """targeting_spec is required and must name countries; the answer is one AdAccountReachEstimate
        node in `data` with users_lower_bound / users_upper_bound (-1 for custom audiences Meta cannot
        estimate) and estimate_ready. The contract server's estimate: the countries' people, times the
        share of the 13–65 span the ages cover, halved for one gender, a tenth per interest group, the
        range ±15 %."""
        _needs(auth, "ads_read")
        try:
            spec = json.loads(params.get("targeting_spec") or "")
        except ValueError:
            raise GraphRefusal(invalid_parameter("Param targeting_spec must be a JSON object")) from None
        countries = ((spec or {}).get("geo_locations") or {}).get("countries") if isinstance(spec, dict) else None
        if not countries:
            raise GraphRefusal(invalid_parameter("targeting_spec: countries is required"))
        if spec.get("custom_audiences"):
            return {"data": {"users_lower_bound": -1, "users_upper_bound": -1, "estimate_ready": True}}
        people = sum(ads.people.get(c, 1_000_000) for c in countries)
        span = (int(spec.get("age_max", 65)) - int(spec.get("age_min", 18)) + 1) / (65 - 13 + 1)
        people = people * span * (0.5 if len(spec.get("genders") or [1, 2]) == 1 else 1.0)
        people *= 0.1 ** len(spec.get("flexible_spec") or [])
        return {"data": {"users_lower_bound": int(people * 0.85), "users_upper_bound": int(people * 1.15),
                         "estimate_ready": True}}

    @graph.edge("GET", "ad_account", "insights", doc=DOC_INSIGHTS)
    def insights(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """level=ad, time_increment=1 (one row per day), time_range={"since","until"} (both required
        together, at most 37 months back); paged like every edge."""
        _needs(auth, "ads_read")
        if params.get("level", "ad") != "ad":
            raise GraphRefusal(invalid_parameter("socialdesk's contract server serves level=ad only"))
        try:
            span = json.loads(params.get("time_range") or "{}")
            since, until = date.fromisoformat(span["since"]), date.fromisoformat(span["until"])
        except (ValueError, KeyError, TypeError):
            raise GraphRefusal(invalid_parameter("Param time_range must be {'since':'YYYY-MM-DD','until':"
                                                 "'YYYY-MM-DD'}")) from None
        if until < since or since < date.today() - timedelta(days=37 * 31):
            raise GraphRefusal(invalid_parameter("time_range is out of the allowed range"))
        ours = {a["id"] for a in ads.of("ad", obj["id"])} | set(ads.insights)
        rows = [dict(r, account_currency=obj["currency"]) for ad_id in sorted(ours)
                for r in ads.insights.get(ad_id, []) if since <= date.fromisoformat(r["date_start"]) <= until]
        return paged(rows, params)

    return ads
