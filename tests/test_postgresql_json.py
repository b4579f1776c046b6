"""PostgreSQL's JSON values come back as json.loads reads them (core.db registers its own psycopg loader)."""

import json

import pytest

from socialdesk.core.db import make_engine
from tests.helpers import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (set SOCIALDESK_TEST_DATABASE_URL)")

VALUES = ["null", "{}", "[]", '"null"', '{"a": [1, 2.5, -3e-7, "\\u0161\\u00e9\\ud83d\\ude00", null, true]}',
          "123456789012345678901234567890", '{"a": {"b": {"c": "d"}}}', '" leading space"']


@pytest.mark.parametrize("kind", ["json", "jsonb"])
def test_json_values_read_as_json_loads_reads_them(kind: str) -> None:
    engine = make_engine(PG_URL or "")
    try:
        with engine.connect() as conn:
            for text in VALUES:
                got = conn.exec_driver_sql(f"SELECT %(v)s::{kind}, NULL::{kind}", {"v": text}).one()
                assert got[0] == json.loads(text) and type(got[0]) is type(json.loads(text)), text
                assert got[1] is None
    finally:
        engine.dispose()
