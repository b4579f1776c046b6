"""Export a whole workspace to one ZIP file (JSON + media), and import such a file as a new workspace,
here or in another socialdesk. The format is documented in docs/agency.md ("Export and import").

What goes in: the workspace row, every table that belongs to it (a `workspace_id` column) and every
table that hangs off those through foreign keys (a post's media, a goal's milestones, …), found from the
schema itself so a new table is carried the day it is added; the people its rows refer to (e-mail and name
only, never passwords); the media files. What stays out: API tokens, browser sessions, pending invitations
(their links are secrets tied to this server) and the job queue.

Secrets: channel credentials, webhook signing secrets, chat webhook addresses and contest seeds are stored
encrypted with this server's SOCIALDESK_SECRET_KEY. They are never written in clear: without a passphrase
they are left out (channels arrive "needs reconnection", webhooks switched off, an undrawn contest cannot be
drawn verifiably); with a passphrase they are sealed with a key derived from it (scrypt + Fernet) and
re-encrypted with the importing server's key.

On import every id is new: each old id found anywhere in a row (foreign keys, links, JSON, storage paths)
is replaced by its new id, so the copy is complete and independent of the original.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from socialdesk.auth.models import User
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.crypto import check_secret_key, decrypt_json, encrypt_json
from socialdesk.core.db import Base
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.ids import new_id
from socialdesk.workspaces.models import Organisation, Workspace

FORMAT = "socialdesk-workspace-export"
VERSION = 1
# Tables never exported, though they belong to a workspace: secrets of this server, and transient state.
SKIPPED = {"api_tokens", "invitations", "user_sessions", "jobs", "periodic_schedules", "heartbeats", "oauth_states"}
ULID = re.compile(r"\b[0-9a-hjkmnp-tv-z]{26}\b")
ENCRYPTED_SUFFIX = "_encrypted"
DISABLED_BY_IMPORT = "Imported without its secrets: reconnect it (socialdesk workspace import without --passphrase)."


def _tables() -> list[Table]:
    """The workspace's tables in insert order: those with workspace_id, and their descendants by FK."""
    from socialdesk import models  # noqa: F401  (every table registered)

    ordered = [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED]
    chosen: set[str] = set()
    for _ in range(len(ordered)):
        grew = False
        for table in ordered:
            if table.name in chosen or table.name == "workspaces":
                continue
            owned = "workspace_id" in table.c and any(
                fk.column.table.name == "workspaces" for fk in table.c.workspace_id.foreign_keys)
            child = any(fk.column.table.name in chosen and fk.column.table.name != table.name
                        for col in table.c if not col.nullable for fk in col.foreign_keys)
            if owned or child:
                chosen.add(table.name)
                grew = True
        if not grew:
            break
    return [t for t in ordered if t.name in chosen]


def _parent_filter(table: Table, kept: dict[str, set[str]], workspace_id: str) -> Any:
    if "workspace_id" in table.c:
        return table.c.workspace_id == workspace_id
    for col in table.c:
        if col.nullable:
            continue
        for fk in col.foreign_keys:
            if fk.column.table.name in kept:
                return col.in_(kept[fk.column.table.name] or {""})
    raise AssertionError(table.name)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        if key == "$datetime":
            return datetime.fromisoformat(inner)
        if key == "$date":
            return date.fromisoformat(inner)
        if key == "$bytes":
            return base64.b64decode(inner)
    return value


def _seal_key(passphrase: str, salt: bytes) -> Fernet:
    raw = hashlib.scrypt(passphrase.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return Fernet(base64.urlsafe_b64encode(raw))


def export_workspace(session: Session, workspace_id: str, out: Path, *,
                     passphrase: str | None = None) -> dict[str, int]:
    """Write the workspace to `out` (a ZIP); returns rows per table."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise ValidationFailed(f"No workspace {workspace_id}.")
    salt = secrets.token_bytes(16)
    sealer = _seal_key(passphrase, salt) if passphrase else None
    ws_table: Table = Base.metadata.tables["workspaces"]
    data: dict[str, list[dict[str, Any]]] = {
        "workspaces": [dict(session.execute(select(ws_table).where(ws_table.c.id == workspace_id)).mappings().one())]}
    kept: dict[str, set[str]] = {"workspaces": {workspace_id}}
    people: set[str] = set()
    for table in _tables():
        rows = [dict(r) for r in session.execute(select(table).where(
            _parent_filter(table, kept, workspace_id))).mappings()]
        kept[table.name] = {r["id"] for r in rows if "id" in r}
        for col in table.c:
            if any(fk.column.table.name == "users" for fk in col.foreign_keys):
                people |= {r[col.name] for r in rows if r[col.name]}
            if col.name.endswith(ENCRYPTED_SUFFIX):
                for row in rows:
                    row[col.name] = _sealed(row[col.name], sealer)
        data[table.name] = rows
    users = [{"id": u.id, "email": u.email, "name": u.name}
             for u in session.scalars(select(User).where(User.id.in_(people)))]
    manifest = {"format": FORMAT, "version": VERSION, "exported_at": clock.now().isoformat(),
                "workspace_id": workspace_id, "workspace_name": workspace.name,
                "organisation": {"id": workspace.organisation_id,
                                 "name": session.get(Organisation, workspace.organisation_id).name},  # type: ignore[union-attr]
                "secrets": "sealed" if sealer else "omitted",
                "seal": {"kdf": "scrypt", "n": 2**14, "r": 8, "p": 1, "salt": base64.b64encode(salt).decode()}
                if sealer else None,
                "tables": {name: len(rows) for name, rows in data.items()}, "media": []}
    media_dir = get_settings().media_dir
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for asset in data.get("media_assets", []):
            for key in (asset.get("storage_key"), asset.get("thumbnail_key")):
                if key and (media_dir / key).is_file():
                    archive.write(media_dir / key, f"media/{key}")
                    manifest["media"].append(key)
        archive.writestr("people.json", json.dumps(users, indent=1))
        archive.writestr("data.json", json.dumps({n: [{k: _plain(v) for k, v in r.items()} for r in rows]
                                                  for n, rows in data.items()}, indent=1, default=str))
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    return manifest["tables"]


def _sealed(token: str | None, sealer: Fernet | None) -> Any:
    if not token:
        return token
    if sealer is None:
        return {"$omitted": True}
    return {"$sealed": sealer.encrypt(json.dumps(decrypt_json(token)).encode()).decode()}


def import_workspace(session: Session, archive_path: Path, *, name: str | None = None,
                     passphrase: str | None = None) -> Workspace:
    """Create a new workspace from an export; returns it. Every id is new."""
    check_secret_key(get_settings())
    with zipfile.ZipFile(archive_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise ValidationFailed(f"{archive_path} is not a socialdesk workspace export (version {VERSION}).")
        data = json.loads(archive.read("data.json"))
        users = json.loads(archive.read("people.json"))
        files = {key: archive.read(f"media/{key}") for key in manifest.get("media", [])}
    opener = None
    if manifest.get("secrets") == "sealed":
        if not passphrase:
            raise ValidationFailed("This export's secrets are sealed with a passphrase: give it (--passphrase), "
                                   "or they cannot be restored.")
        opener = _seal_key(passphrase, base64.b64decode(manifest["seal"]["salt"]))
    ids: dict[str, str] = {}
    for table_rows in data.values():
        for row in table_rows:
            if isinstance(row.get("id"), str):
                ids[row["id"]] = new_id()
    org = manifest["organisation"]
    organisation = session.scalars(select(Organisation).where(Organisation.name == org["name"])).first()
    if organisation is None:
        organisation = Organisation(name=org["name"])
        session.add(organisation)
        session.flush()
    ids[org["id"]] = organisation.id
    for person in users:
        found = session.scalars(select(User).where(User.email == person["email"])).first()
        if found is None:  # no usable password: they set one through an invitation or `socialdesk user`
            found = User(email=person["email"], name=person["name"], password_hash="!imported", is_active=True)
            session.add(found)
            session.flush()
        ids[person["id"]] = found.id

    def remap(value: Any) -> Any:
        if isinstance(value, str):
            return ULID.sub(lambda m: ids.get(m.group(0), m.group(0)), value)
        if isinstance(value, list):
            return [remap(v) for v in value]
        if isinstance(value, dict):
            return {k: remap(v) for k, v in value.items()}
        return value

    tables = {t.name: t for t in [Base.metadata.tables["workspaces"], *_tables()]}
    for table_name, rows in data.items():
        table = tables.get(table_name)
        if table is None:
            raise ValidationFailed(f"The export has a table {table_name!r} this socialdesk does not know: "
                                   "upgrade this socialdesk first.")
        self_refs = [c.name for c in table.c if any(fk.column.table is table for fk in c.foreign_keys)]
        later: list[tuple[str, dict[str, Any]]] = []
        for raw in rows:
            row = {k: remap(_unplain(v)) if k in table.c and not k.endswith(ENCRYPTED_SUFFIX) else _unplain(v)
                   for k, v in raw.items() if k in table.c}
            _restore_secrets(table_name, row, opener)
            if table_name == "workspaces" and name:
                row["name"] = name
            postponed = {c: row.pop(c) for c in self_refs if row.get(c)}
            if postponed and "updated_at" in row:
                postponed["updated_at"] = row["updated_at"]  # kept as exported (onupdate would move it)
            if postponed:
                later.append((row["id"], postponed))
            session.execute(insert(table).values(**row))
        for row_id, values in later:
            session.execute(update(table).where(table.c.id == row_id).values(**values))
    media_dir = get_settings().media_dir
    for key, content in files.items():
        target = media_dir / remap(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    session.flush()
    workspace = session.get(Workspace, ids[manifest["workspace_id"]])
    assert workspace is not None
    return workspace


def _restore_secrets(table_name: str, row: dict[str, Any], opener: Fernet | None) -> None:
    lost = False
    for key, value in list(row.items()):
        if not key.endswith(ENCRYPTED_SUFFIX) or not isinstance(value, dict):
            continue
        if "$sealed" in value and opener is not None:
            try:
                row[key] = encrypt_json(json.loads(opener.decrypt(value["$sealed"].encode())))
                continue
            except InvalidToken as exc:
                raise ValidationFailed("The passphrase does not open this export's secrets.") from exc
        row[key] = encrypt_json({})
        lost = True
    if not lost:
        return
    if table_name == "channels":
        row["status"], row["status_message"] = "needs_reconnection", DISABLED_BY_IMPORT
    if "active" in row:
        row["active"] = False


def read_manifest(archive_path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(archive_path) as archive:
        return json.loads(archive.read("manifest.json"))


