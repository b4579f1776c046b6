"""The labelled public data the triage heads learn from, and the splits they are judged on.

The files are the `label<TAB>text` TSVs of `shared/data/` (see its README): UMSAB sentiment in eight
languages, TweetEval offensive and hate (English) and the YouTube Spam Collection. Only train and
validation splits exist there; the public test splits are never read. The YouTube spam set has no
validation split, so a fixed fifth of it (chosen by a hash of the text, the same on every machine)
is held out for validation and never trained on.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

DATA_ENV = "SOCIALDESK_TRIAGE_DATA"
UMSAB_LANGUAGES = {"arabic": "ar", "english": "en", "french": "fr", "german": "de", "hindi": "hi",
                   "italian": "it", "portuguese": "pt", "spanish": "es"}
SENTIMENTS = ("negative", "neutral", "positive")
SPAM_VALIDATION_SHARE = 5  # one text in five


@dataclass(frozen=True)
class Labelled:
    name: str  # e.g. "umsab-german-train"
    texts: list[str]
    labels: list[str]
    language: str | None = None


def default_data_dir() -> Path:
    """`$SOCIALDESK_TRIAGE_DATA`, else `shared/data` beside the checkout (where the team keeps it)."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def read_tsv(path: Path) -> tuple[list[str], list[str]]:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: point --data (or ${DATA_ENV}) at the folder holding "
                                "sentiment/, offensive/ and spam/")
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header != ["label", "text"]:
            raise ValueError(f"{path}: expected a 'label<TAB>text' header, found {header!r}")
        for row in reader:
            if len(row) < 2:
                continue
            labels.append(row[0].strip())
            texts.append("\t".join(row[1:]).replace("\\n", " "))
    return texts, labels


def umsab(data: Path, language: str, split: str) -> Labelled:
    texts, labels = read_tsv(data / "sentiment" / f"umsab-{language}-{split}.tsv")
    return Labelled(f"umsab-{language}-{split}", texts, labels, UMSAB_LANGUAGES[language])


def tweeteval_sentiment_val(data: Path) -> Labelled:
    texts, labels = read_tsv(data / "sentiment" / "tweeteval-english-val.tsv")
    return Labelled("tweeteval-english-val", texts, labels, "en")


def offensive(data: Path, split: str) -> Labelled:
    """OLID (OffensEval 2019) as offensive / not, English."""
    texts, labels = read_tsv(data / "offensive" / f"tweeteval-offensive-{split}.tsv")
    return Labelled(f"offensive-{split}", texts, [_yes(label, "offensive") for label in labels], "en")


def hate(data: Path, split: str) -> Labelled:
    """HatEval 2019 (against immigrants and women), read as offensive / not, English."""
    texts, labels = read_tsv(data / "offensive" / f"tweeteval-hate-{split}.tsv")
    return Labelled(f"hate-{split}", texts, [_yes(label, "hate") for label in labels], "en")


def spam(data: Path, split: str) -> Labelled:
    texts, labels = read_tsv(data / "spam" / "youtube-train.tsv")
    keep = [_held_out(t) == (split == "val") for t in texts]
    return Labelled(f"youtube-spam-{split}", [t for t, k in zip(texts, keep, strict=True) if k],
                    [_yes(label, "spam") for label, k in zip(labels, keep, strict=True) if k], "en")


def _yes(label: str, positive: str) -> str:
    return "yes" if label == positive else "no"


def _held_out(text: str) -> bool:
    return int(hashlib.sha1(text.encode()).hexdigest(), 16) % SPAM_VALIDATION_SHARE == 0
