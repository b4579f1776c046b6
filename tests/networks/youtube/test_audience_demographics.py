"""YouTube Analytics demographics (ageGroup × gender viewerPercentage, views by country) read by the adapter
from the contract server, what the server refuses as the docs do, and the audience profile reading them."""

from __future__ import annotations

import httpx

from socialdesk.channels.models import Channel
from socialdesk.core.db import Database
from socialdesk.strategy import audience
from tests.networks.youtube.conftest import YouTube
from tests.networks.youtube.test_adapter import _adapter

AUTH = {"Authorization": "Bearer ya29.valid"}


def test_the_adapter_reads_age_gender_and_country(database: Database, youtube: YouTube) -> None:
    youtube.state.viewers = {("age18-24", "female"): 20.0, ("age18-24", "male"): 15.0,
                             ("age25-34", "female"): 25.0, ("age25-34", "male"): 30.0, ("age65-", "male"): 10.0}
    youtube.state.countries = {"HR": 600, "DE": 300, "US": 100}
    details = _adapter(youtube).account_details()
    assert details is not None
    assert details["audience"]["age"] == {"age18-24": 35.0, "age25-34": 55.0, "age65-": 10.0}
    assert details["audience"]["gender"] == {"female": 45.0, "male": 55.0}
    assert details["audience"]["country"] == {"HR": 600, "DE": 300, "US": 100}
    assert details["audience_base"]["age"] == 1000
    calls = youtube.server.calls_to("GET", r"/v2/reports")
    demographic = next(c for c in calls if c.query.get("dimensions") == "ageGroup,gender")
    assert demographic.query["metrics"] == "viewerPercentage" and demographic.query["ids"] == "channel==MINE"
    # The audience profile reads them as it reads Instagram's (one spelling of ages and genders).
    channel = Channel(network="youtube", name="Tube", settings={"account_details": details})
    shown, source = audience._demographics(channel)
    assert [(s.key, s.share) for s in shown["age"]] == [("25-34", 0.55), ("18-24", 0.35), ("65+", 0.1)]
    assert "viewerPercentage" in source


def test_no_demographics_without_viewers_is_none(database: Database, youtube: YouTube) -> None:
    assert _adapter(youtube).account_details() is None  # YouTube leaves out groups too small: no rows at all


def test_the_contract_server_refuses_what_the_reports_docs_refuse(youtube: YouTube) -> None:
    base = f"{youtube.base_url}/v2/reports?ids=channel==MINE&startDate=2026-09-01&endDate=2026-12-01"
    wrong_metric = httpx.get(f"{base}&metrics=views&dimensions=ageGroup,gender", headers=AUTH)
    assert wrong_metric.status_code == 400 and "channel_reports#demographic-reports" in wrong_metric.text
    wrong_country = httpx.get(f"{base}&metrics=viewerPercentage&dimensions=country", headers=AUTH)
    assert wrong_country.status_code == 400 and "geographic-reports" in wrong_country.text
    bad_sort = httpx.get(f"{base}&metrics=views&dimensions=country&sort=-likes", headers=AUTH)
    assert bad_sort.status_code == 400
    no_token = httpx.get(f"{base}&metrics=viewerPercentage&dimensions=gender")
    assert no_token.status_code == 401
    docs = {doc for _, path, doc in youtube.server.endpoints if path == "/v2/reports"}
    assert docs == {"https://developers.google.com/youtube/analytics/reference/reports/query"}
