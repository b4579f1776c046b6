"""The `socialdesk` command line (Typer + Rich)."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from socialdesk.cli_help import PlainHelpGroup
from socialdesk.core.errors import ConfigurationError, DomainError

if TYPE_CHECKING:
    from socialdesk.channels.models import Channel
    from socialdesk.demo import DemoSummary
    from socialdesk.workspaces.context import WorkspaceContext

# The web server and the workers compute many small matrix products (intervals, best times) side by side in
# several processes; OpenBLAS's own thread per core for each product only spins against them (~40 ms of CPU
# more a channel page on a busy machine: bench/RESULTS.md, "BLAS threads"). Set before numpy loads; an
# operator's own setting wins. The triage encoder has its own threads (SOCIALDESK_TRIAGE_THREADS).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

app = typer.Typer(help="socialdesk: a self-hosted social media marketing workstation.", no_args_is_help=True,
                  pretty_exceptions_enable=False, cls=PlainHelpGroup, rich_markup_mode="markdown")
user_app = typer.Typer(help="People who sign in.", no_args_is_help=True, cls=PlainHelpGroup)
workspace_app = typer.Typer(help="Workspaces (one per brand or client).", no_args_is_help=True, cls=PlainHelpGroup)
channel_app = typer.Typer(help="Connected accounts on networks.", no_args_is_help=True, cls=PlainHelpGroup)
post_app = typer.Typer(help="Posts and their publications.", no_args_is_help=True, cls=PlainHelpGroup)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True, cls=PlainHelpGroup)
app.add_typer(user_app, name="user")
app.add_typer(workspace_app, name="workspace")
app.add_typer(channel_app, name="channel")
app.add_typer(post_app, name="post")
app.add_typer(token_app, name="token")

console = Console()
err = Console(stderr=True)

WorkspaceOpt = Annotated[str, typer.Option("--workspace", "-w",
                                           help="Workspace name (any case), slug or id")]
PostIdArg = Annotated[str, typer.Argument(help="The post's id (see `socialdesk post list`)")]

# Long-running services keep an INFO log: it is their record of what they did (each publication's
# outcome). Every other command talks to a person at the terminal and logs warnings and errors only.
SERVICES = frozenset({"serve", "worker", "scheduler"})
# Libraries whose INFO and WARNING lines mean nothing to a user (Alembic's "Running upgrade…",
# WeasyPrint's and fontTools' font notes): errors only, unless logging was asked for.
CHATTY_LIBRARIES = ("alembic", "weasyprint", "fontTools")
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@app.callback()
def _everything(ctx: typer.Context,
                verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                                      help="Log at INFO (also: SOCIALDESK_LOG_LEVEL)")] = False
                ) -> None:
    """socialdesk: a self-hosted social media marketing workstation."""
    configure_logging(ctx.invoked_subcommand, verbose)


def configure_logging(command: str | None, verbose: bool = False) -> str:
    """Set the log level for `command` (WARNING unless it is a service, --verbose or
    SOCIALDESK_LOG_LEVEL say otherwise); returns the level's name."""
    asked = os.environ.get("SOCIALDESK_LOG_LEVEL", "").strip().upper()
    level = "INFO" if verbose else asked or ("INFO" if command in SERVICES else "WARNING")
    if logging.getLevelName(level) == f"Level {level}":
        raise typer.BadParameter(f"SOCIALDESK_LOG_LEVEL={asked!r}: use DEBUG, INFO, WARNING or ERROR.")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "socialdesk", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    handler.socialdesk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    quiet = not (verbose or asked)
    # A service logs socialdesk's own INFO lines (what it published, fetched, refused); libraries stay at
    # WARNING unless more was asked for, so the log reads as the product's record, not its dependencies'.
    service_default = quiet and command in SERVICES
    root.setLevel(logging.WARNING if service_default else level)
    logging.getLogger("socialdesk").setLevel(logging.INFO if service_default else logging.NOTSET)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.ERROR if quiet else logging.NOTSET)
    return level


def main() -> None:
    try:
        app()
    except (DomainError, ConfigurationError) as exc:
        err.print(f"[red]error:[/red] {getattr(exc, 'message', exc)}", highlight=False, soft_wrap=True)
        sys.exit(2)


def _migrate() -> None:
    from socialdesk.core.db import get_database
    from socialdesk.core.schema import create_schema

    create_schema(get_database().url)


def _table(*columns: str) -> Table:
    """A table whose first column is an id, never wrapped (scripts copy it)."""
    table = Table()
    table.add_column("id", no_wrap=True)
    for column in columns:
        table.add_column(column)
    return table


# Running ----------------------------------------------------------------------------------------


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema."""
    from socialdesk.core.db import get_database

    _migrate()
    console.print(f"Database is up to date: {get_database().url}")


@app.command()
def serve(host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
          port: Annotated[int | None, typer.Option(help="Port")] = None,
          jobs: Annotated[bool | None, typer.Option(
              help="Run jobs in this process (default: yes, unless SOCIALDESK_BROKER_URL sends them to workers)")
          ] = None,
          workers: Annotated[int | None, typer.Option(help="Web server processes")] = None) -> None:
    """Run the web app (and, by default, the job runner) after migrating the database."""
    from socialdesk.core.config import get_settings
    from socialdesk.jobs import broker

    settings = get_settings()
    _migrate()
    _check_secret_key()
    run_jobs_here = (not broker.enabled()) if jobs is None else jobs
    _serve(host or settings.host, port or settings.port, run_jobs_here, workers or settings.web_workers)


def _serve(host: str, port: int, jobs: bool, workers: int = 1, log_level: str = "info",
           on_ready: Callable[[], None] | None = None) -> None:
    """Serve the app; `on_ready` runs once the port accepts connections (one process only)."""
    import uvicorn

    # Several processes need the app as an import string; each builds its own (and, with jobs, its
    # own runner threads: runners share the queue safely through the database).
    os.environ["SOCIALDESK_RUN_JOBS"] = "1" if jobs else "0"
    if workers > 1 or on_ready is None:
        uvicorn.run("socialdesk.web.app:served_app", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, access_log=False)
        return

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[Any] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                on_ready()

    config = uvicorn.Config("socialdesk.web.app:served_app", factory=True, host=host, port=port,
                            log_level=log_level, access_log=False)
    Server(config).run()


@app.command()
def demo(host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
         port: Annotated[int, typer.Option(help="Port")] = 8000,
         check: Annotated[bool, typer.Option("--check", help="Prepare everything, print a summary, exit")] = False,
         verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at INFO")] = False) -> None:
    """Start with a live demo workspace on the sandbox network (no accounts needed anywhere)."""
    import time

    if verbose:
        configure_logging("demo", verbose=True)

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    started = time.perf_counter()
    os.environ["SOCIALDESK_DEMO_MODE"] = "1"
    from socialdesk.core.config import reset_settings_cache

    reset_settings_cache()
    columns = (TextColumn("{task.description:<52}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        step = progress.add_task("Preparing the database", total=1.0)
        _migrate()
        from socialdesk.demo import ensure_demo

        summary = ensure_demo(progress=lambda what, done: progress.update(step, description=what, completed=done))
        from socialdesk.core.db import get_database
        from socialdesk.studio.writing.demo_setup import ensure_demo_writing

        ensure_demo_writing(get_database())
    url = f"http://{host}:{port}"
    if check:
        elapsed = time.perf_counter() - started
        _print_demo_block(summary, url, elapsed, check)
        console.print(f"demo: {summary.channels} channels, {summary.posts} posts, {summary.comments} comments, "
                      f"ready in {elapsed:.1f} s", highlight=False, soft_wrap=True)
        return
    # "Open <url>" is printed once the port answers: loading the web app takes seconds on a busy
    # machine, and a person who opens the address at once must not see "connection refused".
    _serve(host, port, jobs=True,
           log_level="info" if logging.getLogger().isEnabledFor(logging.INFO) else "warning",
           on_ready=lambda: _print_demo_block(summary, url, time.perf_counter() - started, check))


def _print_demo_block(summary: DemoSummary, url: str, elapsed: float, check: bool) -> None:
    """What a person needs to start: where, who, and how to stop."""
    console.print(f"[bold]socialdesk demo is ready[/bold]: {summary.channels} channels, {summary.posts} posts, "
                  f"{summary.comments} comments (prepared in {elapsed:.1f} s)", highlight=False, soft_wrap=True)
    rows = (("Open", url if not check else f"{url} once `socialdesk demo` runs"), ("E-mail", summary.email),
            ("Password", summary.password),
            ("Stop", "press Ctrl+C" if not check else "nothing runs: --check only prepares the demo"))
    for label, value in rows:
        console.print(f"  [bold]{label:<9}[/bold] {value}", highlight=False, soft_wrap=True)


@app.command()
def worker(concurrency: Annotated[int | None, typer.Option(help="Jobs run at once by this process")] = None,
           pool: Annotated[str, typer.Option(help="With a broker: Celery pool (prefork, threads, solo)")] = "prefork"
           ) -> None:
    """Run jobs (publishing, comments, metrics). With SOCIALDESK_BROKER_URL: a Celery worker; without: an
    embedded runner on the database, e.g. beside `serve --no-jobs`."""
    from socialdesk.core.config import get_settings
    from socialdesk.core.crypto import check_secret_key
    from socialdesk.jobs import broker

    settings = get_settings()
    check_secret_key(settings)
    _migrate()
    _check_secret_key()
    threads = concurrency or settings.runner_threads
    if broker.enabled():
        from socialdesk.jobs import celery_worker

        celery_worker.start(threads, pool)
        return
    from socialdesk.core.db import get_database
    from socialdesk.jobs.runner import Runner

    runner = Runner(get_database(), kind="worker", threads=threads, poll_seconds=settings.runner_poll_seconds)
    stop = _stop_on_signals()
    runner.start()
    console.print(f"worker {runner.runner_id} running; Ctrl-C to stop")
    stop.wait()
    runner.stop()


@app.command()
def scheduler() -> None:
    """With a broker: enqueue periodic jobs and send due jobs to the workers (run one or two)."""
    from socialdesk.core.db import get_database
    from socialdesk.core.errors import ConfigurationError
    from socialdesk.jobs import broker
    from socialdesk.jobs.scheduler import Scheduler

    if not broker.enabled():
        raise ConfigurationError("`socialdesk scheduler` is for scaled-out installs: set SOCIALDESK_BROKER_URL "
                                 "(redis://… or amqp://…). Without a broker, `socialdesk worker` or `serve` "
                                 "schedules by itself.")
    _migrate()
    stop = _stop_on_signals()
    Scheduler(get_database()).run_forever(stop)


def _stop_on_signals() -> threading.Event:
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


@app.command()
def doctor(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at INFO")] = False) -> None:
    """Check the whole system; exits 1 when something needs attention."""
    from socialdesk.doctor import run_checks

    if verbose:
        configure_logging("doctor", verbose=True)

    checks = run_checks()
    table = Table("check", "state", "detail")
    for check in checks:
        table.add_row(check.name, "[green]ok[/green]" if check.ok else "[red]PROBLEM[/red]", check.detail)
    console.print(table)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command("secret-key")
def secret_key() -> None:
    """Print a new key for SOCIALDESK_SECRET_KEY (keep it: it decrypts stored credentials)."""
    from socialdesk.core.crypto import generate_key

    print(generate_key())


def _check_secret_key() -> None:
    """Refuse to start with a key that does not open the stored credentials (ConfigurationError: exit 2)."""
    from socialdesk.channels.secrets import verify_secret_key

    verify_secret_key()


@app.command("rotate-secret-key")
def rotate_secret_key(
        old: Annotated[str, typer.Option("--old", envvar="SOCIALDESK_OLD_SECRET_KEY",
                                         help="The key the stored credentials are encrypted with")],
        new: Annotated[str, typer.Option("--new", envvar="SOCIALDESK_NEW_SECRET_KEY",
                                         help="The new key (make one with `socialdesk secret-key`)")],
) -> None:
    """Re-encrypt every stored credential from the old key to the new one, in one transaction; then restart
    every process with SOCIALDESK_SECRET_KEY set to the new key."""
    from socialdesk.channels.secrets import rotate_key
    from socialdesk.core.db import get_database

    _migrate()
    with get_database().unit_of_work() as session:
        changed = rotate_key(session, old, new)
    console.print(f"Re-encrypted {changed} stored secret(s). Now set SOCIALDESK_SECRET_KEY to the new key in "
                  "every process (web, workers, scheduler) and restart them.")


# People and workspaces -----------------------------------------------------------------------------


@user_app.command("create")
def user_create(email: Annotated[str, typer.Option(help="Sign-in e-mail")],
                name: Annotated[str, typer.Option(help="Display name")] = "",
                password: Annotated[str | None, typer.Option(help="Password (asked for when omitted)")] = None
                ) -> None:
    """Create a person who can sign in."""
    from socialdesk.auth.service import create_user
    from socialdesk.core.db import get_database

    _migrate()
    password = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with get_database().unit_of_work() as session:
        user = create_user(session, email, name or email.split("@")[0], password)
    console.print(f"Created user {user.email} ({user.id})")


@workspace_app.command("create")
def workspace_create(name: Annotated[str, typer.Option(help="Brand or client name")],
                     owner: Annotated[str, typer.Option(help="Owner's e-mail (an existing user)")],
                     timezone: Annotated[str, typer.Option(help="IANA time zone")] = "UTC",
                     organisation: Annotated[str | None, typer.Option(help="Organisation name")] = None,
                     approval: Annotated[list[str] | None, typer.Option(
                         help="Approval steps in order: approver, client_reviewer")] = None) -> None:
    """Create a workspace (and its organisation if needed)."""
    from sqlalchemy import select

    from socialdesk.auth.service import user_by_email
    from socialdesk.core.db import get_database
    from socialdesk.core.errors import NotFound
    from socialdesk.workspaces.models import Organisation
    from socialdesk.workspaces.service import create_organisation, create_workspace

    _migrate()
    with get_database().unit_of_work() as session:
        user = user_by_email(session, owner)
        if user is None:
            raise NotFound(f"No user {owner}; create one with `socialdesk user create --email {owner}`.")
        org_name = organisation or name
        org = session.scalars(select(Organisation).where(Organisation.name == org_name)).first() \
            or create_organisation(session, org_name)
        workspace = create_workspace(session, org, name, user, timezone=timezone, approval_steps=approval or [])
    console.print(f"Created workspace {workspace.name} ({workspace.id})")


@workspace_app.command("list")
def workspace_list() -> None:
    """List every workspace."""
    from sqlalchemy import select

    from socialdesk.core.db import get_database
    from socialdesk.workspaces.models import Workspace
    from socialdesk.workspaces.service import workspace_slug

    table = _table("name")
    table.add_column("slug", no_wrap=True)  # what -w takes; copied like the id
    table.add_column("time zone")
    table.add_column("approval")
    with get_database().read_sessions() as session:
        for w in session.scalars(select(Workspace).order_by(Workspace.name)):
            table.add_row(w.id, w.name, workspace_slug(w.name), w.timezone, " → ".join(w.approval_steps) or "none")
    console.print(table)


PassphraseOpt = Annotated[str | None, typer.Option(
    envvar="SOCIALDESK_EXPORT_PASSPHRASE",
    help="Seal channel credentials and other secrets with this passphrase (without it they are left out)")]


@workspace_app.command("export")
def workspace_export(workspace: Annotated[str, typer.Argument(help="Workspace id, slug or name")],
                     out: Annotated[Path, typer.Option("--out", help="The ZIP file to write")],
                     passphrase: PassphraseOpt = None) -> None:
    """Export a whole workspace (JSON + media) to a ZIP file (schema: docs/agency.md)."""
    from socialdesk.core.db import get_database
    from socialdesk.workspaces.service import find_workspace
    from socialdesk.workspaces.transfer import export_workspace

    with get_database().read_sessions() as session:
        found = find_workspace(session, workspace)
        counts = export_workspace(session, found.id, out, passphrase=passphrase)
    console.print(f"Exported {found.name} to {out}: {sum(counts.values())} rows in {len(counts)} tables; "
                  + ("secrets sealed with the passphrase." if passphrase else
                     "secrets left out (channels will need reconnecting after import)."))


@workspace_app.command("import")
def workspace_import(archive: Annotated[Path, typer.Argument(help="A ZIP made by `socialdesk workspace export`")],
                     name: Annotated[str | None, typer.Option(help="Name of the new workspace")] = None,
                     passphrase: PassphraseOpt = None) -> None:
    """Import an exported workspace as a new workspace (every id new)."""
    from socialdesk.core.db import get_database
    from socialdesk.workspaces.transfer import import_workspace

    _migrate()
    with get_database().unit_of_work() as session:
        workspace = import_workspace(session, archive, name=name, passphrase=passphrase)
        made = (workspace.id, workspace.name)
    console.print(f"Imported as workspace {made[1]} ({made[0]})")


@workspace_app.command("add-member")
def workspace_add_member(workspace: WorkspaceOpt, email: Annotated[str, typer.Option(help="The person's e-mail")],
                         role: Annotated[str, typer.Option(help="owner, admin, editor, approver, "
                                                                "client_reviewer, viewer")]) -> None:
    """Give a person a role in a workspace."""
    from socialdesk.auth.service import user_by_email
    from socialdesk.core.errors import NotFound, ValidationFailed
    from socialdesk.workspaces.models import Role
    from socialdesk.workspaces.service import add_member

    try:
        role_value = Role(role)
    except ValueError:
        raise ValidationFailed(f"Unknown role {role!r}; use one of {', '.join(r.value for r in Role)}.") from None
    with _context(workspace) as ctx:
        user = user_by_email(ctx.session, email)
        if user is None:
            raise NotFound(f"No user {email}.")
        add_member(ctx, user, role_value)
    console.print(f"{email} is now {role_value.value} in {workspace}")


@contextmanager
def _context(workspace: str) -> Iterator[WorkspaceContext]:
    """A CLI unit of work in a workspace, acting with full rights and audited as 'cli'."""
    from socialdesk.core.db import get_database
    from socialdesk.workspaces.service import find_workspace, system_context

    with get_database().unit_of_work() as session:
        yield system_context(session, find_workspace(session, workspace).id, "cli")


# Channels -----------------------------------------------------------------------------------------


@channel_app.command("add")
def channel_add(network: Annotated[str, typer.Argument(help="Network key, e.g. sandbox")],
                workspace: WorkspaceOpt,
                name: Annotated[str | None, typer.Option(help="Name shown in socialdesk")] = None,
                handle: Annotated[str | None, typer.Option(help="Account handle")] = None,
                profile: Annotated[str | None, typer.Option(help="Sandbox: which network it imitates")] = None,
                audience_size: Annotated[int | None, typer.Option(help="Sandbox: simulated audience size")] = None,
                timezone: Annotated[str | None, typer.Option(help="Sandbox: audience's main time zone")] = None,
                field: Annotated[list[str] | None, typer.Option(help="Other connect fields as key=value")] = None
                ) -> None:
    """Connect an account on a network to a workspace."""
    from socialdesk.channels.service import connect
    from socialdesk.core.errors import ValidationFailed

    fields: dict[str, object] = {"handle": handle, "profile": profile, "audience_size": audience_size,
                                 "timezone": timezone}
    for item in field or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValidationFailed(f"--field {item!r} must look like key=value.")
        fields[key.strip()] = value
    with _context(workspace) as ctx:
        channel = connect(ctx, network, name, **{k: v for k, v in fields.items() if v is not None})
    console.print(f"Connected {channel.name} ({channel.network} {channel.handle}): {channel.id}")


@channel_app.command("list")
def channel_list(workspace: WorkspaceOpt) -> None:
    """List a workspace's channels."""
    from socialdesk.channels.service import capabilities, list_channels

    table = _table("name", "network", "handle", "status", "text limit")
    with _context(workspace) as ctx:
        for c in list_channels(ctx):
            table.add_row(c.id, c.name, f"{c.network} ({capabilities(c).label})", c.handle, c.status,
                          str(capabilities(c).text.limit))
    console.print(table)


@channel_app.command("options")
def channel_options(workspace: WorkspaceOpt,
                    channel: Annotated[str, typer.Argument(help="Channel id, name or handle")]) -> None:
    """The choices a channel offers per post (give them to `post create --option NAME=VALUE`)."""
    from socialdesk.channels.service import capabilities
    from socialdesk.channels.service import get as get_channel

    with _context(workspace) as ctx:
        found = get_channel(ctx, _channel_ids(ctx, [channel])[0])
        options = capabilities(found).options
    if not options:
        console.print(f"{found.name} offers no options per post.")
        return
    table = Table("option", "kind", "values", "default", "what it does")
    for o in options:
        table.add_row(o.name, o.kind, " | ".join(o.choices) or "-", "-" if o.default is None else str(o.default),
                      o.help or o.label)
    console.print(table)


# Posts --------------------------------------------------------------------------------------------


def _channel_ids(ctx: WorkspaceContext, refs: list[str]) -> list[str]:
    from socialdesk.channels.service import list_channels
    from socialdesk.core.errors import NotFound

    known = list_channels(ctx)
    ids = []
    for ref in refs:
        match = [c for c in known if ref in (c.id, c.name, c.handle)]
        if not match:
            raise NotFound(f"No channel {ref!r} in this workspace; see `socialdesk channel list -w ...`.")
        ids.append(match[0].id)
    return ids


@post_app.command("create")
def post_create(workspace: WorkspaceOpt,
                channel: Annotated[list[str], typer.Option(help="Channel id, name or handle (repeatable)")],
                text: Annotated[str, typer.Option(help="The master text")],
                image: Annotated[list[Path] | None, typer.Option(help="Image or video file (repeatable)")] = None,
                at: Annotated[str | None, typer.Option(help="When, 'YYYY-MM-DD HH:MM' in --timezone")] = None,
                timezone: Annotated[str | None, typer.Option(help="Default: the workspace's")] = None,
                queue: Annotated[bool, typer.Option(
                    "--queue", help="Take the next free queue slot (and schedule, or ask for approval)")] = False,
                now: Annotated[bool, typer.Option("--now", help="Publish now")] = False,
                submit: Annotated[bool, typer.Option("--submit", help="Submit for approval")] = False,
                schedule: Annotated[bool, typer.Option("--schedule", help="Schedule without approval")] = False,
                title: Annotated[str | None, typer.Option(help="Blog channels: the post's title")] = None,
                tag: Annotated[list[str] | None, typer.Option(help="Blog channels: a tag (repeatable)")] = None,
                category: Annotated[list[str] | None, typer.Option(help="Blog channels: a category")] = None,
                blog_draft: Annotated[bool, typer.Option("--blog-draft",
                                                         help="Blog channels: leave it a draft there")] = False,
                option: Annotated[list[str] | None, typer.Option(
                    help="A channel's own option, 'CHANNEL:NAME=VALUE', or 'NAME=VALUE' for every chosen channel "
                         "that offers it (repeatable; `socialdesk channel options CHANNEL` lists them)")] = None,
                thread: Annotated[list[str] | None, typer.Option(
                    help="A further part of a thread, posted as a reply to the part before (repeatable, in "
                         "order; networks with threads)")] = None,
                poll: Annotated[list[str] | None, typer.Option(
                    help="A native poll's option (repeatable: 2 to 4 on most networks)")] = None,
                poll_minutes: Annotated[int, typer.Option(help="How long the poll runs, in minutes")] = 24 * 60,
                poll_multiple: Annotated[bool, typer.Option("--poll-multiple",
                                                            help="Voters may pick several options")] = False,
                content_warning: Annotated[str, typer.Option(
                    help="Shown before the text, which readers open (Mastodon)")] = "",
                visibility: Annotated[str | None, typer.Option(
                    help="Who sees it (Mastodon: public, unlisted, private, direct)")] = None,
                first_comment: Annotated[str | None, typer.Option(
                    help="A comment posted under the post right after it, on every chosen channel that offers "
                         "one (the first_comment option)")] = None,
                ) -> None:
    """Create a post (a draft unless --now, --queue, --submit or --schedule); prints its id.

    --thread, --poll, --content-warning and --visibility go to every chosen channel; one that has no such
    thing is refused with the reason (write a post per channel then).

    --queue takes the next free slot and schedules the post there, or sends it for approval where the
    workspace needs approval. With a blog channel among the channels, the others go out after the blog
    post, with its link where their text says {blog_link}, or at the end."""
    from socialdesk.channels.service import capabilities
    from socialdesk.channels.service import get as get_channel
    from socialdesk.content.schemas import Intent, PostIn, VariantIn
    from socialdesk.content.service import compose
    from socialdesk.core.inputs import valid
    from socialdesk.media.service import upload

    _refuse_together(("--now", now), ("--submit", submit), ("--schedule", schedule))
    _refuse_together(("--now", now), ("--at", at is not None), ("--queue", queue))
    _refuse_together(("--at", at is not None), ("--queue", queue))
    # The queue is for posts that go out: a draft must not hold a slot it never uses.
    intent = (Intent.PUBLISH_NOW if now else Intent.SCHEDULE if schedule else Intent.SUBMIT if submit or queue
              else Intent.DRAFT)
    with _context(workspace) as ctx:
        media_ids = [upload(ctx, p.name, p.read_bytes()).id for p in image or []]
        channel_ids = _channel_ids(ctx, channel)
        blog = {"title": title, "tags": tag, "categories": category, "draft": blog_draft}
        chosen = {cid: get_channel(ctx, cid) for cid in channel_ids}
        options = _channel_options(ctx, (option or []) + ([f"first_comment={first_comment}"] if first_comment
                                                          else []), chosen)
        variants = {cid: valid(VariantIn, (blog if capabilities(c).blog else {}) | {"options": options.get(cid)})
                    for cid, c in chosen.items() if capabilities(c).blog or cid in options}
        result = compose(ctx, valid(PostIn, {
            "text": text, "channel_ids": channel_ids, "media_ids": media_ids, "variants": variants,
            "scheduled_at": _parse_when(at), "timezone": timezone, "use_queue": queue, "intent": intent,
            "thread": thread or [], "content_warning": content_warning, "visibility": visibility,
            "poll": {"options": poll, "expires_in_seconds": poll_minutes * 60, "multiple": poll_multiple}
            if poll else None}))
    for note in result.notes:
        err.print(note, highlight=False, soft_wrap=True)
    print(result.post.id)


def _channel_options(ctx: WorkspaceContext, typed: list[str], chosen: dict[str, Channel]) -> dict[str, dict[str, str]]:
    """--option values by channel id: 'CHANNEL:NAME=VALUE' for one channel, 'NAME=VALUE' for each chosen
    channel that offers NAME."""
    from socialdesk.channels.service import capabilities
    from socialdesk.core.errors import ValidationFailed

    result: dict[str, dict[str, str]] = {}
    for entry in typed:
        target, equals, value = entry.partition("=")
        if not equals:
            raise ValidationFailed(f"--option {entry!r}: write CHANNEL:NAME=VALUE or NAME=VALUE.")
        where, _, name = target.rpartition(":")
        name = name.strip()
        if where:
            ids = _channel_ids(ctx, [where])
            if ids[0] not in chosen:
                raise ValidationFailed(f"--option {entry!r}: {where} is not one of the post's --channel.")
        else:
            ids = [cid for cid, c in chosen.items() if any(o.name == name for o in capabilities(c).options)]
            if not ids:
                raise ValidationFailed(f"--option {entry!r}: none of the chosen channels offers {name!r}.")
        for cid in ids:
            result.setdefault(cid, {})[name] = value
    return result


def _refuse_together(*options: tuple[str, bool]) -> None:
    """Options that contradict each other are refused, never silently resolved one way."""
    given = [name for name, used in options if used]
    if len(given) > 1:
        raise typer.BadParameter(f"{' and '.join(given)} cannot go together; choose one.",
                                 param_hint="/".join(name for name, _ in options))


def _parse_when(value: str | None) -> datetime | None:
    from socialdesk.core.errors import ValidationFailed
    from socialdesk.core.inputs import check_moment

    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"--at {value!r}: write the time as 'YYYY-MM-DD HH:MM'.") from None
    return check_moment(when, f"--at {value!r}")


@post_app.command("schedule")
def post_schedule(post_id: PostIdArg, workspace: WorkspaceOpt,
                  at: Annotated[str | None, typer.Option(help="New time, 'YYYY-MM-DD HH:MM'")] = None,
                  timezone: Annotated[str | None, typer.Option(help="Time zone of --at (default: the post's)")]
                  = None) -> None:
    """Schedule a post (optionally at a new time)."""
    from socialdesk.content.service import reschedule, schedule

    with _context(workspace) as ctx:
        notes = reschedule(ctx, post_id, _parse_when(at), timezone) if at else []  # type: ignore[arg-type]
        notes += schedule(ctx, post_id)
    for note in notes:
        console.print(note)


@post_app.command("list")
def post_list(workspace: WorkspaceOpt,
              status: Annotated[str | None, typer.Option(
                  help="Only posts with a publication in this status, e.g. scheduled or failed")] = None,
              limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many posts")] = 50) -> None:
    """List posts, newest first."""
    from socialdesk.content.service import PostFilter, list_posts, to_out

    table = _table("status", "when (local)", "channels", "text")
    with _context(workspace) as ctx:
        posts, total = list_posts(ctx, PostFilter(status=status), limit=limit)
        for p in to_out(ctx, posts):
            table.add_row(p.id, p.status, p.scheduled_local or "—",
                          ", ".join(f"{x.channel_name}:{x.status}" for x in p.publications),
                          p.text[:60].replace("\n", " "))
    console.print(table)
    console.print(f"{len(posts)} of {total}")


@post_app.command("show")
def post_show(post_id: PostIdArg,
              workspace: Annotated[str | None, typer.Option("--workspace", "-w", help="Workspace name or id "
                                                                                      "(default: the post's)")] = None,
              as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Show a post and each publication's status, external id and URL."""
    from socialdesk.content.models import Post
    from socialdesk.content.service import to_out
    from socialdesk.core.db import get_database
    from socialdesk.core.errors import NotFound

    if workspace is None:
        with get_database().read_sessions() as session:
            found = session.get(Post, post_id)
            if found is None:
                raise NotFound(f"No post with id {post_id}.")
            workspace = found.workspace_id
    with _context(workspace) as ctx:
        out = to_out(ctx, [ctx.get(Post, post_id, what="post")])[0]
    if as_json:
        print(json.dumps(out.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    console.print(f"[bold]{out.id}[/bold] {out.status}  {out.scheduled_local or ''} {out.timezone}")
    console.print(out.text)
    table = Table("channel", "status", "external id", "url", "error")
    for p in out.publications:
        table.add_row(p.channel_name, p.status, p.external_id or "", p.external_url or "", p.last_error or "")
        for step in p.steps:  # thread parts and the first comment, each with its own outcome
            what = "  first comment" if step.kind == "first_comment" else f"  thread part {step.position}"
            table.add_row(what, step.status, step.external_id or "", step.external_url or "", step.last_error or "")
    console.print(table)


# Tokens ---------------------------------------------------------------------------------------------


@token_app.command("create")
def token_create(email: Annotated[str, typer.Option(help="Whose token")],
                 name: Annotated[str, typer.Option(help="What it is for")],
                 scope: Annotated[list[str], typer.Option(help="posts:read, inbox:read, analytics:read, reports:read, "
                                                               "members:read (read: all five), posts:write, "
                                                               "posts:approve, posts:publish, inbox:write, "
                                                               "channels:manage, workspace:admin, tokens:manage")],
                 workspace: Annotated[str | None, typer.Option(help="Limit to one workspace")] = None) -> None:
    """Create an API token; the secret is printed once."""
    from socialdesk.auth.service import create_api_token, user_by_email
    from socialdesk.core.db import get_database
    from socialdesk.core.errors import NotFound
    from socialdesk.workspaces.service import find_workspace

    with get_database().unit_of_work() as session:
        user = user_by_email(session, email)
        if user is None:
            raise NotFound(f"No user {email}.")
        workspace_id = find_workspace(session, workspace).id if workspace else None
        secret, _ = create_api_token(session, user, name, scope, workspace_id)
    print(secret)


@app.command("run-jobs")
def run_jobs() -> None:
    """Run every job that is due now, then exit (for cron-style setups and debugging)."""
    from socialdesk.core.db import get_database
    from socialdesk.jobs.runner import Runner

    ran = Runner(get_database(), kind="cli").run_pending()
    console.print(f"ran {ran} job(s)")


# Reports ------------------------------------------------------------------------------------------


@app.command()
def report(workspace: WorkspaceOpt,
           period: Annotated[str, typer.Option(help="2026-10 (a month), 2026-W43 (a week) or 2026-10-01..2026-10-31")],
           format: Annotated[str, typer.Option("--format", "-f", help="pdf, html, xlsx or csv")] = "pdf",
           output: Annotated[Path | None, typer.Option(
               "--output", "-o", help="File to write (default: a name made of the workspace and period)")] = None,
           table: Annotated[str, typer.Option(help="For CSV: posts, kpis, followers or engagement_by_day")] = "posts",
           ) -> None:
    """Write a workspace's progress report for a period to a file, with a progress bar."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from socialdesk.analytics.periods import parse_period
    from socialdesk.core import clock
    from socialdesk.core.errors import ValidationFailed
    from socialdesk.reports import files
    from socialdesk.reports import service as reports

    columns = (TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        step = progress.add_task("Reading the numbers", total=3)
        with _context(workspace) as ctx:
            chosen = files.report_format(format)
            asked = parse_period(period, ctx.workspace.timezone)
            if asked.start > clock.now():
                raise ValidationFailed(f"The period {period} has not started yet: a report covers what happened, "
                                       f"so give a period up to today.")
            built = reports.build(ctx, asked)
            progress.update(step, advance=1, description=f"Rendering the {chosen.value.upper()}")
            made = files.make(built, chosen, table=table)
        progress.update(step, advance=1, description="Writing the file")
        target = output or Path(made.filename)
        target.write_bytes(made.data)
        progress.update(step, advance=1, description="Done")
    console.print(f"wrote {target} ({len(made.data):,} bytes)", highlight=False, soft_wrap=True)


# Triage ---------------------------------------------------------------------------------------------


@app.command()
def triage(progress: Annotated[bool, typer.Option("--progress", help="Show a progress bar on stderr")] = False,
           languages: Annotated[str | None, typer.Option(
               help='The audience\'s languages, weighted: "hr:0.7,en:0.3" (or "hr,en" for equal weights); they '
                    'decide hr/sr/bs and very short texts')] = None,
           batch: Annotated[int, typer.Option(min=1, max=1024, help="Texts per model batch")] = 64) -> None:
    """Triage JSON lines from stdin ({"id", "text", "language_hint"}) into one JSON line each on stdout.

    Each answer has the id, language, sentiment, offensive, spam and intent with their scores, in input
    order; a malformed line gets an error line and the rest go on. Works offline.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from socialdesk.text.language import LanguagesError, parse_languages
    from socialdesk.text.triage_lines import run

    try:
        channel = parse_languages(languages) if languages is not None else None
    except LanguagesError as exc:
        raise typer.BadParameter(str(exc), param_hint="--languages") from None
    if not progress:
        _, refused = run(sys.stdin, sys.stdout, channel=channel, batch=batch)
    else:
        columns = (SpinnerColumn(), TextColumn("{task.completed:,} texts triaged"), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=False) as bar:
            task = bar.add_task("triage", total=None)
            _, refused = run(sys.stdin, sys.stdout, channel=channel, batch=batch,
                             progress=lambda n: bar.update(task, advance=n))
    if refused:
        err.print(f"{refused} line{'s' if refused != 1 else ''} could not be read (see the error lines)")


if __name__ == "__main__":
    main()


# Sub-commands in modules of their own (they import the helpers above).
from socialdesk.cli_contests import contest_app  # noqa: E402
from socialdesk.cli_quizzes import quiz_app  # noqa: E402

app.add_typer(contest_app, name="contest")
app.add_typer(quiz_app, name="quiz")
from socialdesk.cli_password import password_app  # noqa: E402

app.add_typer(password_app, name="password")
from socialdesk.cli_writing import check_text_app  # noqa: E402

app.add_typer(check_text_app, name="check-text")
from socialdesk.cli_academy import academy_app  # noqa: E402

app.add_typer(academy_app, name="academy")
from socialdesk.cli_ads import ads_app  # noqa: E402

app.add_typer(ads_app, name="ads")
from socialdesk.cli_listening import LISTENING_APPS  # noqa: E402

for _listening_app, _listening_name in LISTENING_APPS: app.add_typer(_listening_app, name=_listening_name)  # noqa: E701
from socialdesk.cli_listen_stream import register as _register_listen_stream  # noqa: E402

_register_listen_stream(app)
from socialdesk.cli_studio import studio_app  # noqa: E402

app.add_typer(studio_app, name="studio")
from socialdesk.cli_bulk import register as _register_bulk  # noqa: E402

_register_bulk(post_app)
from socialdesk.cli_competitors import competitor_app  # noqa: E402

app.add_typer(competitor_app, name="competitor")
