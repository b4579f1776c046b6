"""Random number streams derived from the world seed, stable across processes and platforms.

Every random choice in the sandbox draws from a generator seeded by the world seed plus the names
of what it is for ("population", the account handle, a post's sequence number...). Names become
numbers through CRC-32, never Python's `hash()`, which changes from one process to the next.
"""

from __future__ import annotations

import zlib

import numpy as np


def stable_int(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def rng_for(seed: int, *parts: str | int) -> np.random.Generator:
    """A generator for one purpose; the same seed and parts give the same stream, always."""
    entropy = [seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF]
    entropy += [part & 0xFFFFFFFF if isinstance(part, int) else stable_int(part) for part in parts]
    return np.random.default_rng(np.random.SeedSequence(entropy))
