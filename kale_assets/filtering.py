"""Remove prompt artifacts from generated captions (BLIP3-KALE section 2.3, Figure 3).

The KALE captions are written by LLM/VLM rewriters that see a prompt made of a dense caption, the
image's alt-text and instructions.  Pieces of that prompt sometimes leak into the output.  The paper
removes every sentence containing keywords such as 'real-world' or 'sentence structure'; this module
applies a versioned rules file (``kale_assets/rules/artifact_rules.yaml``) that does the same at sentence
level, with context, and then drops captions that are left empty, too short or degenerate.

Kinds of leak the shipped rules cover (rule names in brackets):

* references to numbered or qualified prompt inputs - "as indicated in Sentence 1", "as depicted in
  Sentence 2", "according to the alt-text", "based on the provided information", "In this rewritten
  description," - removed as a clause, the rest of the sentence kept [prompt_reference_clause];
  "Caption 1", "the second caption", "both captions" [numbered_input_reference]; "the given/provided
  text/description/information", "the original caption", "the image caption provided", "the image you
  provided" [prompt_input_reference]; any mention of the alt-text [alt_text_mention];
* the narrator of Figure 3 - "and my analysis now turns to the visual representation of this
  organization" - removed as a clause [analysis_transition]; "my analysis", "my rewrite"
  [first_person_meta];
* rewriter/assistant talk - "Here is the revised caption:" / "Sure! Here's a caption that combines..."
  (the preamble is stripped, a caption after the colon is kept) [answer_preamble,
  assistant_interjection]; "Caption:" / "Revised caption:" labels [output_label]; "I have incorporated
  ...", "This caption combines ...", "I hope this helps", "Let me know if ..." [task_talk]; "Note: ..."
  [llm_note]; "As an AI language model ..." [ai_disclaimer]; the instruction echoed back ("Write a
  caption ...", "Describe this image in detail.") [instruction_echo];
* pipeline vocabulary - "real-world knowledge" [real_world_knowledge], "knowledge-augmented", "dense
  caption" [pipeline_jargon], "the sentence structure of the caption" [sentence_structure_meta] and the
  paper's literal keywords, scoped so that quoted text and Title-Case titles pass [paper_keywords];
* template residue - "</s>", "[INST]", "<<SYS>>", "<|im_end|>", "<caption>", "###", "Assistant:"
  [chat_template_token, markdown_heading, role_prefix]; a whole echoed "<alt_text>...</alt_text>" block
  [prompt_block, caption scope].

Ordinary captions of text-dense images are protected: a bare "caption", "text" or "description" is not a
leak ("A caption reads 'Happy Birthday' on the cake."), keyword rules ignore quoted text ("The book
titled 'Sentence Structure for Beginners' lies on the desk."), and 'real world' without a hyphen is
ordinary English.  The test corpus in ``kale_assets_tests/test_filtering.py`` pins this down.

Caption-level drops after sentence removal: ``empty`` (no letter or digit left), ``too_short`` (fewer
than ``min_words`` words) and ``degenerate_repetition`` (a repetition loop or random-weight gibberish: a
low unique-token ratio over the caption's last ``window_tokens`` tokens, all of them when it is shorter).
Thresholds live in the rules file.

The learned stage (rules file section ``classifier``, :mod:`kale_assets.leak_classifier`): after the rules,
every kept sentence that matches the classifier's screen (leak vocabulary and punctuation) and is not about
visible text (a quote, or the ``visible_text_guard``: "a sign reads ...", "a worksheet lists ...", which also
exempts a sentence from the ``skip_quoted`` keyword rules) is scored with the row's alt-text as context; a
leak is removed as ``classifier:<kind>``.  It catches phrasings of the same kinds of leak that no rule was
written for (instruction echo, meta commentary, input references, uncertainty hedges, assistant chatter,
format residue).

A caption from which nothing is removed comes back byte-identical; otherwise the kept sentences are joined
with single spaces.  The rules' identity is ``version`` plus ``sha256``: the sha256 of the rules file's
bytes, or with a classifier the sha256 over that digest and the weights' content digest.

Speed: :func:`filter_frame` makes one polars regex pass over the caption column - the rules' alternation (a superset
pre-screen), the classifier's screen over whole captions and a class of the characters outside printable ASCII,
joined into one regex - over the column's two halves on two threads (a thread kept for the process: polars caches
compiled regexes per thread).  Then this thread filters the rows the screen picked while the other starts on the
caption-level checks (:mod:`kale_assets.filter_kernels`: one compiled pass over the Arrow buffer decides which
captions are empty, too short or degenerate - exact for ASCII, Python decides for the screened rows with other
characters; most captions pass the repetition check on a one-bit-per-token certificate), which the two threads share
out in chunks once this one is done.  Only the rows the screen picks (a few % of ordinary captions) go further:
they are cut into sentences by a compiled splitter (captions where its simple rule could differ from
:func:`split_sentences` - abbreviations, quotes around a full stop, non-ASCII text - are split in Python); each
distinct sentence takes the rules once (one polars select over the distinct sentences gives the rules' screen,
the classifier's screen, quote characters and dialect-gap characters; Python runs only the rules that can match,
and what a strip rule leaves is looked up among the sentences), the visible-text guard runs only on the kept
sentences the classifier's screen picked, each distinct (kept sentence, alt-text) is scored once, and only the
captions something was removed from are rebuilt.  The others keep their bytes.
``degenerate_repetition.enabled: false`` in the rules file turns that check off.  ``kale bench --only filter``
times the filter against a raw scan.  The results are identical to :func:`filter_caption` row by row (the tests
check this, dialect-gap characters included).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import yaml

from kale_assets.filter_kernels import (
    arrow_parts,
    drop_codes_arrow,
    drop_codes_shared,
    easy_spans,
    pack_words,
)
from kale_assets.io_utils import atomic_write
from kale_assets.leak_classifier import LeakClassifier, alt_words, load_classifier

__all__ = [
    "DEFAULT_RULES_PATH",
    "DROP_DEGENERATE",
    "DROP_EMPTY",
    "DROP_TOO_SHORT",
    "REMOVED_DTYPE",
    "CaptionRules",
    "ClassifierStage",
    "FilterOutcome",
    "Removal",
    "RuleSet",
    "SentenceRule",
    "filter_caption",
    "filter_file",
    "filter_frame",
    "load_rules",
    "split_sentences",
]

DEFAULT_RULES_PATH: Path = Path(__file__).resolve().parent / "rules" / "artifact_rules.yaml"

DROP_EMPTY = "empty"
DROP_TOO_SHORT = "too_short"
DROP_DEGENERATE = "degenerate_repetition"

ACTIONS = ("drop_sentence", "strip_span")
SCOPES = ("sentence", "caption")

REMOVED_DTYPE = pl.List(pl.Struct({"text": pl.String, "rule": pl.String}))


# --------------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceRule:
    name: str
    pattern: str  # the regex source (a list of alternatives in the file is joined with "|")
    action: str  # "drop_sentence" | "strip_span"
    description: str
    scope: str = "sentence"  # "sentence" | "caption"
    case_sensitive: bool = False
    skip_quoted: bool = False
    enabled: bool = True
    regex: re.Pattern = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    polars_ok: bool = True  # the pattern compiles in polars (Rust regex) and can join the pre-screen


@dataclass(frozen=True)
class CaptionRules:
    min_words: int = 5
    degenerate_enabled: bool = True
    degenerate_window_tokens: int = 64  # the ratio is taken over the last N tokens (0: the whole caption)
    degenerate_min_tokens: int = 5
    degenerate_min_unique_ratio: float = 0.3


@dataclass(frozen=True)
class ClassifierStage:
    """The learned leak classifier and the screen that picks the sentences it scores.

    Only sentences that the rules kept and that ``screen`` matches are scored; a flagged sentence is removed
    and recorded as ``classifier:<kind>``.  ``screen`` is in the Python/Rust common subset so it joins the
    polars pre-screen of whole captions (``^`` = start of a sentence there, ``$`` is not allowed).
    """

    model: LeakClassifier = field(repr=False)
    weights_path: str
    screen_pattern: str
    screen: re.Pattern = field(repr=False, compare=False)
    threshold: float
    # sentences about text visible in the image (a quote, or an object with a reading verb) are never scored
    guard: re.Pattern | None = field(default=None, repr=False, compare=False)
    # the screen over whole captions (polars): a superset of "some sentence of the caption matches ``screen``"
    caption_screen: str = field(default="", repr=False, compare=False)
    # score sentences that quote text too (the model sees the quote as a <q> token); false: never score them
    score_quoted: bool = False
    # a sentence that names an input outright ("the alt text") is not about visible text, whatever the guard says
    guard_exempt: re.Pattern | None = field(default=None, repr=False, compare=False)

    def guarded(self, text: str) -> bool:
        """Whether the visible-text guard keeps ``text`` from the classifier (and from the keyword rules)."""
        return (self.guard is not None and self.guard.search(text) is not None
                and (self.guard_exempt is None or self.guard_exempt.search(text) is None))

    def guarded_many(self, texts: list[str]) -> list[bool]:
        """:meth:`guarded` of each text, with a polars pass per regex for more than a few texts."""
        if self.guard is None:
            return [False] * len(texts)
        hit = _search_many(self.guard, texts)
        if self.guard_exempt is None:
            return hit
        return [g and not x for g, x in zip(hit, _search_many(self.guard_exempt, texts), strict=True)]

    @property
    def name(self) -> str:
        return f"classifier {self.model.version} (threshold {self.threshold})"


@dataclass(frozen=True)
class LabelRelief:
    """The ``label_relief:`` section: a dropped sentence that opens with a label head ("Alt text: A cyclone ...")
    loses only its head when the rest passes the filter on its own."""
    head: re.Pattern  # matched at the sentence start; the head is what it matches
    remark: re.Pattern | None  # a head that introduces a remark ("Note: ...") gets no relief
    max_head_words: int

    def split(self, text: str) -> tuple[str, str] | None:
        """(head, rest) of a sentence that opens with a label head, else None."""
        m = self.head.match(text)
        if m is None or (self.remark is not None and self.remark.match(text)):
            return None
        head = m.group().strip()
        if len(head.split()) > self.max_head_words:
            return None
        return head, text[m.end():]


@dataclass(frozen=True)
class RuleSet:
    version: str
    # the `rules_hash` of every output row: sha256 of the rules file bytes, and with a classifier, sha256 over
    # that and the weights' digest (so new weights re-trigger the rules-change sensor too)
    sha256: str
    path: str
    sentence_rules: tuple[SentenceRule, ...] = ()
    caption_rules: CaptionRules = field(default_factory=CaptionRules)
    prescreen_pattern: str | None = field(default=None, repr=False)  # polars regex over whole captions
    classifier: ClassifierStage | None = None  # the learned stage after the rules (None: rules only)
    label_relief: LabelRelief | None = None  # None: a dropped sentence goes whole
    # derived in __post_init__
    _caption_strip: tuple[SentenceRule, ...] = field(init=False, repr=False, compare=False)
    _sentence_strip: tuple[SentenceRule, ...] = field(init=False, repr=False, compare=False)
    _sentence_drop: tuple[SentenceRule, ...] = field(init=False, repr=False, compare=False)
    _python_prescreen: tuple[SentenceRule, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        active = [r for r in self.sentence_rules if r.enabled]
        sentence = [r for r in active if r.scope == "sentence"]
        setattr_ = object.__setattr__
        setattr_(self, "_caption_strip", tuple(r for r in active if r.scope == "caption"))
        setattr_(self, "_sentence_strip", tuple(r for r in sentence if r.action == "strip_span"))
        setattr_(self, "_sentence_drop", tuple(r for r in sentence if r.action == "drop_sentence"))
        setattr_(self, "_python_prescreen", tuple(r for r in active if not r.polars_ok))

    @property
    def rule_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.sentence_rules)


_RULE_KEYS = {"name", "pattern", "action", "description", "scope", "case_sensitive", "skip_quoted", "enabled"}
_TOP_KEYS = {"version", "sentence_rules", "caption_rules", "classifier", "label_relief"}
_RELIEF_KEYS = {"enabled", "head", "remark_heads", "max_head_words"}
_CLASSIFIER_KEYS = {"enabled", "weights", "threshold", "screen", "visible_text_guard", "guard_exempt", "score_quoted"}
_CAPTION_KEYS = {"min_words", "degenerate_repetition"}
_DEGENERATE_KEYS = {"enabled", "window_tokens", "min_tokens", "min_unique_ratio"}
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Probes for patterns that match the empty string (which would drop or touch every sentence).
_EMPTY_PROBES = ("", "x", "A dog.", "the the", "Sentence 1.")


def load_rules(path: str | os.PathLike | None = None) -> RuleSet:
    """Load and validate a rules file; ``None`` loads the shipped one (:data:`DEFAULT_RULES_PATH`).

    Raises ``ValueError`` (naming the rule and field) on a bad regex, a missing or unknown field, a wrong
    type, a duplicate name or an out-of-range threshold.
    """
    p = Path(path) if path is not None else DEFAULT_RULES_PATH
    data = p.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    try:
        doc = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"rules file {p}: not valid YAML/UTF-8: {exc}") from exc
    where = f"rules file {p}"
    if not isinstance(doc, dict):
        raise ValueError(f"{where}: top level must be a mapping with version, sentence_rules, caption_rules")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown top-level key(s) {sorted(unknown)}")
    version = doc.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ValueError(f"{where}: 'version' must be a non-empty string (quote it, e.g. \"2026.11.1\")")
    raw_rules = doc.get("sentence_rules") or []
    if not isinstance(raw_rules, list):
        raise ValueError(f"{where}: 'sentence_rules' must be a list")
    rules: list[SentenceRule] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        rule = _parse_rule(raw, i, where)
        if rule.name in seen:
            raise ValueError(f"{where}: duplicate rule name {rule.name!r}")
        seen.add(rule.name)
        rules.append(rule)
    caption_rules = _parse_caption_rules(doc.get("caption_rules"), where)
    prescreen = _build_prescreen([r for r in rules if r.enabled and r.polars_ok])
    classifier = _parse_classifier(doc.get("classifier"), p, where)
    if classifier is not None:
        sha = hashlib.sha256(f"{sha}\n{classifier.model.digest}\n".encode()).hexdigest()
    return RuleSet(version=version.strip(), sha256=sha, path=str(p), sentence_rules=tuple(rules),
                   caption_rules=caption_rules, prescreen_pattern=prescreen, classifier=classifier,
                   label_relief=_parse_label_relief(doc.get("label_relief"), where))


def _enabled_section(raw, name: str, keys: set[str], where: str) -> dict | None:
    """A top-level section that is a mapping with an ``enabled`` flag; None when absent or ``enabled: false``."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: '{name}' must be a mapping")
    unknown = set(raw) - keys
    if unknown:
        raise ValueError(f"{where}: {name}: unknown key(s) {sorted(unknown)}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"{where}: {name}.enabled must be true or false")
    return raw if enabled else None


def _alternatives(value, what: str, where: str) -> str | None:
    """A key that holds a regex or a list of regexes, as one alternation; None when absent or empty."""
    if isinstance(value, list) and value and all(isinstance(x, str) and x for x in value):
        value = "|".join(f"(?:{x})" for x in value)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}: {what} must be a regex or list of regexes")
    return value or None


def _parse_label_relief(raw, where: str) -> LabelRelief | None:
    """The ``label_relief:`` section (absent or ``enabled: false``: no relief)."""
    raw = _enabled_section(raw, "label_relief", _RELIEF_KEYS, where)
    if raw is None:
        return None
    words = raw.get("max_head_words", 10)
    if not isinstance(words, int) or isinstance(words, bool) or words < 1:
        raise ValueError(f"{where}: label_relief.max_head_words must be a whole number >= 1")
    head = _relief_regex(raw, "head", "^(?:{})", 0, where)
    if head is None:
        raise ValueError(f"{where}: label_relief.head is required (a regex or a list of regexes)")
    if any(head.match(probe) for probe in _EMPTY_PROBES):
        raise ValueError(f"{where}: label_relief.head matches a sentence without a label head ({head.pattern!r})")
    remark = _relief_regex(raw, "remark_heads", r"^\W*(?:{})\b", re.IGNORECASE, where)
    return LabelRelief(head=head, remark=remark, max_head_words=words)


def _relief_regex(raw: dict, key: str, template: str, flags: int, where: str) -> re.Pattern | None:
    """A ``label_relief`` key's alternation compiled into ``template`` (Python only: the relief runs on the few
    dropped sentences); None when absent."""
    value = _alternatives(raw.get(key), f"label_relief.{key}", where)
    if value is None:
        return None
    try:
        return re.compile(template.format(value), flags)
    except re.error as exc:
        raise ValueError(f"{where}: label_relief.{key}: invalid regex: {exc}") from exc


def _parse_classifier(raw, rules_path: Path, where: str) -> ClassifierStage | None:
    """The ``classifier:`` section.  ``weights`` is relative to the rules file's folder; a copy of the rules
    file elsewhere (tests, a work folder) falls back to the shipped folder for a relative path."""
    raw = _enabled_section(raw, "classifier", _CLASSIFIER_KEYS, where)
    if raw is None:
        return None
    weights = raw.get("weights")
    if not isinstance(weights, str) or not weights:
        raise ValueError(f"{where}: classifier.weights must be a path to a safetensors file")
    wp = Path(weights)
    if not wp.is_absolute():
        local = rules_path.parent / wp
        wp = local if local.is_file() else DEFAULT_RULES_PATH.parent / wp
    if not wp.is_file():
        raise ValueError(f"{where}: classifier.weights {weights!r} not found (looked for {wp})")
    model = load_classifier(wp)
    threshold = raw.get("threshold", model.threshold)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0.0 < threshold < 1.0:
        raise ValueError(f"{where}: classifier.threshold must be a number in (0, 1)")
    screen = raw.get("screen")
    items = screen if isinstance(screen, list) and screen else [screen]
    forms = [_screen_entry(x, where) for x in items]
    screen = "|".join(f"(?:{sentence})" for sentence, _ in forms) if len(forms) > 1 else forms[0][0]
    caption_screen = "|".join(f"(?:{caption})" for _, caption in forms)
    try:
        regex = re.compile(screen, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{where}: classifier.screen: invalid regex: {exc}") from exc
    if not _polars_compiles(caption_screen) or not _polars_compiles(screen):
        raise ValueError(f"{where}: classifier.screen must also compile in polars (Rust regex)")
    guard_re = _optional_regex(raw, "visible_text_guard", where)
    exempt_re = _optional_regex(raw, "guard_exempt", where)
    score_quoted = raw.get("score_quoted", False)
    if not isinstance(score_quoted, bool):
        raise ValueError(f"{where}: classifier.score_quoted must be true or false")
    return ClassifierStage(model=model, weights_path=str(wp), screen_pattern=screen, screen=regex,
                           threshold=float(threshold), guard=guard_re, caption_screen=caption_screen,
                           score_quoted=score_quoted, guard_exempt=exempt_re)


def _optional_regex(raw: dict, key: str, where: str) -> re.Pattern | None:
    """A classifier key that holds a regex or a list of regexes (joined as alternatives); None when absent."""
    value = _alternatives(raw.get(key), f"classifier.{key}", where)
    if value is None:
        return None
    try:
        regex = re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{where}: classifier.{key}: invalid regex: {exc}") from exc
    if not _polars_compiles("(?i)" + value):
        raise ValueError(f"{where}: classifier.{key} must also compile in polars (Rust regex)")
    return regex


_SCREEN_ENTRY_KEYS = {"words", "not_followed_by"}
_QUOTE_CHARS = "'\"“‘«„"


def _screen_entry(entry, where: str) -> tuple[str, str]:
    """One item of ``classifier.screen`` as (sentence form, caption form): a regex without ``$``, or
    ``{words: [...], not_followed_by: [...]}``, which matches one of the words (regexes) unless the next thing
    after it is a quote or one of the listed words (the words of visible text: "a caption reads ...", "the title
    'Blue Moon'", "the text at the top ...")."""
    if isinstance(entry, str) and entry and "$" not in entry.replace("\\$", ""):
        return entry, _prescreen_part(entry)
    if isinstance(entry, dict) and set(entry) == _SCREEN_ENTRY_KEYS:
        words, after = entry["words"], entry["not_followed_by"]
        if (isinstance(words, list) and words and all(isinstance(w, str) and w for w in words)
                and isinstance(after, list) and all(isinstance(w, str) and re.fullmatch("[a-z]+", w) for w in after)):
            return _word_not_followed_by(words, after)
    raise ValueError(f"{where}: classifier.screen must be a regex or list of regexes without '$', or of mappings "
                     f"{{words: [regexes], not_followed_by: [lower-case words]}}")


def _word_not_followed_by(words: list[str], not_followed_by: list[str]) -> tuple[str, str]:
    """(sentence form, caption form) of a regex in the Python/Rust common subset (no look-ahead): one of
    ``words`` followed by a mark other than a quote, a possessive 's, a space and a non-letter other than a quote,
    a space and a word not in ``not_followed_by``, or the end of the sentence.  The caption form writes that end
    as a line break or the end of the caption (a sentence without end punctuation ends only there).  The word
    complement is that of a trie: at each node, any letter that leaves the trie, or a listed letter and the
    complement below it, or (where no listed word ends) the end of the word."""
    after = not_followed_by
    trie: dict = {}
    for w in after:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def outside(node: dict, root: bool) -> str:
        kids = sorted(k for k in node if k)
        other = "".join(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in kids)
        alts = [f"[{other}][a-z]*"] if other else []
        alts += [f"{k}(?:{outside(node[k], False)})" for k in kids]
        if not root and "" not in node:
            alts.append("")
        return "|".join(alts)

    q = _QUOTE_CHARS
    head = rf"\b(?:{'|'.join(words)})\b(?:[^\s\w{q}]|['’]s\b|\s+[^\sa-z{q}]|\s+(?:{outside(trie, True)})\b"
    return head + r"|$)", head + r"|[^\S\n]*(?:\n|$))"


def _parse_rule(raw, index: int, where: str) -> SentenceRule:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: sentence_rules[{index}] must be a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"{where}: sentence_rules[{index}]: 'name' must be an identifier (got {name!r})")
    label = f"{where}: rule {name!r}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise ValueError(f"{label}: unknown field(s) {sorted(unknown)}")
    pattern = raw.get("pattern")
    if isinstance(pattern, list):
        if not pattern or not all(isinstance(x, str) and x for x in pattern):
            raise ValueError(f"{label}: 'pattern' list must hold non-empty strings")
        pattern = "|".join(f"(?:{x})" for x in pattern) if len(pattern) > 1 else pattern[0]
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"{label}: 'pattern' must be a non-empty string or list of strings")
    action = raw.get("action")
    if action not in ACTIONS:
        raise ValueError(f"{label}: 'action' must be one of {ACTIONS} (got {action!r})")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"{label}: 'description' must be a non-empty string")
    scope = raw.get("scope", "sentence")
    if scope not in SCOPES:
        raise ValueError(f"{label}: 'scope' must be one of {SCOPES} (got {scope!r})")
    if scope == "caption" and action != "strip_span":
        raise ValueError(f"{label}: caption-scope rules must use action strip_span")
    flags = {}
    for key in ("case_sensitive", "skip_quoted", "enabled"):
        value = raw.get(key, key == "enabled")
        if not isinstance(value, bool):
            raise ValueError(f"{label}: {key!r} must be true or false (got {value!r})")
        flags[key] = value
    try:
        regex = re.compile(pattern, 0 if flags["case_sensitive"] else re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{label}: invalid regex: {exc}") from exc
    for probe in _EMPTY_PROBES:
        m = regex.search(probe)
        if m is not None and m.end() == m.start():
            raise ValueError(f"{label}: pattern can match the empty string (on {probe!r})")
    return SentenceRule(name=name, pattern=pattern, action=action, description=description.strip(),
                        scope=scope, regex=regex, polars_ok=_polars_compiles(_prescreen_part(pattern)), **flags)


def _parse_caption_rules(raw, where: str) -> CaptionRules:
    if raw is None:
        return CaptionRules()
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: 'caption_rules' must be a mapping")
    unknown = set(raw) - _CAPTION_KEYS
    if unknown:
        raise ValueError(f"{where}: caption_rules: unknown key(s) {sorted(unknown)}")
    defaults = CaptionRules()
    min_words = raw.get("min_words", defaults.min_words)
    if not isinstance(min_words, int) or isinstance(min_words, bool) or min_words < 0:
        raise ValueError(f"{where}: caption_rules.min_words must be an integer >= 0 (got {min_words!r})")
    deg = raw.get("degenerate_repetition") or {}
    if not isinstance(deg, dict):
        raise ValueError(f"{where}: caption_rules.degenerate_repetition must be a mapping")
    unknown = set(deg) - _DEGENERATE_KEYS
    if unknown:
        raise ValueError(f"{where}: caption_rules.degenerate_repetition: unknown key(s) {sorted(unknown)}")
    enabled = deg.get("enabled", defaults.degenerate_enabled)
    window = deg.get("window_tokens", defaults.degenerate_window_tokens)
    min_tokens = deg.get("min_tokens", defaults.degenerate_min_tokens)
    ratio = deg.get("min_unique_ratio", defaults.degenerate_min_unique_ratio)
    label = f"{where}: caption_rules.degenerate_repetition"
    if not isinstance(enabled, bool):
        raise ValueError(f"{label}.enabled must be true or false")
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise ValueError(f"{label}.window_tokens must be an integer >= 0 (0 = the whole caption)")
    if not isinstance(min_tokens, int) or isinstance(min_tokens, bool) or min_tokens < 1:
        raise ValueError(f"{label}.min_tokens must be an integer >= 1")
    if not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or not 0.0 <= float(ratio) <= 1.0:
        raise ValueError(f"{label}.min_unique_ratio must be a number in [0, 1]")
    return CaptionRules(min_words=min_words, degenerate_enabled=enabled, degenerate_window_tokens=window,
                        degenerate_min_tokens=min_tokens, degenerate_min_unique_ratio=float(ratio))


# --- the polars pre-screen -------------------------------------------------------------------------
#
# The pre-screen must match every caption in which any rule could match (a superset).  A sentence-level
# `^` means "start of a sentence": in the whole caption that is the start of the text or a position after
# sentence punctuation / a closing quote / a newline (plus whitespace), which is what it is rewritten to;
# `$` is simply dropped (dropping an assertion only widens a pattern).  Case-sensitive rules keep their
# case via an inline (?-i:...) group; `skip_quoted` is ignored (wider).

_SENTENCE_START = r"""(?:^|[.!?…。！？"'”’»)\]」』\n])\s*"""

# A bounded repetition {m,n} becomes {m,} in the screens (dropping an upper bound only widens a pattern): Rust's
# lazy DFA grows with every copy a bound makes, and a few {0,40} of a Unicode class in one union outgrew its cache,
# so the whole union fell back to the NFA simulation and one pass over 50k captions took ~55 s instead of ~35 ms.
_COUNTED_RE = re.compile(r"\{(\d+),(\d+)\}")


def _loosened(m: re.Match) -> str:
    low = m.group(1)
    return "*" if low == "0" else "+" if low == "1" else "{" + low + ",}"


def _prescreen_part(pattern: str, in_caption: bool = True) -> str:
    """A superset of ``pattern`` for the screens: bounds loosened (:data:`_COUNTED_RE`) and, ``in_caption``, the
    sentence anchors rewritten for a whole caption (a sentence-level screen keeps them)."""
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if not in_class and ch == "{" and (m := _COUNTED_RE.match(pattern, i)):
            out.append(_loosened(m))
            i = m.end()
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
            # a leading ^ or ] right after [ belongs to the class syntax
            if i + 1 < n and pattern[i + 1] == "^":
                out.append("^")
                i += 1
            if i + 1 < n and pattern[i + 1] == "]":
                out.append("]")
                i += 1
        elif ch == "^" and in_caption:
            out.append(_SENTENCE_START)
        elif ch == "$" and in_caption:
            pass
        else:
            out.append(ch)
        i += 1
    return "".join(out)


# The caption screen only has to be right for captions of printable ASCII: every other caption is screened in by
# its non-ASCII part (_MAYBE_GAP).  So its other parts are rewritten to match on ASCII alone, which is the same on
# such captions, and Rust's lazy DFA then has no Unicode classes to build: a \W or a [^.!?] of Unicode is a
# UTF-8 automaton of its own, and a union of the rules and the classifier's screen with them outgrew the DFA's
# cache (the ~1000x slower NFA simulation took over).  A negated class is intersected with ASCII rather than given
# a non-ASCII range to leave out: under (?i) that range would fold onto k and s (the Kelvin sign, the long s).
_ASCII_OUTSIDE = {"w": "[0-9A-Za-z_]", "W": r"[[^0-9A-Za-z_]&&\x00-\x7f]", "s": r"[\t-\r ]",
                  "S": r"[[^\t-\r ]&&\x00-\x7f]", "d": "[0-9]", "D": r"[[^0-9]&&\x00-\x7f]",
                  "b": r"(?-u:\b)", "B": r"(?-u:\B)"}
_ASCII_INSIDE = {"w": "0-9A-Za-z_", "W": r"\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f", "s": r"\t-\r ",
                 "S": r"\x00-\x08\x0e-\x1f\x21-\x7f", "d": "0-9", "D": r"\x00-\x2f\x3a-\x7f"}


@functools.lru_cache(maxsize=64)
def _ascii_form(pattern: str) -> str:
    """A polars regex that matches an ASCII text exactly where ``pattern`` does, with ASCII classes only: \\w \\s
    \\d (and their negations), \\b and ``.`` become ASCII classes, and a negated class is cut down to ASCII."""
    out: list[str] = []
    i, n = 0, len(pattern)
    negated: bool | None = None  # inside a class: whether it is negated
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            code = pattern[i + 1]
            table = _ASCII_INSIDE if negated is not None else _ASCII_OUTSIDE
            out.append(table.get(code, pattern[i:i + 2]))
            i += 2
            continue
        if negated is not None:
            if ch == "]":
                out.append(r"]&&\x00-\x7f]" if negated else "]")
                negated = None
            else:
                out.append(ch)
        elif ch == "[":
            negated = pattern.startswith("[^", i)
            out.append("[[^" if negated else "[")
            i += 2 if negated else 1
            if i < n and pattern[i] == "]":  # a ] right after the opening belongs to the class
                out.append("]")
                i += 1
            continue
        elif ch == ".":
            out.append(r"[[^\n]&&\x00-\x7f]")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _polars_compiles(pattern: str) -> bool:
    try:
        pl.Series([""], dtype=pl.String).str.contains(pattern)
    except Exception:  # noqa: BLE001 - any compile error means "not in the shared subset"
        return False
    return True


def _build_prescreen(rules: list[SentenceRule]) -> str | None:
    if not rules:
        return None
    parts = []
    for r in rules:
        body = _prescreen_part(r.pattern)
        parts.append(f"(?-i:{body})" if r.case_sensitive else f"(?:{body})")
    return "(?i)" + "|".join(parts)


# --------------------------------------------------------------------------------------------------
# Sentence splitting
# --------------------------------------------------------------------------------------------------

# Quoted spans: text visible in the image (signs, titles) is usually quoted.  A single quote only opens
# after a non-word character and only closes before one, so apostrophes ("sign's", "Joe's") do not count.
_QUOTED_RE = re.compile(
    r'"[^"\n]{1,400}"'
    r"|“[^”\n]{1,400}”"
    r"|«[^»\n]{1,400}»"
    r"|„[^“”\n]{1,400}[“”]"
    # the look-behind sits after the quote (not before it) so that every alternative starts with a literal and
    # Python's regex engine can skip to quote characters: same matches, ~5x faster
    r"|'(?<!\w')(?:[^'\n]|'(?=\w)){1,400}?'(?!\w)"
    r"|‘(?:[^’\n]|’(?=\w)){1,400}?’(?!\w)"
)

# Candidate sentence ends: a terminal punctuation mark or line break, with any further marks and closing
# quotes/brackets.  Latin marks end a sentence only before whitespace; CJK marks and line breaks always do.
_BOUNDARY_RE = re.compile(r"""[.!?…。！？\n][.!?…。！？"'”’»)\]」』]*""")
_CLOSERS = "\"'”’»)]」』"
_NEXT_WORD_RE = re.compile(r"""\s*["'“‘(\[]*(\S*)""")

# Titles and Latin abbreviations never end a sentence; numbered abbreviations and abbreviations that may
# end one ("Main St.", "Apple Inc.", "etc.") split only before a typical sentence opener.
_ABBREV_NEVER = {
    "mr", "mrs", "ms", "mx", "dr", "prof", "rev", "hon", "sen", "rep", "gov", "capt", "cpt", "lt", "col",
    "sgt", "cmdr", "adm", "fr", "gen", "e.g", "i.e", "cf", "vs", "viz", "approx", "ca", "incl",
}
_ABBREV_MAYBE = {
    "no", "nos", "vol", "vols", "fig", "figs", "p", "pp", "ch", "sec", "art", "ft", "st", "mt", "jr", "sr",
    "etc", "inc", "ltd", "co", "corp", "llc", "plc", "bros", "ave", "blvd", "rd", "dept", "est", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}
_STARTERS = {
    "the", "a", "an", "this", "that", "these", "those", "it", "its", "in", "on", "at", "there", "here",
    "he", "she", "they", "we", "i", "his", "her", "their", "our", "behind", "below", "above", "beside",
    "next", "overall", "both", "each", "every", "several", "many", "some", "all", "although", "while",
    "however", "additionally", "also", "beneath", "near", "inside", "outside", "under", "around", "along",
    "across", "one", "two", "three", "another", "if", "when", "after", "before", "during", "because",
    "finally", "furthermore", "moreover", "meanwhile", "nearby", "further", "to", "you",
}
_INITIALISM_RE = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
# A capital letter after one of these nouns is a label, not an initial ("a letter A.", "vitamin C.", "gate B."):
# its full stop ends the sentence like any other word's, where an initial ("by J. Smith") does not.
_LETTER_LABEL_NOUNS = {
    "letter", "letters", "vitamin", "plan", "grade", "type", "class", "section", "gate", "terminal", "platform",
    "exit", "row", "block", "level", "hall", "wing", "room", "unit", "size", "model", "group", "team", "part",
    "option", "series", "category", "tier", "zone", "area", "lot", "route", "line", "track", "box", "item",
    "figure", "building", "tower", "floor", "door", "hangar", "pier", "dock", "court", "field", "stage", "grid",
}


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    if "'" in text or '"' in text or "“" in text or "‘" in text or "«" in text or "„" in text:
        return [m.span() for m in _QUOTED_RE.finditer(text)]
    return []


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < pos < e for s, e in spans)


def _is_boundary(text: str, start: int, end: int, quoted: list[tuple[int, int]]) -> bool:
    """Whether the Latin punctuation text[start:end] (followed by whitespace) ends a sentence."""
    if quoted and _inside(end, quoted):
        return False
    nm = _NEXT_WORD_RE.match(text, end)
    next_word = nm.group(1)
    if not next_word:
        return True  # only whitespace follows
    nxt = next_word[0]
    if nxt.islower() and not any(c.isupper() for c in next_word[1:]):
        return False  # a lower-case word continues the sentence ("e.g. the", "Wait... what"), "iPhone" does not
    if text[start:end].rstrip(_CLOSERS) != ".":
        return True  # ! ? ... (an ellipsis or repeated marks)
    before = text[max(0, start - 40):start]
    prev = before.split()[-1] if before and not before[-1].isspace() else ""
    prev = prev.lstrip("\"'“‘([").lower()
    if not prev:
        return True
    if prev in _ABBREV_NEVER:
        return False
    if len(prev) == 1 and prev.isalpha():
        words = before.split()
        if len(words) > 1 and words[-1][-1].isupper() and words[-2].lower() in _LETTER_LABEL_NOUNS:
            return not nxt.isdigit()
    if prev in _ABBREV_MAYBE or (len(prev) == 1 and prev.isalpha()) or ("." in prev and _INITIALISM_RE.match(prev)):
        if nxt.isdigit():
            return False  # "No. 5", "Fig. 3"
        return next_word.strip(".,;:!?\"'”’").lower() in _STARTERS
    return True


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed."""
    quoted: list[tuple[int, int]] | None = None
    cuts: list[tuple[int, int]] = []  # (end of this sentence, start of the rest)
    n = len(text)
    for m in _BOUNDARY_RE.finditer(text):
        first = text[m.start()]
        if first == "\n":
            cuts.append((m.start(), m.start() + 1))
        elif first in "。！？":
            cuts.append((m.end(), m.end()))
        elif m.end() < n and text[m.end()].isspace():
            if quoted is None:
                quoted = _quoted_spans(text)
            if _is_boundary(text, m.start(), m.end(), quoted):
                cuts.append((m.end(), m.end()))
    spans: list[tuple[int, int]] = []
    start = 0
    for end, nxt in [*cuts, (n, n)]:
        seg = text[start:end]
        stripped = seg.strip()
        if stripped:
            s = start + (len(seg) - len(seg.lstrip()))
            spans.append((s, s + len(stripped)))
        start = max(nxt, start)
    return spans


def split_sentences(text: str) -> list[str]:
    """Split a caption into sentences.

    Handles abbreviations (Dr., St., U.S., e.g.), decimals (3.5), quotes (no split inside a quoted span,
    a closing quote stays with its sentence), ellipses (split only before an upper-case word), CJK
    punctuation, line breaks (always a boundary) and a last sentence without end punctuation.  Sentences
    come back whitespace-trimmed; ``" ".join(split_sentences(t))`` is ``t`` with each run of whitespace
    between sentences replaced by one space.
    """
    if not text:
        return []
    return [text[s:e] for s, e in _sentence_spans(text)]


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Captions on which the compiled splitter (filter_kernels.easy_spans) might differ from _sentence_spans; they are
# split in Python.  The kernel decides this in its own pass (filter_kernels._is_hard, a superset of this pattern:
# a test holds it so); the pattern states the condition in one place.  Everything else is printable ASCII where
# every candidate sentence end (a run of . ! ? and closers, then whitespace) is followed by a capital letter, is
# not inside a quoted span (no quote opener before it, without a closer between, and a closer after it: a
# superset of _QUOTED_RE's lazy spans) and does not follow a "maybe" abbreviation (St., Inc.), a single letter, an
# initialism or a cut-off long word.  There _is_boundary is true, so every candidate is a cut, except a lone full
# stop after an abbreviation that never ends a sentence (Dr., Mr., e.g.): that is never a cut.
_HARD_SPLIT_PATTERN = (
    r"[^\x20-\x7e]"
    r"""|[.!?][.!?"')\]]*\s+[^A-Z\s]"""
    r"""|"[^"\n]*[.!?][.!?"')\]]*\s[^\n]*(?:"|'(?:[^\w]|$))"""
    r"""|(?:^|[^\w])'(?:[^'\n]|'\w)*[.!?][.!?"')\]]*\s[^\n]*(?:"|'(?:[^\w]|$))"""
    r"""|[.!?][.!?"')\]]*["'][.!?"')\]]*\s[^\n]*(?:"|'(?:[^\w]|$))"""
    r"""|(?i:(?:^|[\s"'(\[])["'(\[]*(?:""" + _alternation(_ABBREV_MAYBE)
    + r"""|[a-z]|(?:[a-z]\.)+[a-z])\.[.!?"')\]]*\s)"""
    r"|\S{38,}[.!?]"
)
# the abbreviations whose full stop never / may end a sentence, for the compiled splitter
_NEVER_CODES = pack_words(_ABBREV_NEVER)
_MAYBE_CODES = pack_words(_ABBREV_MAYBE)


def _split_flat(texts: pl.Series) -> tuple[pl.Series, np.ndarray]:
    """All sentences of all texts, flat, with the index of the text each came from (ascending): exactly
    [_sentence_spans(t) for t in texts] concatenated."""
    sents, owner = _split_list(texts, texts.to_list())
    return pl.Series(sents, dtype=pl.String), owner


def _split_list(texts: pl.Series, items: list[str | None]) -> tuple[list[str], np.ndarray]:
    """:func:`_split_flat` as a list (``items`` is ``texts.to_list()``).  Easy captions (most) are cut by one
    compiled pass over the column's bytes (:func:`kale_assets.filter_kernels.easy_spans`), the others in Python."""
    hard, rows, starts, ends = easy_spans(texts.to_arrow(compat_level=pl.CompatLevel.oldest()), _NEVER_CODES,
                                          _MAYBE_CODES)
    if hard.any():
        h_rows, h_starts, h_ends = [], [], []
        for i in np.flatnonzero(hard).tolist():
            t = items[i]
            for a, b in _sentence_spans(t) if t else ():
                h_rows.append(i)
                h_starts.append(a)
                h_ends.append(b)
        rows = np.concatenate([rows, np.asarray(h_rows, dtype=np.int64)])
        order = np.argsort(rows, kind="stable")  # each text's own spans stay in order
        rows = rows[order]
        starts = np.concatenate([starts, np.asarray(h_starts, dtype=np.int64)])[order]
        ends = np.concatenate([ends, np.asarray(h_ends, dtype=np.int64)])[order]
    sents = [items[i][a:b] for i, a, b in zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True)]
    return sents, rows


# --------------------------------------------------------------------------------------------------
# Filtering one caption
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Removal:
    text: str  # the removed sentence or span
    rule: str  # rule name


@dataclass(frozen=True)
class FilterOutcome:
    caption: str | None  # cleaned caption, None when the caption is dropped
    removals: tuple[Removal, ...]
    drop_reason: str | None  # None if kept; else "empty" | "too_short" | "degenerate_repetition"


_ALNUM_RE = re.compile(r"[^\W_]")
_WS_RUN_RE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([,.;:!?)\]}”’»])")
_SPACE_AFTER_OPEN_RE = re.compile(r"([(\[{“‘«])\s+")
_EMPTY_BRACKETS_RE = re.compile(r"\(\s*\)|\[\s*\]|\{\s*\}")
_DUP_COMMA_RE = re.compile(r"([,;:])(?:\s*[,;:])+")
_COMMA_BEFORE_END_RE = re.compile(r"[,;:]+\s*([.!?…])")
# what a cut leaves between two full stops ("letter A. End of caption." minus the label: "letter A. .")
_STOP_AFTER_STOP_RE = re.compile(r"([.!?…])(?:\s+[.!?…]+)+(?=\s|$)")
_LEADING_JUNK_RE = re.compile(r"^[\s,;:.\-–—*]+")
_TRAILING_JUNK_RE = re.compile(r"[\s,;:\-–—*]+$")
_END_PUNCT_RE = re.compile(r"""([.!?…]+)["'”’»)\]]*$""")


def _match_outside_quotes(rule: SentenceRule, text: str, quoted: list[tuple[int, int]]) -> list[re.Match]:
    out = []
    for m in rule.regex.finditer(text):
        if m.end() == m.start():
            continue
        if rule.skip_quoted and any(s <= m.start() and m.end() <= e for s, e in quoted):
            continue
        out.append(m)
    return out


def _strip(rule: SentenceRule, text: str) -> tuple[str, list[Removal]]:
    matches = [m for m in rule.regex.finditer(text) if m.end() != m.start()]
    if matches and rule.skip_quoted:
        quoted = _quoted_spans(text)
        matches = [m for m in matches if not any(s <= m.start() and m.end() <= e for s, e in quoted)]
    if not matches:
        return text, []
    pieces, removals, pos = [], [], 0
    for m in matches:
        pieces.append(text[pos:m.start()])
        pieces.append(" ")
        removed = m.group().strip().strip(",;").strip()
        removals.append(Removal(removed or m.group(), rule.name))
        pos = m.end()
    pieces.append(text[pos:])
    return "".join(pieces), removals


def _first_word(s: str) -> str:
    m = re.match(r"\W*(\w+)", s)
    return m.group(1) if m else ""


def _tidy(new: str, original: str) -> str:
    """Clean up a sentence after spans were cut out of it; '' when nothing meaningful is left."""
    s = _WS_RUN_RE.sub(" ", new).strip()
    s = _EMPTY_BRACKETS_RE.sub(" ", s)
    s = _WS_RUN_RE.sub(" ", s).strip()
    s = _STOP_AFTER_STOP_RE.sub(r"\1", s)
    s = _SPACE_BEFORE_PUNCT_RE.sub(r"\1", s)
    s = _SPACE_AFTER_OPEN_RE.sub(r"\1", s)
    s = _DUP_COMMA_RE.sub(r"\1", s)
    s = _COMMA_BEFORE_END_RE.sub(r"\1", s)
    s = _LEADING_JUNK_RE.sub("", s)
    s = _TRAILING_JUNK_RE.sub("", s)
    if not _ALNUM_RE.search(s):
        return ""
    end = _END_PUNCT_RE.search(original.rstrip())
    if end and not _END_PUNCT_RE.search(s):
        s += end.group(1)
    first = _first_word(s)
    if first and first != _first_word(original) and first[0].islower() and first.islower():
        i = s.index(first[0])
        s = s[:i] + s[i].upper() + s[i + 1:]
    return s


def _strip_sentence(
    sentence: str, rules: RuleSet, hits: frozenset[str] | None = None
) -> tuple[str | None, list[Removal], bool]:
    """The strip_span rules on one sentence: (what is left or None, removals, whether anything was cut).

    ``hits`` (from the vectorised per-sentence screen) names the rules whose pattern can match the
    sentence; the others are skipped while the sentence is unchanged.  ``None`` checks every rule.
    """
    removals: list[Removal] = []
    current = sentence
    modified = False
    for rule in rules._sentence_strip:
        if not modified and hits is not None and rule.name not in hits:
            continue
        new, removed = _strip(rule, current)
        if removed:
            modified = True
            current = new
            removals.extend(removed)
    if modified:
        current = _tidy(current, sentence)
        if not current:
            return None, removals, True
    return current, removals, modified


def _dropping_rule(sentence: str, rules: RuleSet, hits: frozenset[str] | None = None) -> str | None:
    """The first drop_sentence rule (file order) that matches the sentence outside quotes, or None.

    ``hits`` as for _strip_sentence; for what a strip rule left of a sentence, the screen of the new text
    (or None: every drop rule is checked).
    """
    quoted: list[tuple[int, int]] | None = None
    stage = rules.classifier
    guarded: bool | None = None
    for rule in rules._sentence_drop:
        if hits is not None and rule.name not in hits:
            continue
        if rule.regex.search(sentence) is None:
            continue
        if rule.skip_quoted and stage is not None:
            # the keyword rules skip visible text: a quote (below) or a sign/screen/worksheet that reads it
            if guarded is None:
                guarded = stage.guarded(sentence)
            if guarded:
                continue
        if rule.skip_quoted:
            if quoted is None:
                quoted = _quoted_spans(sentence)
            if quoted and not _match_outside_quotes(rule, sentence, quoted):
                continue
        return rule.name
    return None


# Degenerate-repetition tokens: the caption lower-cased, the characters , . ; : ! ? " ( ) deleted, line
# breaks and tabs made spaces, split on single spaces, empty pieces dropped.  filter_kernels computes exactly
# the same thing for ASCII text (a test holds them equal).
_DEGENERATE_DELETE = ",.;:!?\"()"
_DEGENERATE_SPACE = "\n\t\r"
_DEGENERATE_TABLE = str.maketrans({**{c: None for c in _DEGENERATE_DELETE}, **{c: " " for c in _DEGENERATE_SPACE}})


def _degenerate_tokens(text: str) -> list[str]:
    return [p for p in text.lower().translate(_DEGENERATE_TABLE).split(" ") if p]


def _is_degenerate(text: str, cr: CaptionRules) -> bool:
    """Low unique-token ratio over the caption's last ``window_tokens`` tokens (all of them if fewer)."""
    tokens = _degenerate_tokens(text)
    if len(tokens) < cr.degenerate_min_tokens:
        return False
    window = tokens[-cr.degenerate_window_tokens:] if cr.degenerate_window_tokens else tokens
    return len(set(window)) < cr.degenerate_min_unique_ratio * len(window)


def _caption_drop_reason(text: str, cr: CaptionRules) -> str | None:
    if not _ALNUM_RE.search(text):
        return DROP_EMPTY
    if len(text.split()) < cr.min_words:
        return DROP_TOO_SHORT
    if cr.degenerate_enabled and _is_degenerate(text, cr):
        return DROP_DEGENERATE
    return None


def filter_caption(text: str | None, rules: RuleSet, alt_text: str | None = None) -> FilterOutcome:
    """Apply the rules (and the classifier, given the row's ``alt_text`` as context) to one caption.

    ``None`` or blank text is dropped as ``empty``.  A caption with no removals comes back unchanged
    (byte-identical) unless a caption-level drop applies; otherwise kept sentences are joined with single
    spaces.
    """
    return _filter_reference(text, rules, alt_text)


def _search_many(regex: re.Pattern, texts: list[str]) -> list[bool]:
    """``regex.search(t) is not None`` for each text (``regex`` case-insensitive): one polars pass (Rust regex
    runs a big alternation of words far faster than Python's re), Python for the few texts with a character
    outside printable ASCII (where a dialect gap may lie; the one-class test is far cheaper than the exact gap
    class)."""
    if len(texts) < 16:
        return [regex.search(t) is not None for t in texts]
    s = pl.Series("s", texts, dtype=pl.String)
    flags = pl.DataFrame({"s": s}).select(
        pl.col("s").str.contains("(?i)" + regex.pattern).alias("hit"),
        pl.col("s").str.contains(_MAYBE_GAP).alias("gap"),
    )
    out = flags.get_column("hit").to_list()
    for i in flags.get_column("gap").arg_true().to_list():
        out[i] = regex.search(texts[i]) is not None
    return out


def _classify(results: list[tuple[str | None, list[Removal]]], owner: list[int], alt_texts: list[str | None],
              stage: ClassifierStage) -> None:
    """The learned stage, in place: each sentence the rules kept and the screen picks is scored; a leak is
    removed and recorded as ``classifier:<kind>``."""
    live = [j for j, (cur, _) in enumerate(results) if cur is not None]
    texts = [results[j][0] for j in live]
    screened = _search_many(stage.screen, texts)
    live = [j for j, hit in zip(live, screened, strict=True) if hit]
    if stage.guard is not None and live:
        texts = [results[j][0] for j in live]
        live = [j for j, t, g in zip(live, texts, stage.guarded_many(texts), strict=True)
                if not g and (stage.score_quoted or not _quoted_spans(t))]
    elif not stage.score_quoted:
        live = [j for j in live if not _quoted_spans(results[j][0])]
    picked = live
    if not picked:
        return
    alts: dict[int, frozenset[str]] = {}
    for j in picked:
        if owner[j] not in alts:
            alts[owner[j]] = alt_words(alt_texts[owner[j]])
    probs = stage.model.probabilities([results[j][0] for j in picked], [alts[owner[j]] for j in picked])
    leak = 1.0 - probs[:, 0]
    kinds = probs[:, 1:].argmax(axis=1) + 1
    for j, p, k in zip(picked, leak.tolist(), kinds.tolist(), strict=True):
        if p >= stage.threshold:
            cur, removals = results[j]
            results[j] = (None, [*removals, Removal(cur, f"classifier:{stage.model.classes[k]}")])


def _filter_reference(text: str | None, rules: RuleSet, alt_text: str | None) -> FilterOutcome:
    """filter_caption, plainly in Python: the specification that filter_frame's vectorised path is tested
    against row by row."""
    if text is not None and not isinstance(text, str):
        raise TypeError(f"caption must be str or None, got {type(text).__name__}")
    if text is None:
        return FilterOutcome(None, (), DROP_EMPTY)
    removals: list[Removal] = []
    work = text
    for rule in rules._caption_strip:
        if rule.regex.search(work) is not None:
            work, removed = _strip(rule, work)
            removals.extend(removed)
    results = _reference_sentences(work, rules, alt_text)
    changed = bool(removals) or any(r for _, r in results)
    for _, removed in results:
        removals.extend(removed)
    cleaned = " ".join(cur for cur, _ in results if cur is not None) if changed else text
    reason = _caption_drop_reason(cleaned, rules.caption_rules)
    return FilterOutcome(None if reason else cleaned, tuple(removals), reason)


def _reference_sentences(work: str, rules: RuleSet, alt_text: str | None) -> list[tuple[str | None, list[Removal]]]:
    """Each sentence of ``work`` through the sentence rules and the classifier: (kept text or None, removals)."""
    results: list[tuple[str | None, list[Removal]]] = []
    for a, b in _sentence_spans(work) if work else ():
        sentence = work[a:b]
        current, removed, _ = _strip_sentence(sentence, rules)
        if current is not None:
            name = _dropping_rule(current, rules)
            if name is not None:
                removed.append(Removal(current, name))
                current = None
        results.append((current, removed))
    if rules.classifier is not None:
        _classify(results, [0] * len(results), [alt_text], rules.classifier)
    for k, (current, removed) in enumerate(results):
        split = (rules.label_relief.split(removed[-1].text)
                 if rules.label_relief is not None and current is None and removed else None)
        if split is not None:
            tail = _reference_sentences(split[1], rules, alt_text)
            kept = " ".join(t for t, _ in tail if t is not None)
            if kept:
                results[k] = (kept, [*removed[:-1], Removal(split[0], removed[-1].rule),
                                     *(r for _, rs in tail for r in rs)])
    return results


def _filter_sparse(texts: pl.Series, rules: RuleSet, alt_texts: pl.Series | None, caption_scope: bool = True
                   ) -> tuple[np.ndarray, list[str], list[list[Removal]]]:
    """The rules and the classifier over a column of non-null captions: the rows something was removed from
    (ascending; the others stay byte-identical), each one's kept sentences joined with spaces and its removals.

    The rules are a function of a sentence's text alone, so each distinct sentence takes them once, after one
    polars select over the distinct sentences (:func:`_sentence_flags`); each distinct (kept sentence, alt-text)
    is scored once."""
    items = texts.to_list()
    caption_removals = _caption_pass(items, rules) if caption_scope else {}
    work = pl.Series(items, dtype=pl.String) if caption_removals else texts
    sents, owner = _split_list(work, items)
    index: dict[str, int] = {}
    ids = [index.setdefault(s, len(index)) for s in sents]
    distinct = list(index)
    flags = _sentence_flags(distinct, rules)
    # {distinct id: (kept text or None, removals, id of the kept text)}; distinct grows with the kept texts
    outcome, flags = _rules_on_distinct(distinct, index, flags, rules)
    flagged: dict[int, str] = {}  # flat sentence -> the classifier's removal rule
    if rules.classifier is not None:
        alts = alt_texts.to_list() if alt_texts is not None else None
        flagged = _classify_flat(distinct, ids, owner, alts, flags, outcome, rules.classifier)
    return _rebuild(sents, ids, owner, outcome, flagged, caption_removals, rules, alt_texts)


def _rebuild(sents: list[str], ids: list[int], owner: np.ndarray,
             outcome: dict[int, tuple[str | None, list[Removal], int]], flagged: dict[int, str],
             caption_removals: dict[int, list[Removal]], rules: RuleSet, alt_texts: pl.Series | None
             ) -> tuple[np.ndarray, list[str], list[list[Removal]]]:
    """The rows something was removed from (ascending), each one's kept sentences joined with spaces and its
    removals in order."""
    ids_arr = np.asarray(ids, dtype=np.int64)
    by_id = np.zeros(int(ids_arr.max()) + 1 if len(ids_arr) else 0, dtype=bool)
    by_id[list(outcome)] = True
    hits = np.union1d(np.flatnonzero(by_id[ids_arr]), np.fromiter(flagged, dtype=np.int64, count=len(flagged)))
    touched = np.union1d(owner[hits], np.fromiter(caption_removals, dtype=np.int64, count=len(caption_removals)))
    if not len(touched):
        return touched, [], []
    kept = sents.copy()
    flat_removals: dict[int, list[Removal]] = {}
    for j in hits.tolist():
        res = outcome.get(ids[j])
        mine = flat_removals[j] = list(res[1]) if res is not None else []
        if res is not None:
            kept[j] = res[0]
        rule = flagged.get(j)
        if rule is not None:
            mine.append(Removal(kept[j], rule))
            kept[j] = None
    _relieve_label_heads(kept, flat_removals, owner, rules, alt_texts)
    removals: list[list[Removal]] = [list(caption_removals.get(r, ())) for r in touched.tolist()]
    for j, pos in zip(hits.tolist(), np.searchsorted(touched, owner[hits]).tolist(), strict=True):
        removals[pos].extend(flat_removals[j])
    starts = np.searchsorted(owner, touched, side="left").tolist()
    ends = np.searchsorted(owner, touched, side="right").tolist()
    texts = [" ".join([k for k in kept[a:b] if k is not None]) for a, b in zip(starts, ends, strict=True)]
    return touched, texts, removals


def _relieve_label_heads(kept: list[str | None], flat_removals: dict[int, list[Removal]], owner: np.ndarray,
                         rules: RuleSet, alt_texts: pl.Series | None) -> None:
    """:func:`_reference_sentences`' label-head relief over the flat sentences, in place: the rests after the heads
    of the dropped sentences go through :func:`_filter_sparse` together (sentence scope, each with its row's
    alt-text)."""
    relief = rules.label_relief
    if relief is None:
        return
    picked = [(j, split) for j, rs in flat_removals.items()
              if kept[j] is None and rs and (split := relief.split(rs[-1].text)) is not None]
    if not picked:
        return
    tails = pl.Series([split[1] for _, split in picked], dtype=pl.String)
    alts = None if alt_texts is None else alt_texts.gather([int(owner[j]) for j, _ in picked])
    touched, texts, removals = _filter_sparse(tails, rules, alts, caption_scope=False)
    changed = {int(t): (text, rs) for t, text, rs in zip(touched.tolist(), texts, removals, strict=True)}
    for k, (j, (head, tail)) in enumerate(picked):
        text, rs = changed.get(k, (tail, []))
        if text:
            last = flat_removals[j][-1]
            flat_removals[j] = [*flat_removals[j][:-1], Removal(head, last.rule), *rs]
            kept[j] = text


def _caption_pass(items: list[str], rules: RuleSet) -> dict[int, list[Removal]]:
    """The caption-scope rules, in place on ``items`` (exactly as :func:`_filter_reference` applies them): {row:
    removals} for the rows they cut."""
    removals: dict[int, list[Removal]] = {}
    if not rules._caption_strip:
        return removals
    for k, t in enumerate(items):
        for rule in rules._caption_strip:
            if rule.regex.search(t) is not None:
                t, removed = _strip(rule, t)
                removals.setdefault(k, []).extend(removed)
        items[k] = t
    return removals


@dataclass
class _Flags:
    """Per distinct sentence, from one polars pass: whether some rule may match (a superset), whether it holds
    a dialect-gap character (then Python decides everything for it), whether the classifier's screen matches it
    and whether it holds a quote character."""

    rule: np.ndarray
    gap: np.ndarray
    screen: np.ndarray | None = None
    quote: np.ndarray | None = None


def _sentence_flags(distinct: list[str], rules: RuleSet) -> _Flags:
    """:class:`_Flags` of the given texts: one polars select (each regex pass there has a fixed cost)."""
    n = len(distinct)
    if not n:
        return _Flags(np.zeros(0, bool), np.zeros(0, bool))
    col = pl.col("s")
    exprs = [col.str.contains(_dialect_gap_class()).alias("gap")]
    sentence_rules = (*rules._sentence_strip, *rules._sentence_drop)
    if sentence_rules and all(r.polars_ok for r in sentence_rules):
        # on one sentence the rules' own patterns apply (``^`` is its start), a narrower superset than the
        # caption pre-screen; a sentence with a dialect-gap character takes every rule in Python
        union = _sentence_union(tuple((r.pattern, r.case_sensitive) for r in sentence_rules))
        exprs.append((col.str.contains(union) | exprs[0]).alias("rule"))
    stage = rules.classifier
    if stage is not None:
        exprs.append(col.str.contains("(?i)" + stage.screen.pattern).alias("screen"))
        exprs.append(col.str.contains(r"""["'“‘«„]""").alias("quote"))
    frame = pl.DataFrame({"s": pl.Series(distinct, dtype=pl.String)}).select(exprs)
    got = {c: frame.get_column(c).to_numpy() for c in frame.columns}
    rule = got.get("rule", np.full(n, bool(sentence_rules)))  # no rule: nothing to match; not compilable: Python
    return _Flags(rule=rule, gap=got["gap"], screen=got.get("screen"), quote=got.get("quote"))


@functools.lru_cache(maxsize=16)
def _sentence_union(patterns: tuple[tuple[str, bool], ...]) -> str:
    """The sentence rules' (pattern, case_sensitive) as one polars regex, bounds loosened (a superset)."""
    return "|".join(f"(?-i:{_prescreen_part(p, in_caption=False)})" if case_sensitive
                    else f"(?i:{_prescreen_part(p, in_caption=False)})" for p, case_sensitive in patterns)


_PYTHON_FLAGS_BELOW = 24  # texts


def _rules_on_distinct(distinct: list[str], index: dict[str, int], flags: _Flags, rules: RuleSet
                       ) -> tuple[dict[int, tuple[str | None, list[Removal], int]], _Flags]:
    """The sentence rules over the distinct sentences the screen picked, as :func:`_filter_reference` applies them
    to one sentence: {id: (kept text or None, removals, id of the kept text)} for the ones they changed, and the
    flags extended to the kept texts that were not among the sentences (``distinct`` and ``index`` grow with them).

    ``hits`` only skip rules that cannot match the unchanged text; what a strip rule left of a sentence takes the
    drop rules only where the screen of its own text picks it."""
    picked = np.flatnonzero(flags.rule).tolist()
    stripped: list[tuple[int, str | None, list[Removal], bool, frozenset[str] | None]] = []
    fresh: list[str] = []
    for d, h in zip(picked, _rule_hits([distinct[d] for d in picked], rules), strict=True):
        current, removals, modified = _strip_sentence(distinct[d], rules, h)
        stripped.append((d, current, removals, modified, h))
        if modified and current is not None and current not in index:
            index[current] = len(distinct)
            distinct.append(current)
            fresh.append(current)
    if fresh:
        # a polars pass has a fixed cost of ~1 ms: a few texts are left to Python (as if they had a gap character)
        more = (_sentence_flags(fresh, rules) if len(fresh) >= _PYTHON_FLAGS_BELOW
                else _Flags(*(np.ones(len(fresh), dtype=bool) for _ in range(4))))
        flags = _Flags(*(None if x is None else np.concatenate([x, y]) for x, y in zip(
            (flags.rule, flags.gap, flags.screen, flags.quote), (more.rule, more.gap, more.screen, more.quote),
            strict=True)))
    changed: dict[int, tuple[str | None, list[Removal], int]] = {}
    for d, current, removals, modified, h in stripped:
        kept_id = d
        if current is not None:
            kept_id = index[current]
            name = None
            if not modified:
                name = _dropping_rule(current, rules, h)
            elif flags.rule[kept_id]:
                name = _dropping_rule(current, rules)
            if name is not None:
                removals.append(Removal(current, name))
                current = None
        if removals:
            changed[d] = (current, removals, kept_id)
    return changed, flags


def _classify_flat(distinct: list[str], ids: list[int], owner: np.ndarray, alts: list[str | None] | None,
                   flags: _Flags, outcome: dict[int, tuple[str | None, list[Removal], int]], stage: ClassifierStage
                   ) -> dict[int, str]:
    """The learned stage over the flat sentences (what the rules kept of them): {flat index: "classifier:<kind>"}
    for the flagged ones.  Whether a kept text is scored is decided once per distinct text (from the polars flags;
    in Python where it holds a dialect-gap character), each distinct (text, alt-text) is scored once."""
    kept = np.arange(len(distinct), dtype=np.int64)  # distinct id -> id of what the rules kept of it (-1: nothing)
    for d, (current, _, kept_id) in outcome.items():
        kept[d] = kept_id if current is not None else -1
    flat_kept = kept[np.asarray(ids, dtype=np.int64)]
    live = flat_kept >= 0
    used = np.zeros(len(distinct), dtype=bool)
    used[flat_kept[live]] = True
    eligible = _eligible(distinct, np.flatnonzero(used & flags.screen & ~flags.gap), flags, stage)
    for d in np.flatnonzero(used & flags.gap).tolist():
        text = distinct[d]
        eligible[d] = (stage.screen.search(text) is not None
                       and not stage.guarded(text)
                       and (stage.score_quoted or not _quoted_spans(text)))
    pick = np.flatnonzero(live & eligible[np.where(live, flat_kept, 0)])
    if not len(pick):
        return {}
    pairs: dict[tuple[str, str | None], int] = {}
    flat: list[tuple[int, tuple[str, str | None]]] = []
    for j, k in zip(pick.tolist(), flat_kept[pick].tolist(), strict=True):
        key = (distinct[k], alts[int(owner[j])] if alts is not None else None)
        pairs.setdefault(key, len(pairs))
        flat.append((j, key))
    keys = list(pairs)
    probs = stage.model.probabilities([k[0] for k in keys], [alt_words(k[1]) for k in keys])
    leak = 1.0 - probs[:, 0]
    kinds = probs[:, 1:].argmax(axis=1) + 1
    verdict = {k: f"classifier:{stage.model.classes[int(c)]}" for k, p, c in zip(keys, leak.tolist(), kinds.tolist(),
                                                                                strict=True) if p >= stage.threshold}
    return {j: verdict[key] for j, key in flat if key in verdict}


def _eligible(distinct: list[str], screened: np.ndarray, flags: _Flags, stage: ClassifierStage) -> np.ndarray:
    """Per distinct text, whether the classifier scores it, for the ``screened`` ids (the screen matched, no
    dialect-gap character; all others False): not about visible text (the guard, and unless ``score_quoted`` a
    quoted span).  The guard runs only on these texts - in Python for a few, else one polars pass."""
    eligible = np.zeros(len(distinct), dtype=bool)
    if not len(screened):
        return eligible
    texts = [distinct[d] for d in screened.tolist()]
    ok = ~np.array(stage.guarded_many(texts), dtype=bool)
    if not stage.score_quoted:
        for k in np.flatnonzero(ok & flags.quote[screened]).tolist():
            ok[k] = not _quoted_spans(texts[k])
    eligible[screened] = ok
    return eligible


_POLARS_RULE_MASKS_FROM = 128  # sentences; below, one Python pass over every rule is cheaper


def _rule_hits(sentences: list[str], rules: RuleSet) -> list[frozenset[str] | None]:
    """Per sentence, the names of the rules whose pattern can match it (a superset: Rust regex finds a
    match), plus the rules polars cannot compile; ``None`` (check every rule) for a sentence with a
    dialect-gap character.  Most sentences match nothing: one pass with the rules' alternation finds the
    others, and only those get one polars test per rule."""
    if len(sentences) < _POLARS_RULE_MASKS_FROM:
        # a polars pass per rule costs its regex compilation each call: for a few sentences, Python checks
        # every rule directly (None), which is also exact on dialect-gap characters
        return [None] * len(sentences)
    screened = [r for r in (*rules._sentence_strip, *rules._sentence_drop) if r.polars_ok]
    always = frozenset(r.name for r in (*rules._sentence_strip, *rules._sentence_drop) if not r.polars_ok)
    out: list[frozenset[str] | None] = [always] * len(sentences)
    s = pl.Series("s", sentences, dtype=pl.String)
    idx = s.str.contains(_rules_screen_pattern(rules)).arg_true()
    if not len(idx):
        return out
    col = pl.col("s")
    masks = pl.DataFrame({"s": s.gather(idx)}).select(
        pl.when(col.str.contains(_dialect_gap_class())).then(pl.lit(-1, dtype=pl.Int64)).otherwise(
            pl.sum_horizontal(
                col.str.contains(r.pattern if r.case_sensitive else f"(?i){r.pattern}").cast(pl.Int64) * (1 << bit)
                for bit, r in enumerate(screened)
            )
        ).alias("mask")
    ).get_column("mask").to_list()
    decoded: dict[int, frozenset[str] | None] = {-1: None}
    for i, mask in zip(idx.to_list(), masks, strict=True):
        if mask not in decoded:
            decoded[mask] = frozenset(r.name for bit, r in enumerate(screened) if mask >> bit & 1) | always
        out[i] = decoded[mask]
    return out


_CODE_REASONS = (None, DROP_EMPTY, DROP_TOO_SHORT, DROP_DEGENERATE)  # by filter_kernels CODE_*


_SIDE: list[ThreadPoolExecutor] = []  # filter_frame's second thread, once started
_SIDE_LOCK = threading.Lock()


def _side_thread() -> ThreadPoolExecutor:
    """filter_frame's second thread, kept for the process: polars caches compiled regexes per thread, and compiling
    the screen's regex on a fresh thread costs more than the pass itself."""
    with _SIDE_LOCK:
        if not _SIDE:
            _SIDE.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="kale-filter"))
        return _SIDE[0]


def _forget_side_thread() -> None:
    # a forked child has none of its parent's threads: an inherited executor would never run what it is given
    global _SIDE_LOCK
    _SIDE.clear()
    _SIDE_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_side_thread)

_SPLIT_SCREEN_FROM = 4_096  # rows; below, one regex pass (a pass has a fixed cost of a few ms)


_CHECK_CHUNK = 4_096  # rows per share of the compiled checks (~1 ms)


class _SharedChecks:
    """The compiled caption-level checks over a column, shared by whichever threads call :meth:`work`: each call is
    one compiled loop that claims chunks of rows until none is left, so a thread needs the GIL only to start it (a
    loop per chunk would wait for the GIL once per chunk while the other thread runs Python)."""

    def __init__(self, raw: pl.Series, cr: CaptionRules) -> None:
        self.raw = raw
        self.cr = cr
        self.codes = np.zeros(len(raw), dtype=np.int8)
        self.counter = np.zeros(1, dtype=np.int64)
        self.lock = threading.Lock()
        self.parts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.keep: pa.Array | None = None  # the Arrow array whose buffers ``parts`` views

    def _arrow_parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # the first thread to get here converts (a copy of the column's bytes), off the other one's path
        with self.lock:
            if self.parts is None:
                arr = self.raw.to_arrow(compat_level=pl.CompatLevel.oldest())
                self.keep = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
                self.parts = arrow_parts(self.keep)
            return self.parts

    def work(self) -> None:
        if not len(self.codes):
            return
        cr = self.cr
        drop_codes_shared(self._arrow_parts(), cr.min_words, cr.degenerate_enabled, cr.degenerate_window_tokens,
                          cr.degenerate_min_tokens, cr.degenerate_min_unique_ratio, self.codes, self.counter,
                          _CHECK_CHUNK)


def _kernel_codes(arr, cr: CaptionRules) -> np.ndarray:
    return drop_codes_arrow(arr, cr.min_words, cr.degenerate_enabled, cr.degenerate_window_tokens,
                            cr.degenerate_min_tokens, cr.degenerate_min_unique_ratio)


def _caption_drop_reasons(texts: list[str | None], cr: CaptionRules) -> list[str | None]:
    """_caption_drop_reason over many captions (None: empty): the compiled checks for ASCII text, Python for
    the rest."""
    ascii_ = [t is None or t.isascii() for t in texts]
    codes = _kernel_codes(pa.array([t if ok else None for t, ok in zip(texts, ascii_, strict=True)],
                                   type=pa.large_string()), cr)
    return [_CODE_REASONS[c] if ok else _caption_drop_reason(t, cr)
            for t, ok, c in zip(texts, ascii_, codes.tolist(), strict=True)]


# --------------------------------------------------------------------------------------------------
# Frames and files
# --------------------------------------------------------------------------------------------------

@functools.cache
def _dialect_gap_class() -> str:
    """A polars (Rust regex) class of the characters on which Rust regex / polars and Python may disagree.

    Outside it, Rust and Python agree on \\w, \\s, \\d (so on \\b and \\W), on case-insensitive matching of
    ASCII letters, on str.lower() and on [\\p{L}\\p{Nd}] being alphanumeric (a test checks every code point).
    Inside it: \\x1c-\\x1f (Python whitespace only), the dotted/dotless i (Python's re.I matches them to 'i'),
    capital sigma (context-dependent lower-casing), other numbers such as '²' (Python \\w only), marks,
    connector punctuation and joiners (Rust \\w only) and everything Python's Unicode tables do not know
    yet.  Rows holding such a character take the exact Python path.
    """
    version = ".".join(unicodedata.unidata_version.split(".")[:2])
    gap = r"(?-i:[\x1c-\x1f\x{130}\x{131}\x{3a3}\p{No}\P{Age=" + version + r"}[\w--[\p{L}\p{Nd}\p{Nl}_]]])"
    if _polars_compiles(gap):
        return gap
    # Python's Unicode is newer than polars': every non-ASCII character is a possible gap (slower, exact).
    return r"(?-i:[^\x00-\x1b\x20-\x7f])"


# Every dialect-gap character is outside printable ASCII: this one-class scan (far cheaper than the gap class's
# Unicode tables) leaves the exact class only the few texts that have such a character.
_MAYBE_GAP = r"[^\x00-\x1b\x20-\x7f]"


def _rules_screen_pattern(rules: RuleSet) -> str:
    """The rules' alternation plus the dialect-gap class: the sentences it matches get per-rule tests."""
    gap = _dialect_gap_class()
    return f"{rules.prescreen_pattern}|{gap}" if rules.prescreen_pattern else gap


def _screen_parts(rules: RuleSet) -> tuple[str, ...]:
    """The caption screen's parts: a rule may match, the classifier's screen matches, or the caption holds a
    character outside printable ASCII (a possible dialect gap, and text the compiled checks leave to Python)."""
    parts = [_ascii_form(rules.prescreen_pattern) if rules.prescreen_pattern
             else r"(?i)[^\s\S]"]  # no polars-compilable rule: never matches
    if rules.classifier is not None:
        parts.append(f"(?i:{_ascii_form(rules.classifier.caption_screen)})")
    parts.append(_MAYBE_GAP)
    return tuple(parts)


def _union_pattern(rules: RuleSet) -> str:
    """The caption screen as one regex (see :func:`_screen_parts`)."""
    return "|".join(_screen_parts(rules))


_SCREEN_PROBE_ROWS = 16
_PATHOLOGICAL = 3.0  # a union this many times slower than a split of it on the probe is not used
# parts -> the regexes the screen runs, per process; the oldest is dropped beyond a few rules sets (a long-lived
# process sees a new one at each rules change)
_SCREEN_CHOICE: dict[tuple[str, ...], tuple[str, ...]] = {}
_SCREEN_CHOICES_KEPT = 16


def _screen_patterns(parts: tuple[str, ...], sample: pl.Series) -> tuple[str, ...]:
    """The regexes the caption screen runs.  One union of the parts is as fast as its slowest part (and the
    non-ASCII class, the last part, costs nearly a whole pass on its own but nothing inside a union), but Rust's
    regex engine falls back from its lazy DFA to a far slower NFA simulation when a union's automaton outgrows the
    DFA's cache - a union of two parts that each scan fast was ~1000x slower than both - and no static check
    predicts that.  So the first time a rules set screens, the union and the splits into two regexes that keep the
    non-ASCII class inside a union are timed on the first rows of ``sample``: the union is kept unless it is
    pathologically slower than the faster split.  Every choice matches the same rows."""
    chosen = _SCREEN_CHOICE.get(parts)
    if chosen is None:
        probe = sample.head(_SCREEN_PROBE_ROWS).drop_nulls()
        if not probe.len():
            return ("|".join(parts),)
        if len(_SCREEN_CHOICE) >= _SCREEN_CHOICES_KEPT:
            _SCREEN_CHOICE.pop(next(iter(_SCREEN_CHOICE)), None)
        chosen = _SCREEN_CHOICE[parts] = _fastest_grouping(parts, probe)
    return chosen


def _fastest_grouping(parts: tuple[str, ...], probe: pl.Series) -> tuple[str, ...]:
    import time

    union = "|".join(parts)
    if len(parts) < 3:
        return (union,)
    rules_part, rest, gap = parts[0], parts[1:-1], parts[-1]
    splits = [(rules_part + "|" + gap, "|".join(rest)), (rules_part, "|".join((*rest, gap)))]

    def timed(grouping: tuple[str, ...]) -> float:
        for p in grouping:
            probe.str.contains(p)  # compile (polars keeps compiled regexes)
        t0 = time.perf_counter()
        for p in grouping:
            probe.str.contains(p)
        return time.perf_counter() - t0

    split_t = {g: timed(g) for g in splits}
    best = min(split_t, key=split_t.__getitem__)
    return (union,) if timed((union,)) <= _PATHOLOGICAL * split_t[best] else best


def _screen(raw: pl.Series, rules: RuleSet) -> np.ndarray:
    """The caption screen: one polars regex pass over the column (:func:`_screen_patterns`); True where a rule or
    the classifier's screen may match, the caption holds a character outside printable ASCII, or is null.  Those
    rows (a few %) go through the sentence pass, which screens their distinct sentences again."""
    patterns = _screen_patterns(_screen_parts(rules), raw)
    if len(patterns) == 1:
        return raw.str.contains(patterns[0]).fill_null(True).to_numpy()
    hit = pl.DataFrame({"c": raw}).select(pl.any_horizontal(pl.col("c").str.contains(p) for p in patterns))
    return hit.to_series().fill_null(True).to_numpy()


@dataclass
class _Changes:
    """Rows whose outcome differs from "kept as is": parallel lists, plus the removals of the rows that have any."""

    idx: list[int] = field(default_factory=list)
    caption: list[str | None] = field(default_factory=list)
    reason: list[str | None] = field(default_factory=list)
    removal_rows: list[int] = field(default_factory=list)
    removals: list[list[Removal]] = field(default_factory=list)

    def add(self, i: int, caption: str | None, reason: str | None) -> None:
        self.idx.append(i)
        self.caption.append(caption)
        self.reason.append(reason)


def _filter_candidates(raw: pl.Series, cand: np.ndarray, rules: RuleSet, alts: pl.Series | None,
                       out: _Changes) -> np.ndarray:
    """The rows the screen picked, through _filter_sparse; the rows it changed (or dropped as null) go to ``out``.
    Returns their mask (the others still need the caption-level checks)."""
    null = raw.is_null().to_numpy()
    changed = cand & null
    for i in np.flatnonzero(changed).tolist():
        out.add(i, None, DROP_EMPTY)
    idx = np.flatnonzero(cand & ~null)
    if len(idx):
        touched, texts, removals = _filter_sparse(raw.gather(idx), rules,
                                                  alts.gather(idx) if alts is not None else None)
        rows = idx[touched]
        reasons = _caption_drop_reasons(texts, rules.caption_rules)
        out.idx.extend(rows.tolist())
        out.caption.extend([None if r else t for t, r in zip(texts, reasons, strict=True)])
        out.reason.extend(reasons)
        out.removal_rows.extend(rows.tolist())
        out.removals.extend(removals)
        changed[rows] = True
    return changed


def filter_frame(df: pl.DataFrame, rules: RuleSet, caption_col: str = "caption",
                 alt_text_col: str | None = "alt_text") -> pl.DataFrame:
    """Filter the caption column of a frame; same rows, same order, all input columns.

    The caption column is replaced by the cleaned caption (null when dropped) and ``caption_raw``
    (the input caption), ``removed_sentences`` (list of {text, rule}) and ``drop_reason`` (null when kept)
    are added (replaced if present).  When the frame has ``alt_text_col`` (the fusion input of the row),
    the classifier uses it as context.
    """
    if caption_col not in df.columns:
        raise ValueError(f"filter_frame: no column {caption_col!r} (columns: {df.columns})")
    if caption_col in ("caption_raw", "removed_sentences", "drop_reason"):
        raise ValueError(f"filter_frame: the caption column may not be called {caption_col!r} (an output column)")
    raw = df.get_column(caption_col)
    if raw.dtype != pl.String:
        raw = raw.cast(pl.String)
    n = raw.len()
    pool = _side_thread()
    # Two threads (polars and numba release the GIL): the regex screen runs over the two halves of the column
    # side by side; then this thread filters the rows it picked while the other starts on the compiled
    # caption-level checks, which both share out in chunks once this thread is done.  Each row's screen and
    # checks depend on that row alone.
    half = n // 2 if n >= _SPLIT_SCREEN_FROM else n
    tail_job = pool.submit(_screen, raw.slice(half, n - half), rules) if half < n else None
    checks = _SharedChecks(raw, rules.caption_rules)
    side_job = pool.submit(checks.work)
    screen = _screen(raw.slice(0, half), rules)
    if tail_job is not None:
        screen = np.concatenate([screen, tail_job.result()])
    if rules._python_prescreen:
        # rows where a rule polars cannot compile matches are checked in Python
        screen[[i for i, t in enumerate(raw.to_list())
                if t is not None and any(r.regex.search(t) for r in rules._python_prescreen)]] = True
    alts = None
    if alt_text_col is not None and alt_text_col in df.columns and rules.classifier is not None:
        alts = df.get_column(alt_text_col).cast(pl.String)
    out = _Changes()
    changed = _filter_candidates(raw, screen, rules, alts, out)
    checks.work()
    side_job.result()
    codes = checks.codes
    # The rows nothing was removed from keep their text; left are the caption-level checks: the compiled codes
    # (exact for ASCII), Python's for the screened rows with other characters (no others have any).
    rest = np.flatnonzero(screen & ~changed)
    python = [i for i, t in zip(rest.tolist(), raw.gather(rest).to_list(), strict=True) if not t.isascii()]
    cr = rules.caption_rules
    for i in python:
        reason = _caption_drop_reason(raw[i], cr)
        if reason:
            out.add(i, None, reason)
    codes[changed] = 0
    codes[python] = 0
    nonzero = np.flatnonzero(codes)
    out.idx.extend(nonzero.tolist())
    out.caption.extend([None] * len(nonzero))
    out.reason.extend(_CODE_REASONS[c] for c in codes[nonzero].tolist())
    caption = raw
    reason = pl.repeat(None, n, dtype=pl.String, eager=True)
    if out.idx:
        # Series.scatter writes in place: a clone keeps the input frame (and caption_raw) untouched
        caption = raw.clone().scatter(out.idx, pl.Series(out.caption, dtype=pl.String))
        reason = reason.scatter(out.idx, pl.Series(out.reason, dtype=pl.String))
    return df.with_columns(
        caption.alias(caption_col),
        raw.alias("caption_raw"),
        _removed_column(n, out.removal_rows, out.removals).alias("removed_sentences"),
        reason.alias("drop_reason"),
    )


def _removed_column(n: int, rows: list[int], removals: list[list[Removal]]) -> pl.Series:
    """A length-n list[struct{text, rule}] column: empty lists except at the given rows (ascending)."""
    counts = np.zeros(n, dtype=np.int64)
    counts[rows] = [len(r) for r in removals]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    flat = [r for rs in removals for r in rs]
    values = pa.StructArray.from_arrays(
        [pa.array([r.text for r in flat], pa.large_string()), pa.array([r.rule for r in flat], pa.large_string())],
        names=["text", "rule"])
    arr = pa.LargeListArray.from_arrays(pa.array(offsets), values)
    return pl.Series("removed_sentences", arr).cast(REMOVED_DTYPE)


_PARQUET_EXT = (".parquet", ".pq")
_JSONL_EXT = (".jsonl", ".ndjson")


def _kind(path: str) -> str:
    low = str(path).lower()
    if low.endswith(_PARQUET_EXT):
        return "parquet"
    if low.endswith(_JSONL_EXT):
        return "jsonl"
    raise ValueError(f"{path}: unsupported extension (use .parquet/.pq or .jsonl/.ndjson)")


def filter_file(in_path: str, out_path: str, rules: RuleSet | None = None) -> dict:
    """Filter a parquet/jsonl file of ``uid``, ``caption`` rows into OUT (parquet or jsonl by extension).

    OUT holds uid, caption (null if dropped), drop_reason, removed_sentences, rules_version, rules_hash and
    is written atomically.  Returns a summary: rows, kept, dropped_by_reason, removals_by_rule,
    rules_version, rules_hash, out_path.
    """
    rules = rules if rules is not None else load_rules()
    in_kind, out_kind = _kind(in_path), _kind(out_path)
    df = pl.read_parquet(in_path) if in_kind == "parquet" else _read_jsonl(in_path)
    missing = [c for c in ("uid", "caption") if c not in df.columns]
    if missing:
        raise ValueError(f"{in_path}: missing required column(s) {missing} (has {df.columns})")
    context = ["alt_text"] if "alt_text" in df.columns else []  # the classifier's context, when the file has it
    filtered = filter_frame(df.select("uid", "caption", *context), rules, caption_col="caption")
    out = filtered.select(
        "uid", "caption", "drop_reason", "removed_sentences",
        pl.lit(rules.version, dtype=pl.String).alias("rules_version"),
        pl.lit(rules.sha256, dtype=pl.String).alias("rules_hash"),
    )
    atomic_write(out_path, out.write_parquet if out_kind == "parquet" else out.write_ndjson)
    reasons = out.get_column("drop_reason").drop_nulls().to_list()
    removals = Counter(
        r for r in out.get_column("removed_sentences").explode().struct.field("rule").drop_nulls().to_list()
    )
    return {
        "rows": out.height,
        "kept": out.height - len(reasons),
        "dropped_by_reason": dict(sorted(Counter(reasons).items())),
        "removals_by_rule": dict(sorted(removals.items())),
        "rules_version": rules.version,
        "rules_hash": rules.sha256,
        "out_path": str(out_path),
    }


def _read_jsonl(path: str) -> pl.DataFrame:
    if os.path.getsize(path) == 0:
        return pl.DataFrame()
    return pl.read_ndjson(path, infer_schema_length=None)
