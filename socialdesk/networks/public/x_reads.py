"""Paid reads of public X data with the operator's token: one place that sends them, counts what X will
bill (x_costs.Reads) and remembers X's rate-limit windows so that no worker sleeps on them.

Rate limits (https://docs.x.com/x-api/fundamentals/rate-limits): every answer carries
`x-rate-limit-limit`, `-remaining` and `-reset` (Unix time). A 429, or a window with nothing remaining,
makes every later read of that endpoint with that token fail at once with RateLimited (its `retry_after`
up to the reset) until the reset has passed: nothing is sent that X would refuse (and might bill).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from socialdesk.core import clock
from socialdesk.networks.base import RateLimited
from socialdesk.networks.x.api import XApi, api_url, rate_state

_lock = threading.Lock()
_resets: dict[tuple[str, str, str], float] = {}  # (api, token hash, endpoint) -> Unix time of the reset


def _key(base: str, token: str, endpoint: str) -> tuple[str, str, str]:
    return base, hashlib.sha256(token.encode()).hexdigest()[:16], endpoint


def wait_until(token: str, endpoint: str) -> float | None:
    """The Unix time X's window for this endpoint and token resets, while it is spent; else None."""
    with _lock:
        reset = _resets.get(_key(api_url(), token, endpoint))
    return reset if reset is not None and reset > clock.now().timestamp() else None


def get(token: str, path: str, endpoint: str, params: dict[str, Any]) -> Any:
    """GET one X API v2 path (`endpoint` names its rate-limit window, e.g. "GET /2/tweets/search/recent")."""
    reset = wait_until(token, endpoint)
    if reset is not None:
        seconds = reset - clock.now().timestamp()
        raise RateLimited(f"X's rate limit for {endpoint} is used up; it resets in {int(seconds) + 1} s "
                          "(x-rate-limit-reset), so this read waits until then.", retry_after=seconds)
    api = XApi(token)
    try:
        return api.call("GET", path, params=params)
    except RateLimited as error:
        reset_at = clock.now().timestamp() + (error.retry_after or 60.0)
        with _lock:
            _resets[_key(api.base_url, token, endpoint)] = reset_at
        raise
    finally:
        state = api.rates.get(f"GET {path}")
        if state is not None and state.remaining == 0 and state.reset_at:
            with _lock:
                _resets[_key(api.base_url, token, endpoint)] = state.reset_at


def forget() -> None:
    """Drop the windows this process remembers (tests, a new token)."""
    with _lock:
        _resets.clear()


__all__ = ["forget", "get", "rate_state", "wait_until"]
