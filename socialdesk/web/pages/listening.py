"""The listening page: monitors (add, run now, remove), the mentions stream (search, filter, turn one into
a post idea) and the alerts with the mentions behind them."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.core.errors import ValidationFailed
from socialdesk.listening import replies, x_source
from socialdesk.listening import service as listening
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, field, render, ws_url
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


@router.get("/w/{workspace_id}/listening", response_class=HTMLResponse)
@requires(Permission.INBOX_READ)
def listening_page(request: Request, ctx: Ctx, q: str = "", monitor: str = "", sentiment: str = "",
                   alert: str = "") -> HTMLResponse:
    monitors = listening.monitors(ctx)
    names = {m.id: m.name for m in monitors}
    chosen = next((m for m in monitors if m.id == monitor), None)
    problems: list[str] = []
    shown_alert = None
    alert_ids = None
    if alert:
        found = [a for a in listening.alerts(ctx, limit=500) if a.id == alert]
        if found:
            shown_alert = found[0]
            alert_ids = list(found[0].mention_ids or [])
    try:
        stream = listening.mentions(ctx, monitor=chosen.id if chosen else None, query=q or None,
                                    sentiment=sentiment or None, limit=50, ids=alert_ids)
    except ValidationFailed as exc:
        problems.append(exc.message)
        stream = []
    return render(request, "listening.html", ctx=ctx, section="listening", monitors=monitors, names=names,
                  mentions=stream, alerts=listening.alerts(ctx, limit=30), q=q, monitor=monitor, sentiment=sentiment,
                  shown_alert=shown_alert, problems=problems, reply_options=replies.options_by_mention(ctx, stream),
                  sent={k: [replies.reply_dict(ctx, r) for r in v]
                        for k, v in replies.replies_of(ctx, [m.id for m in stream]).items()},
                  new_key=lambda: secrets.token_urlsafe(18),
                  volumes={m.id: listening.volume_by_day(ctx, m) for m in monitors},
                  x_cost_before=x_source.estimate_text(), x_cost_short=x_source.estimate_text(short=True),
                  x_costs={
                      m.id: x_source.spent_text(((m.state or {}).get("sources") or {}).get("x") or {})
                      for m in monitors if "x" in m.sources})


@router.post("/w/{workspace_id}/listening/monitors")
@requires(Permission.INBOX_WRITE)
def add_monitor(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        rate_text = field(form, "false_alarm_rate", "0.001") or "0.001"
        try:
            rate = float(rate_text)
        except ValueError:
            raise ValidationFailed(f"The false-alarm rate is a number such as 0.001, not {rate_text!r}.") from None
        monitor = listening.add_monitor(
            ctx, name=field(form, "name"), terms=_lines(field(form, "terms")), sources=_lines(field(form, "sources")),
            variants=_lines(field(form, "variants")), exclusions=_lines(field(form, "exclusions")),
            languages=[field(form, "languages")], false_alarm_rate=rate)
        return [f"Monitor {monitor.name} added: it is fetched every minute, or now with “Fetch now”."]

    return act(ctx, run, back=ws_url(ctx, "/listening"))


@router.post("/w/{workspace_id}/listening/monitors/{monitor_id}/run")
@requires(Permission.INBOX_WRITE)
def run_monitor(ctx: Ctx, monitor_id: str) -> Response:
    def run() -> list[str]:
        monitor = listening.find_monitor(ctx, monitor_id)
        result = listening.run_monitor(ctx.session, monitor)
        notes = [f"{monitor.name}: {result.new} new mention(s) of {result.matched} matching, "
                 f"{len(result.alerts)} alert(s)."]
        notes += [f"{spec}: {error}" for spec, error in result.errors.items()]
        if "x" in monitor.sources and x_source.spent_text((monitor.state.get("sources") or {}).get("x") or {}):
            notes.append(f"x: {x_source.spent_text(monitor.state['sources']['x'])}")
        return notes

    return act(ctx, run, back=ws_url(ctx, "/listening"))


@router.post("/w/{workspace_id}/listening/monitors/{monitor_id}/delete")
@requires(Permission.INBOX_WRITE)
def remove_monitor(ctx: Ctx, monitor_id: str) -> Response:
    def run() -> list[str]:
        listening.remove_monitor(ctx, monitor_id)
        return ["Monitor removed with its mentions and alerts."]

    return act(ctx, run, back=ws_url(ctx, "/listening"))


@router.post("/w/{workspace_id}/listening/mentions/{mention_id}/idea")
@requires(Permission.POSTS_WRITE)
def post_idea(ctx: Ctx, mention_id: str) -> Response:
    made: list[str] = []

    def run() -> list[str]:
        made.append(listening.post_idea(ctx, mention_id))
        return ["A draft was made from the mention, with its link: edit it and choose the channels."]

    response = act(ctx, run, back=ws_url(ctx, "/listening"))
    if made:
        response.headers["location"] = ws_url(ctx, f"/posts/{made[0]}/edit")
    return response


@router.post("/w/{workspace_id}/listening/mentions/{mention_id}/reply")
@requires(Permission.INBOX_WRITE)
def reply_to_mention(ctx: Ctx, mention_id: str, form: Form) -> Response:
    def run() -> list[str]:
        # The form carries a fresh key per rendering: a double click or a resent form sends one reply.
        row = replies.reply(ctx, mention_id, channel_id=field(form, "channel_id"), text=field(form, "text"),
                            idempotency_key=field(form, "key") or None)
        shown = replies.reply_dict(ctx, row)
        return [f"Replied as {shown['channel']}." + (f" {shown['url']}" if shown["url"] else "")]

    return act(ctx, run, back=ws_url(ctx, "/listening") + "#mentions")
