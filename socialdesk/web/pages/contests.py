"""The contests pages: the list with a form to start one, and a contest's entrants, exclusions and draw."""

from __future__ import annotations

import json
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.contests import service as contests
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.inputs import check_moment
from socialdesk.core.timezones import local_to_utc
from socialdesk.web.deps import Ctx, DbSession
from socialdesk.web.pages.common import Form, act, field, fields, render, ws_url
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter()


@router.get("/w/{workspace_id}/contests", response_class=HTMLResponse)
@requires(Permission.INBOX_READ)
def contests_page(request: Request, ctx: Ctx) -> HTMLResponse:
    listed = contests.list_contests(ctx)
    return render(request, "contests.html", ctx=ctx, section="contests", contests=listed,
                  states={c.id: contests.state_of(c) for c in listed},
                  candidates=contests.candidate_publications(ctx) if ctx.can(Permission.POSTS_WRITE) else [])


def _local(ctx: Ctx, text: str, what: str) -> datetime:
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(f"Give the {what} time as a date and time.") from None
    return local_to_utc(check_moment(local, f"The {what} time"), ctx.workspace.timezone).at


def _count(text: str, what: str, default: int) -> int:
    if not text.strip():
        return default
    if not text.strip().isdigit():
        raise ValidationFailed(f"{what} is a whole number, not {text!r}.")
    return int(text)


@router.post("/w/{workspace_id}/contests")
@requires(Permission.POSTS_WRITE)
def create_contest(ctx: Ctx, form: Form) -> Response:
    created: list[str] = []

    def run() -> list[str]:
        threshold = field(form, "spam_threshold", "0.8") or "0.8"
        try:
            spam = float(threshold)
        except ValueError:
            raise ValidationFailed(f"The spam threshold is a number between 0 and 1, not {threshold!r}.") from None
        contest = contests.create(
            ctx, name=field(form, "name"), prize=field(form, "prize"), publication_ids=fields(form, "publication_ids"),
            opens_at=_local(ctx, field(form, "opens_at"), "opening"),
            closes_at=_local(ctx, field(form, "closes_at"), "closing"),
            winners=_count(field(form, "winners"), "Winners", 1),
            reserves=_count(field(form, "reserves"), "Reserves", 0),
            rules={"keyword": field(form, "keyword"), "mentions": _count(field(form, "mentions"), "Mentions", 0),
                   "per": "person_channel" if field(form, "per_channel") == "1" else "person",
                   "spam_threshold": spam,
                   "blocklist": [h for h in field(form, "blocklist").replace(",", " ").split() if h]},
            public_value_source=field(form, "public_value_source"))
        created.append(contest.id)
        return [f"Contest created. Publish its commitment before anyone enters: {contest.commitment}"]

    response = act(ctx, run, back=ws_url(ctx, "/contests"))
    if created:
        response.headers["location"] = ws_url(ctx, f"/contests/{created[0]}")
    return response


@router.get("/w/{workspace_id}/contests/{contest_id}", response_class=HTMLResponse)
@requires(Permission.INBOX_READ)
def contest_page(request: Request, contest_id: str, ctx: Ctx) -> HTMLResponse:
    from socialdesk.contests import announce, results
    from socialdesk.inbox import saved_replies

    view = contests.view(ctx, contest_id)
    writer = ctx.can(Permission.POSTS_WRITE)
    return render(request, "contest.html", ctx=ctx, section="contests", view=view,
                  results=results.results(ctx, contest_id) if view.state != "upcoming" else None,
                  links=contests.identity_links(ctx) if writer else [],
                  announce_languages=list(announce.TEMPLATES),
                  saved_replies=saved_replies.list_all(ctx) if writer and ctx.can(Permission.INBOX_WRITE) else [],
                  verify_link=announce.verify_link(ctx, view.contest, str(request.base_url)))


@router.post("/w/{workspace_id}/contests/{contest_id}/announce/post")
@requires(Permission.POSTS_WRITE)
def announce_post(request: Request, contest_id: str, ctx: Ctx, form: Form) -> Response:
    from socialdesk.contests import announce

    made: list[str] = []

    def run() -> list[str]:
        out = announce.draft_winners_post(ctx, contest_id, language=field(form, "language") or "en",
                                          base_url=str(request.base_url))
        made.append(out.post_id or "")
        return ["Winners post drafted.", *out.notes]

    response = act(ctx, run, back=ws_url(ctx, f"/contests/{contest_id}"))
    if made and made[0]:
        response.headers["location"] = ws_url(ctx, f"/posts/{made[0]}")
    return response


@router.post("/w/{workspace_id}/contests/{contest_id}/announce/messages")
@requires(Permission.INBOX_WRITE)
def announce_messages(request: Request, contest_id: str, ctx: Ctx, form: Form) -> Response:
    from socialdesk.contests import announce

    def run() -> list[str]:
        out = announce.draft_winner_messages(ctx, contest_id, field(form, "saved_reply_id"),
                                             mode=field(form, "mode") or "reply", base_url=str(request.base_url))
        return [*out.notes, *(f"{who}: not drafted, {why}." for who, why in out.skipped.items())]

    return act(ctx, run, back=ws_url(ctx, f"/contests/{contest_id}"))


@router.post("/w/{workspace_id}/contests/{contest_id}/link")
@requires(Permission.POSTS_WRITE)
def link_accounts(contest_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        contests.contest_exists(ctx, contest_id)
        contests.link_accounts(ctx, field(form, "person"), fields(form, "accounts"))
        return ["Linked: those accounts are one entrant now."]

    return act(ctx, run, back=ws_url(ctx, f"/contests/{contest_id}"))


@router.post("/w/{workspace_id}/contests/{contest_id}/unlink")
@requires(Permission.POSTS_WRITE)
def unlink_account(contest_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        contests.contest_exists(ctx, contest_id)
        contests.unlink_account(ctx, field(form, "link_id"))
        return ["Unlinked."]

    return act(ctx, run, back=ws_url(ctx, f"/contests/{contest_id}"))


@router.post("/w/{workspace_id}/contests/{contest_id}/reinclude")
@requires(Permission.POSTS_WRITE)
def reinclude(contest_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        contests.reinclude(ctx, contest_id, field(form, "entrant_id"), field(form, "note"))
        return ["Let back in; the note goes into the draw's record."]

    return act(ctx, run, back=ws_url(ctx, f"/contests/{contest_id}"))


@router.post("/w/{workspace_id}/contests/{contest_id}/draw")
@requires(Permission.POSTS_WRITE)
def make_draw(contest_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        drawn = contests.make_draw(ctx, contest_id, field(form, "public_value"))
        return [f"Drawn: {len(drawn.winners or [])} winner(s). Download the record for anyone to verify."]

    return act(ctx, run, back=ws_url(ctx, f"/contests/{contest_id}"))


@router.get("/w/{workspace_id}/contests/{contest_id}/draw.json")
@requires(Permission.INBOX_READ)
def export(contest_id: str, ctx: Ctx) -> Response:
    record = contests.export(ctx, contest_id)
    return Response(json.dumps(record, indent=2, ensure_ascii=False), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="draw-{contest_id}.json"'})


@router.get("/draws/{contest_id}.json")
@requires(Access.PUBLIC)
def public_draw_record(contest_id: str, session: DbSession) -> Response:
    """The public record of a drawn contest, for entrants to verify (the address the winners post gives)."""
    record = contests.public_record(session, contest_id)
    return Response(json.dumps(record, indent=2, ensure_ascii=False), media_type="application/json",
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"})
