"""The HTML pages through FastAPI's TestClient: sign-in, every page, the composer's checks, escaping, CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from socialdesk.channels import service as channels_service
from socialdesk.content import service as content
from socialdesk.content.models import PublicationStatus
from socialdesk.core import clock as clock_module
from socialdesk.inbox import service as inbox
from socialdesk.networks.base import InboxPage, IncomingItem, IncomingKind
from socialdesk.web.deps import SESSION_COOKIE
from tests.helpers import PASSWORD
from tests.web.conftest import Site, jpeg_bytes
from tests.web_client import web_app

HOSTILE = "<script>alert(1)</script>"


# Signing in ------------------------------------------------------------------------------------------


def test_login_sets_a_safe_cookie_and_goes_where_it_was_asked(site: Site) -> None:
    browser = TestClient(web_app(), follow_redirects=False)
    assert "Sign in" in browser.get("/login").text
    response = browser.post("/login", data={"email": site.world.users["owner"], "password": PASSWORD,
                                            "next": f"{site.w}/calendar"})
    assert response.status_code == 303
    assert response.headers["location"] == f"{site.w}/calendar"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert browser.get(f"{site.w}/calendar").status_code == 200


def test_wrong_password_is_refused_with_the_form_again(site: Site) -> None:
    browser = TestClient(web_app(), follow_redirects=False)
    response = browser.post("/login", data={"email": site.world.users["owner"], "password": "not the password"})
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text
    assert site.world.users["owner"] in response.text  # the e-mail stays typed in
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert browser.get(site.w).status_code == 303


def test_login_never_redirects_to_another_site(site: Site) -> None:
    browser = TestClient(web_app(), follow_redirects=False)
    response = browser.post("/login", data={"email": site.world.users["owner"], "password": PASSWORD,
                                            "next": "//evil.example/phish"})
    assert response.headers["location"] == "/"


def test_pages_send_strangers_to_sign_in(site: Site) -> None:
    response = TestClient(web_app(), follow_redirects=False).get(f"{site.w}/posts")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={site.w}/posts"


def test_logout_ends_the_session(site: Site) -> None:
    assert site.post("/logout").status_code == 303
    assert site.client.get(site.w).status_code == 303


def test_home_opens_the_only_workspace(site: Site) -> None:
    assert site.client.get("/").headers["location"] == site.w


# The composer ------------------------------------------------------------------------------------------


def test_live_check_counts_as_x_does_and_says_what_is_wrong(site: Site) -> None:
    x, instagram = site.world.channels["x"], site.world.channels["instagram"]
    text = "a" * 290 + " https://example.com/a/very/long/link/that/x/counts/as/23"
    response = site.post(f"{site.w}/compose/check", {"text": text, "channel_ids": [x, instagram]})
    assert response.status_code == 200
    assert "314 / 280" in response.text  # 290 + a space + 23 for the link
    assert "allows 280" in response.text
    assert "needs at least one image or video" in response.text  # the Instagram-like channel
    assert 'class="hl-link"' in response.text  # the preview marks the link


def test_live_check_shows_the_network_preview_escaped(site: Site) -> None:
    response = site.post(f"{site.w}/compose/check", {"text": f"{HOSTILE} #coffee",
                                                     "channel_ids": [site.world.channels["x"]]})
    assert HOSTILE not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert '<span class="hl-tag">#coffee</span>' in response.text


def test_a_refused_save_keeps_everything_typed_and_saves_nothing(site: Site) -> None:
    x, instagram = site.world.channels["x"], site.world.channels["instagram"]
    before = _post_count(site)
    response = site.post(f"{site.w}/compose", {
        "text": "b" * 300, "channel_ids": [x, instagram], f"variant_{instagram}": "Own words for Instagram",
        "day": "2026-03-10", "time": "12:30", "timezone": "Europe/Zagreb", "intent": "schedule"})
    assert response.status_code == 422
    assert "b" * 300 in response.text
    assert "Own words for Instagram" in response.text
    assert 'value="2026-03-10"' in response.text and 'value="12:30"' in response.text
    assert "300 / 280" in response.text and "allows 280" in response.text
    assert _post_count(site) == before


def test_a_good_save_schedules_and_says_when(site: Site) -> None:
    x, instagram = site.world.channels["x"], site.world.channels["instagram"]
    response = site.post(f"{site.w}/compose", {
        "text": "A long Instagram caption " * 5, "channel_ids": [x, instagram], "media_ids": [site.media_id],
        f"variant_{x}": "Short for X #coffee", "day": "2026-03-10", "time": "12:30", "intent": "schedule"})
    assert response.status_code == 303
    detail = site.client.get(response.headers["location"])
    assert "Scheduled for Tue 10 Mar 2026 12:30 (Europe/Zagreb)." in detail.text
    assert detail.text.count("st-scheduled") >= 2


def test_past_time_is_refused_with_the_reason(site: Site) -> None:
    response = site.post(f"{site.w}/compose", {"text": "Hello", "channel_ids": [site.world.channels["x"]],
                                               "day": "2026-03-01", "time": "08:00", "intent": "schedule"})
    assert response.status_code == 422
    assert "is in the past" in response.text


def test_repeat_choice_becomes_a_rule(site: Site) -> None:
    response = site.post(f"{site.w}/compose", {"text": "Weekly tip", "channel_ids": [site.world.channels["x"]],
                                               "day": "2026-03-09", "time": "09:00", "repeat": "weekly",
                                               "repeat_count": "3", "intent": "schedule"})
    assert response.status_code == 303
    post_id = response.headers["location"].rsplit("/", 1)[1]
    assert "FREQ=WEEKLY;COUNT=3" in site.client.get(f"{site.w}/posts/{post_id}").text
    edit = site.client.get(f"{site.w}/posts/{post_id}/edit").text
    assert '<option value="weekly" selected>' in edit


def test_upload_from_the_composer_ticks_the_new_file(site: Site) -> None:
    response = site.post(f"{site.w}/compose/upload", {"text": "Blue skies", "media_ids": [site.media_id]},
                         files=[("upload", ("blue.jpg", jpeg_bytes((30, 140, 200)), "image/jpeg"))],
                         headers={"hx-request": "true"})
    assert response.status_code == 200
    ticked = re.findall(r'name="media_ids" value="(\w+)" checked', response.text)
    assert len(ticked) == 2 and site.media_id in ticked  # the new file, and the one ticked before
    refused = site.post(f"{site.w}/compose/upload", {"text": "x"},
                        files=[("upload", ("bad.jpg", b"nope", "image/jpeg"))], headers={"hx-request": "true"})
    assert "bad.jpg: not a supported image or video" in refused.text


# Calendar ------------------------------------------------------------------------------------------------


def test_calendar_shows_the_post_on_its_day(site: Site) -> None:
    page = site.client.get(f"{site.w}/calendar?date=2026-03-04").text
    day = page.split('data-date="2026-03-04"', 1)[1].split('data-date="2026-03-05"', 1)[0]
    assert "Fresh beans today" in day and "10:00" in day  # composed as 10:00 in the workspace zone


def test_dragging_a_post_reschedules_it_and_the_past_is_refused(site: Site) -> None:
    move = f"{site.w}/posts/{site.post_id}/move"
    moved = site.post(move, {"date": "2026-03-06", "time": "11:00"}, headers={"accept": "application/json"})
    assert moved.status_code == 200
    with site.db.read_sessions() as session:
        post = content.get_post(site.world.ctx(session), site.post_id)
        assert post.scheduled_at is not None and post.scheduled_at.isoformat() == "2026-03-06T10:00:00+00:00"
    refused = site.post(move, {"date": "2026-02-01", "time": "11:00"}, headers={"accept": "application/json"})
    assert refused.status_code == 422
    assert "in the past" in refused.json()["message"]


# Comments -------------------------------------------------------------------------------------------------


def _deliver_comment(site: Site, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """A comment arrives through the inbox's own fetch, from a stand-in for the network's API."""

    class Network:
        def credentials_expire_at(self) -> None:
            return None  # a token that does not expire: nothing to refresh

        def fetch_inbox(self, cursor: str | None) -> InboxPage:
            item = IncomingItem("c-1", IncomingKind.COMMENT, text, clock_module.now() - timedelta(minutes=5),
                                "u-1", "mallory", "Mallory")
            return InboxPage([] if cursor else [item], "done")

    monkeypatch.setattr(channels_service, "adapter", lambda channel: Network())
    assert inbox.fetch_channel(site.db, site.world.channels["x"]) == 1


def test_hostile_comment_shows_as_text(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    _deliver_comment(site, monkeypatch, f"{HOSTILE} <img src=x onerror=alert(2)>")
    for path in ("/inbox", ""):
        page = site.client.get(f"{site.w}{path}").text
        assert HOSTILE not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_replying_from_the_list_redraws_the_comment(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    _deliver_comment(site, monkeypatch, "Do you have oat milk?")
    with site.db.read_sessions() as session:
        items, _ = inbox.list_items(site.world.ctx(session))
    replies: list[str] = []

    class Network:
        def credentials_expire_at(self) -> None:
            return None

        def reply(self, item_external_id: str, text: str) -> str:
            replies.append(text)
            return "r-1"

    monkeypatch.setattr(channels_service, "adapter", lambda channel: Network())
    response = site.post(f"{site.w}/inbox/c/{items[0].conversation_id}/reply", {"text": "Yes, we do!"},
                         headers={"hx-request": "true"})
    assert response.status_code == 200
    assert "Reply sent." in response.text and "Yes, we do!" in response.text
    assert replies == ["Yes, we do!"]


# CSRF, approvals, settings, media ----------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(site: Site) -> None:
    refused = site.client.post(f"{site.w}/queue/pause", data={})
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    accepted = site.post(f"{site.w}/queue/pause")
    assert accepted.status_code == 303
    assert "Publishing paused" in site.client.get(f"{site.w}/queue").text


def test_every_form_carries_the_token(site: Site) -> None:
    for path in ("", "/compose", f"/posts/{site.post_id}", "/channels", "/media", "/queue", "/settings"):
        page = site.client.get(f"{site.w}{path}").text
        forms = page.count('method="post"')
        assert forms and page.count(f'name="csrf_token" value="{site.csrf}"') >= forms, path
        assert f'"X-CSRF-Token": "{site.csrf}"' in page


def test_approval_from_the_queue_swaps_the_card(site: Site) -> None:
    editor = TestClient(web_app(), follow_redirects=False)
    editor.post("/login", data={"email": site.world.users["editor"], "password": PASSWORD})
    with site.db.unit_of_work() as session:
        owner = site.world.ctx(session)
        from socialdesk.workspaces import service as workspaces

        workspaces.update_settings(owner, approval_steps=["approver"])
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', editor.get(f"{site.w}/compose").text)
    assert csrf is not None
    response = editor.post(f"{site.w}/compose", data={
        "csrf_token": csrf.group(1), "text": "Please approve", "channel_ids": [site.world.channels["x"]],
        "day": "2026-03-12", "time": "10:00", "intent": "submit"})
    assert response.status_code == 303
    post_id = response.headers["location"].rsplit("/", 1)[1]
    assert "Please approve" in site.client.get(f"{site.w}/approvals").text
    refused = site.post(f"{site.w}/posts/{post_id}/reject", {"comment": ""}, headers={"hx-request": "true"})
    assert "needs a comment" in refused.text
    approved = site.post(f"{site.w}/posts/{post_id}/approve", headers={"hx-request": "true"})
    assert approved.status_code == 200
    assert approved.headers["hx-trigger"] == "approvals-changed"
    assert "Scheduled for" in approved.text


def test_failed_publication_shows_the_network_error_and_can_be_retried(site: Site) -> None:
    with site.db.unit_of_work() as session:
        ctx = site.world.ctx(session)
        publication = content.get_publication(ctx, site.publication_id)
        publication.status = PublicationStatus.FAILED
        publication.last_error = "Status is a duplicate."
    dashboard = site.client.get(site.w).text
    assert "Needs attention" in dashboard and "Status is a duplicate." in dashboard
    retried = site.post(f"{site.w}/publications/{site.publication_id}/retry", {"back": site.w})
    assert retried.status_code == 303 and retried.headers["location"] == site.w
    assert "Trying again now." in site.client.get(site.w).text


def test_api_token_secret_is_shown_once(site: Site) -> None:
    created = site.post(f"{site.w}/settings/tokens", {"name": "reports", "scopes": ["read"],
                                                      "this_workspace_only": "1"})
    assert created.status_code == 200
    secret = re.search(r'id="new-secret">([^<]+)<', created.text)
    assert secret is not None and secret.group(1).startswith("sdk_")
    assert secret.group(1) not in site.client.get(f"{site.w}/settings").text
    api = TestClient(web_app())
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert api.get(f"/api/v1/workspaces/{site.world.workspace_id}/posts", headers=headers).status_code == 200


def test_media_upload_accepts_images_and_explains_refusals(site: Site) -> None:
    uploaded = site.post(f"{site.w}/media", files=[("files", ("croissant.jpg", jpeg_bytes((10, 200, 90)),
                                                              "image/jpeg"))])
    assert uploaded.status_code == 303
    page = site.client.get(f"{site.w}/media").text
    assert "Uploaded croissant.jpg." in page and "croissant.jpg" in page
    refused = site.post(f"{site.w}/media", files=[("files", ("notes.jpg", b"not an image", "image/jpeg"))])
    assert "not a supported image or video" in site.client.get(refused.headers["location"]).text


def test_channels_page_connects_a_sandbox_channel(site: Site) -> None:
    response = site.post(f"{site.w}/channels/connect", {"network": "sandbox", "name": "Brand on Bluesky",
                                                        "handle": "branda_bsky", "profile": "bluesky"})
    assert response.status_code == 303, response.text[:400]
    page = site.client.get(f"{site.w}/channels").text
    assert "Brand on Bluesky" in page and "Bluesky-like sandbox" in page
    missing = site.post(f"{site.w}/channels/connect", {"network": "sandbox", "name": "No handle", "profile": "x"})
    assert missing.status_code == 422 and "fill in: Handle" in missing.text


def _post_count(site: Site) -> int:
    with site.db.read_sessions() as session:
        return content.list_posts(site.world.ctx(session))[1]


def test_channels_page_opens_one_connect_form_and_names_only_what_socialdesk_makes(site: Site) -> None:
    page = site.client.get(f"{site.w}/channels").text
    # One action: choose a network; no network's form is open before that.
    assert page.count('name="network"') == 0 and "Connect a channel</button>" in page
    assert 'name="app_password"' not in page
    # The X-like channel can thread and poll on its network, but the composer makes neither: not offered.
    can = re.findall(r"<dt>Can</dt><dd>([^<]*)</dd>", page)
    assert can and all("threads" not in c and "polls" not in c for c in can)
    assert any("replies" in c for c in can)

    bluesky = site.client.get(f"{site.w}/channels?connect=bluesky").text
    assert bluesky.count('name="network"') == 1 and 'value="bluesky"' in bluesky
    assert 'placeholder="e.g. Brand on Bluesky"' in bluesky and 'placeholder="brand.bsky.social"' in bluesky
    sandbox = site.client.get(f"{site.w}/channels?connect=sandbox").text
    assert 'name="profile"' in sandbox and 'name="app_password"' not in sandbox
    unknown = site.client.get(f"{site.w}/channels?connect=myspace")
    assert unknown.status_code == 400 and "no network &#39;myspace&#39; to connect" in unknown.text
