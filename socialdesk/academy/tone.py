"""How polite a reply to an unhappy person reads, 0 to 1, with what it lacks (docs/academy.md, "tone").

Plain rules in English and Croatian (the exercises' languages): a reply is polite when it acknowledges
the person (a greeting or their name), says sorry or thanks, offers a next step, and neither blames nor
shouts. A formal audience also expects no emoji and no slang.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GREETING = re.compile(r"\b(hi|hello|dear|hey|good (morning|afternoon|evening)|bok|pozdrav|poštovan\w*|"
                       r"dobar dan|zdravo|hallo)\b", re.IGNORECASE)
_SORRY_THANKS = re.compile(r"\b(sorry|apologi[sz]e\w*|thank\w*|žao|ispričava\w*|isprika|hvala|zahvalj\w*|"
                           r"oprost\w*|entschuldig\w*|danke)\b", re.IGNORECASE)
_NEXT_STEP = re.compile(r"\b(dm|message|email|e-mail|call|contact|send|fix|sort|refund|replace|help|look into|"
                        r"poruk\w*|pošalj\w*|javi\w*|riješi\w*|rješ\w*|pomo\w*|provjeri\w*|zamijeni\w*|povrat\w*|"
                        r"nazov\w*|kontakt\w*)\b", re.IGNORECASE)
_BLAME = re.compile(r"\b(your fault|you should have|read the (faq|manual)|not our problem|calm down|whatever|"
                    r"wrong|stupid|idiot|liar|vaša greška|vaša krivnja|smirite se|niste pročitali|glup\w*|"
                    r"lažete|nije naš problem)\b", re.IGNORECASE)
_SLANG = re.compile(r"\b(lol|omg|btw|thx|pls|u|ur|haha\w*|hehe\w*|ej|bok)\b", re.IGNORECASE)
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")


@dataclass(frozen=True)
class ToneCheck:
    score: float
    missing: tuple[str, ...]


def check(text: str, *, formal: bool = False, name: str = "") -> ToneCheck:
    missing: list[str] = []
    points = 0.0
    first_name = name.split()[0] if name.strip() else ""
    if _GREETING.search(text) or (first_name and first_name.lower() in text.lower()):
        points += 1
    else:
        missing.append("no greeting or name")
    if _SORRY_THANKS.search(text):
        points += 1
    else:
        missing.append("no apology or thanks")
    if _NEXT_STEP.search(text):
        points += 1
    else:
        missing.append("no next step offered")
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    if _BLAME.search(text) or shouting or "!!" in text:
        missing.append("blames or shouts")
    else:
        points += 1
    if formal and (_EMOJI.search(text) or _SLANG.search(text)):
        missing.append("emoji or slang for a formal audience")
        points -= 0.5
    if len(text.strip()) < 15:
        missing.append("too short to help")
        points -= 1
    return ToneCheck(max(0.0, min(1.0, points / 4.0)), tuple(missing))
