"""Team comments, my notifications and integrations, in a real browser: comment with a mention, reply,
resolve (the thread folds away), see the mention arrive for the approver, add an outgoing webhook and send a
test. With SOCIALDESK_SCREENSHOTS=<folder>, each page is also saved there at 1280 px."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from socialdesk.content import service as content
from socialdesk.content.schemas import PostIn
from socialdesk.core.crypto import encrypt_json
from socialdesk.core.db import Database
from socialdesk.integrations.models import OutgoingWebhook, WebhookDeliveryAttempt
from tests.helpers import PASSWORD, make_world

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_comment_mention_resolve_and_integrations(database: Database, live_server: str, page: Any,
                                                  chromium: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x", "mastodon"), approval_steps=["approver"])
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        post = content.compose(ctx, PostIn(text="Spring sale: 20 % off all coffee beans this weekend #coffee",
                                           channel_ids=list(world.channels.values()),
                                           scheduled_at="2026-03-06T10:00")).post
        content.submit(ctx, post.id)
        hook = OutgoingWebhook(workspace_id=world.workspace_id, name="CRM", url="https://crm.example.com/hooks/sd",
                               secret_encrypted=encrypt_json({"secret": "whsec_x"}),
                               events=["post.published", "approval.decided"])
        session.add(hook)
        session.flush()
        session.add_all([
            WebhookDeliveryAttempt(workspace_id=world.workspace_id, webhook_id=hook.id, event="ping", body="{}",
                                   status="delivered", attempts=1, response_status=204),
            WebhookDeliveryAttempt(workspace_id=world.workspace_id, webhook_id=hook.id, event="approval.decided",
                                   body="{}", status="pending", attempts=2, response_status=503,
                                   error="HTTP 503")])
    page.set_viewport_size({"width": 1280, "height": 900})
    w = f"{live_server}/w/{world.workspace_id}"

    _sign_in(page, live_server, world.users["editor"])
    page.goto(f"{w}/posts/{post.id}")
    page.fill(".comment-form textarea[name=body]", "@approver is 20 % right, or was it 15?")
    page.locator(".comment-form button").click()
    expect(page.locator(".comments .comment-body")).to_have_text("@approver is 20 % right, or was it 15?")
    page.locator(".reply-box summary").click()
    page.locator(".reply-box textarea").fill("Checking with the client")
    page.locator(".reply-box button").click()
    expect(page.locator(".comments .replies .comment-body")).to_have_text("Checking with the client")
    page.fill(".comment-form textarea[name=body]", "Image is final")
    page.locator(".comment-form button").click()
    page.locator(".thread").filter(has_text="Image is final").locator("text=✓ Resolve").click()
    expect(page.locator(".comments details.resolved > summary")).to_contain_text("1 resolved thread")
    _shot(page, "post")
    page.goto(f"{w}/posts/{post.id}/edit")
    expect(page.locator(".check-panel .comments")).to_contain_text("Checking with the client")
    _shot(page, "compose")
    page.context.clear_cookies()

    _sign_in(page, live_server, world.users["approver"])
    page.goto(f"{w}/approvals")
    expect(page.locator(".approval .comments")).to_contain_text("is 20 % right")
    _shot(page, "approvals")
    expect(page.locator("nav >> text=My notifications")).to_be_visible()
    page.goto(f"{w}/notifications")
    expect(page.locator(".notif-list li").first).to_contain_text("mentioned you")
    _shot(page, "notifications")
    page.context.clear_cookies()

    _sign_in(page, live_server, world.users["owner"])
    page.goto(f"{w}/integrations")
    expect(page.locator("#webhooks table")).to_contain_text("delivered")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#webhooks >> text=Send test").click()
    expect(page.locator(".alert.note")).to_contain_text("queued")
    _shot(page, "integrations")
