"""`socialdesk academy …`: practice exercises on the sandbox network, with a score (docs/academy.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from socialdesk.cli import _table, console
from socialdesk.cli_help import PlainHelpGroup

academy_app = typer.Typer(help="The academy: exercises on sandbox channels, simulated time, a score with reasons.",
                          no_args_is_help=True, cls=PlainHelpGroup)


@contextmanager
def _progress(what: str) -> Iterator[Callable[[float], None]]:
    """A Rich progress bar over simulated time."""
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(what, total=1.0)
        yield lambda done: bar.update(task, completed=done)


RunOpt = Annotated[str | None, typer.Option("--run", help="The run's id (default: your latest unfinished run)")]


def _run_id(run: str | None) -> str:
    from sqlalchemy import select

    from socialdesk.academy.models import AcademyRun
    from socialdesk.core.db import get_database
    from socialdesk.core.errors import NotFound

    if run:
        return run
    with get_database().unit_of_work(read_only=True) as session:
        latest = session.scalars(select(AcademyRun).where(AcademyRun.finished_at.is_(None))
                                 .order_by(AcademyRun.created_at.desc())).first()
        if latest is None:
            raise NotFound("No exercise is under way; start one with `socialdesk academy start SLUG --as EMAIL`.")
        return latest.id


@academy_app.command("list")
def academy_list() -> None:
    """The shipped exercises."""
    from socialdesk.academy import catalog

    table = _table("title", "days", "skills")
    table.columns[0].header = "exercise"
    for ex in catalog.shipped():
        table.add_row(ex.slug, f"{ex.title['en']}\n{ex.title['hr']}", str(ex.days), ", ".join(ex.skills))
    console.print(table)


@academy_app.command("check")
def academy_check(file: Annotated[Path, typer.Argument(help="An exercise file (.yaml or .json)")]) -> None:
    """Validate an exercise file; each problem names the field's path."""
    from socialdesk.academy.schema import ExerciseFileError, load

    try:
        ex = load(file)
    except ExerciseFileError as exc:
        console.print(f"[red]{file} is not a valid exercise:[/red]")
        for problem in exc.problems:
            console.print(f"  - {problem}", markup=False)
        raise typer.Exit(1) from None
    console.print(f"{file}: a valid {ex.kind} exercise '{ex.slug}' ({ex.days} simulated days; "
                  f"skills: {', '.join(ex.skills)})", markup=False)


@academy_app.command("start")
def academy_start(exercise: Annotated[str, typer.Argument(help="A shipped exercise's name, or an exercise file")],
                  email: Annotated[str, typer.Option("--as", help="The learner's email (made if new)")],
                  speed: Annotated[int, typer.Option(help="Simulated seconds per real second (1440: a day a "
                                                          "minute)")] = 1440) -> None:
    """Create a fresh exercise workspace with the learner as its owner."""
    from socialdesk.academy import service
    from socialdesk.academy.schema import ExerciseFileError, load
    from socialdesk.core.db import get_database

    chosen: object = exercise
    if exercise.endswith((".yaml", ".yml", ".json")):
        try:
            chosen = load(Path(exercise))
        except ExerciseFileError as exc:
            console.print("\n".join(exc.problems), markup=False)
            raise typer.Exit(1) from None
    started = service.start(get_database(), chosen, email, speed=speed)  # type: ignore[arg-type]
    console.print(f"Exercise run {started.run_id} started in workspace {started.workspace_id}.")
    if started.password:
        console.print(f"A new account was made for {email}; its password: {started.password}", markup=False)
    console.print("Move its clock with `socialdesk academy step --days 1`, or open /academy in the browser.")


@academy_app.command("step")
def academy_step(run: RunOpt = None,
                 days: Annotated[float, typer.Option(help="Simulated days to run forward")] = 1.0,
                 hours: Annotated[float, typer.Option(help="And simulated hours")] = 0.0) -> None:
    """Run the exercise's world forward: posts go out, the audience reacts, comments arrive."""
    from socialdesk.academy import service
    from socialdesk.core.db import get_database

    with _progress("Running the simulated world") as progress:
        at = service.step(get_database(), _run_id(run), days=days, hours=hours, progress=progress)
    console.print(f"Simulated time is now {at:%Y-%m-%d %H:%M} UTC.")


@academy_app.command("finish")
def academy_finish(run: RunOpt = None) -> None:
    """Run the clock to the end and show the score, the reasons and the audience revealed."""
    from socialdesk.academy import service
    from socialdesk.core.db import get_database

    with _progress("Running to the end, then scoring") as progress:
        result = service.finish(get_database(), _run_id(run), progress)
    console.print(f"Score: {result['score']} (the expert strategy on the same audience: "
                  f"{result['reference']['score']})")
    for skill in result["skills"]:
        console.print(f"  {skill['skill']}: {skill['score']}", markup=False)
        for reason in skill["reasons"]:
            console.print(f"    - {reason}", markup=False)
    shown = result["reveal"]
    console.print(f"The audience: languages {shown['languages']}, most active at {shown['best_hour']:02d}:00 "
                  f"({shown['timezone']}), interests {', '.join(shown['interests'])}, trolls "
                  f"{shown['troll_share']:.1%}, spam {shown['spam_share']:.1%}.", markup=False)
