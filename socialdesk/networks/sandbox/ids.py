"""External ids of everything on the sandbox, and reading them back.

Ids start with a short key derived from the account's handle, so they are unique across sandbox
accounts as a real network's ids are, and they carry the numbers the simulation needs: a comment's
id names its post and its place among the post's comments, a message's id its day and number.

    <key>_p<seq>            post              <key>_c<seq>_<n>    comment n on post seq
    <key>_d<day>_<n>        direct message    <key>_m<day>_<n>    mention (day = days since 1970)
    <key>_r<n>              our reply n       <key>_a<n>          a member's answer to our reply n
    <key>_u<index>          member
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

_PATTERN = re.compile(r"^([0-9a-f]{8})_([pcdmrau])(\d{1,12})(?:_(\d{1,9}))?$")
KINDS = {"p": "post", "c": "comment", "d": "dm", "m": "mention", "r": "reply", "a": "answer", "u": "member"}


@lru_cache(maxsize=1024)
def account_key(handle: str) -> str:
    return hashlib.blake2b(handle.encode("utf-8"), digest_size=4).hexdigest()


@dataclass(frozen=True)
class Ref:
    kind: str  # a value of KINDS
    number: int  # post seq, day, reply seq or member index
    index: int = 0  # the comment's or message's number, from 1


def post_id(key: str, seq: int) -> str:
    return f"{key}_p{seq}"


def comment_id(key: str, seq: int, n: int) -> str:
    return f"{key}_c{seq}_{n}"


def message_id(key: str, kind: str, day: int, n: int) -> str:
    return f"{key}_{'d' if kind == 'dm' else 'm'}{day}_{n}"


def reply_id(key: str, seq: int) -> str:
    return f"{key}_r{seq}"


def answer_id(key: str, seq: int) -> str:
    return f"{key}_a{seq}"


def member_id(key: str, index: int) -> str:
    return f"{key}_u{index}"


def parse(key: str, external_id: str) -> Ref | None:
    """What an id of this account points at; None for a malformed id or another account's."""
    match = _PATTERN.match(external_id)
    if match is None or match.group(1) != key:
        return None
    kind = KINDS[match.group(2)]
    has_index = kind in ("comment", "dm", "mention")
    if has_index != (match.group(4) is not None):
        return None
    return Ref(kind, int(match.group(3)), int(match.group(4) or 0))
