"""The demo workspace's style guide and dictionary, added when `socialdesk demo` starts (once).

Kept out of demo.py so the recorded demo history (fingerprinted on demo.py) stays valid.
"""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.auth.service import user_by_email
from socialdesk.core.db import Database
from socialdesk.studio.writing import service as writing
from socialdesk.studio.writing.models import WritingSettings
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.models import Organisation, Workspace
from socialdesk.workspaces.permissions import Role


def ensure_demo_writing(db: Database) -> None:
    from socialdesk.demo import EMAIL, ORGANISATION, WORKSPACE

    with db.unit_of_work() as session:
        workspace = session.scalars(select(Workspace).join(Organisation).where(
            Organisation.name == ORGANISATION, Workspace.name == WORKSPACE)).first()
        owner = user_by_email(session, EMAIL)
        if workspace is None or owner is None or session.get(WritingSettings, workspace.id) is not None:
            return
        ctx = WorkspaceContext(session, workspace, Actor(owner.id, EMAIL), Role.OWNER)
        writing.update_settings(ctx, writing.StyleGuideInput(
            language="auto", main_language="hr",
            banned=(("jeftino", "povoljno"), ("cheap", "affordable"), ("najbolja kava na svijetu", "")),
            preferred=(("Kava and Co", "Kava & Co."), ("email", "e-mail")),
            disclosures=("#oglas", "#ad"), paid_markers=("kod za popust", "promo code", "u suradnji s"),
            tone_notes="Warm and friendly, never pushy. In Croatian we say “ti”, not “Vi”. One emoji is plenty."))
        for word in ("Kavaco", "flat", "cold", "brew"):
            writing.add_word(ctx, word)
