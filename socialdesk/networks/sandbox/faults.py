"""Make a sandbox account misbehave on purpose, to test what happens when a network does.

Each account has a queue of faults and a latency. A call to the adapter takes the first queued fault
meant for its operation (by default `publish`) and fails the way a real network fails:

    rate_limited        RateLimited, HTTP 429, with retry_after (seconds, default 60)
    server_error        TransientNetworkError, HTTP 503 (or `status`), nothing stored
    connection_reset    TransientNetworkError without a status: the request never arrived
    timeout_after_send  the call does its work (the post IS stored), then raises OutcomeUnknown
    revoked             AuthError, and the token stays revoked until connect() is called again
    expired_token       AuthError once (the next call works, as after a refresh)
    invalid             PermanentNetworkError, HTTP 400 (or `status`)

    from socialdesk.networks.sandbox import faults
    faults.inject("brand_ig", ["server_error", {"kind": "rate_limited", "retry_after": 30}])
    faults.inject("brand_ig", [{"kind": "server_error", "on": "fetch_inbox"}])
    faults.set_latency("brand_ig", 250)   # every call sleeps 250 ms (real time, not the clock)
    faults.pending("brand_ig"); faults.clear("brand_ig"); faults.revoke("brand_ig")

The queue lives in the account's row, so it works across processes (a test and a job runner).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from socialdesk.networks.base import (
    AuthError,
    NetworkError,
    OutcomeUnknown,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.sandbox import store

KINDS = ("rate_limited", "server_error", "connection_reset", "timeout_after_send", "revoked", "expired_token",
         "invalid")
OPERATIONS = ("publish", "find_published", "delete", "fetch_inbox", "reply", "hide", "post_metrics",
              "account_metrics", "followers", "any")


@dataclass(frozen=True)
class Fault:
    kind: str
    on: str = "publish"  # the operation that takes it, or "any"
    retry_after: float | None = None
    status: int | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(KINDS)}")
        if self.on not in OPERATIONS:
            raise ValueError(f"unknown operation {self.on!r}; known: {', '.join(OPERATIONS)}")

    @classmethod
    def of(cls, spec: str | Mapping[str, Any] | Fault) -> Fault:
        if isinstance(spec, Fault):
            return spec
        if isinstance(spec, str):
            return cls(spec)
        return cls(**dict(spec))

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


def _require(handle: str) -> None:
    if store.find_account(handle) is None:
        raise LookupError(f"no sandbox account {handle!r}")


def inject(handle: str, faults: Iterable[str | Mapping[str, Any] | Fault]) -> None:
    """Queue faults after those already waiting; each is served once."""
    parsed = [Fault.of(spec).to_dict() for spec in faults]
    store.append_faults(handle, parsed)


def pending(handle: str) -> list[Fault]:
    account = store.find_account(handle)
    if account is None:
        raise LookupError(f"no sandbox account {handle!r}")
    return [Fault.of(spec) for spec in account.fault_plan]


def clear(handle: str) -> None:
    _require(handle)
    store.update_account(handle, fault_plan=[])


def set_latency(handle: str, milliseconds: int) -> None:
    if milliseconds < 0:
        raise ValueError("latency cannot be negative")
    _require(handle)
    store.update_account(handle, latency_ms=int(milliseconds))


def revoke(handle: str) -> None:
    """Revoke the account's token, as a user removing the app's access would."""
    _require(handle)
    store.update_account(handle, revoked=True)


def take(handle: str, operation: str) -> Fault | None:
    """The next fault for `operation`, removed from the queue (None when there is none)."""
    spec = store.take_fault(handle, lambda fault: fault.get("on", "publish") in (operation, "any"))
    return Fault.of(spec) if spec else None


def error_for(fault: Fault, handle: str) -> NetworkError:
    """The error a network would give; `revoked` also revokes the token for the calls after it."""
    kind = fault.kind
    if kind == "rate_limited":
        wait = 60.0 if fault.retry_after is None else fault.retry_after
        return RateLimited(fault.message or f"Rate limit exceeded. Try again in {wait:g} seconds.",
                           status_code=429, retry_after=wait)
    if kind == "server_error":
        status = fault.status or 503
        return TransientNetworkError(fault.message or f"{status} Service Unavailable: the server is overloaded, "
                                     "please try again later.", status_code=status)
    if kind == "connection_reset":
        return TransientNetworkError(fault.message or "Connection reset by peer.")
    if kind == "timeout_after_send":
        return OutcomeUnknown(fault.message or "The request timed out after it was sent; the server did not "
                              "answer.", details={"fault": kind})
    if kind == "revoked":
        store.update_account(handle, revoked=True)
        return AuthError(fault.message or "The access token was revoked by the user. Reconnect the account.",
                         status_code=401, details={"reason": "revoked"})
    if kind == "expired_token":
        return AuthError(fault.message or "The access token has expired.", status_code=401,
                         details={"reason": "expired"})
    return PermanentNetworkError(fault.message or "Invalid request: the server refused the content.",
                                 status_code=fault.status or 400)
