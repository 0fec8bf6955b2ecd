"""Train the leak classifier (:mod:`kale_assets.leak_classifier`) and measure the whole filter on labelled sets.

``kale train-leak-classifier`` (or ``python -m kale_assets.filter_training``) trains on the ``train`` split of
``benchmarks/filter_dev/dev.jsonl`` plus the corpora other sessions wrote, in other words than dev.jsonl's
(:data:`OTHER_AUTHORS`: ``helper_train.jsonl``, ``helper_train2.jsonl`` and the retired held-out sets C-F), each
minus its held-back slice (:func:`in_helper_slice`: a fifth of its rows by a hash of their id, kept out of training
to measure how the filter does on phrasings its tuner did not write), and writes
``kale_assets/rules/leak_classifier.safetensors``: full-batch Adam on the L2-regularised multinomial log-loss,
fixed iteration count, float64, no randomness, so the same data gives the same bytes.  It runs in about a minute
on one CPU core.  ``kale eval-filter --cross-author`` measures generalization across authors: for each of those
corpora in turn, a classifier trained without any of its rows, on all of its rows.

:func:`evaluate_file` measures the filter as the pipeline runs it (rules, then the classifier, on whole
captions with their alt-text through :func:`filtering.filter_frame`) on any file in the labelled format
``{"id", "alt_text", "sentences": [{"text", "leak", "kind"}]}`` (caption = texts joined with " ").  A
labelled sentence counts as removed when its text no longer appears verbatim in the filtered caption (cut
entirely, or a span cut from it) or the caption was dropped.  It prints aggregate numbers only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kale_assets.leak_classifier import (
    CLASSES,
    FEATURE_BITS,
    LeakClassifier,
    alt_words,
    features,
    scores,
    softmax,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_CORPUS = REPO_ROOT / "benchmarks" / "filter_dev" / "dev.jsonl"
HELDOUT_CORPUS = REPO_ROOT / "benchmarks" / "filter_heldout" / "heldout.jsonl"
# a second held-out set, written later by another independent session (same rules: never read, never tuned on)
HELDOUT_B_CORPUS = REPO_ROOT / "benchmarks" / "filter_heldout" / "heldout_b.jsonl"
# Sets C and D were held out until round 3 read them out once; since round 4 they are training data (retired).
RETIRED_C_CORPUS = REPO_ROOT / "benchmarks" / "filter_dev" / "retired_heldout" / "heldout_c.jsonl"
RETIRED_D_CORPUS = REPO_ROOT / "benchmarks" / "filter_dev" / "retired_heldout" / "heldout_d.jsonl"
# Sets E and F were held out until round 5 read them out once; since round 6 they are training data (retired).
RETIRED_E_CORPUS = REPO_ROOT / "benchmarks" / "filter_dev" / "retired_heldout" / "heldout_e.jsonl"
RETIRED_F_CORPUS = REPO_ROOT / "benchmarks" / "filter_dev" / "retired_heldout" / "heldout_f.jsonl"
# Two fresh sets for round 6, each written by its own helper session from a brief: never read while tuning.
HELDOUT_G_CORPUS = REPO_ROOT / "benchmarks" / "filter_heldout" / "heldout_g.jsonl"
HELDOUT_H_CORPUS = REPO_ROOT / "benchmarks" / "filter_heldout" / "heldout_h.jsonl"
HELPER_CORPUS = REPO_ROOT / "benchmarks" / "filter_dev" / "helper_train.jsonl"
# a second corpus by another helper session (round 5), written from a brief that named the kinds still missed
HELPER2_CORPUS = REPO_ROOT / "benchmarks" / "filter_dev" / "helper_train2.jsonl"
# the corpora not written by the filter's tuner: trained on outside their held-back fifths (name -> files)
OTHER_AUTHORS: dict[str, tuple[Path, ...]] = {
    "helper": (HELPER_CORPUS,),
    "retired": (RETIRED_C_CORPUS, RETIRED_D_CORPUS),
    "helper2": (HELPER2_CORPUS,),
    "retired2": (RETIRED_E_CORPUS, RETIRED_F_CORPUS),
}
# `kale eval-filter --split NAME`: the held-back fifth of these corpora
SLICES = {f"{name}-slice": files for name, files in OTHER_AUTHORS.items()}
DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "rules" / "leak_classifier.safetensors"


def in_helper_slice(row: dict) -> bool:
    """Whether a helper-corpus row is in the held-back fifth (stable: a hash of its id, whatever the file order)."""
    return int(hashlib.sha256(str(row["id"]).encode("utf-8")).hexdigest(), 16) % 5 == 0


def helper_rows(path: str | Path = HELPER_CORPUS, held_back: bool = False) -> list[dict]:
    """A corpus's training rows, or (``held_back``) its held-back slice; [] when the file is absent."""
    p = Path(path)
    if not p.is_file():
        return []
    return [r for r in read_corpus(p) if in_helper_slice(r) == held_back]


def training_rows(corpus: str | Path = DEV_CORPUS, others: tuple[Path, ...] | None = None) -> list[dict]:
    """What the shipped classifier is trained on: the corpus's ``train`` split, then each other author's corpus
    outside its held-back slice (in :data:`OTHER_AUTHORS` order, so the same files give the same weights)."""
    others = others if others is not None else tuple(f for files in OTHER_AUTHORS.values() for f in files)
    return read_corpus(corpus, "train") + [r for f in others for r in helper_rows(f)]


@dataclass(frozen=True)
class TrainConfig:
    bits: int = FEATURE_BITS
    iterations: int = 300
    learning_rate: float = 0.05
    l2: float = 1e-4  # per-example-averaged loss + l2 * ||W||^2 / 2
    leak_weight: float = 1.0  # example weight of leak sentences relative to kept ones
    threshold: float = 0.15
    version: str = "2026.11.30-r6"


def read_corpus(path: str | Path, split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split is None or r.get("split") == split]


def labelled_sentences(rows: list[dict]) -> tuple[list[str], list[frozenset[str]], list[int]]:
    texts, alts, labels = [], [], []
    for row in rows:
        alt = alt_words(row.get("alt_text"))
        for s in row["sentences"]:
            texts.append(s["text"])
            alts.append(alt)
            labels.append(CLASSES.index(s["kind"]) if s["leak"] else 0)
    return texts, alts, labels


def train(texts: list[str], alts: list[frozenset[str]], labels: list[int], cfg: TrainConfig = TrainConfig()
          ) -> LeakClassifier:
    """Fit the weights; deterministic (no sampling, fixed order, fixed iteration count)."""
    rows = [features(t, a, cfg.bits) for t, a in zip(texts, alts, strict=True)]
    n, k, d = len(rows), len(CLASSES), 1 << cfg.bits
    y = np.zeros((n, k))
    y[np.arange(n), labels] = 1.0
    ex_w = np.where(np.asarray(labels) > 0, cfg.leak_weight, 1.0)
    ex_w = ex_w / ex_w.sum()
    flat = np.fromiter((i for r in rows for i in r), dtype=np.int64)
    row_of = np.repeat(np.arange(n), [len(r) for r in rows])
    w = np.zeros((d, k))
    m, v = np.zeros_like(w), np.zeros_like(w)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(1, cfg.iterations + 1):
        p = softmax(scores(w, rows))
        g_rows = (p - y) * ex_w[:, None]
        grad = np.zeros_like(w)
        for c in range(k):  # bincount is deterministic (np.add.at order is too, but slower)
            grad[:, c] = np.bincount(flat, weights=g_rows[row_of, c], minlength=d)
        grad += cfg.l2 * w
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        w -= cfg.learning_rate * (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + eps)
    return LeakClassifier(weights=w.astype(np.float32), bits=cfg.bits, threshold=cfg.threshold,
                          version=cfg.version)


def sentence_scores(clf: LeakClassifier, rows: list[dict]) -> dict:
    """The classifier alone, sentence by sentence (no rules, no caption context): precision and recall."""
    texts, alts, labels = labelled_sentences(rows)
    pred = clf.predict(texts, alts)
    return _prf([p is not None for p in pred], [lab > 0 for lab in labels],
                [CLASSES[lab] if lab else "keep" for lab in labels])


def _prf(flagged: list[bool], truth: list[bool], kinds: list[str]) -> dict:
    tp = sum(f and t for f, t in zip(flagged, truth, strict=True))
    fp = sum(f and not t for f, t in zip(flagged, truth, strict=True))
    fn = sum(t and not f for f, t in zip(flagged, truth, strict=True))
    per_kind: dict[str, list[int]] = {}
    for f, k in zip(flagged, kinds, strict=True):
        per_kind.setdefault(k, [0, 0])
        per_kind[k][0] += int(f)
        per_kind[k][1] += 1
    return {
        "sentences": len(truth), "leaks": sum(truth), "removed": sum(flagged), "true_positives": tp,
        "false_positives": fp, "false_negatives": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "removed_by_kind": {k: f"{a}/{b}" for k, (a, b) in sorted(per_kind.items())},
    }


def evaluate_rows(rows: list[dict], rules=None) -> dict:
    """The whole filter (rules + classifier, via filter_frame with the alt_text column) on labelled captions."""
    import polars as pl

    from kale_assets.filtering import filter_frame, load_rules

    rules = rules if rules is not None else load_rules()
    df = pl.DataFrame({
        "uid": [str(r.get("id", i)) for i, r in enumerate(rows)],
        "caption": [" ".join(s["text"] for s in r["sentences"]) for r in rows],
        "alt_text": [r.get("alt_text") for r in rows],
    }, schema={"uid": pl.String, "caption": pl.String, "alt_text": pl.String})
    out = filter_frame(df, rules)
    flagged, truth, kinds = [], [], []
    by_detector: Counter[str] = Counter()
    for row, kept, removed in zip(rows, out.get_column("caption").to_list(),
                                  out.get_column("removed_sentences").to_list(), strict=True):
        for s in row["sentences"]:
            flagged.append(kept is None or s["text"] not in kept)
            truth.append(bool(s["leak"]))
            kinds.append(s["kind"])
        by_detector.update(r["rule"] for r in removed)
    result = _prf(flagged, truth, kinds)
    result["removals_by_detector"] = dict(sorted(by_detector.items()))
    result["rules_version"], result["rules_hash"] = rules.version, rules.sha256
    return result


def evaluate_file(path: str | Path, split: str | None = None, rules=None) -> dict:
    """evaluate_rows on a labelled file: the rows of one ``split`` (train/eval), or, for a slice name
    (``helper-slice``, ``retired-slice``, ``helper2-slice``, ``retired2-slice``), the held-back fifth of the file's
    rows."""
    rows = helper_rows(path, held_back=True) if split in SLICES else read_corpus(path, split)
    return evaluate_rows(rows, rules)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="kale train-leak-classifier", description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(DEV_CORPUS), help="labelled JSON-lines corpus (default: the dev set)")
    ap.add_argument("--helper", nargs="*", default=None,
                    help="other authors' corpora whose rows outside the held-back slice are added to the training "
                         "data (default: helper_train.jsonl, the retired held-out sets C-F, helper_train2.jsonl;"
                         " none given: none)")
    ap.add_argument("--out", default=str(DEFAULT_WEIGHTS), help="where to write the safetensors weights")
    ap.add_argument("--iterations", type=int, default=TrainConfig.iterations)
    ap.add_argument("--threshold", type=float, default=TrainConfig.threshold)
    args = ap.parse_args(argv)
    others = None if args.helper is None else tuple(Path(h) for h in args.helper if h)
    return run_training(args.corpus, args.out, args.iterations, args.threshold, others=others)


def run_training(corpus: str | Path = DEV_CORPUS, out: str | Path = DEFAULT_WEIGHTS,
                 iterations: int = TrainConfig.iterations, threshold: float = TrainConfig.threshold,
                 others: tuple[Path, ...] | None = None) -> int:
    """Train on :func:`training_rows`, write the weights, print the classifier's own scores on the data it did
    not see (the dev ``eval`` split and each corpus's held-back slice)."""
    cfg = TrainConfig(iterations=iterations, threshold=threshold)
    train_rows = training_rows(corpus, others)
    clf = train(*labelled_sentences(train_rows), cfg)
    clf.save(out)
    report = {"weights": str(out), "version": cfg.version, "train_sentences": sum(len(r["sentences"]) for r in train_rows),
              "classifier_alone_on_dev_eval": sentence_scores(clf, read_corpus(corpus, "eval"))}
    files = others if others is not None else tuple(f for fs in OTHER_AUTHORS.values() for f in fs)
    for f in files:
        held_back = helper_rows(f, held_back=True)
        if held_back:
            report[f"classifier_alone_on_{Path(f).stem}_slice"] = sentence_scores(clf, held_back)
    print(json.dumps(report, indent=1))
    return 0


def cross_author_scores(rules=None, corpus: str | Path = DEV_CORPUS, cfg: TrainConfig = TrainConfig()) -> dict:
    """Generalization to an author the classifier never read: for each corpus in :data:`OTHER_AUTHORS` (each retired
    set on its own), the whole filter with a classifier trained on everything else (the dev ``train`` split and the
    other corpora, outside their slices; this corpus not at all), on all of this corpus's rows.  The screen and the
    rules are the shipped ones, and they were tuned with these corpora in view, so this is an upper bound for text
    nobody has seen; it is still a fairer number than a slice of a corpus the classifier learnt the author's style
    from.  Trains one classifier per corpus (~30 s each)."""
    import dataclasses

    from kale_assets.filtering import load_rules

    rules = rules if rules is not None else load_rules()
    files = [f for fs in OTHER_AUTHORS.values() for f in fs if f.is_file()]
    out: dict = {}
    pooled = Counter()
    for held in files:
        clf = train(*labelled_sentences(training_rows(corpus, tuple(f for f in files if f != held))), cfg)
        stage = dataclasses.replace(rules.classifier, model=clf)
        res = evaluate_rows(read_corpus(held), dataclasses.replace(rules, classifier=stage))
        out[held.stem] = res
        pooled.update({k: res[k] for k in ("true_positives", "false_positives", "false_negatives")})
    tp, fp, fn = pooled["true_positives"], pooled["false_positives"], pooled["false_negatives"]
    out["pooled"] = {"recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
                     "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0, **pooled}
    return out


def eval_main(argv: list[str] | None = None) -> int:
    """``kale eval-filter [--split eval|helper-slice|retired-slice|helper2-slice|retired2-slice] [--cross-author]
    [FILE ...]``:
    aggregate numbers only (safe on a held-out set)."""
    ap = argparse.ArgumentParser(prog="kale eval-filter", description=eval_main.__doc__)
    ap.add_argument("files", nargs="*", default=None, help="labelled JSON-lines files (default: the dev set, or the "
                                                           "slice's corpora for a slice name)")
    ap.add_argument("--split", default=None,
                    help="only rows with this split (train/eval), or a slice: the held-back fifth of a corpus by "
                         f"another author ({', '.join(SLICES)}); default all rows")
    ap.add_argument("--rules", default=None, help="rules file (default: the shipped one)")
    ap.add_argument("--cross-author", action="store_true",
                    help="per other author's corpus, a classifier trained without it, scored on all of it (trains "
                         "one classifier per corpus, a few minutes; writes no weights)")
    args = ap.parse_args(argv)
    if args.cross_author:
        from kale_assets.filtering import load_rules

        print(json.dumps(cross_author_scores(load_rules(args.rules)), indent=1))
        return 0
    files = args.files or [str(f) for f in SLICES.get(args.split, (DEV_CORPUS,))]
    return run_eval(files, args.split, args.rules)


def run_eval(files: list[str], split: str | None = None, rules_path: str | None = None) -> int:
    from kale_assets.filtering import load_rules

    rules = load_rules(rules_path)
    for f in files:
        print(json.dumps({"file": str(f), "split": split, **evaluate_file(f, split, rules)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
