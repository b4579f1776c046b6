"""Turn a member and a kind of message into the text they write, and name the member."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from socialdesk.networks.sandbox import ids, phrases
from socialdesk.networks.sandbox.audience import Population
from socialdesk.networks.sandbox.vocabulary import LANGUAGES, topic_word


@dataclass(frozen=True)
class Member:
    index: int
    external_id: str
    handle: str
    name: str
    language: str
    bot: bool


def member(pop: Population, index: int) -> Member:
    """Who member `index` is: a stable id, a handle and a display name in their language."""
    language = LANGUAGES[int(pop.language[index])]
    external_id = ids.member_id(ids.account_key(pop.params.handle), index)
    # Handles are unique on a network: the member index keeps two Ana Horvats apart.
    if pop.bot[index]:
        name = phrases.BOT_NAMES[index % len(phrases.BOT_NAMES)]
        handle = f"{phrases.ascii_handle_part(name)}_{index}"
        return Member(index, external_id, handle, name, language, True)
    first = phrases.FIRST_NAMES[language][int(pop.first_name[index])]
    surname = phrases.SURNAMES[language][int(pop.surname[index])]
    if ":" in first:
        first, gender = first.split(":")
        surname = phrases.russian_surname(surname, gender)
    handle = f"{phrases.ascii_handle_part(first)}.{phrases.ascii_handle_part(surname)}{index}"
    return Member(index, external_id, handle, f"{first} {surname}", language, False)


@dataclass(frozen=True)
class Context:
    """What a message may refer to."""

    account_handle: str
    topic: str | None = None  # the post's main topic
    hashtag: str | None = None  # one of the post's hashtags, without '#'
    friends: tuple[str, ...] = ()  # other members' handles, for contest entries


def write(rng: np.random.Generator, kind: str, language: str, context: Context) -> str:
    """A message of `kind` in `language`; "positive" sometimes names the topic or a hashtag."""
    book = phrases.PHRASES[language]
    template_kind = kind
    if kind == "positive" and context.topic and rng.random() < 0.3:
        template_kind = "topic"
    templates = book[template_kind]
    template = templates[int(rng.integers(len(templates)))]
    friends = context.friends or (context.account_handle,)
    word = topic_word(context.topic, language) if context.topic else ""
    text = template.format(
        emoji=phrases.EMOJI[int(rng.integers(len(phrases.EMOJI)))],
        word=word[:1].upper() + word[1:] if template.startswith("{word}") else word,
        city=phrases.CITIES[language][int(rng.integers(len(phrases.CITIES[language])))],
        friend="@" + friends[0],
        friend2="@" + friends[-1],
        account="@" + context.account_handle,
        url=phrases.SPAM_URLS[int(rng.integers(len(phrases.SPAM_URLS)))].format(n=int(rng.integers(1000, 9999))),
    )
    if kind in ("positive", "neutral") and context.hashtag and rng.random() < 0.2:
        text = f"{text} #{context.hashtag}"
    return text
