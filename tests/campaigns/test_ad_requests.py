"""Boosting and pausing/resuming behind the workspace's approvals, carried out exactly once by a job,
against the Marketing API contract server: a lost answer and a worker killed mid-boost make one campaign,
one ad set, one creative and one ad; Meta's refusal is kept in Meta's words."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from sqlalchemy import select

from socialdesk.campaigns import ad_requests
from socialdesk.campaigns.models import Ad, AdRequest, AdRequestStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, Forbidden, ValidationFailed
from socialdesk.jobs.models import Job
from socialdesk.jobs.runner import Runner
from socialdesk.networks.meta.marketing import MarketingClient
from socialdesk.notifications.models import PersonalNotification
from tests.campaigns.test_meta_ads import TARGETING, _published
from tests.helpers import World, make_world

S = AdRequestStatus
ADS = r"/v\d+\.\d+/act_111/ads$"


def _made(meta: Any) -> list[int]:
    return [len(meta.marketing.of(k, "act_111")) for k in ("campaign", "adset", "adcreative", "ad")]


def _request(db: Database, w: World, meta: Any, role: str = "editor", token: str | None = None) -> str:
    campaign_id, publication_id = _published(db, w, meta.page["id"])
    with db.unit_of_work() as session:
        return ad_requests.request_boost(w.ctx(session, role), campaign_id=campaign_id,
                                         publication_id=publication_id, token=token or meta.token,
                                         ad_account="111", daily_budget=10.0, days=7, targeting=TARGETING).id


def _get(db: Database, request_id: str) -> AdRequest:
    with db.read_sessions() as session:
        found = session.get(AdRequest, request_id)
        assert found is not None
        session.expunge(found)
        return found


def test_a_boost_waits_for_each_approval_step_then_is_made_once(database: Database, meta: Any,
                                                                clock: ManualClock) -> None:
    w = make_world(database, "Roastery", profiles=(), approval_steps=["approver", "client_reviewer"])
    request_id = _request(database, w, meta)
    Runner(database).run_pending()
    assert _get(database, request_id).status == S.PENDING_APPROVAL
    assert meta.graph.server.calls_to("POST", r".*") == []  # nothing on Meta before approval
    with database.read_sessions() as session:
        told = session.scalars(select(PersonalNotification.message).where(
            PersonalNotification.event == "approval_requested")).all()
        assert any("Boost a post for 7 days at 10.00 a day in HR, ages 25–44" in m for m in told)
    with database.unit_of_work() as session, pytest.raises(Forbidden, match="an approver"):
        ad_requests.approve(w.ctx(session, "client_reviewer"), request_id)
    with database.unit_of_work() as session:
        assert ad_requests.pending(w.ctx(session, "client_reviewer")) == []
        assert "client's review" in ad_requests.approve(w.ctx(session, "approver"), request_id)[0]
    with database.unit_of_work() as session:
        assert [r.id for r in ad_requests.pending(w.ctx(session, "client_reviewer"))] == [request_id]
        ad_requests.approve(w.ctx(session, "client_reviewer"), request_id, "Fine by us")
    assert _get(database, request_id).status == S.QUEUED
    Runner(database).run_pending()
    done = _get(database, request_id)
    assert done.status == S.DONE and done.ad_id and done.token_encrypted == "" and done.attempts == 1
    assert _made(meta) == [1, 1, 1, 1]
    with database.unit_of_work() as session, pytest.raises(Conflict, match="asked for already"):
        ad_requests.request_boost(w.ctx(session), campaign_id=done.campaign_id,
                                  publication_id=done.publication_id or "", token=meta.token, ad_account="111",
                                  daily_budget=10.0, days=7, targeting=TARGETING)


class Killed(BaseException):
    """The worker process dies (SIGKILL): nothing after this line runs, the transaction is lost."""


def test_a_worker_killed_after_meta_made_the_ad_leaves_no_second_boost(database: Database, meta: Any,
                                                                       clock: ManualClock) -> None:
    w = make_world(database, "Roastery", profiles=())
    request_id = _request(database, w, meta, role="owner")  # no approval steps, may publish: queued at once
    assert _get(database, request_id).status == S.QUEUED
    with database.read_sessions() as session:
        job_id = session.scalars(select(Job.id).where(Job.name == "ad_request.execute")).one()
    runner = Runner(database)
    assert runner.claim(job_id) is not None
    real_boost = MarketingClient.boost

    def boost_then_die(self: MarketingClient, request: Any) -> Any:
        real_boost(self, request)  # Meta made all four objects ...
        raise Killed  # ... and the worker died before socialdesk stored the ad

    with mock.patch.object(MarketingClient, "boost", boost_then_die), pytest.raises(Killed):
        ad_requests.execute(request_id)
    assert _made(meta) == [1, 1, 1, 1]
    with database.read_sessions() as session:
        assert session.query(Ad).count() == 0  # the dead worker's transaction was lost
    assert _get(database, request_id).status == S.RUNNING
    clock.advance(timedelta(minutes=6))  # the dead worker's lease ends; another worker takes the job
    Runner(database).run_pending()
    done = _get(database, request_id)
    assert done.status == S.DONE and done.attempts == 2
    assert _made(meta) == [1, 1, 1, 1]  # found by name, not made again
    assert len(meta.graph.server.calls_to("POST", ADS)) == 1
    with database.read_sessions() as session:
        ads = session.scalars(select(Ad)).all()
        assert [a.id for a in ads] == [done.ad_id] and ads[0].external_id == meta.marketing.of("ad", "act_111")[0]["id"]


def test_a_lost_answer_in_the_job_is_looked_up_not_repeated(database: Database, meta: Any,
                                                            clock: ManualClock) -> None:
    w = make_world(database, "Roastery", profiles=())
    meta.graph.server.lose_answer("POST", ADS)
    request_id = _request(database, w, meta, role="owner")
    Runner(database).run_pending()
    assert _get(database, request_id).status == S.DONE
    assert _made(meta) == [1, 1, 1, 1] and len(meta.graph.server.calls_to("POST", ADS)) == 1


def test_metas_refusal_is_kept_in_its_own_words(database: Database, meta: Any, clock: ManualClock) -> None:
    w = make_world(database, "Roastery", profiles=())
    reader = meta.world.user_token(meta.page["admins"][0], scopes=("ads_read",))
    request_id = _request(database, w, meta, role="owner", token=reader)
    Runner(database).run_pending()
    failed = _get(database, request_id)
    assert failed.status == S.FAILED and "(#200) Requires ads_management permission" in failed.error
    assert failed.token_encrypted == "" and _made(meta) == [0, 0, 0, 0]


def test_pause_and_resume_are_requests_too(database: Database, meta: Any, clock: ManualClock) -> None:
    w = make_world(database, "Roastery", profiles=(), approval_steps=["approver"])
    request_id = _request(database, w, meta)
    with database.unit_of_work() as session:
        ad_requests.approve(w.ctx(session, "approver"), request_id)
    Runner(database).run_pending()
    ad_id = _get(database, request_id).ad_id
    assert ad_id
    with database.unit_of_work() as session:
        with pytest.raises(ValidationFailed, match="needs a comment"):
            ad_requests.reject(w.ctx(session, "approver"), request_id, " ")
        resume = ad_requests.request_status(w.ctx(session, "editor"), ad_id, token=meta.token, active=True).id
    with database.unit_of_work() as session:
        ad_requests.approve(w.ctx(session, "approver"), resume)
    Runner(database).run_pending()
    assert _get(database, resume).status == S.DONE
    assert meta.marketing.of("ad", "act_111")[0]["status"] == "ACTIVE"
    with database.unit_of_work() as session:
        pause = ad_requests.request_status(w.ctx(session, "editor"), ad_id, token=meta.token, active=False).id
    with database.unit_of_work() as session:
        ad_requests.reject(w.ctx(session, "approver"), pause, "Keep it running through the weekend")
    Runner(database).run_pending()
    assert _get(database, pause).status == S.REJECTED
    assert meta.marketing.of("ad", "act_111")[0]["status"] == "ACTIVE"
