"""The fast path's features and heads (fast.py): deterministic, learn a toy task, store and load, and the
shipped fast heads are there with the cascade's settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from socialdesk.text import fast
from socialdesk.text.triage import TriageInput, cascade_settings, triage


def test_features_are_deterministic_unit_rows_and_survive_odd_text() -> None:
    texts = ["Ovo je odlično, hvala!", "", "🙂🙂", "x" * 5000, "Kava je bila hladna"]
    a, b = fast.features(texts), fast.features(texts)
    assert a.shape == (5, fast.BUCKETS) and (a != b).nnz == 0
    norms = np.sqrt(np.asarray(a.multiply(a).sum(axis=1)).ravel())
    assert np.allclose(norms[[0, 2, 3, 4]], 1.0, atol=1e-5)
    assert a[1].nnz > 0  # even an empty text has its padding bigram


def test_a_head_learns_stores_and_loads(tmp_path: Path) -> None:
    texts = ["tjedan uvijek što", "nedelja uvek šta", "sedmica uvijek šta"] * 20
    labels = ["hr", "sr", "bs"] * 20
    head = fast.fit(fast.features(texts), labels, ("hr", "sr", "bs"), l2=1e-4)
    assert head.predict(fast.features(["uvijek tjedan", "uvek nedelja"])) == ["hr", "sr"]
    fast.save(tmp_path / "f.npz", {"toy": head}, {"note": "x"})
    loaded, meta = fast.load(tmp_path / "f.npz")
    assert meta == {"note": "x"} and loaded["toy"].labels == ("hr", "sr", "bs")
    assert np.allclose(loaded["toy"].probabilities(fast.features(texts[:3])),
                       head.probabilities(fast.features(texts[:3])), atol=1e-2)


def test_the_shipped_fast_heads_and_the_paths() -> None:
    shipped = fast.model()
    assert shipped is not None
    assert set(shipped.heads) == {"hbs_language", "hbs_group", "polar_sentiment", "sentiment", "spam", "offensive",
                                   "intent"}
    settings = cascade_settings()
    assert 0 < settings["spam"] < 1 and 0 < settings["offensive"] < 1
    only_fast = triage([TriageInput("Hvala vam puno, sve je bilo super!")], encoder="never")[0]
    assert only_fast.model == "fast" and only_fast.sentiment == "positive"
    assert triage([TriageInput("Thanks!")], encoder="always")[0].model == "encoder"


def test_naive_bayes_is_a_linear_head_that_mixes_into_another() -> None:
    texts = ["tjedan uvijek što", "nedelja uvek šta", "sedmica uvijek šta"] * 3
    labels = ["hr", "sr", "bs"] * 3
    x = fast.features(texts)
    nb = fast.fit_naive_bayes(x, labels, ("hr", "sr", "bs"))
    assert not nb.weights[:, 0].any()  # relative to the first label: the same softmax, a column that compresses
    assert nb.predict(fast.features(["ovaj tjedan", "ove nedelje", "ove sedmice"])) == ["hr", "sr", "bs"]
    from socialdesk.text.train import mixed

    lr = fast.fit(x, labels, ("hr", "sr", "bs"), l2=1e-3, iterations=50)
    both = mixed(lr, nb, 0.5)
    z = np.asarray(x @ lr.weights) + lr.bias + 0.5 * np.asarray(x @ nb.weights)
    assert np.allclose(np.log(both.probabilities(x)), z - np.log(np.exp(z).sum(axis=1, keepdims=True)), atol=1e-4)
