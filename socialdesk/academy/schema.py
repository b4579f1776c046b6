"""What an exercise file says (docs/academy.md, "The exercise file"), checked with pydantic.

An exercise is a YAML (or JSON) file: a brand brief, sandbox channels imitating real networks, the
audience's hidden traits, a goal, a time budget in simulated days and the skills it scores. Every text
a learner reads is given per language ("en", "hr", ...), English and Croatian at least.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from socialdesk.networks.sandbox.audience import LANGUAGE_ZONES
from socialdesk.networks.sandbox.vocabulary import LANGUAGES, TOPIC_NAMES

REQUIRED_LANGUAGES = ("en", "hr")
SKILLS = ("timing", "growth", "relevance", "consistency", "response_time", "tone", "triage", "moderation",
          "fairness", "mix", "cadence", "reach", "cost", "targeting", "pacing", "detection")
KINDS = ("best-hour", "grow-followers", "answer-negative", "troll-attack", "content-mix", "fair-giveaway",
         "ads-budget")
PROFILES = ("instagram", "x", "facebook", "mastodon", "bluesky", "linkedin", "threads", "tiktok", "generic")


class ExerciseFileError(ValueError):
    """An exercise file that cannot be used; `problems` are 'path: what is wrong' lines."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = dict[str, str]  # language code -> text


def _check_text(value: Text) -> Text:
    missing = [code for code in REQUIRED_LANGUAGES if not (value.get(code) or "").strip()]
    if missing:
        raise ValueError(f"needs a text in {', '.join(missing)} (English and Croatian at least)")
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise ValueError(f"unknown language codes {unknown}; use {', '.join(LANGUAGES)}")
    return value


class Brief(_Strict):
    brand: str = Field(min_length=1, max_length=80)
    text: Text

    _text = field_validator("text")(_check_text)


class Channel(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9]{0,15}$", description="short name used in handles, e.g. 'ig'")
    imitates: Literal["instagram", "x", "facebook", "mastodon", "bluesky", "linkedin", "threads", "tiktok",
                      "generic"]
    name: str = Field(min_length=1, max_length=80)


class Audience(_Strict):
    """The hidden traits: the learner never sees these until the reveal."""

    size: int = Field(ge=200, le=20_000)
    languages: dict[str, float]
    timezone: str
    interests: list[str] = Field(min_length=1, max_length=5)
    # The tone replies are judged by (answer-negative); the active hours are not set here: the sandbox draws
    # them from the seed, and the reveal shows the true activity curve.
    tone: Literal["friendly", "formal"] = "friendly"
    troll_share: float = Field(0.0, ge=0.0, le=0.2)
    spam_share: float = Field(0.025, ge=0.0, le=0.3)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown languages {unknown}; the sandbox speaks {', '.join(LANGUAGES)}")
        if not value or any(w < 0 for w in value.values()) or sum(value.values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except (KeyError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Zagreb") from None
        return value

    @field_validator("interests")
    @classmethod
    def _interests(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(TOPIC_NAMES))
        if unknown:
            raise ValueError(f"unknown interests {unknown}; known: {', '.join(TOPIC_NAMES)}")
        return value


class Goal(_Strict):
    text: Text
    target: float | None = Field(None, description="the number the goal names, e.g. 5 (% growth)")
    response_hours: float | None = Field(None, gt=0, le=72)
    budget: float | None = Field(None, ge=10, le=5000, description="play money to spend (ads-budget)")

    _text = field_validator("text")(_check_text)


class PlannedPost(_Strict):
    """A post the exercise publishes by itself (so there is something to answer or moderate)."""

    day: int = Field(ge=0, le=60)
    time: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    text: str = Field(min_length=1, max_length=2000)


class Crisis(_Strict):
    """A complaint burst in the sandbox's public conversation (crisis-burst), hidden from the learner."""

    day: int = Field(ge=0, le=60)
    time: str = Field(pattern=r"^([01]\d|2[0-3]):00$", description="local hour it starts, on the hour")
    hours: int = Field(4, ge=1, le=12)
    topic: str = Field(min_length=2, max_length=40, pattern=r"^[^\s#]+$",
                       description="the word people complain with (the brand or its product)")


class Checkpoint(_Strict):
    day: int = Field(ge=1, le=60)
    text: Text

    _text = field_validator("text")(_check_text)


class Exercise(_Strict):
    slug: str = Field(pattern=r"^[a-z][a-z0-9-]{1,39}$")
    kind: Literal["best-hour", "grow-followers", "answer-negative", "troll-attack", "content-mix", "fair-giveaway",
                  "ads-budget", "crisis-burst"]
    title: Text
    brief: Brief
    channels: list[Channel] = Field(min_length=1, max_length=4)
    audience: Audience
    goal: Goal
    days: int = Field(ge=1, le=60, description="the time budget in simulated days")
    seed: int = Field(ge=0, le=2**31 - 1)
    skills: list[Literal["timing", "growth", "relevance", "consistency", "response_time", "tone", "triage",
                         "moderation", "fairness", "mix", "cadence", "reach", "cost", "targeting",
                         "pacing", "detection"]] = Field(min_length=1)
    planned_posts: list[PlannedPost] = Field(default_factory=list)
    crisis: Crisis | None = None
    checkpoints: list[Checkpoint] = Field(default_factory=list)
    hints: list[Text] = Field(default_factory=list)

    _title = field_validator("title")(_check_text)

    @field_validator("hints")
    @classmethod
    def _hints(cls, value: list[Text]) -> list[Text]:
        return [_check_text(hint) for hint in value]

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        keys = [c.key for c in self.channels]
        if len(set(keys)) != len(keys):
            raise ValueError("channels: two channels have the same key")
        if len(set(self.skills)) != len(self.skills):
            raise ValueError("skills: a skill is listed twice")
        needed = KIND_SKILLS[self.kind]
        missing = [s for s in self.skills if s not in needed]
        if missing:
            raise ValueError(f"skills: {', '.join(missing)} cannot be scored by a {self.kind} exercise "
                             f"(it scores {', '.join(needed)})")
        for post in self.planned_posts:
            if post.day >= self.days:
                raise ValueError(f"planned_posts: day {post.day} is past the time budget of {self.days} days")
        for checkpoint in self.checkpoints:
            if checkpoint.day > self.days:
                raise ValueError(f"checkpoints: day {checkpoint.day} is past the time budget of {self.days} days")
        if self.kind == "answer-negative" and self.goal.response_hours is None:
            raise ValueError("goal.response_hours: an answer-negative exercise needs the target response time")
        if self.kind == "grow-followers" and self.goal.target is None:
            raise ValueError("goal.target: a grow-followers exercise needs the growth target in %")
        if self.kind == "crisis-burst":
            if self.crisis is None:
                raise ValueError("crisis: a crisis-burst exercise needs the complaint burst (day, time, hours, topic)")
            if self.crisis.day >= self.days:
                raise ValueError(f"crisis.day: day {self.crisis.day} is past the time budget of {self.days} days")
            if self.goal.response_hours is None:
                raise ValueError("goal.response_hours: a crisis-burst exercise needs the target response time")
        if self.kind == "ads-budget" and self.goal.budget is None:
            raise ValueError("goal.budget: an ads-budget exercise needs the play-money budget to spend")
        if self.kind in ("answer-negative", "troll-attack") and not self.planned_posts:
            raise ValueError("planned_posts: this exercise needs posts of its own to draw comments")
        return self

    def text(self, field: Text, language: str) -> str:
        return field.get(language) or field["en"]


# Which skills each kind of exercise can score (scoring.py has one scorer per pair).
KIND_SKILLS: dict[str, tuple[str, ...]] = {
    "best-hour": ("timing", "reach"),
    "grow-followers": ("growth", "relevance", "consistency"),
    "answer-negative": ("response_time", "tone", "triage"),
    "troll-attack": ("moderation", "fairness"),
    "content-mix": ("mix", "cadence", "reach"),
    "fair-giveaway": ("fairness", "reach"),
    "ads-budget": ("cost", "targeting", "pacing"),
    "crisis-burst": ("detection", "response_time", "tone"),
}

_LOC_CLEAN = re.compile(r"\.(\d+)")


def _where(loc: tuple[Any, ...]) -> str:
    path = ".".join(str(part) for part in loc if part not in ("function-after",))
    return _LOC_CLEAN.sub(r"[\1]", path) or "(the file)"


def parse(data: Any, source: str = "exercise") -> Exercise:
    """An exercise from parsed YAML/JSON; ExerciseFileError naming each bad field by its path."""
    if not isinstance(data, dict):
        raise ExerciseFileError(source, ["(the file): an exercise is a mapping of fields (slug, kind, title, …)"])
    try:
        return Exercise.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "is not a field of an exercise file (see docs/academy.md)"
            problems.append(f"{_where(tuple(error['loc']))}: {message}")
        raise ExerciseFileError(source, problems) from None


def load(path: Path) -> Exercise:
    """Read and check one exercise file (YAML or JSON)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExerciseFileError(str(path), [f"cannot be read: {exc}"]) from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ExerciseFileError(str(path), [f"is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
                                            f"{str(exc).splitlines()[0]}"]) from None
    return parse(data, str(path))


KNOWN_ZONES = sorted({zone for zones in LANGUAGE_ZONES.values() for zone in zones})
