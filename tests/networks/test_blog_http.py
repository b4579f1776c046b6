"""How the blog adapters sort what a server answers, for the answers the local test servers cannot be made
to give (429, 5xx, lost answers): responses in the blogs' documented error formats, served by httpx's
mock transport. The adapters against the real servers: tests/integration/test_blogs.py."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from socialdesk.networks.base import (
    AuthError,
    OutcomeUnknown,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.blog.content import body_html
from socialdesk.networks.blog.http import send
from socialdesk.networks.ghost import api as ghost_api
from socialdesk.networks.wordpress import api as wordpress_api

KEY = "6b08f8943a6d0b380566407d:" + "ab" * 32


def _client(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(answer))


def _wordpress(answer: Callable[[httpx.Request], httpx.Response], *, creates: bool = False) -> object:
    return send(_client(answer), "POST", "https://blog.example.com/wp-json/wp/v2/posts",
                message_of=wordpress_api.message_of, site="WordPress", creates=creates)


def _wp_error(status: int, code: str, message: str, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, headers=headers,
                                          json={"code": code, "message": message, "data": {"status": status}})


def test_wordpress_rate_limit_keeps_its_retry_after_and_words() -> None:
    with pytest.raises(RateLimited) as limited:
        _wordpress(_wp_error(429, "too_many_requests", "Slow down.", **{"Retry-After": "30"}))
    assert limited.value.retry_after == 30 and limited.value.network_message == "Slow down. (too_many_requests)"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_worth_another_try(status: int) -> None:
    with pytest.raises(TransientNetworkError) as failed:
        _wordpress(_wp_error(status, "internal_server_error", "There has been a critical error on this website."))
    assert not isinstance(failed.value, RateLimited)
    assert "critical error" in failed.value.network_message


def test_invalid_data_is_final_and_a_revoked_password_asks_for_reconnection() -> None:
    with pytest.raises(PermanentNetworkError) as invalid:
        _wordpress(_wp_error(400, "rest_invalid_param", "Invalid parameter(s): status"))
    assert not isinstance(invalid.value, AuthError) and "rest_invalid_param" in invalid.value.network_message
    with pytest.raises(AuthError):
        _wordpress(_wp_error(401, "incorrect_password", "The provided password is an invalid application password."))


def test_a_lost_answer_to_a_create_is_unknown_but_a_refused_connection_is_not() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(OutcomeUnknown):
        _wordpress(timeout, creates=True)
    with pytest.raises(TransientNetworkError):
        _wordpress(timeout, creates=False)  # a read: nothing was made
    with pytest.raises(TransientNetworkError):
        _wordpress(refused, creates=True)  # nothing reached the server


def test_a_page_instead_of_json_says_to_check_the_address() -> None:
    with pytest.raises(PermanentNetworkError) as wrong:
        _wordpress(lambda request: httpx.Response(200, text="<html>Welcome</html>"))
    assert "check the site address" in wrong.value.network_message


def _ghost(answer: Callable[[httpx.Request], httpx.Response]) -> None:
    site = ghost_api.GhostSite("https://blog.example.com/ghost/", KEY)
    site.client = _client(answer)
    site.call("POST", "posts/", json={"posts": [{}]}, creates=True)


def _ghost_error(status: int, message: str, code: str | None = None,
                 error_type: str = "ValidationError") -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json={"errors": [
        {"message": message, "context": None, "type": error_type, "code": code}]})


def test_ghost_token_errors_ask_for_reconnection_even_as_400() -> None:
    with pytest.raises(AuthError) as bad:
        _ghost(_ghost_error(400, "Invalid token", "INVALID_JWT", "BadRequestError"))
    assert bad.value.network_message == "Invalid token" and bad.value.status_code == 400
    with pytest.raises(AuthError):
        _ghost(_ghost_error(403, "Permission error, cannot add post.", None, "NoPermissionError"))
    with pytest.raises(RateLimited):
        _ghost(_ghost_error(429, "Too many requests.", None, "TooManyRequestsError"))
    with pytest.raises(PermanentNetworkError) as invalid:
        _ghost(_ghost_error(422, "Validation error, cannot save post."))
    assert not isinstance(invalid.value, AuthError)


def test_ghost_signs_a_short_lived_token_for_its_admin_api() -> None:
    import jwt

    site = ghost_api.GhostSite("https://blog.example.com/ghost/", KEY)
    assert site.url("posts/") == "https://blog.example.com/ghost/api/admin/posts/"
    token = site.client.headers["Authorization"].removeprefix("Ghost ")
    claims = jwt.decode(token, bytes.fromhex("ab" * 32), algorithms=["HS256"], audience="/admin/")
    assert claims["exp"] - claims["iat"] == 300
    assert jwt.get_unverified_header(token)["kid"] == KEY.split(":")[0]
    with pytest.raises(ValueError, match="Admin API key looks like"):
        ghost_api.GhostSite("https://blog.example.com", "no-colon-here")


def test_plain_text_becomes_paragraphs_and_html_is_kept() -> None:
    assert body_html("One <3\nstill one\n\nTwo") == "<p>One &lt;3<br>\nstill one</p>\n<p>Two</p>"
    html = '<p>Mine <a href="https://example.com">link</a></p>'
    assert body_html(html) == html
