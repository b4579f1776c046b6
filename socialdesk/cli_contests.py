"""`socialdesk contest …`: giveaways with a draw anyone can verify (docs/contests.md)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from socialdesk.cli import WorkspaceOpt, _context, _table, console
from socialdesk.cli_help import PlainHelpGroup

contest_app = typer.Typer(help="Contests and giveaways: entrants, exclusions, a verifiable draw.",
                          no_args_is_help=True, cls=PlainHelpGroup)
ContestArg = Annotated[str, typer.Argument(help="The contest's id (see `socialdesk contest list`)")]


def _moment(value: str, what: str, timezone: str) -> datetime:
    from socialdesk.core.errors import ValidationFailed
    from socialdesk.core.inputs import check_moment
    from socialdesk.core.timezones import local_to_utc

    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{what} {value!r}: write 'YYYY-MM-DD HH:MM'.") from None
    return local_to_utc(check_moment(when, what), timezone).at if when.tzinfo is None else when


@contest_app.command("create")
def contest_create(workspace: WorkspaceOpt,
                   name: Annotated[str, typer.Option(help="What the team calls it")],
                   publication: Annotated[list[str], typer.Option(
                       help="A published publication people enter on (repeatable; `post show` lists them)")],
                   opens: Annotated[str, typer.Option(help="'YYYY-MM-DD HH:MM' in the workspace's time zone")],
                   closes: Annotated[str, typer.Option(help="'YYYY-MM-DD HH:MM' in the workspace's time zone")],
                   prize: Annotated[str, typer.Option(help="The prize, as announced")] = "",
                   winners: Annotated[int, typer.Option(help="How many winners")] = 1,
                   reserves: Annotated[int, typer.Option(help="Reserve winners, drawn after them")] = 0,
                   keyword: Annotated[str, typer.Option(help="A word or #hashtag an entry must contain")] = "",
                   mentions: Annotated[int, typer.Option(help="Accounts an entry must @mention")] = 0,
                   per_channel: Annotated[bool, typer.Option(
                       "--per-channel", help="One entry per person per channel (default: per person)")] = False,
                   spam_threshold: Annotated[float, typer.Option(help="Exclude entries triaged as spam at or "
                                                                      "above this score")] = 0.8,
                   block: Annotated[list[str] | None, typer.Option(help="A handle never eligible")] = None,
                   public_value_source: Annotated[str, typer.Option(
                       help="A public random value published after the close, named now (e.g. 'drand quicknet "
                            "round 123456'); entered at the draw")] = "") -> None:
    """Create a contest; prints its id and the commitment to publish (sha256 of the secret seed)."""
    from socialdesk.contests import service

    with _context(workspace) as ctx:
        tz = ctx.workspace.timezone
        contest = service.create(
            ctx, name=name, prize=prize, publication_ids=publication, winners=winners, reserves=reserves,
            opens_at=_moment(opens, "--opens", tz), closes_at=_moment(closes, "--closes", tz),
            rules={"keyword": keyword, "mentions": mentions, "per": "person_channel" if per_channel else "person",
                   "spam_threshold": spam_threshold, "blocklist": block or []},
            public_value_source=public_value_source)
        console.print(f"Created contest {contest.id}. Publish its commitment now: {contest.commitment}",
                      highlight=False, soft_wrap=True)


@contest_app.command("list")
def contest_list(workspace: WorkspaceOpt,
                 as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """A workspace's contests, newest close first."""
    from socialdesk.contests import service

    with _context(workspace) as ctx:
        rows = [{"id": c.id, "name": c.name, "state": service.state_of(c), "opens_at": c.opens_at.isoformat(),
                 "closes_at": c.closes_at.isoformat(), "winners": c.winners or [], "commitment": c.commitment}
                for c in service.list_contests(ctx)]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = _table("name", "state", "closes (UTC)", "commitment")
    for row in rows:
        table.add_row(row["id"], row["name"], row["state"], row["closes_at"][:16], row["commitment"][:16] + "…")
    console.print(table)


@contest_app.command("show")
def contest_show(workspace: WorkspaceOpt, contest: ContestArg) -> None:
    """Entrants, exclusions with their reasons, and the draw if it has been made."""
    from socialdesk.contests import service

    with _context(workspace) as ctx:
        found = service.view(ctx, contest)
        c = found.contest
        console.print(f"{c.name} — {found.state}; {len(found.eligible)} eligible, {len(found.excluded)} excluded; "
                      f"commitment {c.commitment}", highlight=False, soft_wrap=True)
        table = _table("handle", "network", "accounts (to link)", "entries", "excluded because")
        for e in found.eligible + found.excluded:
            why = "; ".join(e.reasons) + (f" (let back in: {e.reincluded})" if e.reincluded else "")
            table.add_row(e.id, e.handle + (f" ({e.person})" if e.person else ""), e.network, " ".join(e.accounts),
                          str(e.entries), why or "-")
        console.print(table)
        if c.drawn_at:
            console.print(f"Winners: {', '.join(c.winners or [])}; reserves: {', '.join(c.reserves or []) or '-'}",
                          highlight=False, soft_wrap=True)


@contest_app.command("reinclude")
def contest_reinclude(workspace: WorkspaceOpt, contest: ContestArg,
                      entrant: Annotated[str, typer.Option(help="The entrant's id (see `contest show`)")],
                      note: Annotated[str, typer.Option(help="Why they are let back in (kept in the record)")]) -> None:
    """Let an excluded entrant back in, with a note (audited, exported with the draw)."""
    from socialdesk.contests import service

    with _context(workspace) as ctx:
        service.reinclude(ctx, contest, entrant, note)
    console.print(f"{entrant} is eligible again.")


@contest_app.command("draw")
def contest_draw(workspace: WorkspaceOpt, contest: ContestArg,
                 public_value: Annotated[str, typer.Option(
                     help="The public value named at creation, now that it is published")] = "") -> None:
    """After the close: freeze the entrants, reveal the seed and draw winners, then reserves."""
    from socialdesk.contests import service

    with _context(workspace) as ctx:
        drawn = service.make_draw(ctx, contest, public_value)
        handles = {e["id"]: f"{e['handle']} ({e['network']})" for e in drawn.entrants or []}
        winners = ", ".join(handles.get(i, i) for i in drawn.winners or [])
        reserves = ", ".join(handles.get(i, i) for i in drawn.reserves or []) or "-"
        console.print(f"Winners: {winners}; reserves: {reserves}. Export the record for anyone to verify: "
                      f"socialdesk contest export -w … {contest} --out draw.json", highlight=False, soft_wrap=True)


@contest_app.command("export")
def contest_export(workspace: WorkspaceOpt, contest: ContestArg,
                   out: Annotated[Path, typer.Option(help="Where to write the record (JSON)")]) -> None:
    """Write the draw's whole record: rules, entrants, exclusions, commitment, seed, digest, winners."""
    from socialdesk.contests import service

    with _context(workspace) as ctx:
        record = service.export(ctx, contest)
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"Wrote {out} ({len(record['entrants'])} entrants).", highlight=False, soft_wrap=True)


@contest_app.command("verify")
def contest_verify(record: Annotated[Path, typer.Argument(help="A record written by `contest export`")]) -> None:
    """Recompute the commitment, the entrant digest and the winners from the file alone: exit 0 when all
    match, 1 when not (saying which part)."""
    from socialdesk.contests import draw
    from socialdesk.core.errors import ValidationFailed

    try:
        data: Any = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationFailed(f"{record} cannot be read as a draw record: {exc}") from None
    if not isinstance(data, dict) or "seed" not in data:
        raise ValidationFailed(f"{record} is not the record of a draw that has been made.")
    problems = draw.verify(data)
    for problem in problems:
        console.print(f"[red]MISMATCH[/red] {problem}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print(f"OK: the commitment, the {len(data.get('entrants') or [])} entrants and the winners all match.")


@contest_app.command("announce")
def contest_announce(workspace: WorkspaceOpt, contest: ContestArg,
                     language: Annotated[str, typer.Option(help="The winners post's template: en, hr or de")] = "en",
                     saved_reply: Annotated[str, typer.Option(
                         help="A saved reply to draft for each winner (its id or name; none: no messages)")] = "",
                     mode: Annotated[str, typer.Option(help="Each winner's message as a 'reply' under their entry "
                                                            "or a 'dm'")] = "reply",
                     no_post: Annotated[bool, typer.Option("--no-post", help="Only the winners' messages")] = False
                     ) -> None:
    """Draft the winners post (sent for approval like any post) and, with --saved-reply, a message to each
    winner left as the draft reply of their conversation in the inbox."""
    from socialdesk.contests import announce
    from socialdesk.core.errors import ValidationFailed
    from socialdesk.inbox import saved_replies

    with _context(workspace) as ctx:
        if not no_post:
            out = announce.draft_winners_post(ctx, contest, language=language)
            console.print(f"Winners post {out.post_id}: " + " ".join(out.notes), highlight=False, soft_wrap=True)
        if saved_reply:
            found = [s for s in saved_replies.list_all(ctx) if saved_reply in (s.id, s.name)]
            if not found:
                raise ValidationFailed(f"No saved reply {saved_reply!r}: `socialdesk inbox` lists them by name.")
            msgs = announce.draft_winner_messages(ctx, contest, found[0].id, mode=mode)
            console.print(" ".join(msgs.notes), highlight=False, soft_wrap=True)
            for who, why in msgs.skipped.items():
                console.print(f"{who}: not drafted, {why}.", highlight=False, soft_wrap=True)


@contest_app.command("results")
def contest_results(workspace: WorkspaceOpt, contest: ContestArg,
                    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Entrants per day, and reach and follower growth while the contest ran against the 4 weeks before."""
    from socialdesk.contests import results

    with _context(workspace) as ctx:
        found = results.results(ctx, contest)

    def est(e: Any) -> dict[str, Any]:
        return {"value": e.value, "low": e.low, "high": e.high, "n": e.n}

    data = {"entrants": found.entrants, "eligible": found.eligible,
            "by_day": [{"day": d.day.isoformat(), "new": d.new, "total": d.total} for d in found.entrants_by_day],
            "comparisons": [{"what": c.what, "during": est(c.during), "before": est(c.before),
                             "difference": est(c.difference), "verdict": c.verdict} for c in found.comparisons]}
    if as_json:
        print(json.dumps(data, indent=2))
        return
    table = _table("new", "so far")
    for d in found.entrants_by_day:
        table.add_row(d.day.isoformat(), str(d.new), str(d.total))
    console.print(table)
    for c in found.comparisons:
        diff = c.difference
        interval = f" ({diff.low:+.1f} to {diff.high:+.1f})" if diff.enough and diff.low is not None and \
            diff.high is not None else ""
        value = f"{diff.value:+.1f}" if diff.value is not None else "—"
        console.print(f"{c.what}: {value}{interval} vs the 4 weeks before — {c.verdict}", highlight=False)


@contest_app.command("link")
def contest_link(workspace: WorkspaceOpt,
                 person: Annotated[str, typer.Option(help="The team's name for the person")],
                 account: Annotated[list[str], typer.Option(
                     help="network:account-id, as `contest show` lists them (repeatable)")]) -> None:
    """Link one person's accounts (across networks or channels): every contest counts them as one entrant."""
    from socialdesk.contests import service

    with _context(workspace) as ctx:
        service.link_accounts(ctx, person, account)
    console.print(f"Linked {', '.join(account)} as {person}.", highlight=False)


@contest_app.command("links")
def contest_links(workspace: WorkspaceOpt) -> None:
    """The accounts linked to a person."""
    from socialdesk.contests import service

    with _context(workspace) as ctx:
        table = _table("person", "account", "handle")
        for row in service.identity_links(ctx):
            table.add_row(row.id, row.person, f"{row.network}:{row.external_id}", row.handle)
    console.print(table)


@contest_app.command("unlink")
def contest_unlink(workspace: WorkspaceOpt, link: Annotated[str, typer.Argument(help="The link's id (`contest links`)")]
                   ) -> None:
    """Unlink an account from its person."""
    from socialdesk.contests import service

    with _context(workspace) as ctx:
        service.unlink_account(ctx, link)
    console.print("Unlinked.")
