"""The networks socialdesk knows, loaded lazily by key. Adding a network: see docs/adding-a-network.md."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from typing import Any

from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import Capabilities, ChannelAccount, NetworkAdapter


@dataclass(frozen=True)
class ConnectField:
    name: str
    label: str
    kind: str = "text"  # text, password, select, number
    required: bool = True
    choices: tuple[str, ...] = ()
    help: str = ""
    placeholder: str = ""  # an example value shown in the empty field


@dataclass(frozen=True)
class NetworkSpec:
    key: str
    label: str
    adapter: str  # "module:Class"; the class takes a ChannelAccount
    connect: str  # "module:function"; called with the form's fields, returns a ConnectedAccount
    fields: tuple[ConnectField, ...] = field(default=())
    # "module:object" with the OAuth hooks of channels/oauth.py, for networks connected through a browser
    # redirect; the connect form then starts that flow when `token_field` is left empty.
    oauth: str | None = None
    token_field: str | None = None
    # What a channel of this network might be called, shown in the connect form's empty name field.
    name_example: str = "e.g. Brand on the network"
    # "module:object" with the network's WebhookHandler (networks/webhooks.py), for networks that push events.
    webhooks: str | None = None


@dataclass(frozen=True)
class ConnectedAccount:
    """What a network's connect step returns and a channel stores."""

    external_id: str
    handle: str
    display_name: str
    credentials: dict[str, Any]
    settings: dict[str, Any]


def _sandbox_fields() -> tuple[ConnectField, ...]:
    from socialdesk.networks.profiles import NETWORK_PROFILES

    return (
        ConnectField("handle", "Handle", help="A name for the simulated account", placeholder="brand_ig"),
        ConnectField("profile", "Imitates", kind="select", choices=tuple(NETWORK_PROFILES),
                     help="The sandbox channel gets this network's limits and metrics"),
        ConnectField("audience_size", "Audience size", kind="number", required=False, placeholder="5000"),
        ConnectField("timezone", "Audience's main time zone", required=False, placeholder="Europe/Zagreb"),
    )


NETWORKS: dict[str, NetworkSpec] = {
    "sandbox": NetworkSpec(
        key="sandbox", label="Sandbox (simulated audience)",
        adapter="socialdesk.networks.sandbox.adapter:SandboxAdapter",
        connect="socialdesk.networks.sandbox.adapter:connect",
        name_example="e.g. Brand on Instagram (sandbox)",
    ),
    "mastodon": NetworkSpec(
        key="mastodon", label="Mastodon (or a server with its API)",
        adapter="socialdesk.networks.mastodon.adapter:MastodonAdapter",
        connect="socialdesk.networks.mastodon.oauth:connect",
        oauth="socialdesk.networks.mastodon.oauth:MastodonOAuth", token_field="access_token",
        name_example="e.g. Brand on Mastodon",
        fields=(
            ConnectField("instance", "Server", help="Your account's server", placeholder="mastodon.social"),
            ConnectField("access_token", "Access token", kind="password", required=False,
                         help="Leave empty to sign in on the server. Or paste a token from the server's "
                              "Preferences → Development (scopes read, write, follow)."),
            ConnectField("visibility", "Posts are", kind="select", required=False,
                         choices=("public", "unlisted", "private", "direct"),
                         help="Who sees what socialdesk posts: public, unlisted (not in public timelines), "
                              "private (followers only) or direct"),
        ),
    ),
    "bluesky": NetworkSpec(
        key="bluesky", label="Bluesky",
        adapter="socialdesk.networks.bluesky.adapter:BlueskyAdapter",
        connect="socialdesk.networks.bluesky.adapter:connect",
        name_example="e.g. Brand on Bluesky",
        fields=(
            ConnectField("handle", "Handle", help="Your handle: a bsky.social name or your own domain",
                         placeholder="brand.bsky.social"),
            ConnectField("app_password", "App password", kind="password",
                         help="Bluesky → Settings → Privacy and security → App passwords. Not your account "
                              "password; socialdesk keeps only the session it opens."),
            ConnectField("service", "Server (PDS)", required=False, placeholder="https://bsky.social",
                         help="Leave empty for bsky.social; for a self-hosted PDS give its address, "
                              "e.g. https://pds.example.org"),
        ),
    ),
    "wordpress": NetworkSpec(
        key="wordpress", label="WordPress blog",
        adapter="socialdesk.networks.wordpress.adapter:WordPressAdapter",
        connect="socialdesk.networks.wordpress.adapter:connect",
        name_example="e.g. Brand blog",
        fields=(
            ConnectField("site_url", "Site address", placeholder="https://blog.example.com"),
            ConnectField("username", "User name", help="The WordPress user the posts are published as"),
            ConnectField("app_password", "Application password", kind="password",
                         help="WordPress admin → Users → Profile → Application Passwords (not your login password)"),
        ),
    ),
    "instagram": NetworkSpec(
        key="instagram", label="Instagram (professional account)",
        adapter="socialdesk.networks.instagram.adapter:InstagramAdapter",
        connect="socialdesk.networks.instagram.connect:connect",
        oauth="socialdesk.networks.instagram.oauth:InstagramOAuth", token_field="access_token",
        webhooks="socialdesk.networks.meta.webhooks:handler",
        name_example="e.g. Brand on Instagram",
        fields=(
            ConnectField("ig_user_id", "Instagram account id", required=False, placeholder="17841400000000000",
                         help="The professional account's id: Graph API Explorer → "
                              "me/accounts?fields=instagram_business_account (see docs/networks/instagram.md). "
                              "Signing in without one connects the first account linked to a Page you allow."),
            ConnectField("access_token", "Access token", kind="password", required=False,
                         help="Leave empty to sign in with Facebook. Or paste a Page or user token with "
                              "instagram_basic, instagram_content_publish, instagram_manage_comments, "
                              "instagram_manage_insights, pages_show_list"),
            ConnectField("fit", "Images outside 4:5 to 1.91:1", kind="select", required=False,
                         choices=("pad", "crop"),
                         help="pad: white bars, nothing lost (default); crop: fill the frame from the centre"),
            ConnectField("page_id", "Linked Facebook Page id", required=False, placeholder="104123456789012",
                         help="For Instagram Direct messages (instagram_manage_messages): the Page the account is "
                              "linked to. Signing in fills it."),
        ),
    ),
    "facebook": NetworkSpec(
        key="facebook", label="Facebook Page",
        adapter="socialdesk.networks.facebook.adapter:FacebookAdapter",
        connect="socialdesk.networks.facebook.adapter:connect",
        oauth="socialdesk.networks.facebook.oauth:FacebookOAuth", token_field="access_token",
        webhooks="socialdesk.networks.meta.webhooks:handler",
        name_example="e.g. Brand on Facebook",
        fields=(
            ConnectField("page_id", "Page id", required=False, placeholder="104123456789012",
                         help="The Page's numeric id: the Page → About → Page transparency, or Meta Business "
                              "Suite → Settings → Business assets. Signing in without one connects the first "
                              "Page you allow."),
            ConnectField("access_token", "Access token", kind="password", required=False,
                         help="Leave empty to sign in with Facebook. Or paste a Page access token (or a user "
                              "token of someone who manages the Page) with "
                              "pages_manage_posts, pages_read_engagement, pages_manage_engagement, "
                              "pages_read_user_engagement, read_insights; pages_messaging for Messenger"),
        ),
    ),
    "ghost": NetworkSpec(
        key="ghost", label="Ghost blog",
        adapter="socialdesk.networks.ghost.adapter:GhostAdapter",
        connect="socialdesk.networks.ghost.adapter:connect",
        name_example="e.g. Brand newsletter",
        fields=(
            ConnectField("admin_url", "Admin API URL", help="Shown beside the integration's key",
                         placeholder="https://blog.example.com"),
            ConnectField("admin_api_key", "Admin API key", kind="password",
                         help="Ghost admin → Settings → Integrations → Add custom integration"),
        ),
    ),
    "threads": NetworkSpec(
        key="threads", label="Threads",
        adapter="socialdesk.networks.threads.adapter:ThreadsAdapter",
        connect="socialdesk.networks.threads.adapter:connect",
        oauth="socialdesk.networks.threads.oauth:ThreadsOAuth", token_field="access_token",
        webhooks="socialdesk.networks.threads.webhooks:handler",
        name_example="e.g. Brand on Threads",
        fields=(
            ConnectField("access_token", "Access token", kind="password", required=False,
                         help="Leave empty to sign in on Threads. Or paste a long-lived Threads user token "
                              "(Meta app dashboard → Threads use case → token generator); socialdesk renews it."),
            ConnectField("threads_user_id", "Threads user id", required=False, placeholder="17841400000000000",
                         help="Optional with a pasted token: checked against the token's own account"),
        ),
    ),
    "telegram": NetworkSpec(
        key="telegram", label="Telegram channel",
        adapter="socialdesk.networks.telegram.adapter:TelegramAdapter",
        connect="socialdesk.networks.telegram.adapter:connect",
        webhooks="socialdesk.networks.telegram.webhooks:HANDLER",
        name_example="e.g. Brand on Telegram",
        fields=(
            ConnectField("bot_token", "Bot token", kind="password",
                         help="From @BotFather: /newbot, then copy the token it gives. Add the bot to the channel "
                              "as an administrator allowed to post, edit and delete messages.",
                         placeholder="123456789:AA…"),
            ConnectField("chat_id", "Channel", help="The channel's @name, or its -100… id for a private channel",
                         placeholder="@brand_channel"),
            ConnectField("updates_by", "Comments arrive by", kind="select", required=False,
                         choices=("webhook", "polling"),
                         help="Webhook needs socialdesk's public address (SOCIALDESK_PUBLIC_URL); polling works "
                              "anywhere. Left empty: webhook when a public address is set."),
        ),
    ),
    "vk": NetworkSpec(
        key="vk", label="VK community",
        adapter="socialdesk.networks.vk.adapter:VkAdapter",
        connect="socialdesk.networks.vk.adapter:connect",
        oauth="socialdesk.networks.vk.oauth:VkOAuth", token_field="access_token",
        webhooks="socialdesk.networks.vk.callback:HANDLER",
        name_example="e.g. Brand on VK",
        fields=(
            ConnectField("group_id", "Community", placeholder="club123456 or 123456",
                         help="The community's id (the number in vk.com/club123456) or its short name"),
            ConnectField("access_token", "Administrator's user token", kind="password", required=False,
                         help="Leave empty to sign in with VK ID as an administrator of the community. Or paste "
                              "a user token of one of its administrators (scopes wall, photos, video, groups, "
                              "stats, offline): VK lets only user tokens post on a wall."),
            ConnectField("community_token", "Community token", kind="password", required=False,
                         help="Optional, for community messages: community → Manage → API usage → "
                              "Access tokens (rights: messages, manage)"),
            ConnectField("callback_secret", "Callback API secret key", kind="password", required=False,
                         help="Optional: the secret key you set in community → Manage → API usage → Callback "
                              "API, to receive comments and messages at once"),
        ),
    ),
    "youtube": NetworkSpec(
        key="youtube", label="YouTube",
        adapter="socialdesk.networks.youtube.adapter:YouTubeAdapter",
        connect="socialdesk.networks.youtube.oauth:connect",
        oauth="socialdesk.networks.youtube.oauth:YouTubeOAuth", token_field="access_token",
        name_example="e.g. Brand on YouTube",
        fields=(
            ConnectField("access_token", "Access token", kind="password", required=False,
                         help="Leave empty to sign in with Google. Or paste a token issued to the operator's "
                              "Google OAuth client (scopes youtube.upload, youtube.force-ssl, "
                              "yt-analytics.readonly)."),
            ConnectField("refresh_token", "Refresh token", kind="password", required=False,
                         help="With a pasted access token: lets socialdesk renew it every hour."),
        ),
    ),
    "x": NetworkSpec(
        key="x", label="X (Twitter)",
        adapter="socialdesk.networks.x.adapter:XAdapter",
        connect="socialdesk.networks.x.oauth:connect",
        oauth="socialdesk.networks.x.oauth:XOAuth", token_field="access_token",
        webhooks="socialdesk.networks.x.webhooks:HANDLER",
        name_example="e.g. Brand on X",
        fields=(
            ConnectField("access_token", "Access token", kind="password", required=False,
                         help="Leave empty to sign in on X. Or paste an OAuth 2.0 user access token of the "
                              "operator's X app (scopes tweet.read tweet.write users.read media.write "
                              "offline.access)."),
            ConnectField("refresh_token", "Refresh token", kind="password", required=False,
                         help="The refresh token issued with it (offline.access), so socialdesk can renew the "
                              "token every 2 hours; X rotates it, so the pasted one stops working elsewhere."),
        ),
    ),
}


def spec(network: str) -> NetworkSpec:
    try:
        return NETWORKS[network]
    except KeyError:
        raise ValidationFailed(f"Unknown network {network!r}. Known: {', '.join(sorted(NETWORKS))}.") from None


def connect_fields(network: str) -> tuple[ConnectField, ...]:
    if network == "sandbox":
        return _sandbox_fields()
    return spec(network).fields


def _load(path: str) -> Any:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def adapter_for(network: str, account: ChannelAccount) -> NetworkAdapter:
    return _load(spec(network).adapter)(account)


def capabilities_for(network: str, settings: dict[str, Any]) -> Capabilities:
    """A channel's capabilities without its credentials (adapters' constructors do no I/O)."""
    account = ChannelAccount(channel_id="", external_id="", handle="", credentials={}, settings=settings)
    return adapter_for(network, account).capabilities()


def oauth_hooks(network: str) -> Any:
    """The network's OAuth hooks (see channels/oauth.py), or None when it connects by form alone."""
    found = spec(network).oauth
    return _load(found) if found else None


def webhook_handler(network: str) -> Any:
    """The network's WebhookHandler (see networks/webhooks.py)."""
    found = spec(network).webhooks
    if found is None:
        raise ValidationFailed(f"{spec(network).label} does not push events.")
    return _load(found)


def accepted_fields(network: str) -> list[str]:
    """The connect fields `network` takes: those its form shows and those its connect function names."""
    parameters = inspect.signature(_load(spec(network).connect)).parameters.values()
    named = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return list(dict.fromkeys([f.name for f in connect_fields(network)] + named))


def connect(network: str, /, **fields: Any) -> ConnectedAccount:
    result = _load(spec(network).connect)(**fields)
    return result if isinstance(result, ConnectedAccount) else ConnectedAccount(**result)
