"""A small learned sentence classifier for prompt leaks: hashed n-gram features + multinomial logistic regression.

The rules in ``rules/artifact_rules.yaml`` catch the phrasings they were written from; this model scores the
sentences the rules leave, so that new phrasings of the same kinds of leak (instruction echo, meta commentary,
input references, uncertainty hedges, assistant chatter, format residue) are removed too.  It is pure
Python + numpy: a sentence becomes a few dozen hashed feature ids (crc32, stable across processes and
platforms), the score is a sum of weight rows, so scoring costs ~20 us a sentence and only the sentences a
polars screen picks are scored.

Features, chosen to generalize rather than to memorise (see :func:`features`):

* word unigrams and bigrams and 5-character word prefixes (so "woven"/"weaved", "merged"/"merging" share
  evidence), after quoted spans are replaced by one ``<q>`` token: text inside quotes is visible text in
  the image (a sign, a book title), never the rewriter talking;
* the sentence's first words and last punctuation (labels end in ':', chatter in '!' or '?');
* marks inside the sentence and bare numbers (word salad from a random-weight model is not chatter);
* who speaks (first / second person) and how the sentence opens (its first word's ending, a past-tense verb with
  no subject: "Shortened the legend ..."), as groups that phrasings never seen in training share;
* context the pipeline has: how many words the sentence shares with the fusion prompt's own vocabulary
  (``prompts.FUSION_SYSTEM``; a sentence that echoes the prompt is a leak), whether a visible-text cue
  (reads, labeled, titled, says, sign, screen ...) or a quote is present, and how much of the row's
  alt-text (the fusion input) the sentence repeats.

Weights are a ``(n_features, n_classes)`` float32 tensor in safetensors, with the class names, feature
size, threshold and model version in the file's metadata.  Training is in :mod:`kale_assets.filter_training`.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kale_assets.prompts import (
    FUSION_SYSTEM,
    FUSION_USER_TEMPLATE,
    STUDENT_INSTRUCTION_TEMPLATE,
)

KEEP = "keep"
LEAK_KINDS = ("instruction_echo", "meta_commentary", "input_reference", "uncertainty_hedge", "assistant_chatter",
              "format_residue")
CLASSES = (KEEP, *LEAK_KINDS)
FEATURE_BITS = 15  # 32768 hashed features x 7 classes x 4 bytes = 0.9 MB of weights

_QUOTED = re.compile(r'"[^"\n]{1,400}"|“[^”\n]{1,400}”|«[^»\n]{1,400}»|„[^“”\n]{1,400}[“”]'
                     r"|(?<!\w)'(?:[^'\n]|'(?=\w)){1,400}?'(?!\w)|‘(?:[^’\n]|’(?=\w)){1,400}?’(?!\w)")
_TOKEN = re.compile(r"<q>|<\|?/?\w*\|?>|\[/?\w+\]|[#*`\-]{2,}|\w+(?:['’]\w+)?|[:!?#*<>\[\]{}()]")
_WORD = re.compile(r"[a-z]+")
_ALNUM = re.compile(r"[^\W_]")  # what str.isalnum() accepts, found by the regex engine instead of a Python loop
_VISIBLE_CUES = frozenset(
    "reads read reading labeled labelled label titled entitled title says saying spell spells spelled printed "
    "written inscribed engraved sign signs screen screenshot poster banner board menu placard plaque cover "
    "spine page worksheet sheet book notebook card mug shirt sticker marquee button toggle tab app window "
    "dialog whiteboard chalkboard headed called named".split())
_FIRST_PERSON = frozenset("i me my mine we us our ours i'm i've i'd i'll we're we've let's".split())
_SECOND_PERSON = frozenset("you your yours you're you'd you'll you've".split())
_STOP = frozenset(
    "a an the of and or to in on at is are was were be by for with from as it its this that these those "
    "their there then than into only any each one do not no".split())


# Word groups (round 5) that phrasings never seen in training share with those that were: a fact placed in an input
# with an unusual name ("per the annotation", "the listing's claim"), a verdict on the caption that never says
# "caption" ("Moody and cinematic."), a hedge (a hedge word and a negation), an offer put as a question.
_INPUT_NOUNS = frozenset(
    "alt text texts source sources blurb blurbs tag tags tagline annotation annotations snippet snippets listing "
    "listings ad ads advert entry title titles metadata caption captions description descriptions credits keywords "
    "keyword filename hashtags hashtag url summary sku catalogue catalog seller uploader photographer article headline "
    "info information details inputs input prompt context passage passages pair write-up writeup excerpt brief "
    "request instructions".split())  # not page, label, record, field, post, note: as often things in the picture
_REF_PREPS = frozenset("per from by in according via".split())
_PRAISE = frozenset(
    "vivid vividly evocative succinct concise precise precisely restrained restraint understated balanced faithful "
    "faithfully accurate accurately grounded respectful reverent lyrical punchy readable engaging immersive informative "
    "natural naturally nicely neatly cleanly crisp tight tightly focused elegant charming playful tender moody "
    "cinematic nostalgic appetizing refreshing endearing polished fitting apt honest authentic solid smooth smoothly "
    "clear clearly economical economically sentimental sensational overstating overdoing uncluttered warm vibrant "
    "lively richer detailed well rounded judged paced complete thorough thoughtful compelling captivating".split())
_PRODUCT = frozenset(
    "caption description rewrite version text prose wording piece take portrayal rendering account summary result "
    "draft lines refinement writeup write-up paragraph output answer phrasing tone register reader readers".split())
_PRONOUN_OPEN = frozenset("this it that everything which these all".split())
_CONJ = frozenset("and yet but or not".split())
# hedge words about what the inputs said, not about what the picture shows ("It is unclear where the path leads"
# and "not possible to see the top" are plain description)
_HEDGE = frozenset(
    "specified unspecified specify confirm confirmed confirms unconfirmed verify verified unverified certainty "
    "assessed judged determined pin guesswork presumably presumed unsaid unstated unmentioned mentioned stated given "
    "provided supplied established settle settled".split())
_NEG = frozenset("not no nothing never none neither nor isn't wasn't aren't weren't can't cannot couldn't doesn't "
                 "didn't don't won't without unable".split())
_OFFER_OPEN = frozenset("want need shall should would got any anything more care like happy glad say".split())


def _prompt_vocabulary() -> frozenset[str]:
    text = " ".join((FUSION_SYSTEM, FUSION_USER_TEMPLATE, STUDENT_INSTRUCTION_TEMPLATE)).lower()
    return frozenset(w for w in _WORD.findall(text) if w not in _STOP and len(w) > 2)


PROMPT_VOCABULARY = _prompt_vocabulary()


def _h(key: str, mask: int) -> int:
    return zlib.crc32(key.encode("utf-8")) & mask


def _bucket(n: int, edges: tuple[int, ...]) -> int:
    return bisect.bisect_right(edges, n)  # how many of the (ascending) edges n reaches


def alt_words(alt_text: str | None) -> frozenset[str]:
    """The content words of a row's alt-text, as :func:`features` compares them."""
    if not alt_text:
        return frozenset()
    return frozenset(w for w in _WORD.findall(alt_text.lower()) if w not in _STOP and len(w) > 2)


def feature_keys(sentence: str, alt: frozenset[str] = frozenset()) -> list[str]:
    """The named features of one sentence (before hashing); ``alt`` from :func:`alt_words`."""
    quoted = _QUOTED.search(sentence) is not None
    masked = _QUOTED.sub(" <q> ", sentence) if quoted else sentence
    raw = _TOKEN.findall(masked)
    # "Edward I", "World War I": a regnal numeral after a name mid-sentence is not the rewriter saying "I"
    toks = ["<roman>" if t == "I" and 1 < k and raw[k - 1][:1].isupper() and raw[k - 1].isalpha() else t.lower()
            for k, t in enumerate(raw)]
    keys = ["<bias>"]
    if not toks:
        return [*keys, "<no-tokens>"]
    keys += [f"w:{t}" for t in toks]
    keys += [f"b:{a} {b}" for a, b in itertools.pairwise(toks)]
    keys += [f"p:{t[:5]}" for t in toks if len(t) > 5 and t.isalpha()]
    keys.append(f"first:{toks[0]}")
    if len(toks) > 1:
        keys.append(f"first2:{toks[0]} {toks[1]}")
    stripped = sentence.rstrip()
    keys.append(f"end:{stripped[-1] if stripped else ''}")
    words = [t for t in toks if t.isalpha()]
    keys.append(f"len:{_bucket(len(words), (1, 2, 3, 5, 8, 13, 21))}")
    content = [w for w in words if w not in _STOP and len(w) > 2]
    keys.append(f"prompt:{_bucket(sum(map(PROMPT_VOCABULARY.__contains__, content)), (1, 2, 3, 5))}")
    cue = not _VISIBLE_CUES.isdisjoint(words)
    keys.append(f"cue:{int(cue)}q:{int(quoted)}")
    caps = sum(1 for w in raw[1:] if w[:1].isupper())
    keys.append(f"caps:{_bucket(caps, (1, 2, 4))}cue:{int(cue)}")
    if alt:
        shared = sum(map(alt.__contains__, content))
        keys.append(f"alt:{_bucket(shared, (1, 2, 4))}")
    if _ALNUM.search(sentence) is None:
        keys.append("<no-alnum>")
    # word salad from a broken or random-weight model: marks inside the sentence and bare numbers, which chatter
    # ("Hope this helps!") and labels ("Caption:") do not have
    inner = sum(1 for t in toks[:-1] if t in ("!", "?", ":"))
    keys.append(f"inner:{_bucket(inner, (1, 2, 4))}")
    keys.append(f"num:{_bucket(sum(t.isdigit() for t in toks), (1, 2, 4))}")
    # who speaks and how the sentence opens, as groups that unseen phrasings share: the rewriter (I, we), the user
    # (you), a past-tense verb with no subject ("Shortened the legend ..."), the first word's ending
    first = words[0] if words else ""
    keys.append(f"speaker:{int(not _FIRST_PERSON.isdisjoint(words))}{int(not _SECOND_PERSON.isdisjoint(words))}")
    keys.append(f"open:{first[-2:] if len(first) > 3 else first}")
    if first.endswith(("ed", "ified")) and len(first) > 4:
        keys.append("open:past-verb")
    return keys + _group_keys(toks)


def _group_keys(toks: list[str]) -> list[str]:
    """The round-5 word-group features of a sentence's lower-cased tokens (quotes already masked)."""
    words = [t for t in toks if t[:1].isalpha()]
    if not words:
        return []
    # a word without its clitic ("listing's" -> "listing"); the typographic apostrophe as the plain one
    plain = [w.replace("’", "'") for w in words] if any("’" in w for w in words) else words
    base = [w.split("'", 1)[0] if "'" in w else w for w in plain]
    keys = []
    inoun = [i for i, w in enumerate(base) if w in _INPUT_NOUNS]
    keys.append(f"g:inoun:{_bucket(len(inoun), (1, 2, 3))}")
    for i in inoun:
        if plain[i] is not base[i]:
            keys.append("g:inoun-poss")  # "the listing's claim"
        if not _REF_PREPS.isdisjoint(base[max(0, i - 4):i]):
            keys.append("g:prep-inoun")  # "per the annotation", "dated to 1954 by the blurb"
    praise = sum(map(_PRAISE.__contains__, base))
    keys.append(f"g:praise:{_bucket(praise, (1, 2, 3))}")
    keys.append(f"g:product:{_bucket(sum(map(_PRODUCT.__contains__, base)), (1, 2))}")
    n = len(words)
    second = toks[1] if len(toks) > 1 else ""
    if second == "," or second in _CONJ:
        keys.append(f"g:frag:{_bucket(n, (4, 7, 11))}")  # "Moody and cinematic.", "Elegant, fitting the venue."
    if base[0] in _PRONOUN_OPEN and n > 1 and base[1].endswith("s") and not base[1].endswith("ss"):
        keys.append("g:pron-verb-s")  # "This paints ...", "It captures ..."
    keys.append(f"g:short-praise:{int(n <= 8 and praise > 0)}")
    hedge = sum(map(_HEDGE.__contains__, plain))
    neg = not _NEG.isdisjoint(plain) or any(w.endswith("n't") for w in plain)
    keys.append(f"g:hedge:{_bucket(hedge, (1, 2))}neg:{int(neg)}")
    if toks[-1] == "?" and plain[0] in _OFFER_OPEN:
        keys.append("g:offer-question")
    return keys


def features(sentence: str, alt: frozenset[str] = frozenset(), bits: int = FEATURE_BITS) -> list[int]:
    """Hashed feature ids of one sentence (duplicates kept: counts)."""
    mask = (1 << bits) - 1
    crc32 = zlib.crc32  # what _h does, inlined: this runs for every key of every scored sentence
    return [crc32(k.encode("utf-8")) & mask for k in feature_keys(sentence, alt)]


@dataclass(frozen=True)
class LeakClassifier:
    """Multinomial logistic regression over hashed features; a sentence is a leak when 1 - p(keep) >= threshold."""

    weights: np.ndarray  # (2**bits, len(classes)) float32
    classes: tuple[str, ...] = CLASSES
    bits: int = FEATURE_BITS
    threshold: float = 0.5
    version: str = "dev"
    # sha256 of the weights' contents (canonical metadata + float32 bytes), not of the file: safetensors writes
    # its metadata in no fixed order, so the same training gives the same digest only this way
    digest: str = field(default="", compare=False)

    def probabilities(self, sentences: list[str], alts: list[frozenset[str]] | None = None) -> np.ndarray:
        """(n, n_classes) class probabilities."""
        if not sentences:
            return np.zeros((0, len(self.classes)), dtype=np.float64)
        alts = alts if alts is not None else [frozenset()] * len(sentences)
        rows = [features(s, a, self.bits) for s, a in zip(sentences, alts, strict=True)]
        return softmax(scores(self.weights, rows))

    def predict(self, sentences: list[str], alts: list[frozenset[str]] | None = None) -> list[str | None]:
        """Per sentence, the leak kind (argmax over leak classes) when p(leak) >= threshold, else None."""
        p = self.probabilities(sentences, alts)
        if not len(p):
            return []
        leak = 1.0 - p[:, 0]
        kind = np.argmax(p[:, 1:], axis=1) + 1
        return [self.classes[k] if q >= self.threshold else None for q, k in zip(leak, kind, strict=True)]

    def save(self, path: str | Path) -> None:
        from safetensors.numpy import save_file

        # one metadata key holding sorted JSON: safetensors writes several keys in no fixed order, and the same
        # training must give the same file bytes
        config = {"classes": list(self.classes), "bits": self.bits, "threshold": float(self.threshold),
                  "version": self.version}
        save_file({"weights": np.ascontiguousarray(self.weights, dtype=np.float32)}, str(path),
                  metadata={"config": json.dumps(config, sort_keys=True)})


def load_classifier(path: str | Path) -> LeakClassifier:
    """Load weights written by :meth:`LeakClassifier.save`; ``ValueError`` when the file is malformed."""
    from safetensors import safe_open

    p = Path(path)
    with safe_open(str(p), framework="numpy") as f:
        meta = f.metadata() or {}
        weights = f.get_tensor("weights")
    try:
        # round 5 on: one "config" key; before: one key per field (still read)
        config = json.loads(meta["config"]) if "config" in meta else {
            "classes": json.loads(meta["classes"]), "bits": meta["bits"], "threshold": meta["threshold"],
            "version": meta["version"]}
        classes = tuple(config["classes"])
        bits = int(config["bits"])
        threshold = float(config["threshold"])
        version = str(config["version"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{p}: classifier metadata missing or malformed: {exc}") from exc
    if weights.shape != (1 << bits, len(classes)) or classes[0] != KEEP:
        raise ValueError(f"{p}: weights shape {weights.shape} does not fit bits={bits}, classes={classes}")
    canonical = json.dumps({k: meta[k] for k in sorted(meta)}, sort_keys=True).encode()
    digest = hashlib.sha256(canonical + b"\0" + np.ascontiguousarray(weights, dtype="<f4").tobytes()).hexdigest()
    return LeakClassifier(weights=weights, classes=classes, bits=bits, threshold=threshold, version=version,
                          digest=digest)


def scores(weights: np.ndarray, rows: list[list[int]]) -> np.ndarray:
    """(n, n_classes) logits: per row, the sum of the weight rows of its feature ids."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    flat = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(lengths.sum()))
    starts = np.zeros(len(rows), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return np.add.reduceat(weights[flat].astype(np.float64), starts, axis=0)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
