"""Calls to the Threads API (graph.threads.net, SOCIALDESK_THREADS_API_URL) through Meta's one Graph client.

Threads has no maintained Python SDK (`meta-threads-sdk` is unofficial, `pythreads` stale, and Meta's
`facebook-business` has no Threads module), and it speaks the Graph API's conventions: the `access_token`
parameter, `data`/`paging` lists, and the Graph error body. So it goes through networks/meta/graph.py's
`GraphClient` with Threads' base and version, and its errors are sorted by the same classifier as
Facebook's and Instagram's: 190 → AuthError, 4/17/32/613 → RateLimited, 100 → PermanentNetworkError, a
request that went out without an answer → OutcomeUnknown when it makes something people see.

The token endpoints (`/oauth/access_token`, `/access_token`, `/refresh_access_token`) have no version in
Meta's documentation; `versioned=False` calls them at the base.
"""

from __future__ import annotations

from typing import Any

from socialdesk.core.config import get_settings
from socialdesk.networks.meta.graph import GraphClient

API_VERSION = "v1.0"
SITE = "Threads"


def api_base() -> str:
    return get_settings().threads_api_url.rstrip("/")


def _form(value: Any) -> Any:
    # Threads takes lists (a carousel's children) comma-separated, as its documentation's examples send them.
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return value


class ThreadsClient(GraphClient):
    """Calls for one Threads access token. No appsecret_proof: that belongs to the Facebook app's secret."""

    def __init__(self, access_token: str | None, *, base: str | None = None) -> None:
        self.root = (base or api_base()).rstrip("/")
        super().__init__(access_token, base_url=self.root, version=API_VERSION, site=SITE, use_app_secret=False)

    def _path(self, path: str, versioned: bool) -> str:
        return path if versioned else f"{self.root}/{path.lstrip('/')}"

    def get(self, path: str, params: Any = None, *, versioned: bool = True, token: bool = True,
            **kwargs: Any) -> Any:
        return self.request("GET", self._path(path, versioned), params=params, authenticate=token, **kwargs)

    def post(self, path: str, data: Any = None, *, creates: bool = False, versioned: bool = True,
             token: bool = True, **kwargs: Any) -> Any:
        form = {k: _form(v) for k, v in (data or {}).items()}
        return self.request("POST", self._path(path, versioned), data=form, creates=creates, authenticate=token,
                            **kwargs)
