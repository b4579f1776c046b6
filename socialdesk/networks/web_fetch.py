"""Fetching a file someone named by its address (an image for a CSV import, an RSS/Atom feed), through the
outbound policy (networks/outbound.py): public addresses only unless the operator allows others, redirects
checked one by one, a size bound. Errors come back as one sentence saying what went wrong."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import httpx

from socialdesk.networks import outbound

TIMEOUT = 20.0
USER_AGENT = "socialdesk (+https://github.com/socialdesk; feed and media fetcher)"


class FetchFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content: bytes
    content_type: str
    filename: str  # the last part of the address's path, or "download"


def fetch(url: str, *, max_bytes: int, accept: str = "*/*") -> Fetched:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchFailed(f"{url!r} is not an http(s) address.")
    try:
        with outbound.http_client(timeout=TIMEOUT, follow_redirects=True,
                                  headers={"User-Agent": USER_AGENT, "Accept": accept}) as client, \
                client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchFailed(f"{url} answered HTTP {response.status_code}.")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchFailed(f"{url} is {int(declared) / 1e6:.1f} MB, over the "
                                  f"{max_bytes / 1e6:.0f} MB limit.")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise FetchFailed(f"{url} is over the {max_bytes / 1e6:.0f} MB limit.")
            final = str(response.url)
            content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    except FetchFailed:
        raise
    except outbound.OutboundRefused as error:
        raise FetchFailed(f"{url}: {error.network_message}") from None
    except httpx.HTTPError as error:
        refused = outbound.refusal_in(error)
        if refused is not None:
            raise FetchFailed(f"{url}: {refused.network_message}") from None
        raise FetchFailed(f"{url} could not be fetched ({type(error).__name__}: {error}).") from None
    name = unquote(urlsplit(final).path.rsplit("/", 1)[-1]) or "download"
    return Fetched(final, bytes(body), content_type, name[:200])
