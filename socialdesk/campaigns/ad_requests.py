"""Boosting a post and pausing/resuming an ad behind the workspace's approvals, carried out exactly once.

A request is made by anyone who may write posts; it waits for the same approval steps as a post
(`Workspace.approval_steps`: approver, then the client's review), and its approvers are told the same way.
Where the workspace asks for no approval, someone who may publish has it carried out at once. Once
approved, the `ad_request.execute` job carries it out.

Exactly once: the job first marks the request `running` (its own transaction), then makes the Marketing
API calls. A worker killed in between leaves `running` behind; the job runner gives the job to another
worker when the lease ends, and that try goes through `MarketingClient.boost` again, which looks every
object up by its name (`socialdesk boost <publication id> · …`) before making it, so the second try finds the
campaign, ad set, creative and ad the first one made and makes none of them again. Pause and resume set a
status, which is the same however often it is sent.

A pasted Meta token (ads_management) is kept encrypted with the request until it is done, then wiped.
With no token pasted the request uses the workspace's Meta login (campaigns/ad_accounts.py) when it is
carried out, so a reconnection in between is picked up.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from socialdesk.audit import service as audit
from socialdesk.campaigns import ad_accounts, meta_ads, service
from socialdesk.campaigns.models import Ad, AdRequest, AdRequestStatus
from socialdesk.core import clock
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.db import get_database
from socialdesk.core.errors import Conflict, Forbidden, ServiceUnavailable, ValidationFailed
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import task
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Membership, Role
from socialdesk.workspaces.permissions import Permission
from socialdesk.workspaces.service import system_context

S = AdRequestStatus
MAX_TRIES = 5  # transient failures (Meta down, rate limit) are retried this often, then the request fails
OPEN = (S.PENDING_APPROVAL, S.QUEUED, S.RUNNING)


def _describe(request: AdRequest, ad_name: str = "") -> str:
    p = request.params
    if request.kind == "boost":
        targeting = p.get("targeting") or {}
        where = ", ".join(targeting.get("geo_locations", {}).get("countries", []))
        ages = f", ages {targeting['age_min']}–{targeting['age_max']}" if "age_min" in targeting else ""
        audience = f" to the audience {p['audience']}" if p.get("audience") else ""
        return (f"Boost a post for {p.get('days')} days at {float(p.get('daily_budget') or 0):,.2f} a day in "
                f"{where or 'the chosen places'}{ages}{audience} (ad account {p.get('ad_account')})")
    return f"{'Pause' if request.kind == 'pause' else 'Resume'} the ad {ad_name or request.ad_id}"


def describe(ctx: WorkspaceContext, request: AdRequest) -> str:
    ad = ctx.session.get(Ad, request.ad_id) if request.ad_id and request.kind != "boost" else None
    return _describe(request, ad.name if ad else "")


def request_boost(ctx: WorkspaceContext, *, campaign_id: str, publication_id: str, token: str = "",
                  ad_account: str = "",
                  daily_budget: float, days: int, targeting: dict[str, Any] | None = None,
                  audience_id: str | None = None) -> AdRequest:
    """Ask for a boost of a published Facebook Page post; checked in full now, made after approval."""
    ctx.require(Permission.POSTS_WRITE)
    campaign = service.get(ctx, campaign_id)
    audience_name = ""
    if audience_id:
        from socialdesk.campaigns import audiences

        audience = audiences.get(ctx, audience_id)
        targeting = audiences.meta_targeting(audience.spec)
        audience_name = audience.name
    targeting = targeting or {}
    meta_ads.check_boost(ctx, publication_id=publication_id, daily_budget=daily_budget, days=days,
                         targeting=targeting)
    if token.strip() and not ad_account.strip():
        raise ValidationFailed("Give the ad account id with the pasted Meta token.")
    _token, ad_account, _stored = ad_accounts.credentials(ctx, token, ad_account)
    busy = ctx.session.scalars(ctx.select(AdRequest).where(
        AdRequest.kind == "boost", AdRequest.campaign_id == campaign.id, AdRequest.publication_id == publication_id,
        AdRequest.status.in_([*OPEN, S.DONE]))).first()
    if busy is not None:
        raise Conflict(f"This post's boost in this campaign was asked for already ({busy.status.replace('_', ' ')}).")
    request = AdRequest(workspace_id=ctx.workspace_id, campaign_id=campaign.id, kind="boost",
                        publication_id=publication_id,
                        params={"ad_account": ad_account.strip(), "daily_budget": daily_budget, "days": days,
                                "targeting": targeting, "audience": audience_name},
                        token_encrypted=encrypt_json({"token": token.strip()}) if token.strip() else "")
    return _submit(ctx, request)


def request_status(ctx: WorkspaceContext, ad_id: str, *, token: str = "", active: bool) -> AdRequest:
    """Ask to pause or resume a Meta ad; made after approval like a boost."""
    ctx.require(Permission.POSTS_WRITE)
    ad = ctx.get(Ad, ad_id, what="ad")
    if ad.platform != "meta" or ad.campaign_id is None:
        raise ValidationFailed("Only Meta ads of a campaign are paused and resumed from socialdesk.")
    ad_accounts.credentials(ctx, token, ad.details.get("ad_account", ""))  # a token, or a connected account
    kind = "resume" if active else "pause"
    request = AdRequest(workspace_id=ctx.workspace_id, campaign_id=ad.campaign_id, kind=kind, ad_id=ad.id,
                        params={"ad_account": ad.details.get("ad_account", "")},
                        token_encrypted=encrypt_json({"token": token.strip()}) if token.strip() else "")
    return _submit(ctx, request)


def _submit(ctx: WorkspaceContext, request: AdRequest) -> AdRequest:
    request.requested_by = ctx.actor.user_id
    request.requested_by_label = ctx.actor.label
    ctx.session.add(request)
    ctx.session.flush()
    if not ctx.workspace.approval_steps and ctx.can(Permission.POSTS_PUBLISH):
        _queue(ctx, request)
    else:
        request.status = S.PENDING_APPROVAL
        _tell_approvers(ctx, request)
    audit.record(ctx, f"ads.{request.kind}_requested", "campaign", request.campaign_id, describe(ctx, request))
    return request


def _queue(ctx: WorkspaceContext, request: AdRequest) -> None:
    request.status = S.QUEUED
    ctx.session.flush()
    enqueue(ctx.session, "ad_request.execute", {"request_id": request.id}, dedupe_key=f"ad_request:{request.id}")


def _step(ctx: WorkspaceContext, request: AdRequest) -> str:
    steps = ctx.workspace.approval_steps
    return steps[min(request.approval_step, len(steps) - 1)] if steps else Role.APPROVER.value


def _step_label(step: str) -> str:
    return {"approver": "an approver", "client_reviewer": "the client's review"}.get(step, step)


def _tell_approvers(ctx: WorkspaceContext, request: AdRequest) -> None:
    from socialdesk.notifications.people import tell

    step = _step(ctx, request)
    people = list(ctx.session.scalars(select(Membership.user_id).where(
        Membership.workspace_id == ctx.workspace_id, Membership.role.in_([step, Role.ADMIN.value]))))
    tell(ctx.session, ctx.workspace_id, "approval_requested",
         f"An ad change waits for {_step_label(step)}: {describe(ctx, request)}",
         link=f"/w/{ctx.workspace_id}/approvals", user_ids=people, exclude=[ctx.actor.user_id or ""])


def get(ctx: WorkspaceContext, request_id: str) -> AdRequest:
    return ctx.get(AdRequest, request_id, what="ad request")


def _waiting(ctx: WorkspaceContext, request_id: str) -> AdRequest:
    ctx.require(Permission.POSTS_APPROVE)
    request = get(ctx, request_id)
    if request.status != S.PENDING_APPROVAL:
        raise Conflict(f"This ad request is not waiting for approval (it is {request.status.replace('_', ' ')}).")
    step = _step(ctx, request)
    if ctx.role not in (Role.OWNER, Role.ADMIN) and ctx.role.value != step:
        raise Forbidden(f"This ad request is waiting for {_step_label(step)}, not for your role "
                        f"({ctx.role.value.replace('_', ' ')}).")
    return request


def approve(ctx: WorkspaceContext, request_id: str, comment: str = "") -> list[str]:
    request = _waiting(ctx, request_id)
    step = _step(ctx, request)
    request.comment = comment.strip()
    request.decided_by_label = ctx.actor.label
    audit.record(ctx, f"ads.{request.kind}_approved", "campaign", request.campaign_id,
                 f"Approved ({_step_label(step)}): {describe(ctx, request)}")
    _tell_requester(ctx, request, "approved")
    if request.approval_step + 1 < len(ctx.workspace.approval_steps):
        request.approval_step += 1
        _tell_approvers(ctx, request)
        return [f"Approved; now waiting for {_step_label(_step(ctx, request))}."]
    _queue(ctx, request)
    return ["Approved; socialdesk carries it out on Meta now (its status shows on the campaign's page)."]


def reject(ctx: WorkspaceContext, request_id: str, comment: str) -> list[str]:
    if not comment.strip():
        raise ValidationFailed("Say why: a rejection needs a comment for whoever asked.")
    request = _waiting(ctx, request_id)
    request.status = S.REJECTED
    request.comment = comment.strip()
    request.decided_by_label = ctx.actor.label
    request.token_encrypted = ""
    request.finished_at = clock.now()
    audit.record(ctx, f"ads.{request.kind}_rejected", "campaign", request.campaign_id,
                 f"Rejected: {describe(ctx, request)} — {comment.strip()[:200]}")
    _tell_requester(ctx, request, "rejected")
    return ["Rejected; whoever asked is told with your comment."]


def _tell_requester(ctx: WorkspaceContext, request: AdRequest, decision: str) -> None:
    from socialdesk.notifications.people import tell

    if request.requested_by:
        said = f" — “{request.comment[:120]}”" if request.comment else ""
        tell(ctx.session, ctx.workspace_id, "approval_decided",
             f"{ctx.actor.label} {decision}: {describe(ctx, request)}{said}",
             link=f"/w/{ctx.workspace_id}/campaigns/{request.campaign_id}", user_ids=[request.requested_by],
             exclude=[ctx.actor.user_id or ""])


def pending(ctx: WorkspaceContext) -> list[AdRequest]:
    """Ad requests waiting for approval; for a client reviewer only those waiting for their own step."""
    rows = list(ctx.session.scalars(ctx.select(AdRequest).where(AdRequest.status == S.PENDING_APPROVAL)
                                    .order_by(AdRequest.created_at)))
    if ctx.role in (Role.OWNER, Role.ADMIN):
        return rows
    return [r for r in rows if _step(ctx, r) == ctx.role.value]


def of_campaign(ctx: WorkspaceContext, campaign_id: str) -> list[AdRequest]:
    return list(ctx.session.scalars(ctx.select(AdRequest).where(AdRequest.campaign_id == campaign_id)
                                    .order_by(AdRequest.created_at.desc())))


# Carrying it out -------------------------------------------------------------------------------------------


def _claim(request_id: str) -> bool:
    """Mark the request running (committed at once, so the page shows it); a request left running by a
    killed worker is claimed again: its next try looks up before it makes anything."""
    with get_database().unit_of_work() as session:
        claimed = session.execute(update(AdRequest).where(
            AdRequest.id == request_id, AdRequest.status.in_([S.QUEUED, S.RUNNING]))
            .values(status=S.RUNNING, attempts=AdRequest.attempts + 1)
            .execution_options(synchronize_session=False))
        return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _finish(request: AdRequest, status: str, error: str = "") -> None:
    request.status = status
    request.error = error
    request.token_encrypted = ""
    request.finished_at = clock.now()


@task("ad_request.execute", max_attempts=MAX_TRIES, lease_seconds=300)
def execute(request_id: str) -> None:
    if not _claim(request_id):
        return  # done, failed or rejected already: nothing to do twice
    with get_database().unit_of_work() as session:
        request = session.get(AdRequest, request_id)
        assert request is not None
        ctx = system_context(session, request.workspace_id, "ad requests")
        token = decrypt_json(request.token_encrypted).get("token", "") if request.token_encrypted else ""
        p = request.params
        try:
            if request.kind == "boost":
                ad = meta_ads.boost(ctx, campaign_id=request.campaign_id, publication_id=request.publication_id or "",
                                    token=token, ad_account=p.get("ad_account", ""),
                                    daily_budget=float(p.get("daily_budget") or 0), days=int(p.get("days") or 0),
                                    targeting=p.get("targeting") or {})
                request.ad_id = ad.id
            else:
                meta_ads.set_status(ctx, request.ad_id or "", token=token, active=request.kind == "resume")
        except ServiceUnavailable as exc:
            if request.attempts >= MAX_TRIES:
                _finish(request, S.FAILED, f"{exc.message} — gave up after {request.attempts} tries")
                return
            request.error = f"{exc.message} — trying again ({request.attempts} of {MAX_TRIES})"
            session.commit()
            raise
        except ValidationFailed as exc:
            session.rollback()
            request = session.get(AdRequest, request_id)
            assert request is not None
            _finish(request, S.FAILED, exc.message)
            _tell_failure(session, request)
            return
        _finish(request, S.DONE)


def _tell_failure(session: Any, request: AdRequest) -> None:
    from socialdesk.notifications.people import tell

    if request.requested_by:
        tell(session, request.workspace_id, "approval_decided",
             f"An approved ad change failed on Meta: {request.error[:200]}",
             link=f"/w/{request.workspace_id}/campaigns/{request.campaign_id}", user_ids=[request.requested_by])
