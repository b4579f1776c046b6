"""JSON answers that skip FastAPI's second validation of a model the service already built."""

from __future__ import annotations

from fastapi.responses import Response
from pydantic import BaseModel


def model_json(model: BaseModel, status_code: int = 200) -> Response:
    """FastAPI would dump the model to a dict and validate it again against the response model;
    on list endpoints that doubles the cost of a request. The route still declares `response_model`
    so the OpenAPI schema stays exact."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
