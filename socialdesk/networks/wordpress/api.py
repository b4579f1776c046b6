"""Talking to one WordPress site: where its REST API lives, and requests with its errors sorted.

A site with "pretty" permalinks serves the API under `/wp-json/`; one with plain permalinks only under
`/?rest_route=/`. `discover` tries both once, when the channel is connected, and the channel keeps
what worked.
"""

from __future__ import annotations

from typing import Any

import httpx

from socialdesk.networks import outbound
from socialdesk.networks.base import PermanentNetworkError
from socialdesk.networks.blog.http import TIMEOUT, send


def message_of(body: Any) -> str | None:
    """WordPress answers errors as {"code": "rest_...", "message": "...", "data": {"status": 4xx}}."""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        code = body.get("code")
        return f"{body['message']} ({code})" if code else body["message"]
    return None


def normalise_site(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValueError("the site address must start with https:// (for example https://blog.example.com)")
    return url


class WordPressSite:
    def __init__(self, site_url: str, username: str, app_password: str, *, rest_route: bool = False,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.site_url = normalise_site(site_url)
        self.rest_route = rest_route
        # WordPress shows application passwords in groups of four ("abcd efgh ..."); it accepts them with
        # or without the spaces.
        # Tests hand in an httpx.MockTransport; every real request goes through the outbound policy.
        self.client = outbound.http_client(
            auth=(username, app_password), timeout=TIMEOUT, **({"transport": transport} if transport else {}),
            headers={"Accept": "application/json", "User-Agent": "socialdesk"})

    @property
    def label(self) -> str:
        return f"WordPress at {self.site_url}"

    def url(self, route: str) -> str:
        route = route.lstrip("/")
        if self.rest_route:
            return f"{self.site_url}/?rest_route=/{route}"
        return f"{self.site_url}/wp-json/{route}"

    def call(self, method: str, route: str, *, creates: bool = False, **kwargs: Any) -> Any:
        return send(self.client, method, self.url(route), message_of=message_of, site=self.label,
                    creates=creates, **kwargs)

    def discover(self) -> dict[str, Any]:
        """The site's API index (name, home URL), finding where the API lives."""
        last: PermanentNetworkError | None = None
        for rest_route in (False, True):
            self.rest_route = rest_route
            try:
                index = self.call("GET", "")
            except outbound.OutboundRefused:
                raise
            except PermanentNetworkError as error:  # 404 or a page instead of JSON: try the other form
                last = error
                continue
            if isinstance(index, dict) and "wp/v2" in (index.get("namespaces") or []):
                return index
        raise PermanentNetworkError(
            f"No WordPress REST API found at {self.site_url} (tried /wp-json/ and /?rest_route=/): "
            f"{last.network_message if last else 'the site answered, but not as WordPress'}")

    def close(self) -> None:
        self.client.close()
