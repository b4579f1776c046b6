"""`socialdesk strategy …`: content pillars, tagging posts, posting frequency and the planned mix against
the calendar (docs/strategy.md)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from socialdesk.cli import WorkspaceOpt, _context, _table, console
from socialdesk.cli_help import PlainHelpGroup

strategy_app = typer.Typer(help="Strategy: content pillars, posting frequency, planned mix vs actual.",
                           no_args_is_help=True, cls=PlainHelpGroup)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]


@strategy_app.command("pillar-add")
def pillar_add(workspace: WorkspaceOpt, name: Annotated[str, typer.Option(help="e.g. Education")],
               share: Annotated[float, typer.Option(help="Planned share of posts, in per cent")] = 0.0,
               description: Annotated[str, typer.Option(help="What the pillar covers")] = "") -> None:
    """Add a content pillar with its planned share."""
    from socialdesk.strategy import service

    with _context(workspace) as ctx:
        pillar = service.add_pillar(ctx, name, target_share=share / 100, description=description)
        console.print(f"Added pillar {pillar.name} ({pillar.target_share:.0%}).", highlight=False)


@strategy_app.command("pillars")
def pillar_list(workspace: WorkspaceOpt, as_json: JsonOpt = False) -> None:
    """The workspace's content pillars."""
    from socialdesk.strategy import service

    with _context(workspace) as ctx:
        rows = [{"id": p.id, "name": p.name, "planned_share": p.target_share, "description": p.description}
                for p in service.pillars(ctx)]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = _table("name", "planned", "description")
    for row in rows:
        table.add_row(row["name"], f"{row['planned_share']:.0%}", row["description"])
    console.print(table)


@strategy_app.command("tag")
def tag(workspace: WorkspaceOpt, post: Annotated[str, typer.Option(help="The post's id")],
        pillar: Annotated[str, typer.Option(help="The pillar's name ('' for none)")]) -> None:
    """Put a post in a pillar."""
    from socialdesk.strategy import service

    with _context(workspace) as ctx:
        service.tag_post(ctx, post, pillar or None)
    console.print("Saved.", highlight=False)


@strategy_app.command("frequency")
def frequency(workspace: WorkspaceOpt, network: Annotated[str, typer.Option(help="e.g. instagram")],
              per_week: Annotated[float, typer.Option(help="Planned posts per week (0: none planned)")]) -> None:
    """Plan how often to post on a network."""
    from socialdesk.strategy import service

    with _context(workspace) as ctx:
        service.set_cadence(ctx, network, per_week)
    console.print("Saved.", highlight=False)


@strategy_app.command("mix")
def mix(workspace: WorkspaceOpt, days: Annotated[int, typer.Option(help="Days back to count")] = 28,
        as_json: JsonOpt = False) -> None:
    """The planned pillar mix against the calendar's, per network, with gap warnings."""
    from socialdesk.strategy import service

    with _context(workspace) as ctx:
        found = service.mix(ctx, days=days).as_dict()
    if as_json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return
    for network in found["networks"]:
        table = _table("pillar", "planned", "actual", "n", "last post (days ago)")
        for p in network["pillars"]:
            table.add_row(p["pillar"], f"{p['planned']:.0%}", f"{p['actual']:.0%}", str(p["count"]),
                          "never" if p["gap_days"] is None else f"{p['gap_days']:.0f}")
        console.print(f"{network['name']}: {network['total']} posts, {network['untagged']} in no pillar",
                      highlight=False)
        console.print(table)
    for warning in found["warnings"]:
        console.print(f"[yellow]{warning}[/yellow]", highlight=False)


key_date_app = typer.Typer(help="Key dates: holidays, launches and campaigns the strategy plans around.",
                           no_args_is_help=True, cls=PlainHelpGroup)
strategy_app.add_typer(key_date_app, name="key-date")


@key_date_app.command("add")
def key_date_add(workspace: WorkspaceOpt, name: Annotated[str, typer.Option(help="e.g. Christmas")],
                 on: Annotated[str, typer.Option("--date", help="The day, or the first day: YYYY-MM-DD")],
                 until: Annotated[str | None, typer.Option("--until",
                                                           help="The last day of a range: YYYY-MM-DD")] = None,
                 kind: Annotated[str, typer.Option(help="holiday | launch | campaign | event")] = "event",
                 pillar: Annotated[str | None, typer.Option(help="A content pillar's name")] = None,
                 network: Annotated[str | None, typer.Option(help="e.g. instagram")] = None,
                 note: Annotated[str, typer.Option(help="A note")] = "", as_json: JsonOpt = False) -> None:
    """Add a key date (one day, or a range with --until)."""
    from socialdesk.strategy import key_dates

    with _context(workspace) as ctx:
        found = key_dates.add(ctx, name, on, ends_on=until, kind=kind, pillar=pillar, network=network, note=note)
        row = key_dates.as_dict(ctx, found)
    if as_json:
        print(json.dumps(row, indent=2, ensure_ascii=False))
        return
    span = row["starts_on"] if row["starts_on"] == row["ends_on"] else f"{row['starts_on']} – {row['ends_on']}"
    console.print(f"Added key date {row['name']} ({row['kind']}, {span}).", highlight=False)


@key_date_app.command("list")
def key_date_list(workspace: WorkspaceOpt, as_json: JsonOpt = False) -> None:
    """The workspace's key dates, earliest first."""
    from socialdesk.strategy import key_dates

    with _context(workspace) as ctx:
        rows = [key_dates.as_dict(ctx, k) for k in key_dates.listing(ctx)]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = _table("name", "kind", "from", "to", "pillar", "network", "note")
    for row in rows:
        table.add_row(str(row["name"]), str(row["kind"]), str(row["starts_on"]), str(row["ends_on"]),
                      str(row["pillar"] or ""), str(row["network"] or ""), str(row["note"]))
    console.print(table)


@key_date_app.command("remove")
def key_date_remove(workspace: WorkspaceOpt,
                    name: Annotated[str, typer.Option(help="The key date's name or id")]) -> None:
    """Remove a key date."""
    from socialdesk.strategy import key_dates

    with _context(workspace) as ctx:
        found = key_dates.remove(ctx, name)
        console.print(f"Removed key date {found.name}.", highlight=False)


@strategy_app.command("persona-add")
def persona_add(workspace: WorkspaceOpt, name: Annotated[str, typer.Option(help="e.g. Busy parent")],
                description: Annotated[str, typer.Option(help="Who they are, in words")] = "",
                languages: Annotated[str, typer.Option(help="ISO 639 codes, e.g. 'hr, en'")] = "",
                countries: Annotated[str, typer.Option(help="ISO 3166 codes, e.g. 'HR, SI'")] = "",
                timezone: Annotated[str, typer.Option(help="IANA name, e.g. Europe/Zagreb")] = "",
                age_min: Annotated[int | None, typer.Option(help="Youngest age, 13-100")] = None,
                age_max: Annotated[int | None, typer.Option(help="Oldest age, 13-100")] = None,
                genders: Annotated[str, typer.Option(help="female and/or male; empty: everyone")] = "",
                interests: Annotated[str, typer.Option(help="Keywords, e.g. 'coffee, home brewing'")] = "",
                as_json: JsonOpt = False) -> None:
    """Add a target persona; each field given is compared with every network's audience."""
    from socialdesk.strategy import service

    with _context(workspace) as ctx:
        found = service.add_persona(ctx, name, description, languages=languages, countries=countries,
                                    timezone=timezone, age_min=age_min, age_max=age_max, genders=genders,
                                    interests=interests.split(","))
    if as_json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return
    console.print(f"Added persona {found['name']}.", highlight=False)


@strategy_app.command("personas")
def persona_list(workspace: WorkspaceOpt, as_json: JsonOpt = False) -> None:
    """The workspace's target personas with their fields."""
    from socialdesk.strategy import service

    with _context(workspace) as ctx:
        rows = [p.as_dict() for p in service.persona_list(ctx)]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = _table("name", "languages", "countries", "time zone", "ages", "genders", "interests")
    for row in rows:
        ages = "" if row["age_min"] is None and row["age_max"] is None else \
            f"{row['age_min'] or ''}-{row['age_max'] or ''}"
        table.add_row(row["name"], ", ".join(row["languages"]), ", ".join(row["countries"]), row["timezone"], ages,
                      ", ".join(row["genders"]), ", ".join(row["interests"]))
    console.print(table)
