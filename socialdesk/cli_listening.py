"""`socialdesk monitor …`, `socialdesk mentions list`, `socialdesk alerts list`: listening from scripts and
cron (docs/listening.md)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn

from socialdesk.cli import WorkspaceOpt, _context, _table, console
from socialdesk.cli_help import PlainHelpGroup

monitor_app = typer.Typer(help="Listening monitors: terms to follow on public sources.", no_args_is_help=True,
                          cls=PlainHelpGroup)
mentions_app = typer.Typer(help="Mentions the monitors found.", no_args_is_help=True, cls=PlainHelpGroup)
alerts_app = typer.Typer(help="Listening alerts: bursts, sentiment shifts, emerging terms.", no_args_is_help=True,
                         cls=PlainHelpGroup)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]


@monitor_app.command("add")
def monitor_add(workspace: WorkspaceOpt,
                name: Annotated[str, typer.Option(help="The monitor's name, e.g. 'Brand'")],
                query: Annotated[list[str], typer.Option(help="A term: word, phrase, #hashtag or brand "
                                                              "(repeatable; commas separate terms too)")],
                source: Annotated[list[str], typer.Option(help="rss:URL | bluesky[:SERVICE_URL] | mastodon:INSTANCE "
                                                               "| youtube | reddit[:r/NAME] | x | sandbox[:SEED] "
                                                               "(repeatable)")],
                language: Annotated[list[str] | None, typer.Option(help="Only mentions in this language "
                                                                        "(ISO code, repeatable)")] = None,
                variant: Annotated[list[str] | None, typer.Option(help="Another spelling, matched as a term")] = None,
                exclude: Annotated[list[str] | None, typer.Option(help="Drop mentions with this phrase")] = None,
                false_alarm_rate: Annotated[float, typer.Option(help="Burst alerts' false alarms per hour")] = 0.001,
                as_json: JsonOpt = False) -> None:
    """Add a monitor; it is fetched every minute by the scheduler, or now with `monitor run`."""
    from socialdesk.listening import service

    with _context(workspace) as ctx:
        monitor = service.add_monitor(ctx, name=name, terms=query, sources=source, variants=variant or [],
                                      exclusions=exclude or [], languages=language or [],
                                      false_alarm_rate=false_alarm_rate)
        described = service.describe(monitor)
    if "x" in described["sources"]:
        from socialdesk.listening.x_source import estimate_text

        described["x_cost_estimate"] = estimate_text()  # shown before anything is billed
    if as_json:
        print(json.dumps(described, indent=2, ensure_ascii=False))
    else:
        console.print(f"Added monitor {described['name']} ({described['id']}) on {', '.join(described['sources'])}.",
                      highlight=False, soft_wrap=True)
        if described.get("x_cost_estimate"):
            console.print(described["x_cost_estimate"], highlight=False, soft_wrap=True)


@monitor_app.command("list")
def monitor_list(workspace: WorkspaceOpt, as_json: JsonOpt = False) -> None:
    """The workspace's monitors."""
    from socialdesk.listening import service

    with _context(workspace) as ctx:
        rows = [service.describe(m) for m in service.monitors(ctx)]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = _table("name", "terms", "languages", "sources", "last run")
    for row in rows:
        table.add_row(row["name"], ", ".join(row["terms"]), ", ".join(row["languages"]) or "any",
                      ", ".join(row["sources"]), row["last_run_at"] or "never")
    console.print(table)


@monitor_app.command("remove")
def monitor_remove(workspace: WorkspaceOpt, name: Annotated[str, typer.Option(help="The monitor's name")]) -> None:
    """Remove a monitor with its mentions and alerts."""
    from socialdesk.listening import service

    with _context(workspace) as ctx:
        service.remove_monitor(ctx, name)
    console.print(f"Removed monitor {name}.", highlight=False)


@monitor_app.command("run")
def monitor_run(workspace: WorkspaceOpt,
                name: Annotated[str | None, typer.Option(help="Only this monitor (default: all)")] = None,
                as_json: JsonOpt = False) -> None:
    """Fetch now, once: new mentions are stored and triaged, alerts raised."""
    from socialdesk.listening import service

    results = []
    with _context(workspace) as ctx:
        chosen = [service.find_monitor(ctx, name)] if name else service.monitors(ctx)
        if not as_json and any("x" in m.sources for m in chosen):
            from socialdesk.listening.x_source import estimate_text

            console.print(estimate_text(), highlight=False, soft_wrap=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      console=console, transient=True, disable=as_json) as bar:
            task = bar.add_task("Listening", total=sum(len(m.sources) for m in chosen))

            def step(spec: str) -> None:
                bar.update(task, description=f"Fetching {spec}")
                bar.advance(task)

            for monitor in chosen:
                results.append(service.run_monitor(ctx.session, monitor, progress=step).as_dict())
                results[-1].update(_x_costs(monitor))
    if as_json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    for r in results:
        console.print(f"{r['monitor']}: fetched {r['fetched']}, matched {r['matched']}, new {r['new']}, "
                      f"duplicates {r['duplicates']}, alerts {len(r['alerts'])}", highlight=False)
        for spec, error in r["errors"].items():
            console.print(f"  {spec}: {error}", style="red", highlight=False, soft_wrap=True)
        if r.get("x_cost"):
            console.print(f"  x: {r['x_cost']}", highlight=False, soft_wrap=True)


def _x_costs(monitor: object) -> dict[str, object]:
    """What an `x` source was billed for (the source's state), for `monitor run`'s output."""
    from socialdesk.listening.x_source import spent_text

    state = ((getattr(monitor, "state", None) or {}).get("sources") or {}).get("x")
    if not state:
        return {}
    return {"x_cost": spent_text(state), "x_reads": int(state.get("last_reads") or 0),
            "x_wait_until": state.get("wait_until")}


@mentions_app.command("list")
def mentions_list(workspace: WorkspaceOpt,
                  monitor: Annotated[str | None, typer.Option(help="Only this monitor's mentions")] = None,
                  search: Annotated[str | None, typer.Option(help="Only mentions containing this text")] = None,
                  sentiment: Annotated[str | None, typer.Option(help="negative | neutral | positive")] = None,
                  limit: Annotated[int, typer.Option(help="At most this many, newest first")] = 100,
                  as_json: JsonOpt = False) -> None:
    """Mentions, newest first: source, url, author, text, language, sentiment, matched term, replies sent."""
    from socialdesk.listening import replies, service

    with _context(workspace) as ctx:
        names = {m.id: m.name for m in service.monitors(ctx)}
        found = service.mentions(ctx, monitor=monitor, query=search, sentiment=sentiment, limit=limit)
        sent = replies.replies_of(ctx, [m.id for m in found])
        rows = [service.mention_dict(m, names.get(m.monitor_id),
                                     [replies.reply_dict(ctx, r) for r in sent.get(m.id, [])]) for m in found]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = _table("posted", "source", "author", "sentiment", "term", "text")
    for row in rows:
        table.add_row(row["posted_at"][:16], row["source"][:30], row["author"], row["sentiment"], row["matched_term"],
                      row["text"][:80])
    console.print(table)


@mentions_app.command("reply")
def mentions_reply(workspace: WorkspaceOpt,
                   mention: Annotated[str, typer.Option(help="The mention's id (from `mentions list --json`)")],
                   text: Annotated[str, typer.Option(help="The reply")],
                   channel: Annotated[str, typer.Option(help="The channel to reply as: its name or id, on the "
                                                             "mention's network")],
                   key: Annotated[str | None, typer.Option(help="Idempotency key (default: mention + channel + text, "
                                                                "so running this again sends nothing new)")] = None,
                   as_json: JsonOpt = False) -> None:
    """Reply to a mention on its network (Bluesky, Mastodon) as one of the workspace's channels, once."""
    from socialdesk.channels import service as channels
    from socialdesk.listening import replies

    with _context(workspace) as ctx:
        chosen = next((c for c in channels.list_channels(ctx) if channel in (c.id, c.name)), None)
        row = replies.reply(ctx, mention, channel_id=chosen.id if chosen else channel, text=text,
                            idempotency_key=key)
        shown = replies.reply_dict(ctx, row)
    if as_json:
        print(json.dumps(shown, indent=2, ensure_ascii=False))
    else:
        console.print(f"Replied as {shown['channel']}: {shown['url'] or shown['external_id']}", highlight=False,
                      soft_wrap=True)


@alerts_app.command("list")
def alerts_list(workspace: WorkspaceOpt,
                monitor: Annotated[str | None, typer.Option(help="Only this monitor's alerts")] = None,
                as_json: JsonOpt = False) -> None:
    """Alerts, newest first, each with kind, monitor, window, volume, baseline and the mentions behind it."""
    from socialdesk.listening import service

    with _context(workspace) as ctx:
        names = {m.id: m.name for m in service.monitors(ctx)}
        rows = [service.alert_dict(ctx.session, a, names.get(a.monitor_id, "")) for a in
                service.alerts(ctx, monitor=monitor)]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = _table("kind", "monitor", "window", "volume", "baseline", "message")
    for row in rows:
        table.add_row(row["kind"], row["monitor"], f"{row['window']['start'][:16]} → {row['window']['end'][11:16]}",
                      str(row["volume"]), f"{row['baseline']:.1f}", row["message"])
    console.print(table)


def _apps() -> tuple[tuple[typer.Typer, str], ...]:
    from socialdesk.cli_strategy import strategy_app

    return ((monitor_app, "monitor"), (mentions_app, "mentions"), (alerts_app, "alerts"), (strategy_app, "strategy"))


# Registered in socialdesk/cli.py with one line (listening and strategy: the tactician and the strategist).
LISTENING_APPS = _apps()
