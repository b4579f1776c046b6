"""Meta ad accounts connected through the Meta login (campaigns/ad_accounts.py) against the Graph contract
server: the OAuth round trip from the campaigns page, choosing among the ad accounts Meta lists, the stored
token used for an import and a boost request when none is pasted, and Meta's error 190 putting the
connection in the "needs reconnecting" state with Meta's own words and the workspace told."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from socialdesk.audit.models import AuditEntry
from socialdesk.campaigns import ad_accounts, ad_requests, meta_ads, service
from socialdesk.campaigns.models import AdConnectionStatus, AdRequest, AdRequestStatus, MetaAdConnection
from socialdesk.core.clock import ManualClock
from socialdesk.core.crypto import decrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.jobs.runner import Runner
from socialdesk.notifications.models import Notification
from tests.campaigns.test_meta_ads import TARGETING, _published
from tests.helpers import World, make_world
from tests.web_client import signed_in_client

V = r"/v\d+\.\d+"
ADS_TOKEN_SCOPES = ("ads_read", "ads_management")


def _connection(db: Database, workspace_id: str) -> MetaAdConnection | None:
    with db.read_sessions() as session:
        found = session.scalars(select(MetaAdConnection).where(MetaAdConnection.workspace_id == workspace_id)).first()
        if found is not None:
            session.expunge(found)
        return found


def _connect(db: Database, w: World, meta: Any, accounts: tuple[str, ...] = ("act_111",)) -> str:
    """A connection as the sign-in leaves it, with a long-lived user token; returns the token."""
    token = meta.world.user_token(meta.user["id"], scopes=ADS_TOKEN_SCOPES, lifetime=60 * 86400)
    listed = [{"id": a, "name": f"Account {a}", "currency": "EUR", "timezone_name": "Europe/Zagreb",
               "account_status": 1} for a in accounts]
    with db.unit_of_work() as session:
        ctx = w.ctx(session)
        ad_accounts.offer(ctx, token, 60 * 86400, listed)
        ad_accounts.choose(ctx, list(accounts))
    return token


def test_connect_with_meta_lists_the_ad_accounts_and_keeps_the_chosen_ones(database: Database, meta: Any) -> None:
    meta.marketing.add_account("222", currency="USD", name="Shop ads", users=[meta.user["id"]],
                               timezone_name="America/New_York")
    stranger = meta.world.add_user("Someone else")
    meta.marketing.add_account("333", name="Not hers", users=[stranger["id"]])
    w = make_world(database, "Roastery", profiles=(), roles=("editor",))
    client, _ = signed_in_client(database, w.users["owner"])
    base = f"/w/{w.workspace_id}"
    page = client.get(f"{base}/campaigns")
    assert page.status_code == 200 and "Connect with Meta" in page.text

    started = client.post(f"{base}/ad-accounts/connect")
    assert started.status_code == 303
    location = started.headers["location"]
    assert location.startswith(f"https://www.facebook.com/{meta.world.version}/dialog/oauth?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["scope"] == "ads_read,ads_management" and query["client_id"] == meta.world.app_id
    assert query["redirect_uri"] == "http://testserver/oauth/callback" and query["state"]

    # The person accepts in Meta's dialog; Meta sends the browser back with a code.
    code = meta.world.grant_code(meta.user["id"], query["redirect_uri"], scopes=ADS_TOKEN_SCOPES)
    done = client.get("/oauth/callback", params={"state": query["state"], "code": code})
    assert done.status_code == 303 and done.headers["location"] == f"{base}/campaigns#ad-accounts"
    exchanges = meta.graph.server.calls_to("GET", rf"{V}/oauth/access_token")
    assert [c.query.get("grant_type") for c in exchanges] == [None, "fb_exchange_token"]
    listed = meta.graph.server.calls_to("GET", rf"{V}/me/adaccounts")
    assert listed and listed[0].query["fields"] == "id,name,account_status,currency,timezone_name"

    connection = _connection(database, w.workspace_id)
    assert connection is not None and connection.status == AdConnectionStatus.CHOOSING
    assert [a["id"] for a in connection.offered] == ["act_111", "act_222"]  # not the stranger's account
    assert connection.offered[1] == {"id": "act_222", "name": "Shop ads", "currency": "USD",
                                     "timezone_name": "America/New_York", "account_status": 1}
    stored = meta.world.tokens[decrypt_json(connection.token_encrypted)["token"]]
    assert stored.kind == "user" and stored.subject == meta.user["id"]  # the long-lived one, encrypted
    assert connection.token_expires_at is not None
    choosing = client.get(f"{base}/campaigns")
    assert 'name="account" value="act_222"' in choosing.text and "Shop ads" in choosing.text

    # A replayed callback connects nothing more.
    assert client.get("/oauth/callback", params={"state": query["state"], "code": code}).status_code == 422
    wrong = client.post(f"{base}/ad-accounts/choose", data={"account": "act_333"}, follow_redirects=True)
    assert "Meta did not list act_333" in wrong.text
    chosen = client.post(f"{base}/ad-accounts/choose", data={"account": ["act_222"]})
    assert chosen.status_code == 303
    connection = _connection(database, w.workspace_id)
    assert connection is not None and connection.status == AdConnectionStatus.CONNECTED
    assert [a["id"] for a in connection.accounts] == ["act_222"]
    shown = client.get(f"{base}/campaigns")
    assert "Shop ads" in shown.text and "act_222" in shown.text and "Disconnect" in shown.text
    # An editor may use the connection but not change it.
    editor, _ = signed_in_client(database, w.users["editor"])
    assert editor.post(f"{base}/ad-accounts/remove").status_code == 403

    removed = client.post(f"{base}/ad-accounts/remove")
    assert removed.status_code == 303 and _connection(database, w.workspace_id) is None
    with database.read_sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.workspace_id == w.workspace_id)).all()
    assert {"ads.meta_login", "ads.accounts_chosen", "ads.accounts_removed"} <= set(actions)


def test_import_uses_the_stored_connection_when_no_token_is_given(database: Database, meta: Any) -> None:
    w = make_world(database, "Roastery", profiles=())
    start = date(2026, 1, 1)
    ad = meta.world.add("ad", {"name": "Ad 1", "status": "ACTIVE", "effective_status": "ACTIVE", "account": "act_111"})
    for d in range(3):
        meta.marketing.add_daily(ad, start + timedelta(days=d), spend="2.50", impressions=500, reach=400, clicks=12)
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="connect ad accounts with Meta"):
        meta_ads.import_insights(w.ctx(session), since=start, until=start + timedelta(days=2))
    token = _connect(database, w, meta)
    with database.unit_of_work() as session:
        ctx = w.ctx(session)
        campaign = service.create(ctx, name="Always on", budget=100.0)
        assert meta_ads.import_insights(ctx, since=start, until=start + timedelta(days=2),
                                        campaign_id=campaign.id) == 3
        with pytest.raises(ValidationFailed, match="act_999 is not a connected ad account"):
            meta_ads.import_insights(ctx, ad_account="999", since=start, until=start)
    calls = meta.graph.server.calls_to("GET", rf"{V}/act_111/insights$")
    assert calls and all(c.query.get("access_token") == token or token in c.headers.get("authorization", "")
                         for c in calls)
    # A pasted token still works beside the connection.
    with database.unit_of_work() as session:
        assert meta_ads.import_insights(w.ctx(session), token=meta.token, ad_account="111", since=start,
                                        until=start) == 1


def test_a_boost_request_without_a_token_is_made_with_the_stored_connection(database: Database, meta: Any,
                                                                            clock: ManualClock) -> None:
    w = make_world(database, "Roastery", profiles=())
    token = _connect(database, w, meta)
    campaign_id, publication_id = _published(database, w, meta.page["id"])
    with database.unit_of_work() as session:
        request = ad_requests.request_boost(w.ctx(session, "owner"), campaign_id=campaign_id,
                                            publication_id=publication_id, daily_budget=10.0, days=7,
                                            targeting=TARGETING)
        request_id = request.id
        assert request.token_encrypted == "" and request.params["ad_account"] == "act_111"
    Runner(database).run_pending()
    with database.read_sessions() as session:
        done = session.get(AdRequest, request_id)
        assert done is not None and done.status == AdRequestStatus.DONE, done.error if done else None
    assert [len(meta.marketing.of(k, "act_111")) for k in ("campaign", "adset", "adcreative", "ad")] == [1, 1, 1, 1]
    ad_id = done.ad_id or ""
    # Resume with the connection too.
    with database.unit_of_work() as session:
        ad_requests.request_status(w.ctx(session, "owner"), ad_id, active=True)
    Runner(database).run_pending()
    assert meta.marketing.of("ad", "act_111")[0]["status"] == "ACTIVE"
    # Meta revokes the token: the approved pause fails with Meta's words, and the connection needs reconnecting.
    meta.world.revoke(token)
    with database.unit_of_work() as session:
        pause_id = ad_requests.request_status(w.ctx(session, "owner"), ad_id, active=False).id
    Runner(database).run_pending()
    with database.read_sessions() as session:
        failed = session.get(AdRequest, pause_id)
        assert failed is not None and failed.status == AdRequestStatus.FAILED and "needs reconnecting" in failed.error
    connection = _connection(database, w.workspace_id)
    assert connection is not None and connection.status == AdConnectionStatus.NEEDS_RECONNECTION
    assert connection.status_message in failed.error
    assert meta.marketing.of("ad", "act_111")[0]["status"] == "ACTIVE"  # nothing changed on Meta


def test_a_revoked_token_marks_the_connection_for_reconnection_with_metas_words(database: Database,
                                                                                meta: Any) -> None:
    w = make_world(database, "Roastery", profiles=())
    token = _connect(database, w, meta)
    meta.world.revoke(token)  # the person changed their password, or removed the app
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="needs reconnecting") as refused:
        meta_ads.import_insights(w.ctx(session), since=date(2026, 1, 1), until=date(2026, 1, 2))
    connection = _connection(database, w.workspace_id)
    assert connection is not None and connection.status == AdConnectionStatus.NEEDS_RECONNECTION
    assert connection.status_message and connection.status_message in refused.value.message  # Meta's own text
    with database.read_sessions() as session:
        notice = session.scalars(select(Notification).where(Notification.workspace_id == w.workspace_id,
                                                            Notification.resolved_at.is_(None))).one()
    assert notice.kind == "channel_needs_reconnection" and connection.status_message in notice.message
    client, _ = signed_in_client(database, w.users["owner"])
    page = client.get(f"/w/{w.workspace_id}/campaigns")
    assert "Meta refused the stored sign-in" in page.text and "Connect with Meta again" in page.text
    # Nothing uses the dead token meanwhile; a pasted one still works.
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="needs reconnecting"):
        meta_ads.import_insights(w.ctx(session), since=date(2026, 1, 1), until=date(2026, 1, 2))
    with database.unit_of_work() as session:
        assert meta_ads.import_insights(w.ctx(session), token=meta.token, ad_account="111",
                                        since=date(2026, 1, 1), until=date(2026, 1, 2)) == 0
    # Signing in again keeps the chosen accounts and resolves the notification.
    _connect(database, w, meta)
    connection = _connection(database, w.workspace_id)
    assert connection is not None and connection.status == AdConnectionStatus.CONNECTED
    with database.read_sessions() as session:
        assert session.scalars(select(Notification).where(Notification.resolved_at.is_(None))).all() == []


def test_the_cli_and_the_campaign_page_use_the_connection(database: Database, meta: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from socialdesk.cli import app

    monkeypatch.delenv("SOCIALDESK_META_ADS_TOKEN", raising=False)
    w = make_world(database, "Roastery", profiles=())
    start = date(2026, 1, 1)
    ad = meta.world.add("ad", {"name": "Ad 1", "status": "ACTIVE", "effective_status": "ACTIVE", "account": "act_111"})
    meta.marketing.add_daily(ad, start, spend="2.50", impressions=500, reach=400, clicks=12)
    runner = CliRunner()
    refused = runner.invoke(app, ["ads", "meta-import", "-w", "Roastery", "--since", "2026-01-01",
                                  "--until", "2026-01-01"])
    # (the `socialdesk` entry point prints a DomainError's message; the bare app raises it)
    assert refused.exit_code != 0 and "connect ad accounts with Meta" in str(refused.exception)
    _connect(database, w, meta)
    done = runner.invoke(app, ["ads", "meta-import", "-w", "Roastery", "--since", "2026-01-01",
                               "--until", "2026-01-01"])
    assert done.exit_code == 0, done.output
    assert "Imported 1 daily rows" in done.output
    # The reach estimate uses the connection too.
    from socialdesk.campaigns import audiences

    with database.unit_of_work() as session:
        audience_id = audiences.save(w.ctx(session), name="Croatia", spec={"locations": "HR"}).id
    with database.unit_of_work() as session:
        assert audiences.estimate_meta(w.ctx(session), audience_id)["source"] == "meta"
    # The campaign page's boost form offers the connected account and leaves the token optional.
    campaign_id, _publication_id = _published(database, w, meta.page["id"])
    client, _ = signed_in_client(database, w.users["owner"])
    page = client.get(f"/w/{w.workspace_id}/campaigns/{campaign_id}")
    assert page.status_code == 200
    assert '<select name="ad_account"><option value="act_111">' in page.text
    assert "empty: the connected Meta login" in page.text
