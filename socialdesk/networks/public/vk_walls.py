"""Public VK walls as competitors: a community's members or a person's followers, and the wall's recent posts
with likes, reposts, comments and views — through the VK client (networks/vk/api.py: API version 5.199,
the outbound policy, VK's error codes sorted with VK's own text).

Calls (each documented on dev.vk.com):
- utils.resolveScreenName (https://dev.vk.com/method/utils.resolveScreenName): what a short address
  (vk.com/brandcafe) is, a community or a person, and its id — only for addresses without club/id;
- groups.getById with fields=members_count (https://dev.vk.com/method/groups.getById): the community, its
  members, whether it is deactivated (deleted/banned) or closed (is_closed 1 closed, 2 private);
- users.get with fields=followers_count (https://dev.vk.com/method/users.get): a person's page;
- wall.get with filter=owner (https://dev.vk.com/method/wall.get): the owner's own posts, newest first.

VK wants a token for all of them: the app's service token (SOCIALDESK_VK_SERVICE_TOKEN, "service key" in
the app's settings: https://dev.vk.com/api/access-token/getting-started) or the user token of a VK channel
connected in the workspace. A closed or private wall, a deleted or banned community or page get a sentence
saying so (error codes 15, 18, 30: https://dev.vk.com/reference/errors), not a bare code.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import NetworkError, PermanentNetworkError
from socialdesk.networks.public.profiles import PublicPost, PublicProfile, hashtags
from socialdesk.networks.vk.api import ACCESS_DENIED, VkApi

RECENT = 100  # wall.get's largest page
USER_DELETED = 18  # "User was deleted or banned"
PRIVATE_PROFILE = 30  # "This profile is private"
INVALID_PARAMETER = 100
_GROUP = re.compile(r"^(?:club|public|event)(\d{1,12})$")
_USER = re.compile(r"^id(\d{1,12})$")
_SCREEN_NAME = re.compile(r"^[a-z0-9_.]{2,50}$")


def wall_key(text: str) -> str:
    """`club123`, `id123` or a short address (`brandcafe`) from what a person pasted: one of those, -123 (a
    community's owner id) or a vk.com address. Raises ValidationFailed saying what to give instead."""
    value = (text or "").strip()
    if "/" in value or value.lower().startswith(("vk.com", "www.vk.com", "m.vk.com")):
        parts = urlsplit(value if "://" in value else f"https://{value}")
        if (parts.hostname or "").lower() not in ("vk.com", "www.vk.com", "m.vk.com", "vk.ru", "www.vk.ru"):
            raise ValidationFailed(f"{value!r} is not a VK address: give vk.com/name, club123 or id123.")
        value = next((s for s in parts.path.split("/") if s), "")
    value = value.lstrip("@").lower()
    if re.fullmatch(r"-\d{1,12}", value):
        return f"club{value[1:]}"
    if _GROUP.match(value):
        return f"club{_GROUP.match(value).group(1)}"  # type: ignore[union-attr]
    if _USER.match(value) or (_SCREEN_NAME.match(value) and not value.isdigit()):
        return value
    raise ValidationFailed(f"{text!r} is not a VK wall: give a community's or person's short address "
                           "(vk.com/brandcafe), club123 for a community or id123 for a person.")


def post_format(post: dict[str, Any]) -> str:
    kinds = [str(a.get("type")) for a in post.get("attachments") or [] if isinstance(a, dict)]
    for attachment in post.get("attachments") or []:
        if not isinstance(attachment, dict):
            continue
        kind = attachment.get("type")
        video = attachment.get("video") or {}
        if kind == "clip" or (kind == "video" and video.get("type") == "short_video"):
            return "short"  # VK Clips: vertical short videos
    if "video" in kinds:
        return "video"
    if {"photo", "album"} & set(kinds):
        return "image"
    return "link" if "link" in kinds else "text"


def _count(block: Any) -> int:
    return int(block.get("count") or 0) if isinstance(block, dict) else 0


def parse_post(post: dict[str, Any], owner_id: int) -> PublicPost | None:
    """One wall.get item as a post; None for a repost of someone else's post (copy_history) and for
    anything that is not a plain post."""
    if post.get("copy_history") or post.get("post_type", "post") != "post" or not post.get("id"):
        return None
    text = str(post.get("text") or "")
    views = post.get("views")
    return PublicPost(external_id=f"{owner_id}_{post['id']}", url=f"https://vk.com/wall{owner_id}_{post['id']}",
                      posted_at=datetime.fromtimestamp(int(post.get("date") or 0), UTC),
                      likes=_count(post.get("likes")), reposts=_count(post.get("reposts")),
                      replies=_count(post.get("comments")), format=post_format(post), hashtags=hashtags(text),
                      text=text, views=_count(views) if isinstance(views, dict) else None)


def _closed(where: str, error: NetworkError) -> NetworkError:
    code = (error.details or {}).get("vk_error_code")
    if code == ACCESS_DENIED:
        return PermanentNetworkError(f"{where} is a closed wall: VK shows it to members only, so socialdesk cannot "
                                     f"follow it ({error.network_message})", details=error.details)
    if code == PRIVATE_PROFILE:
        return PermanentNetworkError(f"{where} is a private profile: its wall is not public "
                                     f"({error.network_message})", details=error.details)
    if code == USER_DELETED:
        return PermanentNetworkError(f"{where} was deleted or banned on VK ({error.network_message})",
                                     details=error.details)
    return error


def _resolve(api: VkApi, key: str) -> tuple[str, int]:
    group, user = _GROUP.match(key), _USER.match(key)
    if group:
        return "group", int(group.group(1))
    if user:
        return "user", int(user.group(1))
    found = api.call("utils.resolveScreenName", screen_name=key)
    if not isinstance(found, dict) or not found.get("object_id"):
        raise PermanentNetworkError(f"VK has no page vk.com/{key} (check the address).", status_code=404)
    kind = str(found.get("type"))
    if kind not in ("user", "group", "page", "event"):
        raise PermanentNetworkError(f"vk.com/{key} is a VK {kind}, not a community or a person's page.")
    return ("user" if kind == "user" else "group"), int(found["object_id"])


def wall_profile(api: VkApi, key: str) -> PublicProfile:
    """Read a community's or person's public wall now."""
    where = f"vk.com/{key}"
    kind, number = _resolve(api, key)
    if kind == "group":
        try:
            answer = api.call("groups.getById", group_id=number, fields="members_count")
        except PermanentNetworkError as error:
            if (error.details or {}).get("vk_error_code") == INVALID_PARAMETER:
                raise PermanentNetworkError(f"VK has no community {where} ({error.network_message})",
                                            details=error.details) from error
            raise
        groups = answer.get("groups") if isinstance(answer, dict) else answer
        if not groups:
            raise PermanentNetworkError(f"VK has no community {where}.", status_code=404)
        page = groups[0]
        owner_id, followers = -number, page.get("members_count")
        name, handle = str(page.get("name") or ""), str(page.get("screen_name") or key)
        if page.get("deactivated"):
            raise PermanentNetworkError(f"The VK community {where} is {page['deactivated']} (deactivated by VK "
                                        "or its owners): there is no wall to follow.")
    else:
        people = api.call("users.get", user_ids=number, fields="followers_count,screen_name")
        if not people:
            raise PermanentNetworkError(f"VK has no person {where}.", status_code=404)
        page = people[0]
        if page.get("deactivated"):
            raise PermanentNetworkError(f"The VK page {where} is {page['deactivated']} (deleted or banned): there "
                                        "is no wall to follow.")
        owner_id, followers = number, page.get("followers_count")
        name = f"{page.get('first_name', '')} {page.get('last_name', '')}".strip()
        handle = str(page.get("screen_name") or key)
    try:
        wall = api.call("wall.get", owner_id=owner_id, count=RECENT, filter="owner")
    except NetworkError as error:
        raise _closed(where, error) from error
    items = wall.get("items") or [] if isinstance(wall, dict) else []
    posts = [p for p in (parse_post(i, owner_id) for i in items if isinstance(i, dict)) if p is not None]
    return PublicProfile(handle=handle, display_name=name, followers=None if followers is None else int(followers),
                         posts_count=int(wall.get("count") or 0) if isinstance(wall, dict) else None, posts=posts,
                         followers_hidden=followers is None)
