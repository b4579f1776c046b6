"""`socialdesk competitor add|list|remove|snapshot|benchmark|export`: competitor accounts on Bluesky,
Mastodon, YouTube and VK and the benchmark against the workspace's own channels (docs/listening.md,
"Competitors")."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn

from socialdesk.cli import WorkspaceOpt, _context, _table, console
from socialdesk.cli_help import PlainHelpGroup

competitor_app = typer.Typer(help="Competitor accounts: snapshots and a benchmark against your channels.",
                             no_args_is_help=True, cls=PlainHelpGroup)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _dump(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


@competitor_app.command("add")
def add(workspace: WorkspaceOpt,
        network: Annotated[str, typer.Option(help="bluesky | mastodon | youtube | vk | instagram | x")],
        handle: Annotated[str, typer.Option(help="brand.bsky.social; the account name on the instance; YouTube: "
                                                 "@handle, UC… id or channel URL; VK: vk.com/name, club123, id123; "
                                                 "Instagram and X: the account's username")],
        service: Annotated[str | None, typer.Option(help="AppView (Bluesky) or instance URL (Mastodon); "
                                                         "none for YouTube, VK, Instagram and X")] = None,
        notes: Annotated[str, typer.Option(help="Why you follow it")] = "",
        as_json: JsonOpt = False) -> None:
    """Follow a competitor's public account (snapshotted daily, or now with `competitor snapshot`)."""
    from socialdesk.competitors import discovery
    from socialdesk.competitors import service as competitors

    with _context(workspace) as ctx:
        competitor = competitors.add(ctx, network=network, handle=handle, service=service, notes=notes)
        described = competitors.as_dict(ctx, competitor)
        cost = discovery.estimate(competitor)
    if cost:
        described["cost_estimate"] = cost  # shown before anything is billed
    if as_json:
        _dump(described)
    else:
        console.print(f"Added competitor {described['handle']} on {described['service']} ({described['id']}).",
                      highlight=False, soft_wrap=True)
        if cost:
            console.print(f"Each snapshot of it is billed by X: {cost}.", highlight=False, soft_wrap=True)


@competitor_app.command("list")
def list_(workspace: WorkspaceOpt, as_json: JsonOpt = False) -> None:
    """The workspace's competitors with their newest snapshot."""
    from socialdesk.competitors import service as competitors

    with _context(workspace) as ctx:
        rows = [competitors.as_dict(ctx, c) for c in competitors.competitors(ctx)]
    if as_json:
        _dump(rows)
        return
    table = _table("network", "handle", "followers", "posts", "last snapshot", "error")
    for r in rows:
        followers = str(r["followers"]) if r["followers"] is not None else (
            f"— ({r['followers_note']})" if r["followers_note"] else "—")
        table.add_row(r["id"], r["network"], r["handle"], followers,
                      str(r["posts_count"] if r["posts_count"] is not None else "—"), r["last_snapshot_at"] or "never",
                      r["last_error"])
    console.print(table)


@competitor_app.command("remove")
def remove(workspace: WorkspaceOpt, competitor: Annotated[str, typer.Argument(help="Handle or id")]) -> None:
    """Stop following a competitor (its snapshots are deleted with it)."""
    from socialdesk.competitors import service as competitors

    with _context(workspace) as ctx:
        competitors.remove(ctx, competitor)
    console.print(f"Removed {competitor}.", highlight=False)


@competitor_app.command("snapshot")
def snapshot(workspace: WorkspaceOpt,
             competitor: Annotated[str | None, typer.Argument(help="Handle or id (default: all)")] = None,
             as_json: JsonOpt = False) -> None:
    """Read the competitors' profiles and recent posts now (X competitors: the cost is shown before and after)."""
    from socialdesk.competitors import discovery
    from socialdesk.competitors import service as competitors

    results = []
    with _context(workspace) as ctx:
        chosen = [competitors.find(ctx, competitor)] if competitor else competitors.competitors(ctx)
        for c in chosen:
            if discovery.estimate(c) and not as_json:
                console.print(f"{c.handle} (X): {discovery.estimate(c)}", highlight=False, soft_wrap=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), console=console, transient=True,
                      disable=as_json) as progress:
            bar = progress.add_task("Snapshots", total=len(chosen))
            for c in chosen:
                result = competitors.snapshot(ctx, c)
                results.append({"handle": c.handle, "network": c.network, "error": result.error,
                                "followers": result.snapshot.followers if result.snapshot else None,
                                "recent_posts": len(result.snapshot.posts) if result.snapshot else 0})
                spent = discovery.spent(c, result.snapshot)
                if spent is not None:
                    results[-1]["cost"] = {**spent.as_dict(), "text": spent.text()}
                progress.advance(bar)
    if as_json:
        _dump(results)
        return
    for r in results:
        line = (f"{r['handle']}: failed — {r['error']}" if r["error"]
                else f"{r['handle']}: {r['followers']} followers, {r['recent_posts']} recent posts"
                + (f"; {r['cost']['text']}" if r.get("cost") else ""))
        console.print(line, highlight=False, soft_wrap=True)
    if any(r["error"] for r in results):
        raise typer.Exit(1)


def _estimate(e: dict[str, Any]) -> str:
    if e["value"] is None:
        return "—"
    if not e["enough"]:
        return f"{e['value']} (n={e['n']}, not enough data)"
    return f"{e['value']} [{e['low']}–{e['high']}] n={e['n']}"


@competitor_app.command("benchmark")
def benchmark(workspace: WorkspaceOpt,
              days: Annotated[int, typer.Option(help="The period: the last N days")] = 30,
              as_json: JsonOpt = False) -> None:
    """Your channels against each competitor: followers, growth, posts per week, engagement per post and per
    follower (95% intervals, sample sizes), formats, top posts and hashtags, best hours."""
    from socialdesk.competitors import service as competitors

    with _context(workspace) as ctx:
        result = competitors.benchmark(ctx, days=days)
    if as_json:
        _dump(result)
        return
    table = _table("followers", "growth", "posts/week", "engagement/post", "eng./follower %", "vs you")
    for a in result["accounts"]:
        f = a["followers"]
        table.add_row(a["name"], str(f["end"] if f["end"] is not None else "—"),
                      "—" if f["change"] is None else f"{f['change']:+d}", _estimate(a["posts_per_week"]),
                      _estimate(a["engagement_per_post"]), _estimate(a["engagement_per_follower_percent"]),
                      a.get("versus_you", {}).get("verdict", ""))
    console.print(table)
    console.print(f"{result['period']['days']} days to {result['period']['end'][:16]}; engagement = "
                  f"{result['engagement']}; intervals are 95%.", highlight=False, soft_wrap=True)


@competitor_app.command("export")
def export(workspace: WorkspaceOpt,
           format_: Annotated[str, typer.Option("--format", help="csv")] = "csv",
           days: Annotated[int, typer.Option(help="The period: the last N days")] = 30,
           output: Annotated[str | None, typer.Option(help="Write to this file (default: print)")] = None) -> None:
    """The benchmark as CSV: one row per account, every number with its 95% interval and sample size."""
    from socialdesk.competitors import export as exports
    from socialdesk.competitors import service as competitors
    from socialdesk.core.errors import ValidationFailed

    if format_.lower() not in exports.FORMATS:
        raise ValidationFailed(f"--format {format_!r}: the export is {', '.join(exports.FORMATS)}.")
    with _context(workspace) as ctx:
        text = exports.to_csv(competitors.benchmark(ctx, days=days))
    if output:
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        console.print(f"Wrote {output}.", highlight=False)
    else:
        print(text, end="")
