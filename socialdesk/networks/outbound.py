"""The outbound policy: every request socialdesk makes to an address that someone typed (a blog, a Mastodon
server, a Bluesky PDS, a server's OAuth endpoints) goes through here.

- The name is resolved once and every address it resolves to is checked: loopback, private, link-local,
  multicast, reserved and unspecified addresses are refused (IPv4 and IPv6, and IPv4 carried inside IPv6:
  IPv4-mapped, IPv4-compatible, 6to4, NAT64 and Teredo forms), unless the operator allows them with
  SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS (addresses or CIDR ranges, comma-separated).
- The connection goes to the address that was checked (the name is not looked up again, so a DNS answer
  that changes between the check and the connection cannot move it), while the Host header, TLS SNI and
  certificate check keep the name.
- Each redirect is a new request and is checked the same way; at most MAX_REDIRECTS are followed.
- An answer may be at most MAX_RESPONSE_BYTES (after decompression: compressed answers are inflated here,
  with a bound), and its body must be complete within MAX_RESPONSE_SECONDS of its headers.

A refused target is refused before any connection is made, so the error says why (“refused: 127.0.0.1 is
a loopback address”) and can carry nothing of what the target would have answered, nor whether a port is
open.

Why our own code rather than a library: the maintained SSRF guards for httpx on PyPI (httpx-secure,
safehttpx) work only with httpx's async client, and drawbridge is a client of its own that cannot be
handed to the atproto SDK; advocate (for requests) is unmaintained since 2020. socialdesk needs one
policy for two stacks (httpx: the blogs and the atproto SDK; requests: Mastodon.py), so the policy is
here and each stack gets a thin connector: an httpx transport, and a requests adapter whose urllib3
connections connect to the checked address.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
import threading
import zlib
from collections.abc import Iterator
from functools import lru_cache
from time import monotonic
from typing import Any

import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from socialdesk.core.config import get_settings, parse_networks
from socialdesk.networks.base import PermanentNetworkError

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SETTING = "SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS"
SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
# The largest answer any adapter reads (a WordPress index with many plugins is a few hundred kB).
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
# From an answer's headers to its last byte. Reads time out on their own after a silence; this bounds a
# server that keeps sending a byte now and then. (Not from the request: a large upload may take long.)
MAX_RESPONSE_SECONDS = 300.0
_CHUNK = 64 * 1024
HINT = f"socialdesk connects only to public addresses unless the operator allows others in {SETTING}"


class OutboundRefused(PermanentNetworkError):
    """The policy refused the target; nothing was sent to it."""


class ResponseTooLarge(httpx.ReadError):
    """The answer went past MAX_RESPONSE_BYTES. A read error: the request itself did reach the server."""


class ResponseTooSlow(httpx.ReadTimeout):
    """The answer was not complete within MAX_RESPONSE_SECONDS."""


# --- which addresses -------------------------------------------------------------------------------------

_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible IPv6 (::a.b.c.d)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_METADATA = ipaddress.ip_address("169.254.169.254")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, for the forms that reach it (mapped, compatible, 6to4,
    NAT64, Teredo's client)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _kind(address: IPAddress) -> str | None:
    """What makes an address non-public, in the user's words; None for a public address."""
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address == _METADATA:
        return "a link-local address (the cloud metadata service)"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    if address.is_reserved:  # before "private": Python counts 240.0.0.0/4 as both
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a non-public address"
    return None


@lru_cache(maxsize=16)
def _allowed(setting: str) -> tuple[IPNetwork, ...]:
    return parse_networks(setting)


def allowed_networks() -> tuple[IPNetwork, ...]:
    """The operator's exceptions (SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS), read at each request."""
    return _allowed(get_settings().allow_private_network_targets)


def refusal(address: IPAddress) -> str | None:
    """Why the policy refuses to connect to `address` (“a loopback address”), or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # the same IPv4 host, on a dual-stack socket
    allowed = allowed_networks()
    if any(address.version == net.version and address in net for net in allowed):
        return None
    why = _kind(address)
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if inner is not None:
        inner_why = _kind(inner)
        if inner_why and not any(inner.version == net.version and inner in net for net in allowed):
            return f"{inner_why} ({inner}) inside an IPv6 address"
        if inner_why is None and address in _NAT64:
            return None  # an IPv6-only host's way to a public IPv4 server (DNS64)
    return why


def _shown(address: IPAddress) -> str:
    """An address as people write it (Python 3.11 writes ::ffff:127.0.0.1 as ::ffff:7f00:1)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses `host` resolves to, in the order the system prefers them (tests replace this)."""
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def checked_addresses(host: str, port: int) -> list[IPAddress]:
    """The addresses to connect to for `host`, every one of them allowed by the policy.

    A name with one refused address among allowed ones is refused: which one a connection would get is
    the name owner's choice, not ours. Raises OutboundRefused, or socket.gaierror when the name is unknown.
    """
    host = host.strip("[]").rstrip(".").lower()
    literal = _literal(host)
    if literal is not None:
        why = refusal(literal)
        if why:
            raise OutboundRefused(f"refused: {_shown(literal)} is {why} ({HINT}).")
        return [literal]
    addresses = resolve(host, port)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    for address in addresses:
        why = refusal(address)
        if why:
            # The address goes to the log for the operator, not to the user (it maps the inside network).
            log.warning("outbound request refused: %s resolves to %s (%s)", host, address, why)
            raise OutboundRefused(f"refused: {host} resolves to {why} ({HINT}).")
    return addresses


def check_url(url: str) -> None:
    """Refuse a URL the policy would refuse, before anything is stored or sent (scheme and address)."""
    parsed = httpx.URL(url)
    if parsed.scheme not in SCHEMES:
        raise OutboundRefused(f"refused: only http and https addresses are used, not {parsed.scheme or 'this'}.")
    checked_addresses(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))


def refusal_in(error: BaseException) -> OutboundRefused | None:
    """The policy's refusal behind an error a library wrapped it in (Mastodon.py wraps everything)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OutboundRefused):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


# --- reading an answer within the limits ----------------------------------------------------------------

class _Body:
    """Counts (and, for gzip and deflate, inflates with a bound) an answer's bytes as they arrive."""

    def __init__(self, host: str, encoding: str, deadline: float, max_bytes: int, max_seconds: float) -> None:
        self.host, self.deadline, self.max_bytes, self.max_seconds = host, deadline, max_bytes, max_seconds
        self.encoding = encoding
        self.inflater = (zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding in ("gzip", "x-gzip")
                         else zlib.decompressobj() if encoding == "deflate" else None)
        self.total = 0
        self.fresh = True

    def too_large(self) -> str:
        size = (f"{self.max_bytes / 2**20:g} MB" if self.max_bytes >= 2**20 else f"{self.max_bytes} bytes")
        return f"{self.host} answered with more than {size}"

    def too_slow(self) -> str:
        return f"{self.host} did not finish answering within {self.max_seconds:g} seconds"

    def feed(self, chunk: bytes) -> bytes:
        if monotonic() > self.deadline:
            raise ResponseTooSlow(self.too_slow())
        data = self._inflate(chunk) if self.inflater is not None else chunk
        self.total += len(data)
        if self.total > self.max_bytes:
            raise ResponseTooLarge(self.too_large())
        return data

    def _inflate(self, chunk: bytes) -> bytes:
        assert self.inflater is not None
        room = self.max_bytes - self.total
        try:
            data = self.inflater.decompress(chunk, room + 1)
        except zlib.error:
            if not (self.fresh and self.encoding == "deflate"):
                raise httpx.DecodingError(f"{self.host} sent a damaged {self.encoding} answer") from None
            # "deflate" is sometimes raw deflate, without the zlib wrapper.
            self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            data = self.inflater.decompress(chunk, room + 1)
        self.fresh = False
        if len(data) > room:
            raise ResponseTooLarge(self.too_large())
        return data

    def finish(self) -> bytes:
        if self.inflater is None:
            return b""
        data = self.inflater.flush()
        self.total += len(data)
        if self.total > self.max_bytes:
            raise ResponseTooLarge(self.too_large())
        return data


class _LimitedStream(httpx.SyncByteStream):
    def __init__(self, stream: httpx.SyncByteStream, body: _Body) -> None:
        self.stream, self.body = stream, body

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.stream:
            data = self.body.feed(chunk)
            if data:
                yield data
        tail = self.body.finish()
        if tail:
            yield tail

    def close(self) -> None:
        self.stream.close()


_DECODED_HERE = ("", "identity", "gzip", "x-gzip", "deflate")


def _declared_length(headers: Any) -> int | None:
    try:
        return int(headers.get("Content-Length") or "")
    except ValueError:
        return None


# --- httpx ---------------------------------------------------------------------------------------------

class PolicyTransport(httpx.BaseTransport):
    """An httpx transport that applies the policy to every request (each redirect hop included).

    The request goes to the checked address, with `sni_hostname` keeping TLS on the name; one inner
    transport per name, so a kept-alive connection is never reused for another name on the same address.
    """

    def __init__(self, *, max_bytes: int | None = None, max_seconds: float | None = None,
                 **transport_options: Any) -> None:
        self.max_bytes = max_bytes or MAX_RESPONSE_BYTES
        self.max_seconds = max_seconds or MAX_RESPONSE_SECONDS
        self.options = {"trust_env": False, **transport_options}
        self.inner: dict[tuple[str, str, int], httpx.HTTPTransport] = {}
        self.lock = threading.Lock()

    def _transport(self, key: tuple[str, str, int]) -> httpx.HTTPTransport:
        with self.lock:
            found = self.inner.get(key)
            if found is None:
                found = self.inner[key] = httpx.HTTPTransport(**self.options)
            return found

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in SCHEMES:
            raise OutboundRefused(f"refused: only http and https addresses are used, not {url.scheme}.")
        host, port = url.host, url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = checked_addresses(host, port)
        except socket.gaierror as exc:
            raise httpx.ConnectError(f"Cannot resolve {host}: {exc}", request=request) from exc
        # Only encodings this module can inflate with a bound (httpx would ask for br and zstd too).
        request.headers["Accept-Encoding"] = "gzip, deflate"
        transport = self._transport((url.scheme, host, port))
        failure: httpx.TransportError | None = None
        for address in addresses:
            pinned = httpx.Request(request.method, url.copy_with(host=str(address)), headers=request.headers,
                                   stream=request.stream, extensions={**request.extensions, "sni_hostname": host})
            try:
                response = transport.handle_request(pinned)
                break
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # nothing was sent: try the next one
                failure = exc
        else:
            assert failure is not None
            raise failure
        return self._limited(response, request, host)

    def _limited(self, response: httpx.Response, request: httpx.Request, host: str) -> httpx.Response:
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        body = _Body(host, encoding, monotonic() + self.max_seconds, self.max_bytes, self.max_seconds)
        length = _declared_length(response.headers)
        if encoding not in _DECODED_HERE or (length is not None and length > self.max_bytes):
            response.close()
            if encoding not in _DECODED_HERE:
                raise httpx.DecodingError(f"{host} answered in an encoding socialdesk does not accept "
                                          f"({encoding})", request=request)
            raise ResponseTooLarge(body.too_large(), request=request)
        headers = httpx.Headers(response.headers)
        if body.inflater is not None:  # inflated here: the client must not inflate it again
            del headers["Content-Encoding"]
            headers.pop("Content-Length", None)
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(response.status_code, headers=headers, stream=_LimitedStream(response.stream, body),
                              extensions=response.extensions, request=request)

    def close(self) -> None:
        with self.lock:
            for transport in self.inner.values():
                transport.close()
            self.inner.clear()


def client_options(**transport_options: Any) -> dict[str, Any]:
    """What an httpx.Client (or a library that makes one) needs to follow the policy."""
    return {"transport": PolicyTransport(**transport_options), "trust_env": False, "max_redirects": MAX_REDIRECTS}


def http_client(**kwargs: Any) -> httpx.Client:
    """An httpx client whose every request follows the policy. Proxies from the environment are not used:
    they would connect on the client's behalf to an address nobody checked."""
    return httpx.Client(**{**client_options(), **kwargs})


# --- requests (Mastodon.py) ----------------------------------------------------------------------------

class _PinnedConnection:
    """urllib3's connection, connecting to the checked address; TLS (SNI, certificate) keeps `self.host`."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        try:
            addresses = checked_addresses(self.host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        failure: Exception | None = None
        for address in addresses:
            try:
                sock = urllib3_connection.create_connection(
                    (str(address), self.port), self.timeout, source_address=self.source_address,
                    socket_options=self.socket_options)
            except TimeoutError:
                failure = ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})")
            except OSError as exc:
                failure = NewConnectionError(self, f"Failed to establish a new connection: {exc}")  # type: ignore[arg-type]
            else:
                sys.audit("http.client.connect", self, self.host, self.port)
                return sock
        assert failure is not None
        raise failure


class _PinnedHTTPConnection(_PinnedConnection, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnection, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class PolicyAdapter(HTTPAdapter):
    """A requests adapter that applies the policy; answers are read here, within the limits."""

    def __init__(self, *, max_bytes: int | None = None, max_seconds: float | None = None) -> None:
        self.max_bytes = max_bytes or MAX_RESPONSE_BYTES
        self.max_seconds = max_seconds or MAX_RESPONSE_SECONDS
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PinnedHTTPPool, "https": _PinnedHTTPSPool}

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: bool | str = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        # Never through a proxy: it would connect on our behalf to an address nobody checked.
        response = super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=None)
        host = httpx.URL(str(request.url)).host or "the server"
        body = _Body(host, "", monotonic() + self.max_seconds, self.max_bytes, self.max_seconds)
        try:
            length = _declared_length(response.headers)
            if length is not None and length > self.max_bytes:
                raise ResponseTooLarge(body.too_large())
            # iter_content inflates in bounded steps (urllib3 2), so the count is of what the caller gets.
            chunks = [body.feed(chunk) for chunk in response.iter_content(_CHUNK)]
        except BaseException:
            response.close()
            raise
        # What Response.content does itself once the body is read; here the reading had limits.
        response._content = b"".join(chunks)
        return response


def apply_to_session(session: requests.Session) -> requests.Session:
    """Make a requests session (Mastodon.py's) follow the policy."""
    adapter = PolicyAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.trust_env = False
    session.proxies = {}
    session.max_redirects = MAX_REDIRECTS
    return session
