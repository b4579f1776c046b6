"""The signature on socialdesk's outgoing webhook deliveries, and the check a receiver makes.

Every delivery is a POST with a JSON body and these headers:

    X-Socialdesk-Event: post.published
    X-Socialdesk-Delivery: 01JEX3…           (the delivery's id; the same on every retry of it)
    X-Socialdesk-Timestamp: 1765100000        (Unix seconds when this try was signed)
    X-Socialdesk-Signature: v1=<hex>          (HMAC-SHA256, key: the webhook's secret,
                                               message: "<timestamp>.<raw body bytes>")

A receiver recomputes the HMAC over the timestamp header, a dot and the raw body exactly as received,
compares it in constant time, refuses a timestamp more than `tolerance` seconds from its own clock (so a
captured request cannot be replayed later), and remembers the delivery ids it accepted within that window
(so it cannot be replayed sooner either). `verify` below does all of it; it uses only the standard
library so a receiver can copy this file as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping, MutableMapping

VERSION = "v1"
DEFAULT_TOLERANCE = 300  # seconds


class InvalidDelivery(Exception):
    """The request is not a fresh, authentic delivery: refuse it (HTTP 400 or 401)."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def signed_headers(secret: str, event: str, delivery_id: str, body: bytes,
                   timestamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {"Content-Type": "application/json", "User-Agent": "socialdesk-webhooks/1",
            "X-Socialdesk-Event": event, "X-Socialdesk-Delivery": delivery_id,
            "X-Socialdesk-Timestamp": str(stamp), "X-Socialdesk-Signature": sign(secret, stamp, body)}


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, tolerance: int = DEFAULT_TOLERANCE,
           now: float | None = None, seen: MutableMapping[str, float] | None = None) -> str:
    """Check a delivery as a receiver: returns its delivery id, or raises InvalidDelivery.

    `headers`: the request's headers (any case). `seen`: the receiver's memory of accepted delivery ids
    (id -> when), kept at least `tolerance` seconds; pass it to refuse a replay inside the window too."""
    lower = {k.lower(): v for k, v in headers.items()}
    stamp, given = lower.get("x-socialdesk-timestamp", ""), lower.get("x-socialdesk-signature", "")
    delivery_id = lower.get("x-socialdesk-delivery", "")
    if not stamp.isdigit() or not given or not delivery_id:
        raise InvalidDelivery("Missing or malformed X-Socialdesk-Timestamp, -Signature or -Delivery header.")
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance:
        raise InvalidDelivery(f"Timestamp {stamp} is more than {tolerance} s from now: refused as a replay.")
    expected = sign(secret, int(stamp), body)
    if not any(hmac.compare_digest(expected, part.strip()) for part in given.split(",")):
        raise InvalidDelivery("The signature does not match the body and timestamp.")
    if seen is not None:
        for old in [k for k, at in seen.items() if current - at > 2 * tolerance]:
            del seen[old]
        if delivery_id in seen:
            raise InvalidDelivery(f"Delivery {delivery_id} was already received: refused as a replay.")
        seen[delivery_id] = current
    return delivery_id
