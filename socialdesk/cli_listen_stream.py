"""`socialdesk listen-stream`: read Bluesky's repository stream and store the mentions it carries as they
are posted (listening/stream.py; docs/listening.md, "Real time: the Bluesky stream")."""

from __future__ import annotations

import json
import logging
import signal
import threading
from typing import Annotated, Any

import typer
from rich.live import Live
from rich.text import Text

from socialdesk.cli import console


def listen_stream(service: Annotated[str | None, typer.Option(
                      help="The relay or PDS (http(s) address); default SOCIALDESK_LISTENING_BLUESKY_STREAM")] = None,
                  seconds: Annotated[float | None, typer.Option(
                      "--seconds", min=1, help="Stop after this many seconds (default: run until stopped)")] = None,
                  as_json: Annotated[bool, typer.Option("--json", help="Print the totals as JSON at the end")] = False,
                  ) -> None:
    """Listen to Bluesky in real time: new posts that match a monitor with a Bluesky source become mentions
    within seconds. Resumes from its saved cursor; reconnects with backoff; stop with Ctrl-C."""
    from socialdesk.core.db import get_database
    from socialdesk.listening.stream import Listener, StreamStats

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    logging.getLogger("socialdesk.listening.stream").setLevel(logging.INFO)

    def line(stats: StreamStats) -> Text:
        error = f" · last error: {stats.errors[-1]}" if stats.errors else ""
        return Text(f"{listener.service} · cursor {stats.cursor} · events {stats.events} · posts {stats.posts} · "
                    f"new mentions {stats.new} · connections {stats.connections}{error}")

    listener = Listener(get_database(), service, stop=stop)
    if as_json or not console.is_terminal:
        stats = listener.run(seconds=seconds)
    else:
        with Live(line(listener.stats), console=console, refresh_per_second=2) as live:
            listener.progress = lambda stats: live.update(line(stats))
            stats = listener.run(seconds=seconds)
    totals: dict[str, Any] = {"service": listener.service, **stats.as_dict()}
    if as_json:
        print(json.dumps(totals, indent=2, ensure_ascii=False))
    else:
        console.print(f"Stopped: {stats.events} events, {stats.posts} posts, {stats.new} new mentions, cursor "
                      f"{stats.cursor}.", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("listen-stream")(listen_stream)
