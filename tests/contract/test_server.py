"""The contract-server base: calls recorded, faults applied, unserved paths noticed."""

import httpx
import pytest
from fastapi import Request

from tests.contract.server import ContractServer


def test_a_contract_server_records_calls_and_misbehaves_on_request() -> None:
    s = ContractServer("demo")
    made = []
    @s.endpoint("POST", "/v1/{page}/feed", doc="https://example.org/docs")
    async def feed(request: Request, page: str) -> dict:
        made.append(page)
        return {"id": f"{page}_{len(made)}"}
    with s.running() as base:
        r = httpx.post(base + "/v1/7/feed", data={"message": "hi"})
        assert r.json() == {"id": "7_1"}
        assert s.calls_to("POST", r"/v1/\d+/feed")[0].form() == {"message": "hi"}
        s.fail("POST", r"/v1/\d+/feed", status=429, json={"e": 1}, headers={"retry-after": "3"})
        r = httpx.post(base + "/v1/7/feed")
        assert r.status_code == 429 and r.headers["retry-after"] == "3" and len(made) == 1
        s.lose_answer("POST", r"/v1/\d+/feed")
        with pytest.raises(httpx.HTTPError) as e:
            httpx.post(base + "/v1/7/feed", timeout=5)
        assert isinstance(e.value, httpx.RemoteProtocolError)
        assert len(made) == 2
        r = httpx.get(base + "/nope")
        assert r.status_code == 404 and len(s.unexpected) == 1
        r = httpx.post(base + "/v1/7/feed")
        assert r.json() == {"id": "7_3"}


def test_an_endpoint_must_cite_its_documentation() -> None:
    with pytest.raises(ValueError, match="cite"):
        ContractServer("demo").endpoint("GET", "/x", doc="")
