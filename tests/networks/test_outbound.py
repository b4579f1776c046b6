"""The outbound policy (networks/outbound.py): which addresses are refused, that a name is resolved once and
the checked address is the one connected to, redirects, the operator's exceptions, and the size and time
limits, for both HTTP stacks (httpx: blogs and Bluesky; requests: Mastodon.py).

A real HTTP server on loopback plays the target; the policy refuses loopback unless a test allows it."""

from __future__ import annotations

import gzip
import ipaddress
import re
import socket
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import requests

from socialdesk.core.config import Settings, get_settings, reset_settings_cache
from socialdesk.networks import outbound
from socialdesk.networks.outbound import OutboundRefused, ResponseTooLarge, ResponseTooSlow
from tests.helpers import allow_private_targets, serving

SECRET = "TOP-SECRET-ANSWER"


class Target:
    """A loopback server that records every request (and connection) and answers by path."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.connections = 0
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                target.connections += 1
                super().setup()

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                headers = {"Content-Length": str(len(body)), **(headers or {})}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                target.requests.append((self.path, dict(self.headers)))
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/redirect":
                    self._send(302, b"", {"Location": query["to"]})
                elif parts.path == "/loop":
                    self._send(302, b"", {"Location": "/loop"})
                elif parts.path == "/big":
                    self._send(200, b"x" * int(query["n"]))
                elif parts.path == "/claims-big":  # says it is huge; sends a little
                    self.send_response(200)
                    self.send_header("Content-Length", str(10**12))
                    self.end_headers()
                    self.wfile.write(b"x" * 100)
                elif parts.path == "/bomb":  # 64 MB of zeros, about 64 kB gzipped
                    self._send(200, gzip.compress(b"\0" * (64 * 1024 * 1024)), {"Content-Encoding": "gzip"})
                elif parts.path == "/gzip":
                    self._send(200, gzip.compress(SECRET.encode()), {"Content-Encoding": "gzip"})
                elif parts.path == "/drip":
                    self.send_response(200)
                    self.send_header("Content-Length", "5")
                    self.end_headers()
                    for byte in b"drips":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                else:
                    self._send(200, SECRET.encode())

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"


@pytest.fixture
def target() -> Iterator[Target]:
    found = Target()
    with serving(found.server):
        yield found


def _httpx_get(url: str, **options: Any) -> httpx.Response:
    with outbound.http_client(follow_redirects=True, **options) as client:
        return client.get(url)


def _requests_get(url: str) -> requests.Response:
    with outbound.apply_to_session(requests.Session()) as session:
        return session.get(url, timeout=10)


STACKS: dict[str, Callable[[str], Any]] = {"httpx": _httpx_get, "requests": _requests_get}


def _resolver(table: dict[str, list[str]]) -> Callable[[str, int], list[outbound.IPAddress]]:
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[outbound.IPAddress]:
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(a) for a in table[host]]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


# --- literal addresses ---------------------------------------------------------------------------------

REFUSED = [
    ("127.0.0.1", "127.0.0.1 is a loopback address"),
    ("127.1.2.3", "127.1.2.3 is a loopback address"),
    ("[::1]", "::1 is a loopback address"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is a loopback address"),
    ("0.0.0.0", "0.0.0.0 is an unspecified address"),
    ("[::]", ":: is an unspecified address"),
    ("169.254.169.254", "169.254.169.254 is a link-local address (the cloud metadata service)"),
    ("[fe80::1]", "fe80::1 is a link-local address"),
    ("10.0.0.1", "10.0.0.1 is a private address"),
    ("172.16.5.4", "172.16.5.4 is a private address"),
    ("192.168.1.1", "192.168.1.1 is a private address"),
    ("[fd00::1]", "fd00::1 is a private address"),
    ("[::ffff:10.0.0.1]", "::ffff:10.0.0.1 is a private address"),
    ("224.0.0.1", "224.0.0.1 is a multicast address"),
    ("[ff02::1]", "ff02::1 is a multicast address"),
    ("240.0.0.1", "240.0.0.1 is a reserved address"),
    ("100.64.0.1", "100.64.0.1 is a non-public address"),
    ("[::127.0.0.1]", "::7f00:1 is a loopback address (127.0.0.1) inside an IPv6 address"),
    ("[2002:7f00:1::]", "2002:7f00:1:: is a loopback address (127.0.0.1) inside an IPv6 address"),
    ("[64:ff9b::a9fe:a9fe]", "64:ff9b::a9fe:a9fe is a link-local address (the cloud metadata service) (169.254.169.254)"
                             " inside an IPv6 address"),
]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(("host", "reason"), REFUSED)
def test_a_literal_non_public_address_is_refused_with_the_reason(stack: str, host: str, reason: str) -> None:
    with pytest.raises(Exception) as refused:
        STACKS[stack](f"http://{host}:9/anything")
    found = outbound.refusal_in(refused.value)
    assert found is not None, f"not refused by the policy: {refused.value!r}"
    assert found.network_message.startswith(f"refused: {reason} ")
    assert "SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS" in found.network_message


def test_public_addresses_pass_the_check() -> None:
    for text in ("93.184.216.34", "2606:4700:4700::1111", "64:ff9b::808:808", "::ffff:8.8.8.8"):
        assert outbound.refusal(ipaddress.ip_address(text)) is None, text


@pytest.mark.parametrize("stack", STACKS)
def test_a_refused_target_is_never_connected_to_and_its_answer_never_shown(stack: str, target: Target) -> None:
    with pytest.raises(Exception) as refused:
        STACKS[stack](f"{target.url}/api/v1/me?x=")
    assert outbound.refusal_in(refused.value) is not None
    assert target.connections == 0 and target.requests == []
    assert SECRET not in str(refused.value)


@pytest.mark.parametrize("stack", STACKS)
def test_closed_and_open_ports_of_a_refused_target_give_the_same_error(stack: str, target: Target) -> None:
    messages = set()
    for port in (target.port, 9):  # one listening, one closed
        with pytest.raises(Exception) as refused:
            STACKS[stack](f"http://127.0.0.1:{port}/")
        found = outbound.refusal_in(refused.value)
        assert found is not None
        messages.add(found.network_message)
    assert len(messages) == 1


def test_only_http_and_https_are_fetched() -> None:
    for url in ("file:///etc/passwd", "gopher://example.com/", "ftp://example.com/x"):
        with pytest.raises(OutboundRefused, match="only http and https"):
            outbound.check_url(url)
        with pytest.raises(OutboundRefused, match="only http and https"):
            outbound.PolicyTransport().handle_request(httpx.Request("GET", url))


# --- names ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stack", STACKS)
def test_a_name_resolving_to_a_private_address_is_refused_without_showing_the_address(
        stack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "resolve", _resolver({
        "intranet.example": ["10.1.2.3"], "metadata.example": ["169.254.169.254"],
        "mixed.example": ["93.184.216.34", "192.168.7.7"], "v6.example": ["::1"]}))
    for name, reason, address in (("intranet.example", "a private address", "10.1.2.3"),
                                  ("metadata.example", "a link-local address", "169.254.169.254"),
                                  ("mixed.example", "a private address", "192.168.7.7"),
                                  ("v6.example", "a loopback address", "::1")):
        with pytest.raises(Exception) as refused:
            STACKS[stack](f"https://{name}/")
        found = outbound.refusal_in(refused.value)
        assert found is not None, refused.value
        assert found.network_message.startswith(f"refused: {name} resolves to {reason}")
        assert address not in found.network_message  # the inside network's map stays with the operator


def test_localhost_is_refused_by_what_it_resolves_to() -> None:
    with pytest.raises(OutboundRefused, match="refused: localhost resolves to a loopback address"):
        _httpx_get("http://localhost:9/")


@pytest.mark.parametrize("stack", STACKS)
def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to(
        stack: str, target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the answer that was checked is used for the connection; a second, different answer
    (here 10.9.9.9) is never asked for. The Host header keeps the name."""
    allow_private_targets(monkeypatch, "127.0.0.1/32")
    answers = [["127.0.0.1"], ["10.9.9.9"]]
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[outbound.IPAddress]:
        calls.append(host)
        return [ipaddress.ip_address(a) for a in answers[min(len(calls), 2) - 1]]

    monkeypatch.setattr(outbound, "resolve", rebinding)
    response = STACKS[stack](f"http://blog.example:{target.port}/hello")
    assert response.status_code == 200 and response.text == SECRET
    assert calls == ["blog.example"]
    assert target.requests[0][1]["Host"] == f"blog.example:{target.port}"


# --- redirects -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("to", ["http://127.0.0.2:{port}/secret", "http://169.254.169.254/latest/meta-data/",
                                "http://[::ffff:127.0.0.2]:{port}/", "http://inside.example:{port}/"])
def test_a_redirect_to_a_refused_address_is_refused(stack: str, to: str, target: Target,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch, "127.0.0.1/32")  # the first hop is allowed, the second is not
    monkeypatch.setattr(outbound, "resolve", _resolver({"inside.example": ["10.0.0.8"]}))
    with pytest.raises(Exception) as refused:
        STACKS[stack](f"{target.url}/redirect?to={to.format(port=target.port)}")
    assert outbound.refusal_in(refused.value) is not None, refused.value
    assert [path.split("?")[0] for path, _ in target.requests] == ["/redirect"]  # the first hop only


@pytest.mark.parametrize("stack", STACKS)
def test_redirects_are_limited(stack: str, target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch, "127.0.0.1/32")
    with pytest.raises((httpx.TooManyRedirects, requests.TooManyRedirects)):
        STACKS[stack](f"{target.url}/loop")
    assert len(target.requests) == outbound.MAX_REDIRECTS + 1


# --- the operator's setting ----------------------------------------------------------------------------

@pytest.mark.parametrize("stack", STACKS)
def test_the_setting_allows_the_addresses_it_names_and_no_others(stack: str, target: Target,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch, "10.0.0.0/8, 127.0.0.1/32")
    assert STACKS[stack](f"{target.url}/").text == SECRET
    assert STACKS[stack](f"http://[::ffff:127.0.0.1]:{target.port}/").text == SECRET  # the same host
    for other in ("127.0.0.2", "192.168.0.1", "[::1]"):
        with pytest.raises(Exception) as refused:
            STACKS[stack](f"http://{other}:{target.port}/")
        assert outbound.refusal_in(refused.value) is not None
    monkeypatch.delenv("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS")
    reset_settings_cache()
    with pytest.raises(Exception) as refused:
        STACKS[stack](f"{target.url}/")
    assert outbound.refusal_in(refused.value) is not None


def test_a_wrong_entry_in_the_setting_is_named() -> None:
    with pytest.raises(ValueError, match=re.escape("'10.0.0.0/33' is neither an address nor a CIDR range")):
        Settings(allow_private_network_targets="127.0.0.1, 10.0.0.0/33")
    assert Settings(allow_private_network_targets=" 127.0.0.1 ,::1/128,").allow_private_network_targets


def test_a_wrong_setting_stops_start_up_with_what_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS", "10.0.0.0/8,intranet")
    reset_settings_cache()
    with pytest.raises(SystemExit, match=re.escape("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS: 'intranet' is "
                                                   "neither an address nor a CIDR range")):
        get_settings()
    monkeypatch.delenv("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS")
    reset_settings_cache()


# --- size and time -------------------------------------------------------------------------------------

@pytest.mark.parametrize("stack", STACKS)
def test_an_answer_larger_than_the_limit_is_cut_off(stack: str, target: Target,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch, "127.0.0.1/32")
    monkeypatch.setattr(outbound, "MAX_RESPONSE_BYTES", 1000)
    assert len(STACKS[stack](f"{target.url}/big?n=1000").content) == 1000
    for path in ("/big?n=1001", "/claims-big"):
        with pytest.raises(Exception) as cut:
            STACKS[stack](f"{target.url}{path}")
        assert isinstance(cut.value, ResponseTooLarge) or isinstance(cut.value.__context__, ResponseTooLarge), cut.value
        assert "answered with more than 1000 bytes" in str(cut.value)


@pytest.mark.parametrize("stack", STACKS)
def test_a_compressed_answer_is_counted_as_it_inflates(stack: str, target: Target,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A 64 kB gzip bomb that inflates to 64 MB stops at the limit (20 MB), not after inflating it all."""
    allow_private_targets(monkeypatch, "127.0.0.1/32")
    assert STACKS[stack](f"{target.url}/gzip").text == SECRET
    with pytest.raises(ResponseTooLarge, match="more than 20 MB"):
        STACKS[stack](f"{target.url}/bomb")


@pytest.mark.parametrize("stack", STACKS)
def test_an_answer_that_takes_too_long_is_cut_off(stack: str, target: Target,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A server dripping a byte at a time never trips the read timeout; the whole answer has a deadline.
    The policy's clock is made to move 1000 s per look, so nothing here depends on real time."""
    allow_private_targets(monkeypatch, "127.0.0.1/32")
    moments = iter(range(0, 10**6, 1000))
    monkeypatch.setattr(outbound, "monotonic", lambda: float(next(moments)))
    with pytest.raises(ResponseTooSlow, match="did not finish answering within 300 seconds"):
        STACKS[stack](f"{target.url}/drip")


# --- nothing goes around the policy ---------------------------------------------------------------------

_AROUND = re.compile(r"\bhttpx\.(Client|AsyncClient|HTTPTransport|get|post|put|patch|delete|head|request|stream)\("
                     r"|\brequests\.(get|post|put|patch|delete|head|request|Session)\(|\burlopen\(|\bhttp\.client\b"
                     r"|\burllib3\.PoolManager\(|\bsmtplib\.SMTP_SSL\(")


def test_no_module_makes_http_requests_around_the_policy() -> None:
    """A new adapter, fetcher or webhook sender that builds its own client would skip every check here:
    only networks/outbound.py makes clients; Mastodon.py and the atproto SDK are handed its session and
    transport (mastodon/client.py, bluesky/session.py)."""
    import socialdesk

    root = Path(socialdesk.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "outbound.py" and path.parent.name == "networks":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(root)}: {m.group(0)}" for m in _AROUND.finditer(text)]
        for call in re.finditer(r"\bMastodon\(|\bClient\(base_url", text):
            window = text[call.start(): call.start() + 400]
            if "session=" not in window and "request=" not in window:
                offenders.append(f"{path.relative_to(root)}: {call.group(0)} without the policy's session")
    assert offenders == []


# --- TLS keeps the name ----------------------------------------------------------------------------------

def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` (it is its own trust anchor in the test)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.mark.parametrize("stack", STACKS)
def test_https_to_the_checked_address_keeps_the_name_for_sni_and_the_certificate(
        stack: str, target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    cert_file, key_file = _certificate(tmp_path, "blog.example")
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert_file, key_file)
    names: list[str | None] = []
    server_side.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,misc,return-value]
    target.server.socket = server_side.wrap_socket(target.server.socket, server_side=True)
    allow_private_targets(monkeypatch, "127.0.0.1/32")
    monkeypatch.setattr(outbound, "resolve", _resolver({"blog.example": ["127.0.0.1"]}))

    def get(url: str) -> Any:
        if stack == "httpx":
            trust = ssl.create_default_context(cafile=str(cert_file))
            with outbound.http_client(transport=outbound.PolicyTransport(verify=trust)) as client:
                return client.get(url)
        with outbound.apply_to_session(requests.Session()) as session:
            return session.get(url, verify=str(cert_file), timeout=10)

    assert get(f"https://blog.example:{target.port}/").text == SECRET
    assert names == ["blog.example"]
    assert target.requests[0][1]["Host"] == f"blog.example:{target.port}"
    # The certificate is checked against the name: the same server by its address does not pass.
    with pytest.raises((httpx.ConnectError, requests.exceptions.SSLError)):
        get(f"https://127.0.0.1:{target.port}/")
