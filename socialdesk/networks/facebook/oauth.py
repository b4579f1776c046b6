"""Connecting a Facebook Page by Facebook Login for Business, through channels/oauth.py's hooks.

The Meta app is the operator's (SOCIALDESK_META_APP_ID / SOCIALDESK_META_APP_SECRET): nothing is registered
per server, so `register_app` hands back those settings. The flow
(https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow):

1. the browser goes to `https://www.facebook.com/{version}/dialog/oauth` with the app id, the callback
   address, the state and the permissions (or the operator's Login for Business configuration,
   SOCIALDESK_META_LOGIN_CONFIG_ID, which names them);
2. the code comes back to `/oauth/callback` and is traded for a short-lived user token
   (`GET /oauth/access_token`), that for a long-lived one (`grant_type=fb_exchange_token`, about 60 days,
   https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived);
3. `GET /me/accounts` lists the Pages the person manages, each with a Page token that, coming from a
   long-lived user token, does not expire.

One flow connects one channel (channels/oauth.py stores one account per flow): the Page named in the
connect form's `page_id`, else the only Page, else the first one listed, with a note of the others in the
channel's settings (`other_pages`) so the user can connect them with another sign-in naming them. Choosing
among several Pages on a page of its own, and connecting several at once, needs a change to the shared
flow (a "pick" step between the callback and the channel) that is not made here.

The same flow connects a workspace's **ad accounts** (campaigns/ad_accounts.py): `MetaAdsLogin` asks for
`ads_read,ads_management` instead of the Page permissions, trades the code the same way, and lists the
person's ad accounts (`GET /me/adaccounts`) for the user to choose from on the campaigns page.

Facebook's dialog does not need PKCE for a confidential client (the secret stays on the server), so the
challenge channels/oauth.py makes is not sent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import PermanentNetworkError
from socialdesk.networks.facebook.adapter import PAGE_FIELDS, account_for_page, subscribe_webhooks
from socialdesk.networks.meta.graph import GraphClient
from socialdesk.networks.registry import ConnectedAccount

DIALOG_URL = "https://www.facebook.com"
# What socialdesk does on a Page (docs/networks/facebook.md lists why each is needed).
SCOPES = ("pages_show_list,pages_read_engagement,pages_manage_posts,pages_manage_engagement,"
          "pages_read_user_engagement,pages_manage_metadata,pages_messaging,read_insights,publish_video,"
          "business_management")


def _app() -> tuple[str, str]:
    settings = get_settings()
    if not settings.meta_app_id or not settings.meta_app_secret:
        raise PermanentNetworkError("Signing in with Facebook needs the operator's Meta app: set "
                                    "SOCIALDESK_META_APP_ID and SOCIALDESK_META_APP_SECRET (see "
                                    "docs/networks/facebook.md), or paste a Page token instead.")
    return settings.meta_app_id, settings.meta_app_secret


def normalise_server(_value: str) -> str:
    """There is one Facebook: the Graph base address from the settings."""
    return get_settings().meta_graph_url.rstrip("/")


def register_app(_server_url: str, _redirect_uri: str) -> tuple[str, str]:
    return _app()


def authorize_url(_server_url: str, client_id: str, redirect_uri: str, state: str, _code_challenge: str) -> str:
    settings = get_settings()
    query = {"client_id": client_id, "redirect_uri": redirect_uri, "state": state, "response_type": "code"}
    config_id = settings.meta_login_config_id
    if config_id:
        query["config_id"] = config_id  # Facebook Login for Business: the configuration names the permissions
    else:
        query["scope"] = SCOPES
    return f"{DIALOG_URL}/{settings.meta_graph_version}/dialog/oauth?{urlencode(query)}"


def exchange(client_id: str, client_secret: str, redirect_uri: str, code: str) -> tuple[str, int | None]:
    """The code → a short-lived user token → a long-lived one; returns it with its lifetime in seconds."""
    with GraphClient(None, use_app_secret=False) as graph:
        short = graph.get("oauth/access_token", {"client_id": client_id, "client_secret": client_secret,
                                                 "redirect_uri": redirect_uri, "code": code})
        long = graph.get("oauth/access_token", {"grant_type": "fb_exchange_token", "client_id": client_id,
                                                "client_secret": client_secret,
                                                "fb_exchange_token": short["access_token"]})
    expires = long.get("expires_in")
    return str(long["access_token"]), int(expires) if isinstance(expires, (int, float)) else None


def pages_of(user_token: str) -> list[dict[str, Any]]:
    with GraphClient(user_token) as graph:
        return [p for p in graph.pages("me/accounts", {"fields": "id,name,access_token,category,tasks"})
                if p.get("access_token")]


def finish(_server_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str,
           _code_verifier: str, settings: dict[str, Any]) -> ConnectedAccount:
    app_id, app_secret = _app()
    user_token, lifetime = exchange(app_id or client_id, app_secret or client_secret, redirect_uri, code)
    pages = pages_of(user_token)
    if not pages:
        raise PermanentNetworkError("Facebook gave socialdesk no Page: choose at least one Page in Facebook's "
                                    "dialog (and the permissions it asks for), or check that you manage one.")
    wanted = str(settings.get("page_id") or "").strip()
    chosen = next((p for p in pages if str(p["id"]) == wanted), None) if wanted else pages[0]
    if chosen is None:
        raise PermanentNetworkError(f"Page {wanted} is not among the Pages you allowed socialdesk to use "
                                    f"({', '.join(str(p.get('name')) for p in pages)}).")
    with GraphClient(str(chosen["access_token"])) as graph:
        page = graph.get(str(chosen["id"]), {"fields": PAGE_FIELDS})
    expires_at = (clock.now() + timedelta(seconds=lifetime)).isoformat() if lifetime else None
    account = account_for_page(page, str(chosen["access_token"]), user_token=user_token,
                               user_token_expires_at=expires_at, connected_by="oauth")
    account.settings["webhooks"] = subscribe_webhooks(str(page["id"]), str(chosen["access_token"]))
    others = [{"id": str(p["id"]), "name": p.get("name")} for p in pages if p is not chosen]
    if others:
        account.settings["other_pages"] = others
    return account


class FacebookOAuth:
    scopes = SCOPES
    server_field = "graph"  # no such form field: there is one Facebook
    normalise_server = staticmethod(normalise_server)
    register_app = staticmethod(register_app)
    authorize_url = staticmethod(authorize_url)
    finish = staticmethod(finish)


# Ad accounts (docs/ads.md, "Meta login for ad accounts"): read insights; boost, pause and resume.
AD_SCOPES = "ads_read,ads_management"
AD_ACCOUNT_FIELDS = "id,name,account_status,currency,timezone_name"


def ad_accounts_of(user_token: str) -> list[dict[str, Any]]:
    """The ad accounts the person may use (`GET /me/adaccounts`, the User node's adaccounts edge)."""
    with GraphClient(user_token) as graph:
        return [{"id": str(a["id"]), "name": str(a.get("name") or a["id"]),
                 "currency": str(a.get("currency") or ""), "timezone_name": str(a.get("timezone_name") or ""),
                 "account_status": a.get("account_status")}
                for a in graph.pages("me/adaccounts", {"fields": AD_ACCOUNT_FIELDS})]


def ads_authorize_url(_server_url: str, client_id: str, redirect_uri: str, state: str, _code_challenge: str) -> str:
    settings = get_settings()
    query = {"client_id": client_id, "redirect_uri": redirect_uri, "state": state, "response_type": "code",
             "scope": AD_SCOPES}
    return f"{DIALOG_URL}/{settings.meta_graph_version}/dialog/oauth?{urlencode(query)}"


def ads_finish(_server_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str,
               _code_verifier: str, _settings: dict[str, Any]) -> dict[str, Any]:
    """The code → a long-lived user token, and the ad accounts it reaches: {"token", "expires_in", "accounts"}."""
    app_id, app_secret = _app()
    user_token, lifetime = exchange(app_id or client_id, app_secret or client_secret, redirect_uri, code)
    accounts = ad_accounts_of(user_token)
    if not accounts:
        raise PermanentNetworkError("Meta lists no ad account for you: allow socialdesk at least one ad account "
                                    "in Meta's dialog, or check in Ads Manager that you have a role on one.")
    return {"token": user_token, "expires_in": lifetime, "accounts": accounts}


class MetaAdsLogin:
    """The Facebook login's hooks for ad accounts: same app and registration, other permissions, and a
    result that is a token with its ad accounts rather than a channel."""

    scopes = AD_SCOPES
    server_field = "graph"
    normalise_server = staticmethod(normalise_server)
    register_app = staticmethod(register_app)
    authorize_url = staticmethod(ads_authorize_url)
    finish = staticmethod(ads_finish)
