"""Members join by invitation that they accept; admins change roles and remove members (audited, never the
last owner); the audit log is paged."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import Message
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.audit import service as audit
from socialdesk.audit.models import AuditEntry
from socialdesk.auth import service as auth
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.web.deps import SESSION_COOKIE
from socialdesk.workspaces.models import Invitation, Membership
from tests.helpers import PASSWORD, World, make_world
from tests.mail import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)
from tests.web_client import signed_in_client, web_app

LINK = re.compile(r"http://testserver(/invitations/[\w-]+)")


@pytest.fixture
def world(database: Database, clock: ManualClock) -> World:
    return make_world(database, profiles=())


@pytest.fixture
def other_org_user(database: Database) -> str:
    """Someone with an account in another organisation's workspace."""
    return make_world(database, "Other Org", profiles=(), roles=()).users["owner"]


def _api(world: World) -> str:
    return f"/api/v1/workspaces/{world.workspace_id}"


def _link(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = LINK.search(body.decode())
    assert found, body
    return found.group(1)


def _members(db: Database, world: World) -> dict[str, str]:
    with db.read_sessions() as session:
        rows = session.execute(select(Membership.role, Membership.user_id)
                               .where(Membership.workspace_id == world.workspace_id)).all()
        emails = {u.id: u.email for u in session.scalars(select(auth.User))}
    return {emails[user_id]: role for role, user_id in rows}


def _audit_actions(db: Database, world: World) -> list[str]:
    with db.read_sessions() as session:
        return list(session.scalars(select(AuditEntry.action).where(AuditEntry.workspace_id == world.workspace_id)
                                    .order_by(AuditEntry.at, AuditEntry.id)))


# Inviting --------------------------------------------------------------------------------------------


def test_inviting_never_reveals_whether_an_account_exists(database: Database, world: World, other_org_user: str,
                                                          smtp_server: list[Message]) -> None:
    admin, _ = signed_in_client(database, world.users["owner"])
    existing = admin.post(_api(world) + "/invitations", json={"email": other_org_user, "role": "editor"})
    unknown = admin.post(_api(world) + "/invitations", json={"email": "nobody@nowhere.test", "role": "editor"})
    assert existing.status_code == unknown.status_code == 202
    assert existing.json().keys() == unknown.json().keys()
    # The same e-mail, bar the address and the link.
    bodies = [str(m.get_payload(decode=True)) for m in smtp_server]
    assert len(bodies) == 2
    assert LINK.sub("", bodies[0]).replace(other_org_user, "X") == LINK.sub("", bodies[1]).replace(
        "nobody@nowhere.test", "X")
    # The page says the same words too.
    invite = f"/w/{world.workspace_id}/settings/invitations"
    page = admin.post(invite, data={"email": other_org_user, "role": "viewer"})
    page2 = admin.post(invite, data={"email": "x@nowhere.test", "role": "viewer"})
    assert page.status_code == page2.status_code == 303
    said = [unquote(page.cookies["sd_flash"]).replace(other_org_user, "X"),
            unquote(page2.cookies["sd_flash"]).replace("x@nowhere.test", "X")]
    assert said[0] == said[1] and "Invitation sent to X" in said[0]


def test_an_unrelated_admin_cannot_add_someone_without_their_consent(database: Database, world: World,
                                                                     other_org_user: str,
                                                                     smtp_server: list[Message]) -> None:
    admin, _ = signed_in_client(database, world.users["owner"])
    assert admin.post(_api(world) + "/members", json={"email": other_org_user, "role": "editor"}).status_code == 405
    assert admin.post(_api(world) + "/invitations", json={"email": other_org_user, "role": "editor"}).status_code == 202
    assert other_org_user not in _members(database, world)  # invited is not joined
    invitee, _ = signed_in_client(database, other_org_user)
    assert invitee.get(_api(world)).status_code == 404
    # They accept from the link in the e-mail, signed in as themselves.
    link = _link(smtp_server[-1])
    page = invitee.get(link)
    assert page.status_code == 200 and "Accept and open" in page.text
    accepted = invitee.post(link)
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/w/{world.workspace_id}"
    assert _members(database, world)[other_org_user] == "editor"
    assert invitee.get(_api(world)).status_code == 200
    assert _audit_actions(database, world)[-2:] == ["invitation.create", "invitation.accept"]
    # Single use.
    again = invitee.get(link)
    assert again.status_code == 410 and "already used" in again.text


def test_only_the_invited_address_can_accept(database: Database, world: World, other_org_user: str,
                                             smtp_server: list[Message]) -> None:
    admin, _ = signed_in_client(database, world.users["owner"])
    admin.post(_api(world) + "/invitations", json={"email": other_org_user, "role": "viewer"})
    link = _link(smtp_server[-1])
    someone_else, _ = signed_in_client(database, world.users["viewer"])
    assert "this invitation is for" in someone_else.get(link).text
    refused = someone_else.post(link)
    assert refused.status_code == 403
    signed_out = TestClient(web_app(), follow_redirects=False)
    page = signed_out.get(link)
    assert "Sign in to accept" in page.text and "Password again" not in page.text


def test_a_new_person_sets_a_password_and_joins(database: Database, world: World,
                                                smtp_server: list[Message]) -> None:
    admin, _ = signed_in_client(database, world.users["owner"])
    admin.post(_api(world) + "/invitations", json={"email": "New.Person@Example.com", "role": "client_reviewer"})
    link = _link(smtp_server[-1])
    browser = TestClient(web_app(), follow_redirects=False)
    page = browser.get(link)
    assert page.status_code == 200 and "Password again" in page.text
    differ = browser.post(link, data={"name": "Nova", "password": PASSWORD, "password_again": PASSWORD + "x"})
    assert differ.status_code == 422 and "differ" in differ.text
    joined = browser.post(link, data={"name": "Nova", "password": PASSWORD, "password_again": PASSWORD})
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/w/{world.workspace_id}/approvals"  # what a client reviewer sees
    assert SESSION_COOKIE in joined.cookies
    assert _members(database, world)["new.person@example.com"] == "client_reviewer"
    with database.read_sessions() as session:
        assert auth.authenticate(session, "new.person@example.com", PASSWORD)
    assert browser.get(link).status_code == 410


def test_invitation_links_expire_and_only_their_hash_is_stored(database: Database, world: World, clock: ManualClock,
                                                                smtp_server: list[Message]) -> None:
    admin, _ = signed_in_client(database, world.users["owner"])
    admin.post(_api(world) + "/invitations", json={"email": "late@example.com", "role": "viewer"})
    link = _link(smtp_server[-1])
    secret = link.rsplit("/", 1)[1]
    with database.read_sessions() as session:
        stored = session.scalars(select(Invitation)).one()
        assert secret not in repr([getattr(stored, c.key) for c in Invitation.__table__.columns])
    listed = admin.get(_api(world) + "/invitations").json()
    assert [i["email"] for i in listed] == ["late@example.com"]
    clock.advance(timedelta(days=8))
    expired = TestClient(web_app()).get(link)
    assert expired.status_code == 410 and "expired" in expired.text
    assert admin.get(_api(world) + "/invitations").json() == []


def test_a_withdrawn_invitation_no_longer_works(database: Database, world: World,
                                                smtp_server: list[Message]) -> None:
    admin, _ = signed_in_client(database, world.users["owner"])
    invitation = admin.post(_api(world) + "/invitations", json={"email": "maybe@example.com", "role": "viewer"}).json()
    assert admin.delete(_api(world) + f"/invitations/{invitation['id']}").status_code == 204
    assert TestClient(web_app()).get(_link(smtp_server[-1])).status_code == 404
    assert "invitation.revoke" in _audit_actions(database, world)


def test_inviting_needs_mail_and_an_admin(database: Database, world: World) -> None:
    admin, _ = signed_in_client(database, world.users["owner"])
    no_mail = admin.post(_api(world) + "/invitations", json={"email": "a@example.com", "role": "viewer"})
    assert no_mail.status_code == 422 and "SOCIALDESK_SMTP_HOST" in no_mail.json()["message"]
    with database.read_sessions() as session:
        assert session.scalars(select(Invitation)).all() == []
    editor, _ = signed_in_client(database, world.users["editor"])
    refused = editor.post(_api(world) + "/invitations", json={"email": "a@example.com", "role": "viewer"})
    assert refused.status_code == 403
    taken = admin.post(_api(world) + "/invitations", json={"email": world.users["viewer"], "role": "viewer"})
    assert taken.status_code == 409


# Roles and removal -----------------------------------------------------------------------------------


def _member_id(db: Database, world: World, email: str) -> str:
    with db.read_sessions() as session:
        user = auth.user_by_email(session, email)
        assert user is not None
        return session.scalars(select(Membership.id).where(Membership.workspace_id == world.workspace_id,
                                                           Membership.user_id == user.id)).one()


def test_an_admin_changes_roles_and_removes_members_audited(database: Database, world: World) -> None:
    owner, _ = signed_in_client(database, world.users["owner"])
    editor_id = _member_id(database, world, world.users["editor"])
    changed = owner.patch(_api(world) + f"/members/{editor_id}", json={"role": "admin"})
    assert changed.status_code == 200 and changed.json()["role"] == "admin"
    admin = signed_in_client(database, world.users["editor"])[0]  # the editor is an admin now
    viewer_id = _member_id(database, world, world.users["viewer"])
    assert admin.delete(_api(world) + f"/members/{viewer_id}").status_code == 204
    assert world.users["viewer"] not in _members(database, world)
    viewer = signed_in_client(database, world.users["viewer"])[0]
    assert viewer.get(_api(world)).status_code == 404  # removed means out
    assert _audit_actions(database, world)[-2:] == ["member.role", "member.remove"]
    with database.read_sessions() as session:
        summaries = list(session.scalars(select(AuditEntry.summary)))
    assert f"Changed {world.users['editor']} from editor to admin" in summaries
    assert f"Removed {world.users['viewer']} (viewer)" in summaries


def test_owners_are_changed_by_owners_only_and_the_last_owner_stays(database: Database, world: World) -> None:
    owner, _ = signed_in_client(database, world.users["owner"])
    owner_id = _member_id(database, world, world.users["owner"])
    last = owner.patch(_api(world) + f"/members/{owner_id}", json={"role": "editor"})
    assert last.status_code == 409 and "last owner" in last.json()["message"]
    assert owner.delete(_api(world) + f"/members/{owner_id}").status_code == 409
    editor_id = _member_id(database, world, world.users["editor"])
    owner.patch(_api(world) + f"/members/{editor_id}", json={"role": "admin"})
    admin = signed_in_client(database, world.users["editor"])[0]
    assert admin.patch(_api(world) + f"/members/{owner_id}", json={"role": "viewer"}).status_code == 403
    assert admin.delete(_api(world) + f"/members/{owner_id}").status_code == 403
    viewer_id = _member_id(database, world, world.users["viewer"])
    assert admin.patch(_api(world) + f"/members/{viewer_id}", json={"role": "owner"}).status_code == 403
    # With a second owner, the first may step down.
    assert owner.patch(_api(world) + f"/members/{viewer_id}", json={"role": "owner"}).status_code == 200
    assert owner.patch(_api(world) + f"/members/{owner_id}", json={"role": "admin"}).status_code == 200
    assert _members(database, world)[world.users["owner"]] == "admin"
    viewer = signed_in_client(database, world.users["approver"])[0]
    assert viewer.delete(_api(world) + f"/members/{editor_id}").status_code == 403


def test_the_settings_page_changes_roles_and_removes_members(database: Database, world: World) -> None:
    owner, csrf = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    approver_id = _member_id(database, world, world.users["approver"])
    page = owner.get(w + "/settings")
    assert f"{w}/settings/members/{approver_id}/role" in page.text
    done = owner.post(f"{w}/settings/members/{approver_id}/role", data={"role": "editor", "csrf_token": csrf})
    assert done.status_code == 303 and _members(database, world)[world.users["approver"]] == "editor"
    bad = owner.post(f"{w}/settings/members/{approver_id}/role", data={"role": "king", "csrf_token": csrf})
    assert bad.status_code == 303 and "Choose a role" in unquote(bad.cookies["sd_flash"])
    owner.post(f"{w}/settings/members/{approver_id}/remove", data={"csrf_token": csrf})
    assert world.users["approver"] not in _members(database, world)
    own_id = _member_id(database, world, world.users["owner"])
    kept = owner.post(f"{w}/settings/members/{own_id}/remove", data={"csrf_token": csrf})
    assert "last owner" in unquote(kept.cookies["sd_flash"])
    # An editor sees the members but gets no controls.
    editor = signed_in_client(database, world.users["editor"])[0]
    seen = editor.get(w + "/settings")
    assert world.users["viewer"] in seen.text and "/settings/members/" not in seen.text


# The audit log, paged ------------------------------------------------------------------------------------


def test_the_audit_log_is_paged(database: Database, world: World, clock: ManualClock) -> None:
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        for n in range(60):
            clock.advance(timedelta(seconds=1))
            audit.record(ctx, "test.entry", "workspace", None, f"entry {n:02d}")
    total = len(_audit_actions(database, world))
    owner, _ = signed_in_client(database, world.users["owner"])
    first = owner.get(_api(world) + "/audit?limit=10").json()
    second = owner.get(_api(world) + "/audit?limit=10&offset=10").json()
    assert [e["summary"] for e in first + second] == [f"entry {n:02d}" for n in range(59, 39, -1)]
    for bad in ("limit=-1", "limit=0", "limit=1001", "offset=-1", "offset=9223372036854775808"):
        assert owner.get(_api(world) + f"/audit?{bad}").status_code == 422, bad
    w = f"/w/{world.workspace_id}"
    page1 = owner.get(w + "/settings")
    assert "Page 1 of 2" in page1.text and "page=2" in page1.text and "entry 59" in page1.text
    page2 = owner.get(w + "/settings?page=2")
    assert "Page 2 of 2" in page2.text and "entry 09" in page2.text and "entry 10" not in page2.text
    assert page2.text.count('<td class="nowrap small">') == total - 50
    assert owner.get(w + "/settings?page=0").status_code == 422
