"""The `x` listening source: X recent search with the operator's paid access (networks/public/x_search.py),
at most every SOCIALDESK_LISTENING_X_MINUTES, reading only what is new (since_id), and keeping in the
source's state what each run and all runs so far were billed for ("N reads ≈ $X"), shown by
`monitor run` and on the listening page. A spent rate limit (429, or x-rate-limit-remaining 0) skips the
source until x-rate-limit-reset: nothing sleeps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from socialdesk.channels import read_access
from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.listening.matching import search_forms
from socialdesk.networks.base import AuthError, RateLimited
from socialdesk.networks.public import FoundPost
from socialdesk.networks.public.x_costs import Reads, prices

BACKFILL = timedelta(days=1)  # how far back a first search reaches (recent search keeps 7 days)


def estimate_text(*, short: bool = False) -> str:
    """Before: the most one run can cost, and a day at the configured interval."""
    from socialdesk.networks.public.x_search import estimate

    run = estimate()
    if short:
        return f"paid: {run.text(at_most=True)} a run, every {get_settings().listening_x_minutes} min"
    per_day = (24 * 60) // get_settings().listening_x_minutes
    day = Reads(posts=run.posts * per_day)
    return (f"X recent search is billed per post read: {run.text(at_most=True)} a run, every "
            f"{get_settings().listening_x_minutes} min: {day.text(at_most=True)} a day ({prices()}).")


def check_access(session: Session, workspace_id: str) -> None:
    if read_access.x_token(session, workspace_id) is None:
        raise ValidationFailed(read_access.NO_X)


def spent_text(state: dict[str, Any]) -> str:
    """After: what the last run and all runs were billed for ("" before the first run)."""
    if "total_reads" not in state:
        return ""
    last = Reads(posts=int(state.get("last_reads") or 0))
    total = Reads(posts=int(state.get("total_reads") or 0))
    more = " (more posts were left unread: the page budget, SOCIALDESK_LISTENING_X_MAX_PAGES)" \
        if state.get("more_left") else ""
    return f"last run {last.text()}, all runs {total.text()}{more}"


def fetch(*, terms: Sequence[str], languages: Sequence[str], state: dict[str, Any], now: datetime,
          session: Session | None, workspace_id: str | None) -> tuple[list[FoundPost], dict[str, Any]]:
    from socialdesk.networks.public import x_search

    waiting = datetime.fromisoformat(state["wait_until"]) if state.get("wait_until") else None
    if waiting is not None and now < waiting:
        return [], state  # X's window is spent until x-rate-limit-reset
    last = datetime.fromisoformat(state["until"]) if state.get("until") else None
    if last is not None and now - last < timedelta(minutes=get_settings().listening_x_minutes) \
            and not state.get("wait_until"):
        return [], state  # each search is billed: not yet
    token = read_access.x_token(session, workspace_id) if session is not None and workspace_id else \
        (get_settings().x_bearer_token or None)
    if not token:
        raise ValidationFailed(read_access.NO_X)
    queries = [form for term in terms for form in search_forms(term, languages)]
    kept = {k: v for k, v in state.items() if k != "wait_until"}
    try:
        found = x_search.search(queries, token, since_id=state.get("since_id"),
                                since=None if state.get("since_id") else now - BACKFILL, languages=languages)
    except RateLimited as error:
        kept["wait_until"] = (now + timedelta(seconds=error.retry_after or 60.0)).isoformat()
        kept["rate_limited"] = error.network_message
        kept["last_reads"] = 0
        kept.setdefault("total_reads", 0)
        return [], kept
    except AuthError as error:
        raise AuthError(f"X refused the token ({error.network_message}): reconnect the X channel or set "
                        "SOCIALDESK_X_BEARER_TOKEN.", status_code=error.status_code) from error
    kept.pop("rate_limited", None)
    if found.wait_seconds is not None:
        kept["wait_until"] = (now + timedelta(seconds=found.wait_seconds)).isoformat()
    kept.update({"until": now.isoformat(), "since_id": found.newest_id, "last_reads": found.reads.posts,
                 "total_reads": int(state.get("total_reads") or 0) + found.reads.posts,
                 "more_left": found.more_left})
    return found.posts, kept
