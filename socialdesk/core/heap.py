"""A long-running process's heap, settled once it has started.

Python's cyclic garbage collector now and then makes a full collection, which walks every object still alive:
in a web process, the million-odd objects of the imported libraries (FastAPI, SQLAlchemy, NumPy, Jinja) and
the app itself, none of which will ever be garbage. On the analytics dashboard that was one view in ten taking
~90 ms of CPU more than the others (bench/RESULTS.md, issue 19), which is what its p95 showed.
`gc.freeze()` moves everything alive at start-up into a permanent generation that collections skip; what
requests create is still collected as before.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then exempt everything alive from later full collections (call once, after start-up)."""
    gc.collect()
    gc.freeze()


def unsettle() -> None:
    """Give the frozen objects back to the collector (when the app stops: a process that starts apps again and
    again, such as a test run, would otherwise keep every stopped app's cycles for good)."""
    gc.unfreeze()
