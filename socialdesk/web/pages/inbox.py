"""The unified inbox: three panes (conversations, the conversation, its context and actions), keyboard
shortcuts, and a list that refreshes itself (htmx polling) while the page is open.

Every text that came from a network is rendered escaped (Jinja's autoescape; nothing is marked safe),
isolated for right-to-left scripts and wrapped or cut by CSS, so hostile text stays inert text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from socialdesk.channels import service as channels
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.inputs import MAX_PAGE, check_text
from socialdesk.inbox import actions, conversations, corrections, metrics, rules, saved_replies, service
from socialdesk.inbox.conversations import VIEWS, ConversationCursor, ConversationFilter
from socialdesk.inbox.saved_replies import SavedReplyIn
from socialdesk.inbox.view_counts import view_counts
from socialdesk.text.language import channel_languages
from socialdesk.text.triage import INTENTS
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, attempt, field, fields, partial, render, ws_url
from socialdesk.web.pages.views import publication_posts
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
PAGE_SIZE = 50
POLL_SECONDS = 15
VIEW_LABELS = {"all": "All", "unanswered": "Unanswered", "negative": "Negative", "questions": "Questions",
               "offensive": "Offensive", "spam": "Spam", "mine": "Assigned to me", "overdue": "Overdue",
               "closed": "Closed", "ads": "Ad comments"}
COMMON_LANGUAGES = ("hr", "sr", "bs", "en", "de", "ru", "es", "fr", "it", "pt", "sl", "mk")
INTENT_LABELS = {"question": "Question", "complaint": "Complaint", "praise": "Praise",
                 "purchase_intent": "Wants to buy", "other": "Other"}


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    # `channel` is what the old Comments page linked with; it still works.
    check_text(q.get("q", ""), "The search")
    return {"view": q.get("view", "all") if q.get("view", "all") in VIEWS else "all",
            "channel": q.get("channel_id") or q.get("channel", ""), "language": q.get("language", ""),
            "tag": q.get("tag", ""), "q": q.get("q", ""), "sort": q.get("sort", "priority"),
            "publication": q.get("publication", "")}


def _position(request: Request) -> tuple[ConversationCursor | None, ConversationCursor | None]:
    """Where the list continues: after the last conversation of the page before (`after`), or before the
    first of the page after (`before`, the "previous" link)."""
    q = request.query_params
    after, before = q.get("after"), q.get("before")
    if after and before:
        raise ValidationFailed("Follow either the next or the previous page link, not both: open the inbox again "
                               "from its first page.")
    for text in (after, before):
        if text and len(text) > 300:
            raise ValidationFailed("This list position is not one the inbox gave out: open the inbox again from "
                                   "its first page.")
    return (ConversationCursor.decode(after) if after else None,
            ConversationCursor.decode(before) if before else None)


def _list_context(request: Request, ctx: WorkspaceContext, flt: dict[str, str], page: int,
                  selected: str) -> dict[str, Any]:
    before = metrics.overdue_before(ctx)
    after_cursor, before_cursor = _position(request)
    wanted = ConversationFilter(view=flt["view"], channel_id=flt["channel"] or None, language=flt["language"] or None,
                                tag=flt["tag"] or None, search=flt["q"] or None, sort=flt["sort"],
                                publication_id=flt["publication"] or None)
    viewed = view_counts(ctx, before)
    counts = viewed.counts
    # Without a channel, language, tag, post or search the list is the view itself: its count is the total.
    narrowed = any(flt[k] for k in ("channel", "language", "tag", "q", "publication"))
    if after_cursor or before_cursor:
        page = after_cursor.page + 1 if after_cursor else max(1, before_cursor.page - 1)  # type: ignore[union-attr]
    found, total = conversations.list_conversations(
        ctx, wanted, limit=PAGE_SIZE, offset=0 if after_cursor or before_cursor else (page - 1) * PAGE_SIZE,
        overdue_before=before, after=after_cursor, before=before_cursor,
        total=None if narrowed else counts[flt["view"]])
    pages = max(1, -(-total // PAGE_SIZE))
    later = earlier = ""
    if found and page * PAGE_SIZE < total:
        later = ConversationCursor.after(found[-1], wanted, total, page).encode()
    if found and page > 1:
        earlier = ConversationCursor.after(found[0], wanted, total, page).encode()
    all_channels = channels.list_channels(ctx)
    query = urlencode({k: v for k, v in flt.items() if v})
    position = urlencode({"after": after_cursor.encode()} if after_cursor else
                         {"before": before_cursor.encode()} if before_cursor else
                         {"page": page} if page > 1 else {})
    return {"conversations": found, "total": total, "page": page, "pages": max(pages, page),
            "later": later, "earlier": earlier, "position": position,
            "counts": counts, "overdue_before": before, "filters": flt,
            "query": query, "selected": selected,
            "channel_by_id": {c.id: c for c in all_channels}, "channels": all_channels,
            "tags": conversations.tags_of(ctx, [c.id for c in found]), "VIEW_LABELS": VIEW_LABELS,
            "ad_conversations": conversations.with_ad_comments(ctx, [c.id for c in found]),
            "INTENT_LABELS": INTENT_LABELS, "poll_seconds": POLL_SECONDS, "can_write": ctx.can(Permission.INBOX_WRITE),
            "languages": sorted(set(viewed.languages) | ({flt["language"]} - {""}))}


def _pane_context(ctx: WorkspaceContext, conversation_id: str) -> dict[str, Any]:
    view = service.conversation_view(ctx, conversation_id)
    channel = channels.get(ctx, view.conversation.channel_id)
    people = {user.id: user for _, user in workspaces.members(ctx)}
    return {"view": view, "c": view.conversation, "channel": channel, "cap": channels.capabilities(channel),
            "post": publication_posts(ctx, view.items[:1]).get(view.conversation.publication_id or ""),
            "people": people, "can_write": ctx.can(Permission.INBOX_WRITE),
            "saved": [(s, saved_replies.render(ctx, s, view.focus)) for s in saved_replies.list_all(ctx)]
            if view.focus else [],
            "overdue_before": metrics.overdue_before(ctx), "target_minutes": metrics.target_minutes(ctx),
            "INTENT_LABELS": INTENT_LABELS, "me": ctx.actor.user_id,
            "corrections": corrections.of_items(ctx, [i.id for i in view.items]),
            "fix_options": _fix_options(channel, view.items)}


def _fix_options(channel: Any, items: Sequence[Any]) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """For each message, the other answers offered for its sentiment, intent and language: (value, shown).
    Languages: the channel's audience, the thread's, then common ones."""
    audience = list(channel_languages(channel.settings))
    seen = [i.language for i in items if i.language and i.language != "und"]
    languages = list(dict.fromkeys([*audience, *seen, *COMMON_LANGUAGES]))[:16]
    return {item.id: {
        "sentiment": [(s, s) for s in corrections.CHOICES["sentiment"] if s != item.sentiment],
        "intent": [(i, INTENT_LABELS.get(i, i)) for i in corrections.CHOICES["intent"] if i != item.intent],
        "language": [(code, code) for code in languages if code != item.language],
    } for item in items}


@router.get("/w/{workspace_id}/inbox", response_class=HTMLResponse)
@router.get("/w/{workspace_id}/comments", response_class=HTMLResponse)  # the old address keeps working
@requires(Permission.INBOX_READ)
def inbox(request: Request, ctx: Ctx, page: int = Query(1, le=MAX_PAGE), c: str = "") -> HTMLResponse:
    flt = _filters(request)
    listed = _list_context(request, ctx, flt, max(page, 1), c)
    selected = c or (listed["conversations"][0].id if listed["conversations"] else "")
    listed["selected"] = selected
    pane = _pane_context(ctx, selected) if selected else {}
    return render(request, "inbox.html", ctx=ctx, section="inbox", **{**listed, **pane})


@router.get("/w/{workspace_id}/inbox/list", response_class=HTMLResponse)
@requires(Permission.INBOX_READ)
def inbox_list(request: Request, ctx: Ctx, page: int = Query(1, le=MAX_PAGE), selected: str = "") -> HTMLResponse:
    """The list pane alone: what polling and the filters redraw."""
    return partial(request, "partials/inbox_list.html", ctx=ctx,
                   **_list_context(request, ctx, _filters(request), max(page, 1), selected))


@router.get("/w/{workspace_id}/inbox/open", response_class=HTMLResponse)
@requires(Permission.INBOX_READ)
def inbox_open(request: Request, ctx: Ctx, c: str = "") -> HTMLResponse:
    """The conversation and context panes for one conversation."""
    if not c:
        return partial(request, "partials/inbox_empty.html", ctx=ctx)
    return _panes(request, ctx, c)


def _panes(request: Request, ctx: WorkspaceContext, conversation_id: str, *, error: str | None = None,
           note: str | None = None, typed: str = "") -> HTMLResponse:
    response = partial(request, "partials/inbox_panes.html", ctx=ctx, error=error, note=note, typed=typed,
                       **_pane_context(ctx, conversation_id))
    response.headers["HX-Trigger"] = "inbox-changed"  # the list redraws: priorities may have moved
    return response


def _do(request: Request, ctx: WorkspaceContext, conversation_id: str, action: Callable[[], Any], done: str,
        typed: str = "") -> Response:
    """Run an action; htmx gets the panes redrawn (with the network's refusal, if any, and a refused
    reply still typed), a plain form a redirect back to the conversation."""
    conversations.get(ctx, conversation_id)
    if not request.headers.get("hx-request"):
        def run() -> list[str]:
            action()
            return [done]

        return act(ctx, run, back=ws_url(ctx, f"/inbox?c={conversation_id}"))
    _, failure = attempt(ctx.session, action)
    return _panes(request, ctx, conversation_id, error=failure.message if failure else None,
                  note=None if failure else done, typed=typed if failure else "")


def _conversation_of(ctx: WorkspaceContext, item_id: str) -> str:
    item = service.get(ctx, item_id)
    if item.conversation_id is None:
        raise ValidationFailed("This message is still being sorted into a conversation; try again in a moment.")
    return item.conversation_id


# Conversation actions -----------------------------------------------------------------------------------


@router.post("/w/{workspace_id}/inbox/c/{conversation_id}/reply")
@requires(Permission.INBOX_WRITE)
def reply(request: Request, conversation_id: str, ctx: Ctx, form: Form) -> Response:
    text = field(form, "text")
    return _do(request, ctx, conversation_id, lambda: actions.reply_to_conversation(ctx, conversation_id, text),
               "Reply sent.", typed=text)


@router.post("/w/{workspace_id}/inbox/c/{conversation_id}/assign")
@requires(Permission.INBOX_WRITE)
def assign(request: Request, conversation_id: str, ctx: Ctx, form: Form) -> Response:
    who = field(form, "user_id")
    who = ctx.actor.user_id or "" if who == "me" else who
    return _do(request, ctx, conversation_id, lambda: actions.assign(ctx, conversation_id, who or None),
               "Assigned." if who else "Unassigned.")


@router.post("/w/{workspace_id}/inbox/c/{conversation_id}/status")
@requires(Permission.INBOX_WRITE)
def status(request: Request, conversation_id: str, ctx: Ctx, form: Form) -> Response:
    value = field(form, "status")
    return _do(request, ctx, conversation_id, lambda: actions.set_status(ctx, conversation_id, value),
               {"closed": "Closed.", "open": "Reopened.", "waiting": "Marked as waiting."}.get(value, "Saved."))


@router.post("/w/{workspace_id}/inbox/c/{conversation_id}/tag")
@requires(Permission.INBOX_WRITE)
def tag(request: Request, conversation_id: str, ctx: Ctx, form: Form) -> Response:
    value = field(form, "tag")
    if field(form, "remove"):
        return _do(request, ctx, conversation_id, lambda: actions.remove_tag(ctx, conversation_id, value),
                   "Tag removed.")
    return _do(request, ctx, conversation_id, lambda: actions.add_tag(ctx, conversation_id, value), "Tagged.")


@router.post("/w/{workspace_id}/inbox/c/{conversation_id}/note")
@requires(Permission.INBOX_WRITE)
def note(request: Request, conversation_id: str, ctx: Ctx, form: Form) -> Response:
    text = field(form, "text")
    return _do(request, ctx, conversation_id, lambda: actions.add_note(ctx, conversation_id, text), "Note added.",
               typed=text)


@router.post("/w/{workspace_id}/inbox/c/{conversation_id}/undo")
@requires(Permission.INBOX_WRITE)
def undo(request: Request, conversation_id: str, ctx: Ctx, form: Form) -> Response:
    action_id = field(form, "action_id")

    def run() -> None:
        record = actions.undo(ctx, action_id)
        if record.conversation_id != conversation_id:
            raise ValidationFailed("That action belongs to another conversation.")

    return _do(request, ctx, conversation_id, run, "Undone.")


# Message actions ----------------------------------------------------------------------------------------

ITEM_ACTIONS: dict[str, tuple[Callable[[WorkspaceContext, str], Any], str]] = {
    "hide": (actions.hide, "Hidden on the network."),
    "like": (actions.like, "Liked."),
    "delete": (actions.delete_item, "Deleted on the network."),
    "block": (actions.block_author, "Author blocked."),
    "spam": (lambda ctx, item_id: actions.mark_spam(ctx, item_id, True), "Marked as spam."),
    "not-spam": (lambda ctx, item_id: actions.mark_spam(ctx, item_id, False), "Marked as not spam."),
}


def _item_route(action: str, function: Callable[[WorkspaceContext, str], Any], done: str) -> None:
    @requires(Permission.INBOX_WRITE)
    def run(request: Request, item_id: str, ctx: Ctx) -> Response:
        return _do(request, ctx, _conversation_of(ctx, item_id), lambda: function(ctx, item_id), done)

    router.post(f"/w/{{workspace_id}}/inbox/i/{{item_id}}/{action}", name=f"inbox_item_{action}")(run)


for _action, (_function, _done) in ITEM_ACTIONS.items():
    _item_route(_action, _function, _done)


@router.post("/w/{workspace_id}/inbox/i/{item_id}/correct")
@requires(Permission.INBOX_WRITE)
def correct(request: Request, item_id: str, ctx: Ctx, form: Form) -> Response:
    """One click on the right answer for a triage label (sentiment, language, offensive, spam, intent)."""
    label, value = field(form, "label"), field(form, "value")
    done = f"Corrected: {corrections.LABEL_NAMES.get(label, label)} is now {value.strip().lower()}."
    return _do(request, ctx, _conversation_of(ctx, item_id),
               lambda: corrections.correct(ctx, item_id, label, value), done)


@router.post("/w/{workspace_id}/inbox/bulk", response_class=HTMLResponse)
@requires(Permission.INBOX_WRITE)
def bulk(request: Request, ctx: Ctx, form: Form) -> Response:
    ids = fields(form, "ids")
    action = field(form, "action")
    who = field(form, "user_id")
    who = ctx.actor.user_id or "" if who == "me" else who

    def run() -> list[str]:
        result = actions.bulk(ctx, ids, action, user_id=who or None, tag=field(form, "tag") or None)
        notes = [f"{len(result.done)} conversation{'s' if len(result.done) != 1 else ''} updated."]
        return notes + [f"One could not be changed: {why}" for why in list(result.failed.values())[:3]]

    return act(ctx, run, back=ws_url(ctx, f"/inbox?{field(form, 'back_query')}"))


# Saved replies, rules, the target and the figures ----------------------------------------------------------------


@router.get("/w/{workspace_id}/inbox/setup", response_class=HTMLResponse)
@requires(Permission.INBOX_READ)
def setup(request: Request, ctx: Ctx) -> HTMLResponse:
    until = clock.now()
    report = metrics.report(ctx, until - timedelta(days=28), until)
    people = {user.id: user for _, user in workspaces.members(ctx)}
    return render(request, "inbox_setup.html", ctx=ctx, section="inbox", saved=saved_replies.list_all(ctx),
                  rules=rules.list_all(ctx), recent=actions.recent_automatic(ctx, 30), report=report, people=people,
                  channel_by_id={c.id: c for c in channels.list_channels(ctx)}, intents=INTENTS,
                  INTENT_LABELS=INTENT_LABELS, target=metrics.target_minutes(ctx),
                  variables=saved_replies.VARIABLES)


def _setup_act(ctx: WorkspaceContext, action: Callable[[], Any], done: str) -> Response:
    def run() -> list[str]:
        action()
        return [done]

    return act(ctx, run, back=ws_url(ctx, "/inbox/setup"))


@router.post("/w/{workspace_id}/inbox/setup/saved-replies")
@requires(Permission.INBOX_WRITE)
def add_saved_reply(ctx: Ctx, form: Form) -> Response:
    texts = {"": field(form, "text")}
    for language, text in zip(fields(form, "version_language"), fields(form, "version_text"), strict=False):
        texts[language] = text
    values = {"name": field(form, "name"), "intent": field(form, "intent") or None, "texts": texts}
    return _setup_act(ctx, lambda: saved_replies.create(ctx, _valid(SavedReplyIn, values)), "Saved reply added.")


@router.post("/w/{workspace_id}/inbox/setup/saved-replies/{saved_reply_id}/delete")
@requires(Permission.INBOX_WRITE)
def delete_saved_reply(saved_reply_id: str, ctx: Ctx) -> Response:
    return _setup_act(ctx, lambda: saved_replies.remove(ctx, saved_reply_id), "Saved reply deleted.")


@router.post("/w/{workspace_id}/inbox/setup/rules")
@requires(Permission.INBOX_WRITE)
def add_rule(ctx: Ctx, form: Form) -> Response:
    def words(name: str) -> list[str]:
        return [w.strip() for w in field(form, name).split(",") if w.strip()]

    def score(name: str) -> float | None:
        value = field(form, name)
        return float(value) / 100 if value else None

    def build() -> None:
        data = _valid(rules.RuleIn, {
            "name": field(form, "name"),
            "conditions": {"sentiments": fields(form, "sentiments"), "intents": fields(form, "intents"),
                           "offensive_at_least": score("offensive_at_least"), "spam_at_least": score("spam_at_least"),
                           "keywords": words("keywords"), "languages": words("languages"),
                           "authors": words("authors"), "channel_ids": fields(form, "channel_ids")},
            "actions": {"hide": bool(field(form, "hide")), "mark_spam": bool(field(form, "mark_spam")),
                        "labels": words("labels"), "assign_to": field(form, "assign_to") or None,
                        "draft_reply": field(form, "draft_reply") or None,
                        "send_reply": bool(field(form, "send_reply"))}})
        rules.create(ctx, data)

    return _setup_act(ctx, build, "Rule added. It acts on messages that arrive from now on.")


@router.post("/w/{workspace_id}/inbox/setup/rules/{rule_id}/delete")
@requires(Permission.INBOX_WRITE)
def delete_rule(rule_id: str, ctx: Ctx) -> Response:
    return _setup_act(ctx, lambda: rules.remove(ctx, rule_id), "Rule deleted.")


@router.post("/w/{workspace_id}/inbox/setup/target")
@requires(Permission.WORKSPACE_ADMIN)
def set_target(ctx: Ctx, form: Form) -> Response:
    def run() -> None:
        try:
            minutes = int(field(form, "minutes"))
        except ValueError as exc:
            raise ValidationFailed("The target is a whole number of minutes.") from exc
        metrics.set_target(ctx, minutes)

    return _setup_act(ctx, run, "Response-time target saved.")


@router.post("/w/{workspace_id}/inbox/setup/undo")
@requires(Permission.INBOX_WRITE)
def undo_automatic(ctx: Ctx, form: Form) -> Response:
    return _setup_act(ctx, lambda: actions.undo(ctx, field(form, "action_id")), "Undone.")


def _valid(model: type[Any], values: dict[str, Any]) -> Any:
    """A pydantic model from form values, its complaints turned into one readable error."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed(f"{where}: {first['msg']}") from exc
