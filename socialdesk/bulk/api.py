"""API: CSV import of posts (all or nothing, every problem listed), the template, and the export."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from socialdesk.bulk import csv_import, export
from socialdesk.core.errors import ValidationFailed
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["bulk"])


class ProblemOut(BaseModel):
    row: int = Field(description="The row as a spreadsheet numbers it (the header is row 1); 0: the file")
    column: str = Field(description="The column to fix; empty for the row or file as a whole")
    message: str


class ImportOut(BaseModel):
    rows: int
    imported: int
    post_ids: list[str]
    problems: list[ProblemOut]


@router.post("/workspaces/{workspace_id}/imports/posts", response_model=ImportOut)
@requires(Permission.POSTS_WRITE)
def import_posts(ctx: Ctx, body: bytes = Body(b"", media_type="text/csv", description="The CSV file"),
                 check_only: bool = Query(False, description="Check every row, save nothing")) -> Response:
    """Import posts from CSV sent as the body (text/csv). 200: every row saved; 422: nothing saved, and every
    problem with its row and column."""
    if not body:
        raise ValidationFailed("Send the CSV file as the request body (Content-Type: text/csv).")
    result = csv_import.import_posts(ctx, body, dry_run=check_only)
    out = ImportOut(rows=result.rows, imported=len(result.post_ids), post_ids=result.post_ids,
                    problems=[ProblemOut(row=p.row, column=p.column, message=p.message) for p in result.problems])
    if result.ok:
        return JSONResponse(out.model_dump())
    # Refused: the API's error shape (error, message) with every problem beside it.
    message = f"{len(out.problems)} problem(s) in the file: nothing was imported"
    return JSONResponse({"error": "validation_failed", "message": message, **out.model_dump()}, status_code=422)


@router.get("/workspaces/{workspace_id}/imports/posts/template", response_class=Response)
@requires(Permission.POSTS_READ)
def import_template(ctx: Ctx) -> Response:
    """The CSV template: the header and two example rows."""
    return Response(csv_import.template(), media_type="text/csv; charset=utf-8")


@router.get("/workspaces/{workspace_id}/exports/posts", response_class=Response)
@requires(Permission.POSTS_READ)
def export_posts(ctx: Ctx, format: str = Query("csv", pattern="^(csv|json)$")) -> Response:
    """Every post and publication with its latest metrics, as CSV (formula-safe) or JSON."""
    rows = export.records(ctx)
    if format == "json":
        return Response(export.to_json(rows, ctx.workspace.name), media_type="application/json")
    return Response(export.to_csv(rows), media_type="text/csv; charset=utf-8")
