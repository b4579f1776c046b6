"""Every refusal of the JSON API has one documented shape, {"error", "message", "details"?}, whoever raises it:
the services (DomainError), request validation, or the framework itself (unreadable body, unknown path or
method). The OpenAPI schema says so, so clients and schemathesis (tests/test_api_fuzz.py) can rely on it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from socialdesk.auth.service import create_api_token, user_by_email
from socialdesk.core.db import Database
from socialdesk.workspaces.permissions import ALL_SCOPES
from tests.helpers import make_world
from tests.web_client import web_app


@pytest.fixture
def client(database: Database) -> TestClient:
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as session:
        user = user_by_email(session, world.users["owner"])
        assert user is not None
        secret, _ = create_api_token(session, user, "errors", sorted(ALL_SCOPES))
    return TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})


def _is_error(answer: object) -> bool:
    return isinstance(answer, dict) and isinstance(answer.get("error"), str) and isinstance(answer.get("message"), str)


def test_a_body_that_is_not_utf8_is_a_bad_request_saying_what_to_send(client: TestClient) -> None:
    answer = client.post("/api/v1/me/tokens", content=b"\xff{}", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json() == {"error": "bad_request", "message": "The request body could not be read: send JSON "
                                                                "(UTF-8) or a form, as the API documentation says."}


def test_unknown_paths_and_methods_answer_in_the_same_shape(client: TestClient) -> None:
    unknown = client.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    wrong_method = client.put("/api/v1/me")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "method_not_allowed"
    assert "allow" in wrong_method.headers  # the framework's headers are kept


def test_invalid_input_answers_as_documented(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    documented = schema["paths"]["/api/v1/me/tokens"]["post"]["responses"]["422"]["content"]["application/json"]
    error_schema = schema["components"]["schemas"][documented["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert set(error_schema["required"]) == {"error", "message"}
    assert "HTTPValidationError" not in schema["components"]["schemas"], "FastAPI's default shape is never sent"
    answer = client.post("/api/v1/me/tokens", json={"name": "", "scopes": ["read"]})
    assert answer.status_code == 422 and _is_error(answer.json())
    assert answer.json()["details"][0]["where"] == "body.name"


def test_pages_keep_the_framework_answer_for_unknown_paths(client: TestClient) -> None:
    assert client.get("/no-such-page").status_code == 404


@pytest.mark.parametrize("path", ["queue/next-slot", "analytics/best-time/next-slot"])
def test_an_id_with_a_nul_character_is_not_found(client: TestClient, database: Database, path: str) -> None:
    """Found by tests/test_api_fuzz.py: on PostgreSQL, `channel_ids=%00…` reached the database, which refuses a
    NUL character in text, and answered 500. No id holds one, so it is simply not found."""
    workspace_id = client.get("/api/v1/me").json()["workspaces"][0]["id"]
    answer = client.get(f"/api/v1/workspaces/{workspace_id}/{path}", params={"channel_ids": "01ab\x00cd"})
    assert answer.status_code == 404, answer.text
    assert answer.json()["error"] == "not_found" and "channel" in answer.json()["message"]
