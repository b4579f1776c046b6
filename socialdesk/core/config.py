"""Typed settings, read once from the environment (prefix SOCIALDESK_)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOCIALDESK_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("socialdesk", appauthor=False)))
    database_url: str | None = None
    # Fernet key (urlsafe base64, 32 bytes) that encrypts network credentials at rest.
    secret_key: str | None = None
    demo_mode: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    # The embedded job runner: how often it looks for due jobs, and how many run at once.
    runner_poll_seconds: float = 1.0
    runner_threads: int = 2
    # Scaled out: a Celery broker (redis://… or amqp://…); jobs then run on `socialdesk worker`
    # processes and `socialdesk scheduler` enqueues periodic jobs and re-sends lost messages.
    broker_url: str | None = None
    heartbeat_seconds: float = 5.0
    # A runner silent this long is presumed dead and its running jobs are queued again.
    heartbeat_stale_seconds: float = 30.0
    # A due job still queued this long after its message was sent gets another message.
    resend_after_seconds: float = 30.0
    # A due job whose message has waited this long is run straight from the database by a worker's
    # rescue thread: a Celery worker can stay connected yet stop consuming after a broker restart.
    rescue_after_seconds: float = 60.0
    # Network calls in flight at once, shared by all workers: per channel (one at a time keeps a
    # channel's posts in order), and per network where an app-wide limit applies ({"x": 10}).
    channel_concurrency: int = 1
    network_concurrency: dict[str, int] = Field(default_factory=dict)
    web_workers: int = 1
    # Requests in flight per web process before it answers 503 (keeps an overload from snowballing;
    # bench/web.py measured 10-20 as best on 2 cores).
    web_max_requests: int = 16
    session_days: int = 14
    max_upload_mb: int = 200
    # Other request bodies (forms, JSON) above this are refused before they are read.
    max_body_kb: int = Field(2048, ge=16)
    # A request body that stops arriving for this long is answered 408.
    body_timeout_seconds: float = Field(30.0, gt=0)
    # Images whose header declares more pixels are refused before they are decoded (a 50 MP RGB image
    # takes 150 MB in memory; a phone's 48 MP photo fits).
    max_image_pixels: int = Field(50_000_000, ge=1)
    sandbox_seed: int = 20261126
    # Outgoing e-mail (scheduled reports). No host: reports can be downloaded but not sent.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str = "socialdesk@localhost"
    # Addresses or CIDR ranges (comma-separated, e.g. "127.0.0.1/32,10.0.0.0/8") that outbound requests
    # may reach although they are loopback, private or link-local: test servers, self-hosted peers on a
    # private network. Everything else such is refused (networks/outbound.py, docs/security.md).
    allow_private_network_targets: str = ""
    # The address browsers and networks reach this server at (https://social.example.com): OAuth callbacks,
    # webhooks, and the signed, expiring media links that Instagram and Threads fetch a post's files from.
    # Unset: what needs it says so (media/public_links.py, docs/operations.md).
    public_url: str | None = None

    # Networks. Each API base is one setting, so a contract server or an operator's proxy can stand in;
    # app ids and secrets are the operator's own registrations (docs/networks/<network>.md).
    # -- Meta: Facebook Pages and Instagram (Graph API), webhooks for both
    meta_graph_url: str = "https://graph.facebook.com"
    meta_graph_version: str = "v24.0"
    meta_app_id: str | None = None
    meta_app_secret: str | None = None
    meta_webhook_verify_token: str | None = None
    meta_login_config_id: str | None = None  # Facebook Login for Business configuration (names the permissions)
    # -- Threads
    threads_api_url: str = "https://graph.threads.net"
    threads_app_id: str | None = None
    threads_app_secret: str | None = None
    # -- X
    x_api_url: str = "https://api.x.com"
    x_client_id: str | None = None
    x_client_secret: str | None = None
    x_authorize_url: str = "https://x.com/i/oauth2/authorize"  # X's sign-in page (not on the API host)
    x_consumer_secret: str | None = None  # the app's API secret key: signs webhook CRCs and deliveries
    # -- YouTube (Google)
    youtube_api_url: str = "https://www.googleapis.com"
    google_client_id: str | None = None
    google_client_secret: str | None = None
    youtube_daily_quota: int = Field(10_000, ge=1)
    # The Analytics API and Google's OAuth endpoints live on hosts of their own (contract servers stand in).
    youtube_analytics_url: str = "https://youtubeanalytics.googleapis.com"
    google_oauth_authorize_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_oauth_token_url: str = "https://oauth2.googleapis.com/token"
    # videos.insert has a bucket of its own (100 calls a day, 1 per call); older projects were charged
    # 1,600 units of the daily quota per upload instead: set the cost here if yours still is.
    youtube_daily_uploads: int = Field(100, ge=1)
    youtube_upload_units: int = Field(0, ge=0)
    # Comments are polled at most this often per channel: every read costs quota units.
    youtube_inbox_minutes: int = Field(10, ge=0)
    # -- VK
    vk_api_url: str = "https://api.vk.com"
    vk_app_id: str | None = None
    vk_client_secret: str | None = None
    vk_id_url: str = "https://id.vk.com"  # VK ID (OAuth 2.1): /authorize and /oauth2/auth
    # The VK app's service token ("service key"): reads public walls of competitors without a connected VK
    # channel (wall.get, groups.getById, users.get accept it).
    vk_service_token: str | None = None
    # -- Telegram
    telegram_api_url: str = "https://api.telegram.org"
    # -- Writing checks: folders with hunspell dictionaries (.aff/.dic), colon-separated, searched in order.
    hunspell_dirs: str = "/usr/share/hunspell:/usr/share/myspell/dicts"
    # -- Listening: the AppView a `bluesky` source searches when it names none (searchPosts is public there).
    listening_bluesky_service: str = "https://api.bsky.app"
    # `socialdesk listen-stream`: the relay (or a PDS) whose com.atproto.sync.subscribeRepos it reads.
    listening_bluesky_stream: str = "https://bsky.network"
    # A `youtube` source: search.list with this API key (100 quota units a call), at most every N minutes.
    listening_youtube_api_key: str | None = None
    listening_youtube_minutes: int = Field(60, ge=1)
    # A `reddit[:r/NAME]` source: the operator's Reddit app ("script" or "web app" type; application-only
    # OAuth with client credentials), the API host and the token endpoint (contract servers stand in), and
    # the User-Agent Reddit's API rules require: `<platform>:<app ID>:<version> (by /u/<username>)`.
    reddit_api_url: str = "https://oauth.reddit.com"
    reddit_token_url: str = "https://www.reddit.com/api/v1/access_token"
    reddit_client_id: str | None = None
    reddit_client_secret: str | None = None
    reddit_user_agent: str | None = None
    # -- Paid X reads (competitors on X, an `x` listening source): X bills per resource returned
    # (https://docs.x.com/x-api/getting-started/pricing, read 2026-12-07: Posts: Read $0.005, User: Read
    # $0.010). The token is this pasted app-only bearer token when set, else the workspace's X channel's.
    x_bearer_token: str | None = None
    x_post_read_usd: float = Field(0.005, ge=0)
    x_user_read_usd: float = Field(0.010, ge=0)
    competitors_x_posts: int = Field(20, ge=5, le=100)  # posts read per X competitor snapshot
    listening_x_minutes: int = Field(15, ge=1)  # an `x` source asks X at most this often
    listening_x_max_results: int = Field(100, ge=10, le=100)  # posts per search page (recent search: 10–100)
    listening_x_max_pages: int = Field(2, ge=1, le=20)  # pages per run: the most a run can be billed for

    @field_validator("allow_private_network_targets")
    @classmethod
    def _networks_parse(cls, value: str) -> str:
        parse_networks(value)
        return value

    # Short links (links/shortlinks.py): the address they are served at, e.g. https://go.example.com/l
    # (the operator's domain must send /l/<code> to this server). Unset: public_url + "/l", else
    # http://127.0.0.1:8000/l (fine for the demo, useless to the audience: set it in production).
    short_url: str | None = None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'socialdesk.db'}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def parse_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """"127.0.0.1, 10.0.0.0/8" → the networks; a clear error naming the entry that is neither."""
    networks = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is neither an address nor a CIDR range (write e.g. "
                             f"127.0.0.1/32,10.0.0.0/8)") from None
    return tuple(networks)


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # A wrong environment variable stops start-up with what to fix, not a traceback.
        wrong = "; ".join(f"SOCIALDESK_{str(error['loc'][0]).upper() if error['loc'] else '?'}: "
                          f"{str(error['msg']).removeprefix('Value error, ')}" for error in exc.errors())
        raise SystemExit(f"socialdesk cannot start: {wrong}") from None


def reset_settings_cache() -> None:
    get_settings.cache_clear()
