"""Connecting an Instagram professional account by Facebook Login for Business.

The same operator's Meta app and the same dialog as Facebook Pages (networks/facebook/oauth.py: the code →
a short-lived → a long-lived user token), with Instagram's permissions; then `GET /me/accounts?fields=
instagram_business_account` lists the Pages the person manages with the Instagram account linked to each
(https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/get-started).
The account named in the connect form's `ig_user_id` is connected, else the first one found; the others are
noted in the channel's settings (`other_instagram_accounts`). The channel keeps the linked Page's token
(which, from a long-lived user token, does not expire) and the user token with its expiry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import PermanentNetworkError
from socialdesk.networks.facebook import oauth as facebook_oauth
from socialdesk.networks.instagram.connect import connect
from socialdesk.networks.meta.graph import GraphClient
from socialdesk.networks.registry import ConnectedAccount

SCOPES = ("instagram_basic,instagram_content_publish,instagram_manage_comments,instagram_manage_insights,"
          "instagram_manage_messages,pages_manage_metadata,"
          "pages_show_list,pages_read_engagement,business_management")


def authorize_url(_server_url: str, client_id: str, redirect_uri: str, state: str, _code_challenge: str) -> str:
    settings = get_settings()
    query = {"client_id": client_id, "redirect_uri": redirect_uri, "state": state, "response_type": "code"}
    if settings.meta_login_config_id:
        query["config_id"] = settings.meta_login_config_id  # the configuration must list the permissions below
    else:
        query["scope"] = SCOPES
    return f"{facebook_oauth.DIALOG_URL}/{settings.meta_graph_version}/dialog/oauth?{urlencode(query)}"


def linked_accounts(user_token: str) -> list[dict[str, Any]]:
    """[{"ig_user_id", "page_id", "page_name", "page_token"}] for every Page with a linked Instagram account."""
    with GraphClient(user_token) as graph:
        pages = list(graph.pages("me/accounts", {"fields": "id,name,access_token,instagram_business_account"}))
    return [{"ig_user_id": str(p["instagram_business_account"]["id"]), "page_id": str(p["id"]),
             "page_name": p.get("name"), "page_token": str(p["access_token"])}
            for p in pages if (p.get("instagram_business_account") or {}).get("id") and p.get("access_token")]


def finish(_server_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str,
           _code_verifier: str, settings: dict[str, Any]) -> ConnectedAccount:
    app_id, app_secret = facebook_oauth._app()
    user_token, lifetime = facebook_oauth.exchange(app_id or client_id, app_secret or client_secret,
                                                   redirect_uri, code)
    found = linked_accounts(user_token)
    if not found:
        raise PermanentNetworkError("Facebook gave socialdesk no Page with a linked Instagram professional "
                                    "account: link the account to a Page (Instagram → Settings → Account type "
                                    "and tools, or Meta Business Suite) and allow that Page in the dialog.")
    wanted = str(settings.get("ig_user_id") or "").strip()
    chosen = next((a for a in found if a["ig_user_id"] == wanted), None) if wanted else found[0]
    if chosen is None:
        raise PermanentNetworkError(f"Instagram account {wanted} is not linked to any Page you allowed socialdesk "
                                    "to use.")
    account = ConnectedAccount(**connect(ig_user_id=chosen["ig_user_id"], access_token=chosen["page_token"],
                                         fit=settings.get("fit")))
    account.credentials["user_access_token"] = user_token
    if lifetime:
        account.credentials["user_token_expires_at"] = (clock.now() + timedelta(seconds=lifetime)).isoformat()
    account.settings.update(page_id=chosen["page_id"], page_name=chosen["page_name"], connected_by="oauth")
    others = [{"ig_user_id": a["ig_user_id"], "page_name": a["page_name"]} for a in found if a is not chosen]
    if others:
        account.settings["other_instagram_accounts"] = others
    return account


class InstagramOAuth:
    scopes = SCOPES
    server_field = "graph"  # no such form field: there is one Facebook
    normalise_server = staticmethod(facebook_oauth.normalise_server)
    register_app = staticmethod(facebook_oauth.register_app)
    authorize_url = staticmethod(authorize_url)
    finish = staticmethod(finish)
