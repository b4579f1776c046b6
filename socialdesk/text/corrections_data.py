"""People's corrections from the inbox as training examples: `train --include-corrections`.

Each stored correction (socialdesk/inbox/corrections.py) becomes one example for the fast head it
concerns: sentiment (the three-class head; in hr/sr/bs/ru a negative or positive answer teaches the
polar head instead), language (hr/sr/bs only: the hbs_language head), offensive, spam and intent.
A corrected text that is also in a validation split or in the challenge set is left out and counted,
so that corrections can never leak into the figures the settings are chosen on (no test split is
read anywhere). Nothing reads them unless the operator asks: the shipped weights change only then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialdesk.text import datasets, fast
from socialdesk.text.datasets import SENTIMENTS, UMSAB_LANGUAGES

HBS_CODES = ("hr", "sr", "bs")
POLAR_CODES = (*HBS_CODES, "ru")
TWITTER15 = ("croatian", "serbian", "bosnian", "russian")


@dataclass
class Corrections:
    """Extra examples per fast head: {head: (texts, labels)}, and how many were left out and why."""

    examples: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    held_out: int = 0  # the text is in a validation split or the challenge set
    unusable: int = 0  # a label no head learns (a language other than hr/sr/bs, say)

    def add(self, head: str, text: str, label: str) -> None:
        texts, labels = self.examples.setdefault(head, ([], []))
        texts.append(text)
        labels.append(label)

    def count(self, head: str) -> int:
        return len(self.examples.get(head, ([], []))[0])

    def summary(self) -> dict[str, Any]:
        return {"examples": {head: len(texts) for head, (texts, _) in sorted(self.examples.items())},
                "held_out": self.held_out, "unusable": self.unusable}


def validation_texts(data: Path, challenge: Iterable[str] = ()) -> set[str]:
    """Every text the settings and figures are chosen on, as the fast path reads it."""
    sets = [datasets.umsab(data, lang, "val") for lang in UMSAB_LANGUAGES]
    sets += [datasets.offensive(data, "val"), datasets.hate(data, "val"), datasets.spam(data, "val")]
    found = {fast.prepare(t) for s in sets for t in s.texts}
    for name in TWITTER15:
        texts, _ = datasets.read_tsv(data / "sentiment" / f"twitter15-{name}-val.tsv")
        found.update(fast.prepare(t) for t in texts)
    tweeteval = data / "sentiment" / "tweeteval-english-val.tsv"
    if tweeteval.exists():
        found.update(fast.prepare(t) for t in datasets.read_tsv(tweeteval)[0])
    found.update(fast.prepare(t) for t in challenge)
    return found


def examples(rows: Sequence[Any], held_out: set[str]) -> Corrections:
    """Rows with .label, .value, .text and .language (TriageCorrection) -> examples per head."""
    out = Corrections()
    for row in rows:
        if fast.prepare(row.text) in held_out:
            out.held_out += 1
            continue
        label, value, language = row.label, row.value, (row.language or "")
        if label == "sentiment" and value in SENTIMENTS:
            if language in POLAR_CODES and value != "neutral":
                out.add("polar_sentiment", row.text, value)
            else:
                out.add("sentiment", row.text, value)
        elif label == "language" and value in HBS_CODES:
            out.add("hbs_language", row.text, value)
        elif label in ("offensive", "spam") and value in ("yes", "no"):
            out.add(label, row.text, value)
        elif label == "intent":
            out.add("intent", row.text, value)
        else:
            out.unusable += 1
    return out


def from_database(data: Path, workspace_ids: Sequence[str] | None, challenge: Iterable[str] = ()) -> Corrections:
    """The corrections stored in socialdesk's database (SOCIALDESK_DATABASE_URL, as the server uses)."""
    from socialdesk.core.db import get_database
    from socialdesk.inbox.corrections import for_training

    with get_database().read_sessions() as session:
        rows = for_training(session, workspace_ids)
        return examples(rows, validation_texts(data, challenge))
