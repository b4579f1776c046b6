"""Team comments on posts (the forms behind partials/post_comments.html), a person's notifications and
preferences, and the workspace's integrations: chat webhooks and signed outgoing webhooks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.comments import service as comments
from socialdesk.content import service as content
from socialdesk.integrations import service as integrations
from socialdesk.notifications import people
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, attempt, field, fields, redirect, render, safe_local, ws_url
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter()


def _back(ctx: WorkspaceContext, form: Form, default: str) -> str:
    return safe_local(field(form, "back"), ws_url(ctx, default))


@router.post("/w/{workspace_id}/posts/{post_id}/comments")
@requires(Permission.POSTS_READ)  # and posts:write or posts:approve (comments.service)
def add_comment(post_id: str, ctx: Ctx, form: Form) -> Response:
    content.get_post(ctx, post_id)
    back = _back(ctx, form, f"/posts/{post_id}")

    def add() -> list[str]:
        made = comments.add(ctx, post_id, field(form, "body"), field(form, "parent_id") or None)
        return [f"Comment added; {len(made.mentions)} member(s) notified." if made.mentions else "Comment added."]

    return act(ctx, add, back=back.split("#")[0] + f"#comments-{post_id}")


@router.post("/w/{workspace_id}/comments/{comment_id}/resolve")
@requires(Permission.POSTS_READ)  # and posts:write or posts:approve (comments.service)
def resolve_comment(comment_id: str, ctx: Ctx, form: Form) -> Response:
    def resolve() -> list[str]:
        comments.resolve(ctx, comment_id)
        return ["Resolved: the thread is folded away."]

    return act(ctx, resolve, back=_back(ctx, form, "/posts"))


@router.post("/w/{workspace_id}/comments/{comment_id}/reopen")
@requires(Permission.POSTS_READ)  # and posts:write or posts:approve (comments.service)
def reopen_comment(comment_id: str, ctx: Ctx, form: Form) -> Response:
    def reopen() -> list[str]:
        comments.reopen(ctx, comment_id)
        return ["Thread reopened."]

    return act(ctx, reopen, back=_back(ctx, form, "/posts"))


# A person's notifications ---------------------------------------------------------------------------------


@router.get("/w/{workspace_id}/notifications", response_class=HTMLResponse)
@requires(Access.MEMBER)
def notifications_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return render(request, "notifications.html", ctx=ctx, section="notifications", mine=people.mine(ctx),
                  prefs=people.preferences(ctx), events=people.EVENTS, modes=people.EMAIL_MODES)


@router.post("/w/{workspace_id}/notifications/read")
@requires(Access.MEMBER)
def mark_read(ctx: Ctx) -> Response:
    return act(ctx, lambda: [f"Marked {people.mark_mine_read(ctx)} as read."], back=ws_url(ctx, "/notifications"))


@router.post("/w/{workspace_id}/notifications/preferences")
@requires(Access.MEMBER)
def save_preferences(ctx: Ctx, form: Form) -> Response:
    shown = set(fields(form, "in_app"))
    emailed = set(fields(form, "emailed"))

    def save() -> list[str]:
        people.set_preferences(ctx, email=field(form, "email"),
                               in_app_muted=[e for e in people.EVENTS if e not in shown],
                               email_muted=[e for e in people.EVENTS if e not in emailed])
        return ["Preferences saved."]

    return act(ctx, save, back=ws_url(ctx, "/notifications"))


# Integrations ---------------------------------------------------------------------------------------------


def _integrations(request: Request, ctx: WorkspaceContext, *, new_secret: tuple[str, str] | None = None,
                  errors: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    hooks = integrations.webhooks(ctx)
    return render(request, "integrations.html", ctx=ctx, section="integrations", chats=people.chat_webhooks(ctx),
                  flavours=people.FLAVOURS, chat_events=people.EVENTS, hooks=hooks,
                  deliveries={h.id: integrations.deliveries(ctx, h.id, 10) for h in hooks},
                  hook_events=integrations.EVENTS, new_secret=new_secret, errors=errors, status_code=status_code)


@router.get("/w/{workspace_id}/integrations", response_class=HTMLResponse)
@requires(Permission.WORKSPACE_ADMIN)
def integrations_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return _integrations(request, ctx)


@router.post("/w/{workspace_id}/integrations/chat")
@requires(Permission.WORKSPACE_ADMIN)
def add_chat(ctx: Ctx, form: Form) -> Response:
    return act(ctx, lambda: [f"Added {people.add_chat_webhook(ctx, name=field(form, 'name'), flavour=field(form, 'flavour'), url=field(form, 'url'), events=fields(form, 'events')).name}."],  # noqa: E501
               back=ws_url(ctx, "/integrations"))


@router.post("/w/{workspace_id}/integrations/chat/{chat_webhook_id}/delete")
@requires(Permission.WORKSPACE_ADMIN)
def delete_chat(chat_webhook_id: str, ctx: Ctx) -> Response:
    def remove() -> list[str]:
        people.remove_chat_webhook(ctx, chat_webhook_id)
        return ["Chat webhook removed."]

    return act(ctx, remove, back=ws_url(ctx, "/integrations"))


@router.post("/w/{workspace_id}/integrations/webhooks", response_model=None)
@requires(Permission.WORKSPACE_ADMIN)
def add_webhook(request: Request, ctx: Ctx, form: Form) -> Response:
    made, error = attempt(ctx.session, lambda: integrations.add(ctx, name=field(form, "name"), url=field(form, "url"),
                                                                events=fields(form, "events")))
    if error is not None or made is None:
        return redirect(ws_url(ctx, "/integrations"), errors=[error.message if error else "Not added."])
    hook, secret = made
    # The secret is shown on this answer only (not through a redirect or a cookie), as API token secrets are.
    return _integrations(request, ctx, new_secret=(hook.name, secret), status_code=201)


@router.post("/w/{workspace_id}/integrations/webhooks/{webhook_id}/test")
@requires(Permission.WORKSPACE_ADMIN)
def test_webhook(webhook_id: str, ctx: Ctx) -> Response:
    return act(ctx, lambda: [f"Test delivery {integrations.send_test(ctx, webhook_id).id} queued: it appears in "
                             "the log below within seconds (reload)."], back=ws_url(ctx, "/integrations"))


@router.post("/w/{workspace_id}/integrations/webhooks/{webhook_id}/delete")
@requires(Permission.WORKSPACE_ADMIN)
def delete_webhook(webhook_id: str, ctx: Ctx) -> Response:
    def remove() -> list[str]:
        integrations.remove(ctx, webhook_id)
        return ["Webhook removed; its delivery log went with it."]

    return act(ctx, remove, back=ws_url(ctx, "/integrations"))
