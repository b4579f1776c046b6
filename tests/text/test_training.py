"""The training code, on a tiny sample with a stand-in encoder (the real run is `python -m
socialdesk.text.train`, outside the test suite): it reads the data, chooses on validation, and writes
weights that load again."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from socialdesk.text import datasets, heads, train, words
from socialdesk.text.datasets import Labelled
from socialdesk.text.metrics import f1, macro_f1

WORDS = {"negative": "awful terrible", "neutral": "the report today", "positive": "lovely great",
         "offensive": "idiot moron", "not-offensive": "nice day", "hate": "idiot moron", "not-hate": "nice day",
         "spam": "subscribe my channel", "ham": "nice song"}


def _vector(text: str) -> np.ndarray:
    """A stand-in encoder: words hashed into 64 dimensions (the real one is multilingual-e5-small)."""
    v = np.zeros(64, dtype=np.float32)
    for word in text.lower().split():
        v[int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
    return v / max(float(np.linalg.norm(v)), 1e-6)


def _embed(labelled: Labelled) -> np.ndarray:
    return np.stack([_vector(t) for t in labelled.texts])


def _write(path: Path, rows: list[tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("label\ttext\n" + "".join(f"{label}\t{text}\n" for label, text in rows), encoding="utf-8")


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    rng = np.random.default_rng(1)

    def rows(labels: list[str], n: int) -> list[tuple[str, str]]:
        return [(label, f"{WORDS[label]} {rng.integers(1000)}") for label in labels for _ in range(n)]

    for split, n in (("train", 12), ("val", 4)):
        _write(tmp_path / "sentiment" / f"umsab-english-{split}.tsv", rows(["negative", "neutral", "positive"], n))
        _write(tmp_path / "sentiment" / f"umsab-german-{split}.tsv", rows(["negative", "neutral", "positive"], n))
        _write(tmp_path / "offensive" / f"tweeteval-offensive-{split}.tsv", rows(["offensive", "not-offensive"], n))
        _write(tmp_path / "offensive" / f"tweeteval-hate-{split}.tsv", rows(["hate", "not-hate"], n))
    _write(tmp_path / "spam" / "youtube-train.tsv", rows(["spam", "ham"], 30))
    return tmp_path


def test_training_end_to_end_on_a_tiny_sample(tiny_data: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    quick = heads.TrainSettings(l2=1e-3, epochs=60, learning_rate=0.1)
    monkeypatch.setattr(train, "SENTIMENT_GRID", (quick, heads.TrainSettings(hidden=8, epochs=20, batch_size=8)))
    monkeypatch.setattr(train, "BINARY_GRID", (quick,))
    monkeypatch.setattr(train, "INTENT_SETTINGS", quick)
    monkeypatch.setattr(train, "HAM_TWEETS_PER_LANGUAGE", 5)
    logged: list[str] = []
    trained, meta, extra = train.train_all(tiny_data, _embed, logged.append, languages=("english", "german"))
    assert any("sentiment" in line for line in logged)
    assert meta["validation"]["sentiment_macro_f1"]["mean"] > 0.9  # the stand-in words separate perfectly
    assert meta["validation"]["offensive"]["f1"] > 0.9 and meta["validation"]["spam"]["f1"] > 0.9
    assert 0 <= meta["validation"]["intent"]["leave_one_language_out_accuracy"] <= 1
    out = tmp_path / "weights.npz"
    heads.save(out, trained, meta, extra)
    loaded, loaded_meta, loaded_extra = heads.load(out)
    assert loaded_meta == meta
    x = np.stack([_vector("awful terrible 5"), _vector("lovely great 9")])
    assert loaded["sentiment"].predict(x) == ["negative", "positive"]
    assert np.allclose(loaded["spam"].probabilities(x), trained["spam"].probabilities(x))
    word_model = words.WordModel.from_arrays(loaded_extra, "sentiment_words")
    assert word_model.probabilities(["lovely great"])[0].argmax() == 2
    assert np.allclose(word_model.probabilities(["zzz unknown words"]), 1 / 3)  # unseen words say nothing


def test_the_spam_set_holds_out_a_fixed_fifth(tiny_data: Path) -> None:
    train_part, val_part = datasets.spam(tiny_data, "train"), datasets.spam(tiny_data, "val")
    assert not set(train_part.texts) & set(val_part.texts)
    assert len(train_part.texts) + len(val_part.texts) == 60 and 0 < len(val_part.texts) < 30
    assert datasets.spam(tiny_data, "val").texts == val_part.texts  # the same on every run


def test_missing_or_malformed_data_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="point --data"):
        datasets.umsab(tmp_path, "english", "train")
    bad = tmp_path / "sentiment" / "umsab-english-train.tsv"
    bad.parent.mkdir(parents=True)
    bad.write_text("text\tlabel\nx\ty\n")
    with pytest.raises(ValueError, match="expected a 'label<TAB>text' header"):
        datasets.umsab(tmp_path, "english", "train")


def test_threshold_and_scores() -> None:
    cut, score = train.best_threshold(["yes", "no", "yes", "no"], np.array([0.9, 0.3, 0.35, 0.1]))
    assert score == 1.0 and 0.3 < cut <= 0.35
    assert f1(["yes", "no"], ["yes", "yes"], "yes") == pytest.approx(2 / 3)
    assert macro_f1(["a", "b"], ["a", "b"], ["a", "b"]) == 1.0
    with pytest.raises(ValueError, match="not among"):
        heads.fit(np.zeros((2, 3)), ["x", "y"], ["x"], heads.TrainSettings(epochs=1))


def test_the_hbs_group_head_and_its_cut_off_come_from_held_out_train() -> None:
    hbs = [Labelled("hr", [f"Vidimo se sutra u Zagrebu, hvala svima {i}" for i in range(10)], ["positive"] * 10, "hr"),
           Labelled("sr", [f"Vidimo se sutra u Beogradu, hvala vam {i}" for i in range(10)], ["positive"] * 10, "sr")]
    others = [Labelled("en", [f"See you tomorrow in the city, thanks all {i}" for i in range(10)], ["neutral"] * 10,
                       "en")]
    logged: list[str] = []
    head, found = train.train_hbs_group(hbs, others, logged.append)
    assert found["cut_log_odds"] in train.HBS_GROUP_CUTS and 0.5 < found["cut"] < 1
    assert found["held_out_hbs"] == 4 and found["held_out_others"] == 2  # every fifth tweet of each file
    assert len(logged) == len(train.HBS_GROUP_CUTS)
    from socialdesk.text import fast

    p = head.probabilities(fast.features(["Hvala, vidimo se u Zagrebu", "Thanks, see you in the city"]))[:, 1]
    assert p[0] > 0.99 and p[1] < 0.01
