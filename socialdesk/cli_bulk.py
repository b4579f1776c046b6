"""`socialdesk post import` and `socialdesk post export`: posts in bulk from and to files (docs/studio.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from socialdesk.cli import WorkspaceOpt, _context, _table, console, err


def import_posts(workspace: WorkspaceOpt,
                 file: Annotated[Path, typer.Option("--file", "-f", help="The CSV file (see --template)",
                                                    exists=True, dir_okay=False, readable=True)],
                 check_only: Annotated[bool, typer.Option("--check-only",
                                                          help="Check every row, save nothing")] = False) -> None:
    """Import posts from a CSV file: every row is checked first; all are saved, or none."""
    from socialdesk.bulk import csv_import

    data = file.read_bytes()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("checking rows", total=None)
        with _context(workspace) as ctx:
            result = csv_import.import_posts(ctx, data, dry_run=check_only,
                                             progress=lambda done, total: bar.update(task, completed=done, total=total))
    if not result.ok:
        table = _table("row", "column", "what to fix")
        for problem in result.problems:
            table.add_row(str(problem.row or "—"), problem.column or "—", problem.message)
        err.print(table)
        err.print(f"Nothing was imported: {len(result.problems)} problem(s) in {file.name}.")
        raise typer.Exit(1)
    if check_only:
        console.print(f"All {result.rows} row(s) are fine; nothing was saved (--check-only).")
    else:
        console.print(f"Imported {len(result.post_ids)} post(s) from {file.name}.")


def post_template(out: Annotated[Path | None, typer.Option("--out", help="Write it here (default: print it)")]
                  = None) -> None:
    """The CSV template for `post import`."""
    from socialdesk.bulk import csv_import

    if out is None:
        typer.echo(csv_import.template(), nl=False)
    else:
        out.write_text(csv_import.template(), encoding="utf-8")
        console.print(f"Wrote {out}", highlight=False, soft_wrap=True)


def export_posts(workspace: WorkspaceOpt,
                 out: Annotated[Path, typer.Option("--out", help="The file to write (.csv or .json)")],
                 format: Annotated[str, typer.Option(help="csv or json (default: from --out)")] = "") -> None:
    """Export the posts and their publications with their latest metrics."""
    from socialdesk.bulk import export
    from socialdesk.core.errors import ValidationFailed

    chosen = (format or out.suffix.lstrip(".") or "csv").lower()
    if chosen not in ("csv", "json"):
        raise ValidationFailed(f"Format {chosen!r}: use csv or json.")
    with _context(workspace) as ctx:
        rows = export.records(ctx)
        name = ctx.workspace.name
    out.write_text(export.to_csv(rows) if chosen == "csv" else export.to_json(rows, name), encoding="utf-8")
    console.print(f"Wrote {len(rows)} publication(s) to {out}", highlight=False, soft_wrap=True)


def register(post_app: typer.Typer) -> None:
    post_app.command("import")(import_posts)
    post_app.command("import-template")(post_template)
    post_app.command("export")(export_posts)
