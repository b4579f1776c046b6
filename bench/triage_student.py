"""Could a static-embedding student of the shipped encoder take work off it? (issue 18, the speed target)

    python bench/triage_student.py [--quick] [--words N] [--data ../shared/data]

The model2vec idea, at word level: every word that occurs at least twice in the train splits (UMSAB,
OLID, HatEval, YouTube spam, twitter15) is embedded once, alone, by the shipped encoder (multilingual-e5-small,
4-bit, `query:` prefix); a text's student vector is the Zipf-weighted mean of its words' vectors (the common
component removed), which costs about 0.1 ms a text. A softmax regression on it, and on it joined to the fast
path's character n-grams, is trained on UMSAB train and measured on UMSAB validation (mean macro-F1 over the
eight languages), beside the shipped fast head and, for reference, the encoder (61.9 in docs/models.md).

The most frequent `--words` words are embedded (default 12,000: ~9 minutes of one core; kept in the
embedding cache, so a second run reads them). `--quick` takes 1,500 words and 600 train tweets a language:
under a minute once the words are cached. Not shipped: see docs/models.md ("Speed") for the figures and why.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from socialdesk.text import datasets, embedding, fast
from socialdesk.text.datasets import SENTIMENTS, UMSAB_LANGUAGES, Labelled
from socialdesk.text.embedding_cache import default_cache_dir, load, save
from socialdesk.text.metrics import macro_f1
from socialdesk.text.train import POLAR_FILES, twitter15


def vocabulary(data: Path) -> list[str]:
    """Words of the train splits seen in at least two texts, most frequent first (ties: alphabetical)."""
    sets = [datasets.umsab(data, lang, "train") for lang in UMSAB_LANGUAGES]
    sets += [datasets.offensive(data, "train"), datasets.hate(data, "train"), datasets.spam(data, "train")]
    sets += [twitter15(data, lang, "train") for lang in POLAR_FILES]
    counts: Counter[str] = Counter()
    for s in sets:
        for text in s.texts:
            counts.update(set(fast._WORD_RE.findall(fast.prepare(text))))
    return [w for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= 2]


def word_vectors(words: Sequence[str]) -> np.ndarray:
    """Each word embedded alone by the shipped encoder (cached as `student-words`)."""
    path = default_cache_dir() / "student-words.npz"
    known = load(path)
    missing = [w for w in words if w not in known]
    for start in range(0, len(missing), 512):
        chunk = missing[start:start + 512]
        for word, vector in zip(chunk, embedding.embed(chunk), strict=True):
            known[word] = vector
        save(path, known)
        print(f"  {min(start + 512, len(missing))}/{len(missing)} words embedded", file=sys.stderr, flush=True)
    return np.stack([known[w] for w in words])


class Student:
    def __init__(self, words: Sequence[str], vectors: np.ndarray) -> None:
        centred = vectors - vectors.mean(axis=0)
        self.vectors = centred / np.linalg.norm(centred, axis=1, keepdims=True)
        self.weight = np.log1p(np.arange(len(words)) + 1.0)  # Zipf: rarer words weigh more
        self.index = {w: i for i, w in enumerate(words)}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = [self.index[w] for w in fast._WORD_RE.findall(fast.prepare(text)) if w in self.index]
            if ids:
                v = (self.vectors[ids] * self.weight[ids, None]).sum(axis=0)
                out[row] = v / (np.linalg.norm(v) + 1e-9)
        return out


def umsab_mean(head: fast.LinearHead, val: Sequence[Labelled], xs: Sequence[sparse.csr_matrix]) -> float:
    return float(np.mean([macro_f1(s.labels, head.predict(x), SENTIMENTS) for s, x in zip(val, xs, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--words", type=int, default=None)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    data = args.data or datasets.default_data_dir()
    per_language = 600 if args.quick else None
    train = [datasets.umsab(data, lang, "train") for lang in UMSAB_LANGUAGES]
    train = [Labelled(s.name, s.texts[:per_language], s.labels[:per_language], s.language) for s in train]
    val = [datasets.umsab(data, lang, "val") for lang in UMSAB_LANGUAGES]
    words = vocabulary(data)
    print(f"{len(words):,} words occur in two or more train texts; the student takes the "
          f"{min(len(words), args.words or (1500 if args.quick else 12000)):,} most frequent")
    words = words[: args.words or (1500 if args.quick else 12000)]
    student = Student(words, word_vectors(words))
    texts = [t for s in train for t in s.texts]
    labels = [y for s in train for y in s.labels]
    cpu = time.process_time()
    s_train = student(texts)
    ms = 1000 * (time.process_time() - cpu) / len(texts)
    s_val = [student(s.texts) for s in val]
    alone = fast.fit(sparse.csr_matrix(s_train), labels, SENTIMENTS, l2=1e-4, iterations=500)
    alone_f1 = umsab_mean(alone, val, [sparse.csr_matrix(x) for x in s_val])
    joined_x = sparse.hstack([fast.features(texts), sparse.csr_matrix(0.5 * s_train)]).tocsr()
    joined = fast.fit(joined_x, labels, SENTIMENTS, l2=1e-5, iterations=300)
    joined_f1 = umsab_mean(joined, val, [sparse.hstack([fast.features(s.texts), sparse.csr_matrix(0.5 * x)]).tocsr()
                                         for s, x in zip(val, s_val, strict=True)])
    shipped = fast.model()
    fast_f1 = umsab_mean(shipped.heads["sentiment"], val, [fast.features(s.texts) for s in val]) if shipped else 0.0
    print(f"UMSAB validation, mean macro-F1 over 8 languages (trained on {len(texts):,} UMSAB train tweets):")
    print(f"  shipped fast head (n-grams, full train + seed)  {100 * fast_f1:5.1f}")
    print(f"  student alone ({len(words):,} words, {ms:.2f} ms a text)  {100 * alone_f1:5.1f}")
    print(f"  n-grams + student                               {100 * joined_f1:5.1f}")
    print("  encoder head + word model (docs/models.md)      61.9")
    print(f"triage_student: words={len(words)} fast={fast_f1:.3f} student={alone_f1:.3f} joined={joined_f1:.3f} "
          f"student_ms_per_text={ms:.2f}")


if __name__ == "__main__":
    main()
