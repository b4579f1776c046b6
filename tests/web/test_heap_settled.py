"""The web app settles its heap when it has started (socialdesk/core/heap.py): what start-up left alive is out of
the garbage collector's full collections, what requests leave behind is still collected, and a stopped app
gives everything back."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.web_client import web_app


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_started_app_freezes_its_start_up_objects(database: Database, clock: ManualClock) -> None:
    gc.unfreeze()
    try:
        with TestClient(web_app()) as client:
            assert gc.get_freeze_count() > 0  # the start-up's objects (modules, the app) are frozen
            assert client.get("/login").status_code == 200
            frozen = gc.get_freeze_count()
            for _ in range(100):
                _Cycle()  # garbage in a cycle, made after the start
            assert gc.collect() >= 100 and gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == 0  # stopped: everything is the collector's again
    finally:
        gc.unfreeze()  # the rest of the test process as it was
