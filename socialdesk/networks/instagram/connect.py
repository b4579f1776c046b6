"""Connecting an Instagram professional account by pasting its id and an access token.

The token is a Facebook user (or Page) token with instagram_basic, instagram_content_publish,
instagram_manage_comments, instagram_manage_insights, pages_show_list and pages_read_engagement
(docs/networks/instagram.md). It is checked against Instagram before anything is stored: the account's
username (`GET /{ig-user-id}`, https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user)
and the publishing limit, which also proves the publishing permission
(`GET /{ig-user-id}/content_publishing_limit`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import AuthError, ChannelAccount, NetworkError, PermanentNetworkError
from socialdesk.networks.instagram.adapter import InstagramAdapter
from socialdesk.networks.instagram.media import fit_of
from socialdesk.networks.meta.graph import GraphClient

_ID = re.compile(r"^\d{5,25}$")


def connect(ig_user_id: str = "", access_token: str = "", fit: str | None = None, expires_at: str | None = None,
            page_id: str | None = None, **_: Any) -> dict[str, Any]:
    ig_user_id = str(ig_user_id or "").strip()
    access_token = str(access_token or "").strip()
    if not _ID.match(ig_user_id):
        raise ValidationFailed("The Instagram account id is the number Meta gives the professional account "
                               "(e.g. 17841400000000000): Graph API Explorer → me/accounts?fields="
                               "instagram_business_account, or Meta Business Suite → Settings → Instagram.")
    if not access_token:
        raise ValidationFailed("Paste an access token with the Instagram permissions (see docs/networks/instagram.md).")
    try:
        chosen_fit = fit_of(fit)
    except PermanentNetworkError as error:
        raise ValidationFailed(error.network_message) from None
    credentials: dict[str, Any] = {"access_token": access_token}
    if expires_at:
        credentials["expires_at"] = expires_at
    probe = InstagramAdapter(ChannelAccount("", ig_user_id, "", credentials, {"ig_user_id": ig_user_id}))
    try:
        node = probe._call("GET", ig_user_id, {"fields": "id,username,name,followers_count"}) or {}
        limit = probe.publishing_limit()
    except AuthError as error:
        raise ValidationFailed(f"Instagram refused the token: {error.network_message}") from None
    except PermanentNetworkError as error:
        raise ValidationFailed(f"Instagram refused: {error.network_message} Check the account id and that the "
                               "token has instagram_basic and instagram_content_publish.") from None
    expiry = _token_expiry(access_token)
    if expiry and not expires_at:
        credentials["expires_at"] = expiry
    username = str(node.get("username") or "")
    if str(node.get("id") or ig_user_id) != ig_user_id or not username:
        raise ValidationFailed(f"{ig_user_id} is not an Instagram professional account this token can manage.")
    return {"external_id": ig_user_id, "handle": username, "display_name": str(node.get("name") or username),
            "credentials": credentials,
            "settings": {"ig_user_id": ig_user_id, "username": username, "fit": chosen_fit,
                         "publishing_limit": limit, **({"page_id": page_id.strip()} if page_id else {})}}


def _token_expiry(access_token: str) -> str | None:
    """When the token stops working, from `GET /debug_token` with the operator's app token
    (https://developers.facebook.com/docs/graph-api/reference/debug_token/); None when it does not expire
    (a Page token from a long-lived user token), or when no Meta app is configured to ask with."""
    settings = get_settings()
    if not settings.meta_app_id or not settings.meta_app_secret:
        return None
    try:
        app_token = f"{settings.meta_app_id}|{settings.meta_app_secret}"
        with GraphClient(app_token, use_app_secret=False) as graph:
            body = graph.get("debug_token", {"input_token": access_token})
    except NetworkError:
        return None  # the token itself was checked above; its expiry is a nicety
    expires = (body or {}).get("data", {}).get("expires_at")
    if not isinstance(expires, int) or expires <= 0:
        return None
    return datetime.fromtimestamp(expires, UTC).isoformat()
