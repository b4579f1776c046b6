"""`socialdesk ads …`: campaigns, ad report imports, summaries and A/B comparisons (docs/ads.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from socialdesk.cli import WorkspaceOpt, _context, _table, console, err
from socialdesk.cli_help import PlainHelpGroup

ads_app = typer.Typer(help="Campaigns and paid social: import ad reports, budgets and pacing, ROAS, A/B tests.",
                      no_args_is_help=True, cls=PlainHelpGroup)
CampaignOpt = Annotated[str, typer.Option("--campaign", "-c", help="The campaign's name or id")]


def _day(value: str | None, what: str) -> date | None:
    from socialdesk.core.errors import ValidationFailed

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{what} {value!r}: write the date as YYYY-MM-DD.") from None


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    from socialdesk.core.errors import ValidationFailed

    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValidationFailed(f"{what} {item!r} must look like key=value.")
        out[key.strip()] = value.strip()
    return out


def _floats(items: dict[str, str], what: str) -> dict[str, float]:
    from socialdesk.core.errors import ValidationFailed

    try:
        return {k: float(v) for k, v in items.items()}
    except ValueError:
        raise ValidationFailed(f"{what}: each value must be a number.") from None


@ads_app.command("import")
def ads_import(workspace: WorkspaceOpt,
               file: Annotated[Path, typer.Option("--file", "-f", help="The CSV or XLSX export")],
               campaign: Annotated[str | None, typer.Option(
                   "--campaign", "-c", help="Put every ad of the file in this campaign (default: the campaign of "
                                            "the same name, created if missing)")] = None,
               fmt: Annotated[str | None, typer.Option(
                   "--format", help="meta, google, linkedin, tiktok, x or vk (default: recognised by the columns)")
               ] = None,
               decimal: Annotated[str | None, typer.Option(help="'dot' (1,234.56) or 'comma' (1.234,56), where "
                                                                "the file does not tell")] = None,
               date_order: Annotated[str | None, typer.Option(help="dmy or mdy, where the dates do not tell")] = None,
               currency: Annotated[str | None, typer.Option(help="The currency, where the file does not name "
                                                                 "it (EUR, USD …)")] = None,
               dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file and say what would be "
                                                                      "imported; save nothing")] = False) -> None:
    """Import an ad platform's report export; every row is checked first and nothing is saved on an error."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from socialdesk.campaigns import ad_import, service

    marks = {"dot": ".", "comma": ",", None: None}
    if decimal not in marks:
        raise typer.BadParameter("--decimal is 'dot' or 'comma'.")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True,
                  disable=not err.is_terminal) as progress:
        task = progress.add_task(f"Reading {file.name}", total=None)
        parsed = ad_import.read_file(file, fmt=fmt, decimal=marks[decimal], date_order=date_order,
                                     currency=currency.upper() if currency else None)
        progress.update(task, description="Checking rows")
    console.print(f"Detected: {parsed.describe()}", highlight=False, soft_wrap=True)
    if parsed.errors:
        err.print(f"[red]{len(parsed.errors)} row error(s); nothing was imported:[/red]", highlight=False)
        for line in parsed.errors[:50]:
            err.print(f"  {line}", highlight=False, soft_wrap=True, markup=False)
        if len(parsed.errors) > 50:
            err.print(f"  … and {len(parsed.errors) - 50} more", highlight=False)
        raise typer.Exit(2)
    if dry_run:
        console.print("Dry run: nothing saved.")
        return
    with _context(workspace) as ctx:
        chosen = service.find(ctx, campaign).id if campaign else None
        outcome = service.import_export(ctx, parsed, label=file.name, campaign_id=chosen)
    console.print(f"Imported {outcome.rows} rows ({outcome.replaced} earlier rows of the same ads and days "
                  f"replaced, {outcome.ads_created} new ads) into: {', '.join(outcome.campaigns)}",
                  highlight=False, soft_wrap=True)
    for name in outcome.campaigns_created:
        console.print(f"Created campaign {name!r}: set its goal, dates and budget with `socialdesk ads "
                      f"campaign-edit`.", highlight=False, soft_wrap=True)


@ads_app.command("summary")
def ads_summary(workspace: WorkspaceOpt, campaign: CampaignOpt,
                as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Spend, impressions, clicks, conversions, CPC, CPM, CTR, ROAS (and the rest) of a campaign."""
    from socialdesk.campaigns import service

    with _context(workspace) as ctx:
        from socialdesk.campaigns import conversions

        found = service.find(ctx, campaign)
        shown = service.view(ctx, found.id)
        data = shown.summary()
        attributed = conversions.attribute(ctx, found.id)
        data["orders"] = attributed.as_dict()  # from the shop's own orders/leads (docs/ads.md)
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    table = _table("value", "95 % interval / note", "formula")
    table.columns[0].header = "measure"
    cur = data["currency"]
    for key in ("spend", "impressions", "reach", "clicks", "link_clicks", "conversions", "revenue"):
        value = data[key]
        table.add_row(key.replace("_", " "), "not available" if value is None else f"{value:,.2f}", "", "")
    for mv in shown.results.metrics.values():
        table.add_row(mv.metric.label, mv.text, mv.interval_text or mv.missing, mv.metric.formula)
    for mv in attributed.metrics.values():
        table.add_row(f"{mv.metric.label} from orders", mv.text, mv.interval_text or mv.missing, mv.metric.formula)
    console.print(f"{found.name} ({cur}) — pacing: {shown.pacing.text}", highlight=False)
    console.print(table)
    console.print(f"Orders and leads: {attributed.rule}", highlight=False, soft_wrap=True)


@ads_app.command("campaigns")
def ads_campaigns(workspace: WorkspaceOpt,
                  as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """The workspace's campaigns."""
    from socialdesk.campaigns import service

    with _context(workspace) as ctx:
        rows = [{"id": c.id, "name": c.name, "goal": c.goal, "starts_on": c.starts_on and c.starts_on.isoformat(),
                 "ends_on": c.ends_on and c.ends_on.isoformat(), "currency": c.currency,
                 "budget": None if c.budget_micros is None else c.budget_micros / 1_000_000}
                for c in service.list_campaigns(ctx)]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = _table("name", "goal", "dates", "budget")
    for r in rows:
        budget = "—" if r["budget"] is None else f"{r['budget']:,.2f} {r['currency']}"
        table.add_row(r["id"], r["name"], r["goal"], f"{r['starts_on'] or '?'} – {r['ends_on'] or '?'}", budget)
    console.print(table)


def _campaign_fields(goal: str | None, starts: str | None, ends: str | None, budget: float | None,
                     currency: str | None, platform_budget: list[str] | None, target: list[str] | None,
                     utm: list[str] | None) -> dict[str, object]:
    fields: dict[str, object] = {}
    if goal is not None:
        fields["goal"] = goal
    if starts is not None:
        fields["starts_on"] = _day(starts, "--starts")
    if ends is not None:
        fields["ends_on"] = _day(ends, "--ends")
    if budget is not None:
        fields["budget"] = budget
    if currency is not None:
        fields["currency"] = currency
    if platform_budget:
        fields["platform_budgets"] = _floats(_pairs(platform_budget, "--platform-budget"), "--platform-budget")
    if target:
        fields["targets"] = _floats(_pairs(target, "--target"), "--target")
    if utm:
        fields["utm"] = _pairs(utm, "--utm")
    return fields


GoalOpt = Annotated[str | None, typer.Option(help="awareness, traffic, engagement, leads or sales")]
StartsOpt = Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD")]
EndsOpt = Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD")]
BudgetOpt = Annotated[float | None, typer.Option(help="The total budget")]
CurrencyOpt = Annotated[str | None, typer.Option(help="EUR, USD …")]
PlatformBudgetOpt = Annotated[list[str] | None, typer.Option(help="platform=amount, e.g. meta=600 (repeatable)")]
TargetOpt = Annotated[list[str] | None, typer.Option(help="metric=value, e.g. roas=3 or cpc=0.4 (repeatable)")]
UtmOpt = Annotated[list[str] | None, typer.Option(help="utm_source=…, utm_medium=…, utm_campaign=… (repeatable)")]


@ads_app.command("campaign-create")
def campaign_create(workspace: WorkspaceOpt, name: Annotated[str, typer.Option(help="What the team calls it")],
                    goal: GoalOpt = "traffic", starts: StartsOpt = None, ends: EndsOpt = None,
                    budget: BudgetOpt = None, currency: CurrencyOpt = "EUR",
                    platform_budget: PlatformBudgetOpt = None, target: TargetOpt = None,
                    utm: UtmOpt = None) -> None:
    """Create a campaign with its goal, dates, budget, target KPIs and UTM defaults."""
    from socialdesk.campaigns import service

    fields = _campaign_fields(goal, starts, ends, budget, currency, platform_budget, target, utm)
    with _context(workspace) as ctx:
        created = service.create(ctx, name=name, **fields)  # type: ignore[arg-type]
        console.print(f"Created campaign {created.id} ({created.name})", highlight=False)


@ads_app.command("campaign-edit")
def campaign_edit(workspace: WorkspaceOpt, campaign: CampaignOpt,
                  name: Annotated[str | None, typer.Option(help="A new name")] = None,
                  goal: GoalOpt = None, starts: StartsOpt = None, ends: EndsOpt = None, budget: BudgetOpt = None,
                  currency: CurrencyOpt = None, platform_budget: PlatformBudgetOpt = None, target: TargetOpt = None,
                  utm: UtmOpt = None) -> None:
    """Change a campaign (only what is given changes)."""
    from socialdesk.campaigns import service

    fields = _campaign_fields(goal, starts, ends, budget, currency, platform_budget, target, utm)
    if name is not None:
        fields["name"] = name
    with _context(workspace) as ctx:
        changed = service.update(ctx, service.find(ctx, campaign).id, **fields)
        console.print(f"Campaign {changed.name} saved.", highlight=False)


@ads_app.command("add")
def campaign_add(workspace: WorkspaceOpt, campaign: CampaignOpt,
                 kind: Annotated[str, typer.Option(help="post, ad, contest or link")],
                 ref: Annotated[str, typer.Option(help="The post's, ad's or contest's id, or the link")]) -> None:
    """Add a post, ad, contest or short link to a campaign."""
    from socialdesk.campaigns import service

    with _context(workspace) as ctx:
        service.add_member(ctx, service.find(ctx, campaign).id, kind, ref)
    console.print(f"Added the {kind} to the campaign.")


# The options both A/B commands take.
ComparisonsOpt = Annotated[int, typer.Option(help="How many comparisons are made together (Bonferroni correction)")]
MinimumLiftOpt = Annotated[float, typer.Option(help="The smallest relative difference worth finding (0.2 = 20 %)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]


@ads_app.command("compare")
def ads_compare(workspace: WorkspaceOpt,
                a: Annotated[str, typer.Option(help="Ad A: id, platform id or name")],
                b: Annotated[str, typer.Option(help="Ad B: id, platform id or name")],
                metric: Annotated[str, typer.Option(help="ctr or conversion_rate")] = "ctr",
                comparisons: ComparisonsOpt = 1, minimum_lift: MinimumLiftOpt = 0.2, as_json: JsonOpt = False) -> None:
    """A/B comparison of two ads: the difference with its interval and the sample needed to decide."""
    from socialdesk.campaigns import service

    with _context(workspace) as ctx:
        result = service.compare_ads(ctx, a, b, metric, comparisons=comparisons, minimum_lift=minimum_lift)
    _print_comparison(result, as_json)


def _print_comparison(result: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return
    console.print(result.explanation, highlight=False, soft_wrap=True)


@ads_app.command("compare-posts")
def ads_compare_posts(workspace: WorkspaceOpt,
                      a: Annotated[str, typer.Option(help="Post A: its publication's id")],
                      b: Annotated[str, typer.Option(help="Post B: its publication's id")],
                      metric: Annotated[str, typer.Option(help="engagement_rate or ctr")] = "engagement_rate",
                      comparisons: ComparisonsOpt = 1, minimum_lift: MinimumLiftOpt = 0.2,
                      as_json: JsonOpt = False) -> None:
    """A/B comparison of two published posts: the difference with its interval and the sample needed."""
    from socialdesk.campaigns import service

    with _context(workspace) as ctx:
        result = service.compare_posts(ctx, a, b, metric, comparisons=comparisons, minimum_lift=minimum_lift)
    _print_comparison(result, as_json)


@ads_app.command("sandbox")
def ads_sandbox(workspace: WorkspaceOpt, campaign: CampaignOpt,
                channel: Annotated[str, typer.Option(help="The sandbox channel's id (its audience sees the ad)")],
                text: Annotated[str, typer.Option(help="The ad's text (its topics meet the audience's interests)")],
                starts: Annotated[str, typer.Option(help="First day, YYYY-MM-DD")],
                days: Annotated[int, typer.Option(help="How many days it runs")] = 7,
                daily_budget: Annotated[float, typer.Option(help="Play money a day")] = 10.0,
                bid: Annotated[float, typer.Option(help="The most it pays per 1,000 impressions")] = 8.0,
                location: Annotated[list[str] | None, typer.Option(help="A country (HR) or time zone (repeatable)")]
                = None,
                age_min: Annotated[int, typer.Option(help="Youngest age shown")] = 18,
                age_max: Annotated[int, typer.Option(help="Oldest age shown")] = 65,
                language: Annotated[list[str] | None, typer.Option(help="A language code (repeatable)")] = None,
                interest: Annotated[list[str] | None, typer.Option(help="A topic such as food (repeatable)")] = None,
                quality: Annotated[float, typer.Option(help="Creative quality, 0 (poor) to 1 (excellent)")] = 0.5,
                name: Annotated[str, typer.Option(help="The ad's name")] = "") -> None:
    """Run a play-money ad on a sandbox channel's simulated audience (results arrive as its days pass)."""
    from socialdesk.campaigns import sandbox_ads

    first = _day(starts, "--starts")
    assert first is not None
    targeting = sandbox_ads.targeting_from({"locations": location, "age_min": age_min, "age_max": age_max,
                                            "languages": language, "interests": interest})
    with _context(workspace) as ctx:
        ad = sandbox_ads.create(ctx, campaign_id=_campaign_id(ctx, campaign), channel_id=channel, name=name,
                                text=text, starts_on=first, days=days, daily_budget=daily_budget, bid_cpm=bid,
                                targeting=targeting, creative_quality=quality)
        console.print(f"Sandbox ad {ad.id} runs for {days} days on an estimated audience of "
                      f"{ad.details['estimated_audience']:,} people.", highlight=False)


def _campaign_id(ctx: object, campaign: str) -> str:
    from socialdesk.campaigns import service

    return service.find(ctx, campaign).id  # type: ignore[arg-type]


TokenOpt = Annotated[str, typer.Option(envvar="SOCIALDESK_META_ADS_TOKEN",
                                       help="A Meta user token with ads_read / ads_management (or the "
                                            "SOCIALDESK_META_ADS_TOKEN environment variable); none: the "
                                            "workspace's ad accounts connected with Meta")]
AccountOpt = Annotated[str, typer.Option("--ad-account", help="The ad account id (act_… or the number); may be "
                                                              "left out when one ad account is connected")]


@ads_app.command("meta-import")
def meta_import(workspace: WorkspaceOpt,
                since: Annotated[str, typer.Option(help="First day, YYYY-MM-DD")],
                until: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD")],
                campaign: Annotated[str | None, typer.Option("--campaign", "-c", help="Put the ads in this "
                                                                                      "campaign")] = None,
                token: TokenOpt = "", ad_account: AccountOpt = "") -> None:
    """Import daily insights of a Meta ad account through the Marketing API (the days fetched replace)."""
    from socialdesk.campaigns import meta_ads

    first, last = _day(since, "--since"), _day(until, "--until")
    assert first is not None and last is not None
    with _context(workspace) as ctx:
        chosen = _campaign_id(ctx, campaign) if campaign else None
        count = meta_ads.import_insights(ctx, token=token, ad_account=ad_account, since=first, until=last,
                                         campaign_id=chosen)
    console.print(f"Imported {count} daily rows.")


@ads_app.command("boost")
def boost(workspace: WorkspaceOpt, campaign: CampaignOpt,
          publication: Annotated[str, typer.Option(help="The published Facebook publication to boost")],
          daily_budget: Annotated[float, typer.Option(help="In the ad account's currency")],
          days: Annotated[int, typer.Option(help="How many days")] = 7,
          country: Annotated[list[str] | None, typer.Option(help="Two-letter country (repeatable)")] = None,
          age_min: Annotated[int, typer.Option(help="Youngest age")] = 18,
          age_max: Annotated[int, typer.Option(help="Oldest age")] = 65,
          audience: Annotated[str | None, typer.Option(help="A saved audience's name (instead of --country and "
                                                            "the ages)")] = None,
          token: TokenOpt = "", ad_account: AccountOpt = "") -> None:
    """Boost a published Facebook Page post now, as the operator (created paused; `ads resume` starts it).
    Made exactly once. People ask for boosts on the campaign page, where they wait for approval."""
    from socialdesk.campaigns import audiences, meta_ads
    from socialdesk.campaigns.models import Audience
    from socialdesk.core.errors import NotFound

    targeting = {"geo_locations": {"countries": [c.upper() for c in country or []]}, "age_min": age_min,
                 "age_max": age_max} if country else {"age_min": age_min, "age_max": age_max}
    with _context(workspace) as ctx:
        if audience:
            found = ctx.session.scalars(ctx.select(Audience).where(Audience.name == audience.strip())).first()
            if found is None:
                raise NotFound(f"No saved audience named {audience!r}; `socialdesk ads audiences` lists them.")
            targeting = audiences.meta_targeting(found.spec)
        ad = meta_ads.boost(ctx, campaign_id=_campaign_id(ctx, campaign), publication_id=publication, token=token,
                            ad_account=ad_account, daily_budget=daily_budget, days=days, targeting=targeting)
        console.print(f"Boost ready (paused): ad {ad.id} (Meta ad {ad.external_id}).", highlight=False)


@ads_app.command("pause")
def pause(workspace: WorkspaceOpt, ad: Annotated[str, typer.Option(help="The ad's id")], token: TokenOpt = "") -> None:
    """Pause a Meta ad."""
    from socialdesk.campaigns import meta_ads

    with _context(workspace) as ctx:
        meta_ads.set_status(ctx, ad, token=token, active=False)
    console.print("Paused.")


@ads_app.command("resume")
def resume(workspace: WorkspaceOpt, ad: Annotated[str, typer.Option(help="The ad's id")], token: TokenOpt = "") -> None:
    """Resume (or start) a Meta ad."""
    from socialdesk.campaigns import meta_ads

    with _context(workspace) as ctx:
        meta_ads.set_status(ctx, ad, token=token, active=True)
    console.print("Resumed.")


@ads_app.command("conversions-import")
def conversions_import(workspace: WorkspaceOpt,
                       file: Annotated[Path, typer.Option("--file", "-f", help="Orders/leads CSV or a GA4 export")],
                       currency: Annotated[str | None, typer.Option(help="Where the file has no currency column "
                                                                         "(GA4 exports never do)")] = None,
                       kind: Annotated[str, typer.Option(help="order or lead (where the file has no type "
                                                              "column)")] = "order") -> None:
    """Import orders or leads with their UTM parameters (re-importing replaces; a bad file saves nothing)."""
    from socialdesk.campaigns import conversions
    from socialdesk.core.errors import ValidationFailed

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ValidationFailed(f"Cannot read {file}: {exc.strerror}.") from None
    with _context(workspace) as ctx:
        parsed = conversions.read(data, file.name, zone=ctx.workspace.timezone, currency=currency, kind=kind)
        for error in parsed.errors[:50]:
            err.print(error, highlight=False, soft_wrap=True)
        new, replaced = conversions.save(ctx, parsed, label=file.name)
    console.print(f"{parsed.describe()}. {new} new, {replaced} replaced.", highlight=False, soft_wrap=True)


@ads_app.command("attribution")
def attribution(workspace: WorkspaceOpt, campaign: CampaignOpt,
                days: Annotated[int, typer.Option(help="Last click within this many days (1–90)")]) -> None:
    """Choose the campaign's attribution window for orders and leads (last click within N days)."""
    from socialdesk.campaigns import conversions

    with _context(workspace) as ctx:
        chosen = conversions.set_window(ctx, _campaign_id(ctx, campaign), days)
        console.print(conversions.rule_text(chosen), highlight=False, soft_wrap=True)


@ads_app.command("audience-save")
def audience_save(workspace: WorkspaceOpt, name: Annotated[str, typer.Option(help="The audience's name")],
                  location: Annotated[list[str] | None, typer.Option(help="Country (HR) or time zone (repeatable)")]
                  = None,
                  age_min: Annotated[int, typer.Option(help="Youngest age")] = 18,
                  age_max: Annotated[int, typer.Option(help="Oldest age")] = 65,
                  gender: Annotated[list[str] | None, typer.Option(help="female or male (repeatable; none: all)")]
                  = None,
                  language: Annotated[list[str] | None, typer.Option(help="ISO 639-1 code (repeatable)")] = None,
                  interest: Annotated[list[str] | None, typer.Option(help="A name, or Meta's id:name (repeatable)")]
                  = None,
                  custom: Annotated[list[str] | None, typer.Option(help="Custom audience id (repeatable)")] = None,
                  lookalike: Annotated[list[str] | None, typer.Option(help="Lookalike audience id (repeatable)")]
                  = None) -> None:
    """Save (or replace) an audience to reuse when boosting or running sandbox ads."""
    from socialdesk.campaigns import audiences
    from socialdesk.campaigns.models import Audience

    spec = {"locations": location or [], "age_min": age_min, "age_max": age_max, "genders": gender or [],
            "languages": language or [], "interests": interest or [], "custom_audiences": custom or [],
            "lookalikes": lookalike or []}
    with _context(workspace) as ctx:
        existing = ctx.session.scalars(ctx.select(Audience).where(Audience.name == " ".join(name.split()))).first()
        saved = audiences.save(ctx, name=name, spec=spec, audience_id=existing.id if existing else None)
        console.print(f"Saved the audience {saved.name} ({saved.id}).", highlight=False)


@ads_app.command("audiences")
def audiences_list(workspace: WorkspaceOpt,
                   suggest: Annotated[bool, typer.Option("--suggest", help="Also print what socialdesk knows of "
                                                                           "the followers")] = False,
                   as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """The saved audiences with their last reach estimate (and, with --suggest, a proposed one)."""
    from socialdesk.campaigns import audiences

    with _context(workspace) as ctx:
        saved = [{"id": a.id, "name": a.name, "spec": a.spec, "estimate": a.estimate}
                 for a in audiences.list_audiences(ctx)]
        hint = audiences.suggest(ctx) if suggest else None
    if as_json:
        print(json.dumps({"audiences": saved, "suggestion": hint}, indent=2, ensure_ascii=False))
        return
    table = _table("name", "who", "estimated reach")
    for a in saved:
        est = a["estimate"]
        table.add_row(a["id"], a["name"], json.dumps(a["spec"], ensure_ascii=False),
                      f"{est['lower']:,}–{est['upper']:,} ({est['source']})" if est else "not estimated")
    console.print(table)
    if hint:
        console.print(f"From {'; '.join(hint['sources']) or 'nothing yet'}:", highlight=False, soft_wrap=True)
        for key in ("languages", "countries", "time_zones", "interests"):
            shares = ", ".join(f"{k} {v:.0%}" for k, v in hint[key])
            console.print(f"  {key.replace('_', ' ')}: {shares or '—'}", highlight=False, soft_wrap=True)


@ads_app.command("requests")
def requests_list(workspace: WorkspaceOpt, campaign: CampaignOpt) -> None:
    """Boosts and pauses/resumes asked for in a campaign: their approval, status and Meta's own words."""
    from socialdesk.campaigns import ad_requests

    with _context(workspace) as ctx:
        table = _table("what", "status", "asked by", "Meta said")
        for r in ad_requests.of_campaign(ctx, _campaign_id(ctx, campaign)):
            table.add_row(r.id, ad_requests.describe(ctx, r), r.status.replace("_", " "), r.requested_by_label,
                          r.error or "")
    console.print(table)
