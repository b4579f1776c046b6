"""How the sandbox audience takes part in giveaways and quizzes (docs/sandbox.md, "Contests and quizzes").

A giveaway post (vocabulary.GIVEAWAY_TERMS: "giveaway", "nagradna igra", "Gewinnspiel", …) draws entries:
- more of them when the prize is attractive (a phone, a console, a trip, a voucher, a sum of 100 or more: see
  `prize_factor`), and at the members' active hours (the simulation's attention already does that);
- an entry names the contest's keyword (the post's first hashtag, or the word it asks to comment in capitals,
  "comment WIN") in 85 % of cases, and @mentions 0 to 3 other members (most one or two);
- 8 % of entrants enter twice, hours later (a duplicate the contest counts once);
- spam bots flock to giveaways: a few more spam comments the larger the audience;
- in 60 % of giveaways one cheat enters from three or four accounts of their own: the same text, tagging the
  same friends, minutes apart (the accounts are different members to the network, as they would be).

A quiz post (it asks something and lists options on lines of their own, "A) …", "b. …", "1) …") draws answers
instead of ordinary comments from most commenters: the crowd favours one option (drawn from the world seed
and the post: the sandbox cannot know the right answer, so set the quiz's accepted answer after looking, or
accept the option the crowd favours), the rest spread over the others; an answer is the letter, the option's
words, or a sentence around either, in varied case and with or without accents. Answers keep coming after the
question closes, as they do on a real network (the quiz counts them late).

Everything here draws from its own random stream (seeded by the world seed, the account and the post), so
posts that are neither giveaways nor quizzes are exactly as before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from socialdesk.networks.sandbox.seeding import rng_for

if TYPE_CHECKING:
    from socialdesk.networks.sandbox.audience import Population
    from socialdesk.networks.sandbox.simulation import Comment, PostInput

ENTRY_KEYWORD_SHARE = 0.85
DUPLICATE_SHARE = 0.08
CHEAT_ODDS = 0.6
QUIZ_ANSWER_SHARE = 0.85  # of a quiz post's commenters, this share answer
QUIZ_COMMENT_BOOST = 4.0  # a quiz draws this many times the comments of an ordinary question
BOTS_PER_MEMBER = 0.0005  # extra spam comments on a giveaway, per audience member, times the prize factor
CROWD_FAVOURITE = 0.6  # of those, this share pick the crowd's favourite option
MENTION_ODDS = ((0, 0.1), (1, 0.45), (2, 0.35), (3, 0.1))

_OPTION = re.compile(r"^\s*([A-Da-d1-4])[\).:]\s+(\S.*)$", re.MULTILINE)
_ASKED_WORD = re.compile(r"(?:comment|komentiraj\w*|napi[sš]i|kommentier\w*|schreib\w*)\s+[\"'«„]?([A-ZČĆŠŽĐÄÖÜ]{2,})",
                         re.IGNORECASE)
_ATTRACTIVE = re.compile(r"iphone|samsung|playstation|ps5|xbox|macbook|ipad|laptop|konzol|console|trip|putovanj|"
                         r"reise|vikend za dvoje|weekend for two|voucher|bon\b|gutschein|poklon.?bon", re.IGNORECASE)
_AMOUNT = re.compile(r"(\d[\d.,]*)\s*(?:€|eur|euro|kn|\$|usd)|(?:€|\$)\s*(\d[\d.,]*)", re.IGNORECASE)

_QUIZ_SENTENCES = {
    "hr": ("Mislim da je {answer}", "{answer}!", "Sigurno {answer}", "{answer} 🤔", "Odgovor: {answer}"),
    "en": ("I think it's {answer}", "{answer}!", "Definitely {answer}", "{answer} 🤔", "My answer: {answer}"),
    "de": ("Ich glaube {answer}", "{answer}!", "Bestimmt {answer}", "{answer} 🤔", "Meine Antwort: {answer}"),
}


@dataclass(frozen=True)
class Campaign:
    giveaway: bool
    keyword: str | None  # what an entry should contain, e.g. "#win" or "WIN"
    prize_factor: float  # how much more the prize draws entries (1 for an ordinary one)
    options: tuple[tuple[str, str], ...]  # a quiz's (letter, text) options

    @property
    def comment_boost(self) -> float:
        """How many more comments the post draws than it would otherwise (1 for an ordinary post)."""
        return self.prize_factor * (QUIZ_COMMENT_BOOST if self.options else 1.0)


def read(text: str, giveaway: bool, hashtags: Sequence[str]) -> Campaign:
    options = tuple((m.group(1).upper(), m.group(2).strip()) for m in _OPTION.finditer(text))
    quiz = len(options) >= 2 and "?" in text
    keyword = None
    if giveaway:
        asked = _ASKED_WORD.search(text)
        keyword = asked.group(1) if asked else (f"#{hashtags[0]}" if hashtags else None)
    return Campaign(giveaway, keyword, prize_factor(text) if giveaway else 1.0, options if quiz else ())


def prize_factor(text: str) -> float:
    """1 for an ordinary prize; up to 2.5 for a phone, a trip, a voucher or a large sum."""
    factor = 1.0
    if _ATTRACTIVE.search(text):
        factor += 0.8
    amounts = []
    for match in _AMOUNT.finditer(text):
        digits = re.sub(r"[.,]\d{1,2}$", "", match.group(1) or match.group(2) or "").replace(".", "").replace(",", "")
        if digits.isdigit():
            amounts.append(int(digits))
    if amounts and max(amounts) >= 100:
        factor += min(0.7, 0.35 * np.log10(max(amounts) / 50))
    return min(factor, 2.5)


def rng(seed: int, handle: str, seq: int) -> np.random.Generator:
    return rng_for(seed, "campaign", handle, seq)


def mentions(generator: np.random.Generator, pool_size: int, member: int) -> list[int]:
    counts, odds = zip(*MENTION_ODDS, strict=True)
    n = int(generator.choice(counts, p=odds))
    friends = [int(x) for x in generator.integers(pool_size, size=n)]
    return [f for f in dict.fromkeys(friends) if f != member]


def entry_text(base: str, keyword: str | None, friend_handles: Sequence[str], generator: np.random.Generator) -> str:
    """An entry: the member's words without the template's mentions, the keyword (usually), the tagged friends."""
    words = re.sub(r"\s*@\S+", "", base).strip()
    parts = [words]
    if keyword and generator.random() < ENTRY_KEYWORD_SHARE and keyword.casefold() not in words.casefold():
        parts.append(keyword if generator.random() < 0.7 else keyword.lower())
    parts += [f"@{h}" for h in friend_handles]
    return " ".join(p for p in parts if p)


def favourite(seed: int, handle: str, seq: int, options: Sequence[tuple[str, str]]) -> int:
    return int(rng_for(seed, "quiz-favourite", handle, seq).integers(len(options)))


def quiz_answer(options: Sequence[tuple[str, str]], best: int, language: str,
                generator: np.random.Generator) -> str:
    index = best if generator.random() < CROWD_FAVOURITE else int(generator.integers(len(options)))
    letter, words = options[index]
    style = generator.random()
    if style < 0.3:
        answer = letter if generator.random() < 0.7 else letter.lower()
    elif style < 0.5:
        answer = f"{letter}) {words}"
    else:
        answer = words
        if generator.random() < 0.4:
            answer = answer.lower()
        if generator.random() < 0.3:
            answer = "".join(c for c in unicodedata.normalize("NFKD", answer) if not unicodedata.combining(c))
    templates = _QUIZ_SENTENCES.get(language, _QUIZ_SENTENCES["en"])
    return templates[int(generator.integers(len(templates)))].format(answer=answer)


def take_part(comments: list[Comment], pop: Population, post: PostInput, t0: float, end: float, campaign: Campaign,
              write: Callable[[np.random.Generator, str, str, tuple[str, ...]], str]) -> list[Comment]:
    """The post's comments with the giveaway's entries, duplicates, bots and cheat, or the quiz's answers.

    `comments` are simulation.Comment rows in time order (`parent` an index among them); `write(rng, kind,
    language, context_friends)` writes a message as chatter does. Returns the new rows in time order, parents
    re-pointed."""
    from socialdesk.networks.sandbox import chatter

    g = rng(pop.params.seed, pop.params.handle, post.seq)
    rows = list(comments)
    made: list[Comment] = []
    kind_of = type(rows[0]) if rows else None
    if campaign.giveaway:
        for i, c in enumerate(rows):
            if c.kind != "entry":
                continue
            friends = [chatter.member(pop, f).handle for f in mentions(g, pop.size, c.member)]
            rows[i] = c.__class__(c.time, c.member, c.kind, c.language,
                                  entry_text(c.text, campaign.keyword, friends, g), c.parent)
            if g.random() < DUPLICATE_SHARE:
                again = c.time + 600.0 + g.exponential(6 * 3600.0)
                if again < end:
                    made.append(c.__class__(again, c.member, "entry", c.language,
                                            entry_text(c.text, campaign.keyword, friends, g), None))
        bots = np.flatnonzero(pop.bot)
        if bots.size and kind_of is not None:
            for _ in range(int(g.poisson(1.0 + BOTS_PER_MEMBER * pop.size * campaign.prize_factor))):
                who = chatter.member(pop, int(g.choice(bots)))
                at = t0 + 60.0 + g.exponential(10 * 3600.0)
                if at < end:
                    made.append(kind_of(at, who.index, "spam", who.language,
                                        write(g, "spam", who.language, ()), None))
        humans = np.flatnonzero(~pop.bot)
        if kind_of is not None and humans.size > 8 and g.random() < CHEAT_ODDS:
            accounts = [int(x) for x in g.choice(humans, size=int(g.integers(3, 5)), replace=False)]
            friends = [chatter.member(pop, f).handle for f in g.choice(humans, size=2, replace=False)]
            language = chatter.member(pop, accounts[0]).language
            text = entry_text(write(g, "entry", language, tuple(friends)), campaign.keyword, friends, g)
            at = t0 + 300.0 + g.exponential(8 * 3600.0)
            for member in accounts:
                at += g.uniform(60.0, 600.0)
                if at < end:
                    made.append(kind_of(at, member, "entry", language, text, None))
    if campaign.options:
        best = favourite(pop.params.seed, pop.params.handle, post.seq, campaign.options)
        for i, c in enumerate(rows):
            if c.kind in ("positive", "neutral", "question") and c.parent is None and g.random() < QUIZ_ANSWER_SHARE:
                rows[i] = c.__class__(c.time, c.member, "answer", c.language,
                                      quiz_answer(campaign.options, best, c.language, g), None)
    if not made:
        return rows
    everything = [(c.time, 0, i, c) for i, c in enumerate(rows)] + [(c.time, 1, i, c) for i, c in enumerate(made)]
    everything.sort(key=lambda row: (row[0], row[1], row[2]))
    new_index = {(source, i): n for n, (_, source, i, _) in enumerate(everything)}
    return [c if c.parent is None or source == 1 else c.__class__(c.time, c.member, c.kind, c.language, c.text,
                                                                    new_index[(0, c.parent)])
            for _, source, _, c in everything]
