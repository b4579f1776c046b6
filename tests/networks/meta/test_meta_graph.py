"""The Graph client and its error sorting, against the Meta contract server core."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from socialdesk.networks.base import (
    AuthError,
    OutcomeUnknown,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.meta.graph import GraphClient, appsecret_proof, error_for, graph_base, usage_retry_after
from tests.contract.meta import MetaGraph, MetaWorld, meta_server, point_settings_at, rate_limit_error


def body(code: int, subcode: int | None = None, **extra: object) -> dict[str, object]:
    error: dict[str, object] = {"message": f"(#{code}) message", "type": "OAuthException", "code": code,
                                "fbtrace_id": "A1"}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    return {"error": error}


@pytest.mark.parametrize(("status", "payload", "expected"), [
    (400, body(190), AuthError),
    (400, body(190, 463), AuthError),
    (400, body(190, 460), AuthError),
    (400, body(4), RateLimited),
    (400, body(17), RateLimited),
    (400, body(32), RateLimited),
    (400, body(613), RateLimited),
    (400, body(80001), RateLimited),
    (400, body(80014), RateLimited),
    (500, body(1), TransientNetworkError),
    (500, body(2), TransientNetworkError),
    (503, "Service Unavailable", TransientNetworkError),
    (400, body(100), PermanentNetworkError),
    (400, body(368), PermanentNetworkError),
    (400, body(9007, 2207026), PermanentNetworkError),
    (400, body(100, 33), PermanentNetworkError),
])
def test_error_classes(status: int, payload: object, expected: type) -> None:
    error = error_for(status, payload, {})
    assert type(error) is expected


def test_rate_limit_waits_as_the_usage_header_says() -> None:
    args = rate_limit_error(80001, minutes=7)
    error = error_for(args["status"], args["json"], args["headers"])
    assert isinstance(error, RateLimited)
    assert error.retry_after == 7 * 60
    assert usage_retry_after({"X-App-Usage": json.dumps({"call_count": 100})}) is None
    assert error_for(400, body(4), {}).retry_after  # a wait even when no header says how long


def test_user_message_is_meta_own_words() -> None:
    error = error_for(400, body(368, 1390008, error_user_title="Blocked",
                                error_user_msg="You can't post this right now."), {})
    assert isinstance(error, PermanentNetworkError)
    assert error.network_message == "Blocked: You can't post this right now."
    assert error.details["code"] == 368 and error.details["fbtrace_id"] == "A1"
    assert error_for(400, body(100), {}).network_message == "(#100) message"


def test_transient_flag_is_honoured() -> None:
    assert isinstance(error_for(400, body(100, is_transient=True), {}), TransientNetworkError)


def test_base_takes_other_hosts_for_threads() -> None:
    assert graph_base("https://graph.threads.net", "v1.0") == "https://graph.threads.net/v1.0"
    assert graph_base("https://graph.facebook.com/", "v24.0") == "https://graph.facebook.com/v24.0"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[MetaGraph, MetaWorld, dict[str, str]]]:
    world = MetaWorld()
    user = world.add_user("Ana")
    page = world.add_page("Brand", admins=[user["id"]])
    graph = meta_server(world)
    with graph.server.running() as base_url:
        point_settings_at(monkeypatch, base_url, world)
        yield graph, world, {"user": user["id"], "page": page["id"]}


def test_token_goes_as_documented_and_proof_is_accepted(served: tuple[MetaGraph, MetaWorld, dict[str, str]]) -> None:
    graph, world, ids = served
    world.require_appsecret_proof = True
    token = world.user_token(ids["user"])
    with GraphClient(token) as client:
        me = client.get("me", {"fields": "id,name"})
    assert me == {"id": ids["user"], "name": "Ana"}
    call = graph.server.calls[-1]
    assert call.query["access_token"] == token
    assert call.query["appsecret_proof"] == appsecret_proof(token, world.app_secret)
    assert "x-app-usage" in client.last_headers


def test_missing_expired_and_revoked_tokens_are_auth_errors(
        served: tuple[MetaGraph, MetaWorld, dict[str, str]]) -> None:
    _graph, world, ids = served
    with GraphClient(None) as client, pytest.raises(AuthError):
        client.get("me")
    expired = world.user_token(ids["user"])
    world.expire(expired)
    with GraphClient(expired) as client, pytest.raises(AuthError) as caught:
        client.get("me")
    assert caught.value.details["error_subcode"] == 463
    revoked = world.user_token(ids["user"])
    world.revoke(revoked)
    with GraphClient(revoked) as client, pytest.raises(AuthError):
        client.get("me")


def test_wrong_version_and_unknown_object_are_refused(served: tuple[MetaGraph, MetaWorld, dict[str, str]]) -> None:
    _graph, world, ids = served
    token = world.user_token(ids["user"])
    with GraphClient(token, version="v2.0") as client, pytest.raises(PermanentNetworkError):
        client.get("me")
    with GraphClient(token) as client, pytest.raises(PermanentNetworkError) as caught:
        client.get("999")
    assert caught.value.details["error_subcode"] == 33


def test_rate_limit_and_lost_answer(served: tuple[MetaGraph, MetaWorld, dict[str, str]]) -> None:
    graph, world, ids = served
    token = world.user_token(ids["user"])
    graph.server.fail("GET", r"/v\d+\.\d+/me", **rate_limit_error(80001, minutes=3))
    with GraphClient(token) as client:
        with pytest.raises(RateLimited) as caught:
            client.get("me")
        assert caught.value.retry_after == 180
        graph.server.lose_answer("GET", r"/v\d+\.\d+/me")
        with pytest.raises(TransientNetworkError):
            client.get("me")  # a read: safe to repeat
        graph.server.lose_answer("GET", r"/v\d+\.\d+/me")
        with pytest.raises(OutcomeUnknown):
            client.request("GET", "me", creates=True)


def test_oauth_code_long_lived_and_accounts(served: tuple[MetaGraph, MetaWorld, dict[str, str]]) -> None:
    _graph, world, ids = served
    code = world.grant_code(ids["user"], "https://desk.example/oauth/callback")
    with GraphClient(None) as client:
        short = client.get("oauth/access_token", {"client_id": world.app_id, "client_secret": world.app_secret,
                                                  "redirect_uri": "https://desk.example/oauth/callback",
                                                  "code": code})
        with pytest.raises(PermanentNetworkError):  # single use
            client.get("oauth/access_token", {"client_id": world.app_id, "client_secret": world.app_secret,
                                              "redirect_uri": "https://desk.example/oauth/callback",
                                              "code": code})
        long = client.get("oauth/access_token", {"grant_type": "fb_exchange_token", "client_id": world.app_id,
                                                 "client_secret": world.app_secret,
                                                 "fb_exchange_token": short["access_token"]})
    assert long["expires_in"] > short["expires_in"]
    with GraphClient(long["access_token"]) as client:
        pages = list(client.pages("me/accounts"))
    assert [p["id"] for p in pages] == [ids["page"]]
    assert world.tokens[pages[0]["access_token"]].expires_at is None  # from a long-lived user token
