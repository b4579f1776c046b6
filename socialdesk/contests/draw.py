"""The verifiable draw (commit-reveal), stand-alone: this file imports nothing from socialdesk, so anyone can
download it and check a contest's record with `python draw.py draw.json` (docs/contests.md).

Algorithm `socialdesk-draw-v1`:

1. At the opening a 32-byte random seed is made; its commitment `sha256(seed_hex)` is published at once.
2. At the close the entrant list is frozen: the eligible entrants, each `{"id", "handle", "network",
   "entry_url"}`, sorted by `id`, serialised as canonical JSON (keys sorted, no spaces, UTF-8, non-ASCII kept)
   and hashed: `entrants_digest = sha256(canonical)`.
3. `key = sha256("socialdesk-draw-v1\\n" + seed_hex + "\\n" + entrants_digest + "\\n" + public_value)`, where
   `public_value` is a value nobody knew before the close (e.g. a drand round's randomness), or "".
4. A stream of 64-bit numbers: block i is `sha256(key || i as 8 bytes big-endian)`, read as four 64-bit
   big-endian numbers. A number below n is drawn by rejection: numbers at or above `2^64 - (2^64 mod n)`
   are skipped, so every one of the n values is exactly equally likely (no modulo bias).
5. Winners then reserves are picked one by one from the remaining entrants in sorted order: pick index
   `r mod len(remaining)` with r drawn as above for n = len(remaining), remove it, repeat.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from typing import Any

ALGORITHM = "socialdesk-draw-v1"
ENTRANT_FIELDS = ("id", "handle", "network", "entry_url")


def commitment(seed_hex: str) -> str:
    return hashlib.sha256(seed_hex.encode("ascii")).hexdigest()


def canonical_entrants(entrants: Sequence[dict[str, Any]]) -> bytes:
    rows = sorted(({k: str(e.get(k) or "") for k in ENTRANT_FIELDS} for e in entrants), key=lambda e: e["id"])
    return json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entrants_digest(entrants: Sequence[dict[str, Any]]) -> str:
    return hashlib.sha256(canonical_entrants(entrants)).hexdigest()


def _numbers(key: bytes) -> Iterator[int]:
    counter = 0
    while True:
        block = hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        for i in range(0, 32, 8):
            yield int.from_bytes(block[i:i + 8], "big")
        counter += 1


def _below(numbers: Iterator[int], n: int) -> int:
    limit = 2**64 - (2**64 % n)
    while True:
        r = next(numbers)
        if r < limit:
            return r % n


def pick(seed_hex: str, digest: str, public_value: str, ids: Sequence[str], count: int) -> list[str]:
    """`count` ids (winners first, then reserves) drawn without replacement from `ids`."""
    key = hashlib.sha256(f"{ALGORITHM}\n{seed_hex}\n{digest}\n{public_value}".encode()).digest()
    numbers = _numbers(key)
    remaining = sorted(ids)
    chosen = []
    while remaining and len(chosen) < count:
        chosen.append(remaining.pop(_below(numbers, len(remaining))))
    return chosen


def verify(record: dict[str, Any]) -> list[str]:
    """What does not match in an exported draw record; an empty list when everything does."""
    problems = []
    if record.get("algorithm") != ALGORITHM:
        return [f"algorithm {record.get('algorithm')!r} is not {ALGORITHM}"]
    seed = str(record.get("seed") or "")
    if commitment(seed) != record.get("commitment"):
        problems.append("commitment: sha256(seed) is not the commitment published at the opening")
    entrants = record.get("entrants") or []
    digest = entrants_digest(entrants)
    if digest != record.get("entrants_digest"):
        problems.append(f"entrants: the list's digest is {digest}, the record says {record.get('entrants_digest')}")
    winners, reserves = list(record.get("winners") or []), list(record.get("reserves") or [])
    drawn = pick(seed, str(record.get("entrants_digest") or ""), str(record.get("public_value") or ""),
                 [str(e.get("id")) for e in entrants], len(winners) + len(reserves))
    if drawn[:len(winners)] != winners:
        problems.append(f"winners: the draw gives {drawn[:len(winners)]}, the record says {winners}")
    if drawn[len(winners):] != reserves:
        problems.append(f"reserves: the draw gives {drawn[len(winners):]}, the record says {reserves}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python draw.py draw.json", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as file:
        record = json.load(file)
    problems = verify(record)
    for problem in problems:
        print(f"MISMATCH {problem}")
    if not problems:
        print(f"OK: commitment, {len(record.get('entrants') or [])} entrants and the winners all match")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
