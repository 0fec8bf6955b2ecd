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

Speed: :func:`filter_frame` makes one polars pass over the caption column, its expressions side by side on
the thread pool: the rules' alternation (a superset pre-screen costing about one raw ``str.contains`` scan),
the classifier's screen, the captions that may be empty or too short, a one-class scan for characters on
which polars and Python may disagree (the "dialect gap"; only the few texts it picks get the exact Unicode
class), and a certificate that a caption is not degenerate (enough distinct tokens among its last ~180
characters).  Only the rows a rule or the classifier screen picks go further, and there everything is
vectorised except the sentences that need it: the captions are cut into sentences by one polars
replace/split (captions where that could differ from :func:`split_sentences` - abbreviations, quotes around a
full stop, non-ASCII text - are split in Python), the rules' per-sentence screen names the rules that can
match each sentence of the rule rows (Python runs only those), the classifier's screen and visible-text guard
run over the sentences in polars, and each distinct (sentence, alt-text) is scored once.  A caption is rebuilt
in Python only when something was removed from it; the others keep their bytes and only get the
caption-level checks (exact polars expressions; the repetition check's token statistics only for the ~5 %
the certificate leaves open).  ``degenerate_repetition.enabled: false`` in the rules file turns that check
off.  :func:`benchmark_filter` (``python -m kale_assets.filtering [n_rows]``) times the filter against a raw
scan; ``kale bench --only filter`` does the same as the project's yardstick.  The results are identical to
:func:`filter_caption` row by row (the tests check this, dialect-gap characters included).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import yaml

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
    "benchmark_captions",
    "benchmark_filter",
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

    @property
    def name(self) -> str:
        return f"classifier {self.model.version} (threshold {self.threshold})"


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
_TOP_KEYS = {"version", "sentence_rules", "caption_rules", "classifier"}
_CLASSIFIER_KEYS = {"enabled", "weights", "threshold", "screen", "visible_text_guard"}
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
                   caption_rules=caption_rules, prescreen_pattern=prescreen, classifier=classifier)


def _parse_classifier(raw, rules_path: Path, where: str) -> ClassifierStage | None:
    """The ``classifier:`` section.  ``weights`` is relative to the rules file's folder; a copy of the rules
    file elsewhere (tests, a work folder) falls back to the shipped folder for a relative path."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: 'classifier' must be a mapping")
    unknown = set(raw) - _CLASSIFIER_KEYS
    if unknown:
        raise ValueError(f"{where}: classifier: unknown key(s) {sorted(unknown)}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"{where}: classifier.enabled must be true or false")
    if not enabled:
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
    if isinstance(screen, list) and screen and all(isinstance(x, str) and x for x in screen):
        screen = "|".join(f"(?:{x})" for x in screen)
    if not isinstance(screen, str) or not screen or "$" in screen.replace("\\$", ""):
        raise ValueError(f"{where}: classifier.screen must be a regex or list of regexes without '$'")
    try:
        regex = re.compile(screen, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{where}: classifier.screen: invalid regex: {exc}") from exc
    if not _polars_compiles(_prescreen_part(screen)):
        raise ValueError(f"{where}: classifier.screen must also compile in polars (Rust regex)")
    guard = raw.get("visible_text_guard")
    if isinstance(guard, list) and guard and all(isinstance(x, str) and x for x in guard):
        guard = "|".join(f"(?:{x})" for x in guard)
    if guard is not None and not isinstance(guard, str):
        raise ValueError(f"{where}: classifier.visible_text_guard must be a regex or list of regexes")
    try:
        guard_re = re.compile(guard, re.IGNORECASE) if guard else None
    except re.error as exc:
        raise ValueError(f"{where}: classifier.visible_text_guard: invalid regex: {exc}") from exc
    return ClassifierStage(model=model, weights_path=str(wp), screen_pattern=screen, screen=regex,
                           threshold=float(threshold), guard=guard_re)


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


def _prescreen_part(pattern: str) -> str:
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            out.append(pattern[i:i + 2])
            i += 2
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
        elif ch == "^":
            out.append(_SENTENCE_START)
        elif ch == "$":
            pass
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


# Captions on which the vectorised splitter below might differ from _sentence_spans; they are split in Python.
# Everything else is printable ASCII where every candidate sentence end (a run of . ! ? and closers, then
# whitespace) is followed by a capital letter, is not inside a quoted span (no quote opener before it, without
# a closer between, and a closer after it: a superset of _QUOTED_RE's lazy spans) and does not follow a "maybe"
# abbreviation (St., Inc.), a single letter, an initialism or a cut-off long word.  There _is_boundary is true,
# so every candidate is a cut, except a lone full stop after an abbreviation that never ends a sentence (Dr.,
# Mr., e.g.): that is never a cut.
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
_EASY_CUT = r"""([.!?][.!?"')\]]*) +"""
# the full stop of a never-ending abbreviation, hidden as \x01 while cutting (easy captions hold no \x01)
_EASY_KEEP = r"""(?i)((?:^|[\s"'(\[])["'(\[]*(?:""" + _alternation(_ABBREV_NEVER) + r"""))\.(["')\]]* )"""


def _split_flat(texts: pl.Series) -> tuple[pl.Series, np.ndarray]:
    """All sentences of all texts, flat, with the index of the text each came from (ascending): exactly
    [_sentence_spans(t) for t in texts] concatenated.  Easy captions (most) are split by one polars
    replace/split over the column, the others in Python."""
    hard = texts.str.contains(_HARD_SPLIT_PATTERN).fill_null(False)
    easy = (
        pl.DataFrame({"t": texts, "hard": hard}).with_row_index("row")
        .filter(~pl.col("hard") & pl.col("t").is_not_null())
        .select(pl.col("row").cast(pl.Int64),
                pl.col("t").str.strip_chars(" ").str.replace_all(_EASY_KEEP, "${1}\x01${2}")
                .str.replace_all(_EASY_CUT, "${1}\x00").str.replace_all("\x01", ".", literal=True).str.split("\x00"))
        .explode("t")
        .filter(pl.col("t").str.len_bytes() > 0)
    )
    hard_rows = hard.arg_true()
    if len(hard_rows):
        rows: list[int] = []
        sents: list[str] = []
        for i, t in zip(hard_rows.to_list(), texts.gather(hard_rows).to_list(), strict=True):
            for a, b in _sentence_spans(t) if t else ():
                rows.append(i)
                sents.append(t[a:b])
        hard_frame = pl.DataFrame({"row": rows, "t": sents}, schema={"row": pl.Int64, "t": pl.String})
        easy = pl.concat([easy, hard_frame]).sort("row", maintain_order=True)
    return easy.get_column("t"), easy.get_column("row").to_numpy()


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
    guard = rules.classifier.guard if rules.classifier is not None else None
    guarded: bool | None = None
    for rule in rules._sentence_drop:
        if hits is not None and rule.name not in hits:
            continue
        if rule.regex.search(sentence) is None:
            continue
        if rule.skip_quoted and guard is not None:
            # the keyword rules skip visible text: a quote (below) or a sign/screen/worksheet that reads it
            if guarded is None:
                guarded = guard.search(sentence) is not None
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
# breaks and tabs made spaces, split on single spaces, empty pieces dropped.  Polars computes exactly the
# same thing with str.replace_all + str.split, so the vectorised screen and this reference agree.
_DEGENERATE_DELETE = ",.;:!?\"()"
_DEGENERATE_SPACE = "\n\t\r"
_DEGENERATE_DELETE_CLASS = r'[,.;:!?"()]'  # the same characters, as regex classes for polars
_DEGENERATE_SPACE_CLASS = r"[\n\t\r]"
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
    """``regex.search(t) is not None`` for each text: one polars pass (Rust regex runs a big alternation of
    words far faster than Python's re), Python for the few texts with a dialect-gap character."""
    if len(texts) < 16:
        return [regex.search(t) is not None for t in texts]
    s = pl.Series("s", texts, dtype=pl.String)
    flags = pl.DataFrame({"s": s}).select(
        pl.col("s").str.contains("(?i)" + regex.pattern).alias("hit"),
        pl.col("s").str.contains(_dialect_gap_class()).alias("gap"),
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
        guarded = _search_many(stage.guard, texts)
        live = [j for j, t, g in zip(live, texts, guarded, strict=True) if not g and not _quoted_spans(t)]
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
    changed = bool(removals) or any(r for _, r in results)
    for _, removed in results:
        removals.extend(removed)
    cleaned = " ".join(cur for cur, _ in results if cur is not None) if changed else text
    reason = _caption_drop_reason(cleaned, rules.caption_rules)
    return FilterOutcome(None if reason else cleaned, tuple(removals), reason)


def _sparse_rule_pass(sents: list[str], rules: RuleSet) -> dict[int, tuple[str | None, list[Removal]]]:
    """The sentence rules over a flat sentence list, touching only the sentences a rule may match: the
    changed ones as {index: (kept text or None, removals)}."""
    changed: dict[int, tuple[str | None, list[Removal]]] = {}
    pending: list[tuple[int, str]] = []
    for j, h in _rule_hits_sparse(sents, rules):
        current, removals, modified = _strip_sentence(sents[j], rules, h)
        if current is not None and modified:
            pending.append((j, current))
        elif current is not None:
            name = _dropping_rule(current, rules, h)
            if name is not None:
                removals.append(Removal(current, name))
                current = None
        if removals:
            changed[j] = (current, removals)
    if pending:
        for (j, current), h in zip(pending, _rule_hits([p[1] for p in pending], rules), strict=True):
            name = _dropping_rule(current, rules, h) if h is None or h else None
            if name is not None:
                changed[j] = (None, [*changed[j][1], Removal(current, name)])
    return changed


def _rule_hits_sparse(sents: list[str], rules: RuleSet) -> list[tuple[int, frozenset[str] | None]]:
    """(index, rules that may match it) for the sentences some rule may match; every sentence when a rule
    cannot be screened by polars."""
    if any(not r.polars_ok for r in (*rules._sentence_strip, *rules._sentence_drop)):
        return list(enumerate(_rule_hits(sents, rules)))
    if not sents:
        return []
    idx = pl.Series("s", sents, dtype=pl.String).str.contains(_rules_screen_pattern(rules)).arg_true().to_list()
    hits = _rule_hits([sents[j] for j in idx], rules)
    return [(j, h) for j, h in zip(idx, hits, strict=True) if h is None or h]


def _classify_sparse(texts: pl.Series, owner: np.ndarray, changed: dict[int, tuple[str | None, list[Removal]]],
                     alt_texts: pl.Series | None, stage: ClassifierStage) -> None:
    """The learned stage over a flat sentence column (what the rules kept: ``changed`` applied), in place on
    ``changed``: screened and guarded in polars (Python re-checks only text with a dialect-gap character or a
    quote character), each distinct (sentence, alt-text) checked and scored once."""
    alts = alt_texts.gather(owner) if alt_texts is not None else pl.repeat(None, len(texts), dtype=pl.String,
                                                                          eager=True)
    col = pl.col("s")
    frame = (
        pl.DataFrame({"s": texts, "alt": alts, "gap": _gap_mask(texts)}).with_row_index("j")
        .filter(col.is_not_null())
        .filter(pl.col("gap") | col.str.contains("(?i)" + stage.screen.pattern))
    )
    if stage.guard is not None:
        frame = frame.filter(pl.col("gap") | ~col.str.contains("(?i)" + stage.guard.pattern))
    if not frame.height:
        return
    frame = frame.with_columns(col.str.contains(r"""["'“‘«„]""").alias("quote"))
    keep: list[tuple[str, str | None]] = []
    for t, alt, g, q in frame.unique(["s", "alt"], maintain_order=True).select("s", "alt", "gap", "quote").iter_rows():
        if g and (stage.screen.search(t) is None or (stage.guard is not None and stage.guard.search(t))):
            continue
        if (q or g) and _quoted_spans(t):
            continue
        keep.append((t, alt))
    if not keep:
        return
    probs = stage.model.probabilities([k[0] for k in keep], [alt_words(k[1]) for k in keep])
    leak = 1.0 - probs[:, 0]
    kinds = probs[:, 1:].argmax(axis=1) + 1
    flagged = {k: stage.model.classes[int(c)] for k, p, c in zip(keep, leak.tolist(), kinds.tolist(), strict=True)
               if p >= stage.threshold}
    if not flagged:
        return
    for j, t, alt in frame.select("j", "s", "alt").iter_rows():
        kind = flagged.get((t, alt))
        if kind is not None:
            removals = changed[j][1] if j in changed else []
            changed[j] = (None, [*removals, Removal(t, f"classifier:{kind}")])


def _filter_sparse(texts: pl.Series, rules: RuleSet, alt_texts: pl.Series | None, rule_rows: np.ndarray
                   ) -> dict[int, tuple[str, list[Removal]]]:
    """The rules and the classifier over a column of non-null captions: {row: (the kept sentences joined with
    spaces, removals)} for the rows something was removed from (the others stay byte-identical).  Only the
    sentences of ``rule_rows`` (the rules' pre-screen) take the rules pass."""
    caption_removals: dict[int, list[Removal]] = {}
    if rules._caption_strip:
        # the pre-screen form of each pattern (anchors widened) is a superset of what Python's re matches
        hit = (texts.str.contains("|".join(f"(?-i:{_prescreen_part(r.pattern)})" if r.case_sensitive
                                           else f"(?i:{_prescreen_part(r.pattern)})" for r in rules._caption_strip))
               if all(r.polars_ok for r in rules._caption_strip) else pl.Series([True] * len(texts)))
        idx = (hit | _gap_mask(texts)).arg_true()
        works = texts.gather(idx).to_list()
        for k, t in enumerate(works):
            for rule in rules._caption_strip:
                if rule.regex.search(t) is not None:
                    t, removed = _strip(rule, t)
                    caption_removals.setdefault(int(idx[k]), []).extend(removed)
            works[k] = t
        texts = texts.scatter(idx, pl.Series(works, dtype=pl.String)) if len(idx) else texts
    sents, owner = _split_flat(texts)
    sel = np.flatnonzero(rule_rows[owner])
    sub = _sparse_rule_pass(sents.gather(sel).to_list(), rules) if len(sel) else {}
    changed = {int(sel[k]): v for k, v in sub.items()}
    if rules.classifier is not None:
        kept = sents
        if changed:
            j = list(changed)
            kept = sents.clone().scatter(j, pl.Series([changed[i][0] for i in j], dtype=pl.String))
        _classify_sparse(kept, owner, changed, alt_texts, rules.classifier)
    touched = sorted({int(owner[j]) for j in changed} | set(caption_removals))
    out: dict[int, tuple[str, list[Removal]]] = {}
    if not touched:
        return out
    starts = np.searchsorted(owner, touched, side="left").tolist()
    ends = np.searchsorted(owner, touched, side="right").tolist()
    for i, a, b in zip(touched, starts, ends, strict=True):
        removals = list(caption_removals.get(i, []))
        kept_text: list[str] = []
        for j, sentence in zip(range(a, b), sents.slice(a, b - a).to_list(), strict=True):
            cur, removed = changed.get(j, (sentence, ()))
            removals.extend(removed)
            if cur is not None:
                kept_text.append(cur)
        out[i] = (" ".join(kept_text), removals)
    return out


def _rule_hits(sentences: list[str], rules: RuleSet) -> list[frozenset[str] | None]:
    """Per sentence, the names of the rules whose pattern can match it (a superset: Rust regex finds a
    match), plus the rules polars cannot compile; ``None`` (check every rule) for a sentence with a
    dialect-gap character.  Most sentences match nothing: one pass with the rules' alternation finds the
    others, and only those get one polars test per rule."""
    screened = [r for r in (*rules._sentence_strip, *rules._sentence_drop) if r.polars_ok]
    always = frozenset(r.name for r in (*rules._sentence_strip, *rules._sentence_drop) if not r.polars_ok)
    out: list[frozenset[str] | None] = [always] * len(sentences)
    if not sentences:
        return out
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


def _caption_drop_reasons(texts: list[str | None], cr: CaptionRules) -> list[str | None]:
    """_caption_drop_reason over many captions (None: empty); the degenerate check vectorised."""
    reasons: list[str | None] = []
    candidates: list[int] = []
    for i, t in enumerate(texts):
        if t is None or not _ALNUM_RE.search(t):
            reasons.append(DROP_EMPTY)
        elif len(t.split()) < cr.min_words:
            reasons.append(DROP_TOO_SHORT)
        else:
            reasons.append(None)
            candidates.append(i)
    if cr.degenerate_enabled and candidates:
        for i, degenerate in zip(candidates, _degenerate_flags([texts[i] for i in candidates], cr), strict=True):
            if degenerate:
                reasons[i] = DROP_DEGENERATE
    return reasons


def _degenerate_flags(texts: list[str], cr: CaptionRules) -> list[bool]:
    """_is_degenerate for each text: vectorised, and in Python for texts with a dialect-gap character."""
    if len(texts) < 8:  # a polars call costs more than a few Python checks
        return [_is_degenerate(t, cr) for t in texts]
    s = pl.Series("c", texts, dtype=pl.String)
    flags = _degenerate_exact(s, cr).to_list()
    for i in s.str.contains(_dialect_gap_class()).arg_true().to_list():
        flags[i] = _is_degenerate(texts[i], cr)
    return flags


# --------------------------------------------------------------------------------------------------
# Frames and files
# --------------------------------------------------------------------------------------------------

# Exactly the characters str.split() splits on (every c with c.isspace(); a test checks the list), written
# for Rust regex, so the vectorised word count equals len(text.split()).
_PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WS_CLASS = "".join(f"\\x{{{ord(c):x}}}" for c in _PY_WHITESPACE)



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


def _gap_mask(texts: pl.Series) -> pl.Series:
    """Per text, whether it holds a dialect-gap character (null: False)."""
    maybe = texts.str.contains(_MAYBE_GAP).fill_null(False)
    idx = maybe.arg_true()
    if not len(idx):
        return maybe
    return maybe.scatter(idx, texts.gather(idx).str.contains(_dialect_gap_class()).fill_null(False))


def _rules_screen_pattern(rules: RuleSet) -> str:
    """The rules' alternation plus the dialect-gap class: the sentences it matches get per-rule tests."""
    gap = _dialect_gap_class()
    return f"{rules.prescreen_pattern}|{gap}" if rules.prescreen_pattern else gap


def _small_pattern(rules: RuleSet) -> str:
    """The captions that may be dropped as empty (no letter or decimal digit that Python also calls
    alphanumeric) or too short (exactly: fewer than min_words str.split() words).  These anchored alternatives
    die after a caption's first letter or first min_words words, so they cost little in a regex pass."""
    parts = [r"(?-i:^[^\p{L}\p{Nd}]*$)"]
    k = rules.caption_rules.min_words
    if k > 0:
        # at most k-1 runs of non-space: an iteration never spans two words, so it counts words exactly
        parts.append(rf"(?-i:^[{_WS_CLASS}]*(?:[^{_WS_CLASS}]+[{_WS_CLASS}]*){{0,{k - 1}}}$)")
    return "|".join(parts)


def _token_pieces(text: pl.Expr) -> pl.Expr:
    """The degenerate-repetition tokenisation of _degenerate_tokens, as polars (before dropping empty pieces).

    Identical to Python's for text without dialect-gap characters (same lower-casing there)."""
    return (
        text.str.to_lowercase()
        .str.replace_all(_DEGENERATE_DELETE_CLASS, "")
        .str.replace_all(_DEGENERATE_SPACE_CLASS, " ")
        .str.split(" ")
    )


def _not_degenerate_certificate(c: pl.Expr, cr: CaptionRules) -> pl.Expr | None:
    """True only for captions that are certainly not degenerate, from a short slice of their end.

    A caption is degenerate when its last W <= window_tokens tokens hold fewer than ratio * W distinct
    tokens.  Every complete token in the caption's last characters is among its last tokens, so when the
    last ``window_tokens`` pieces of that slice (its first piece may be a cut token: left out; an empty piece
    adds at most one value) hold at least ratio * window_tokens + 1 distinct values, the window has at least
    ratio * window_tokens >= ratio * W distinct tokens.  Ordinary prose passes from a slice of ~9
    characters per needed token; the few rows that do not are checked exactly.  ``None``: no certificate
    (window_tokens 0 means the whole caption, of unbounded length).
    """
    w = cr.degenerate_window_tokens
    if not w:
        return None
    need = cr.degenerate_min_unique_ratio * w + 1.0
    pieces = _token_pieces(c.str.tail(max(9, int(9 * need)))).list.slice(1).list.tail(w)
    return pieces.list.n_unique().cast(pl.Float64) >= need


def _degenerate_exact(texts: pl.Series, cr: CaptionRules) -> pl.Series:
    """_is_degenerate over a column, vectorised; exact for text without dialect-gap characters."""
    t = pl.col("t")
    w = cr.degenerate_window_tokens
    window = t.list.tail(w) if w else t
    return (
        pl.DataFrame({"c": texts}).lazy()
        .select(_token_pieces(pl.col("c")).list.filter(pl.element() != "").alias("t"))
        .select(((t.list.len() >= cr.degenerate_min_tokens)
                 & (window.list.n_unique().cast(pl.Float64)
                    < cr.degenerate_min_unique_ratio * window.list.len().cast(pl.Float64)))
                .fill_null(False).alias("d"))
        .collect().get_column("d")
    )


def _screen(raw: pl.Series, rules: RuleSet) -> pl.DataFrame:
    """One polars pass over the caption column (its expressions run side by side on the thread pool).

    Bool columns, no nulls: ``rules`` - a rule may match (the rules' alternation, a superset) or the caption
    holds a dialect-gap character or is null; ``clf`` - the classifier's screen matches; ``small`` - the caption
    may be dropped as empty or too short; ``settled`` - certainly not degenerate (or the check is off).
    """
    cr = rules.caption_rules
    c = pl.col("c")
    if not cr.degenerate_enabled:
        settled = pl.lit(True)
    else:
        cert = _not_degenerate_certificate(c, cr)
        settled = cert if cert is not None else pl.lit(False)
    clf = (c.str.contains(f"(?i){_prescreen_part(rules.classifier.screen_pattern)}") if rules.classifier is not None
           else pl.lit(False))
    rule_pattern = rules.prescreen_pattern or r"[^\s\S]"  # no polars-compilable rule: a pattern that never matches
    screen = (
        pl.DataFrame({"c": raw}).lazy()
        .select(
            c.str.contains(rule_pattern).fill_null(True).alias("rules"),
            clf.fill_null(False).alias("clf"),
            c.str.contains(_small_pattern(rules)).fill_null(True).alias("small"),
            settled.fill_null(True).alias("settled"),
            c.str.contains(_MAYBE_GAP).fill_null(False).alias("maybe_gap"),
        )
        .collect()
    )
    idx = screen.get_column("maybe_gap").arg_true()
    if len(idx):
        gap = raw.gather(idx).str.contains(_dialect_gap_class()).fill_null(False)
        rules_col = screen.get_column("rules")
        screen = screen.with_columns(rules_col.scatter(idx, rules_col.gather(idx) | gap))
    return screen.drop("maybe_gap")


@dataclass
class _Changes:
    """Rows whose outcome differs from "kept as is": parallel lists, plus the rows that have removals."""

    idx: list[int] = field(default_factory=list)
    caption: list[str | None] = field(default_factory=list)
    reason: list[str | None] = field(default_factory=list)
    removals: list[tuple[int, FilterOutcome]] = field(default_factory=list)

    def add(self, i: int, caption: str | None, reason: str | None) -> None:
        self.idx.append(i)
        self.caption.append(caption)
        self.reason.append(reason)


def _filter_candidates(raw: pl.Series, screen: pl.DataFrame, rules: RuleSet, alts: pl.Series | None,
                       out: _Changes) -> pl.Series:
    """The rows a rule or the classifier screen picked, through _filter_sparse; the rows it changed go to
    ``out``.  Returns the mask of the rows left as they were (their caption-level checks are still due)."""
    cand = screen.get_column("rules") | screen.get_column("clf")
    null = raw.is_null()
    idx = (cand & ~null).arg_true()
    done = (cand & null).arg_true().to_list()
    for i in done:
        out.add(i, None, DROP_EMPTY)
    if len(idx):
        sparse = _filter_sparse(raw.gather(idx), rules, alts.gather(idx) if alts is not None else None,
                                screen.get_column("rules").gather(idx).to_numpy())
        changed = [(int(idx[k]), res) for k, res in sorted(sparse.items())]
        reasons = _caption_drop_reasons([res[0] for _, res in changed], rules.caption_rules)
        for (i, (text, removals)), reason in zip(changed, reasons, strict=True):
            out.add(i, None if reason else text, reason)
            out.removals.append((i, FilterOutcome(None if reason else text, tuple(removals), reason)))
            done.append(i)
    return cand.scatter(done, False) if done else cand


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
    screen = _screen(raw, rules)
    if rules._python_prescreen:
        # rows where a rule polars cannot compile matches are checked in Python
        hits = [i for i, t in enumerate(raw.to_list())
                if t is not None and any(r.regex.search(t) for r in rules._python_prescreen)]
        if hits:
            screen = screen.with_columns(screen.get_column("rules").scatter(hits, True))
    alts = None
    if alt_text_col is not None and alt_text_col in df.columns and rules.classifier is not None:
        alts = df.get_column(alt_text_col).cast(pl.String)
    out = _Changes()
    same = _filter_candidates(raw, screen, rules, alts, out)
    # The rows nothing was removed from keep their text; left are the caption-level checks: exact in Python
    # for the few that may be empty or too short or hold a dialect-gap character, vectorised (degenerate) for
    # the rows the certificate does not settle.
    cr = rules.caption_rules
    changed = (screen.get_column("rules") | screen.get_column("clf")) & ~same
    gap = screen.get_column("rules") & same  # a rules-screen row untouched: may hold a dialect-gap character
    python = (screen.get_column("small") | gap) & ~changed
    for i in python.arg_true().to_list():
        t = raw[i]
        reason = DROP_EMPTY if t is None else _caption_drop_reason(t, cr)
        if reason:
            out.add(i, None, reason)
    open_ = ~screen.get_column("settled") & ~python & ~changed
    if cr.degenerate_enabled and open_.any():
        idx = open_.arg_true()
        for i in idx.filter(_degenerate_exact(raw.gather(idx), cr)).to_list():
            out.add(i, None, DROP_DEGENERATE)
    caption = raw
    reason = pl.repeat(None, n, dtype=pl.String, eager=True)
    if out.idx:
        # Series.scatter writes in place: a clone keeps the input frame (and caption_raw) untouched
        caption = raw.clone().scatter(out.idx, pl.Series(out.caption, dtype=pl.String))
        reason = reason.scatter(out.idx, pl.Series(out.reason, dtype=pl.String))
    return df.with_columns(
        caption.alias(caption_col),
        raw.alias("caption_raw"),
        _removed_column(n, out.removals).alias("removed_sentences"),
        reason.alias("drop_reason"),
    )


def _removed_column(n: int, rows: list[tuple[int, FilterOutcome]]) -> pl.Series:
    """A length-n list[struct{text, rule}] column: empty lists except at the given rows."""
    import numpy as np
    import pyarrow as pa

    counts = np.zeros(n, dtype=np.int64)
    texts: list[str] = []
    names: list[str] = []
    for i, o in sorted(rows, key=lambda x: x[0]):
        counts[i] = len(o.removals)
        for r in o.removals:
            texts.append(r.text)
            names.append(r.rule)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    values = pa.StructArray.from_arrays(
        [pa.array(texts, pa.large_string()), pa.array(names, pa.large_string())], names=["text", "rule"])
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


# --------------------------------------------------------------------------------------------------
# Timing: benchmark_filter(), python -m kale_assets.filtering [n_rows]
# --------------------------------------------------------------------------------------------------

_BENCH_ADJ = ("weathered", "bright", "small", "crowded", "quiet", "colorful", "modern", "rustic", "polished",
              "faded", "ornate", "minimalist", "sunlit", "shadowy", "glossy", "narrow", "wide", "tall", "busy")
_BENCH_SUBJECTS = ("red brick building", "woman in a yellow raincoat", "storefront", "vintage travel poster",
                   "wooden dining table", "screenshot of a weather app", "bottle of olive oil", "street sign",
                   "oil painting of a harbor", "hardcover book", "golden retriever", "smartphone", "mountain lake",
                   "bowl of ramen", "concert stage", "child on a bicycle", "glass office tower", "birthday cake")
_BENCH_NOUNS = ("window", "doorway", "lamp", "bench", "tree", "fence", "awning", "sign", "shelf", "crate", "rug",
                "mural", "balcony", "staircase", "fountain", "bicycle", "umbrella", "basket", "curtain", "railing",
                "tile floor", "brick wall", "flower pot", "clock", "banner", "label", "logo", "menu board")
_BENCH_VERBS = ("stands beside", "rests on", "leans against", "hangs above", "sits near", "faces", "overlooks",
                "is framed by", "is partly hidden behind", "casts a shadow over", "is reflected in", "runs along")
_BENCH_COLORS = ("red", "blue", "green", "amber", "white", "black", "teal", "ochre", "silver", "pale pink")
_BENCH_TEXTS = ("'Grand Opening'", "'Extra Virgin'", "'Open 24 Hours'", "'Modern Kitchens'", "'Happy Birthday'",
                "'SALE 50% OFF'", "'Main St.'", "'Since 1887'", "'Fresh Daily'", "'No Parking'")
_BENCH_ENDINGS = ("The background is slightly blurred.", "The overall mood is calm and inviting.",
                  "Soft afternoon light gives the scene a warm tone.", "The photo is taken from a low angle.",
                  "Dr. Jane Doe's name appears on a brass plaque near the door.", "Prices start at 3.50 euros.",
                  "It was built in 1887 by the architect John Smith, according to a small plaque.",
                  "The composition draws the eye toward the center of the frame.")
_BENCH_LEAKS = ("The alt-text mentions that the shop opened in 2019.", "Here is the revised caption:",
                "I hope this helps!", "Note: I have incorporated the real-world knowledge from the alt-text.",
                "Sure! Here's a caption that combines both descriptions:", "Both captions agree on the color.",
                "As an AI language model, I cannot see the image.", "Let me know if you need any changes.",
                "In this rewritten description, the details are preserved.", "Caption 2 describes the building.",
                "This caption combines the dense caption with the alt-text.",
                "The sentence structure of the original caption is kept.")
_BENCH_CLAUSES = (", as indicated in Sentence 1,", ", according to the alt-text,", ", as depicted in Sentence 2,",
                  ", based on the provided information,")


def _bench_sentence(rng) -> str:
    k, c = rng.random(), rng.choice
    if k < 0.3:
        return (f"A {c(_BENCH_ADJ)} {c(_BENCH_SUBJECTS)} {c(_BENCH_VERBS)} a {c(_BENCH_ADJ)} {c(_BENCH_NOUNS)} "
                f"and a {c(_BENCH_COLORS)} {c(_BENCH_NOUNS)}.")
    if k < 0.5:
        return (f"On the {c(_BENCH_NOUNS)}, a {c(_BENCH_COLORS)} {c(_BENCH_NOUNS)} carries the words "
                f"{c(_BENCH_TEXTS)} in bold {c(_BENCH_COLORS)} letters.")
    if k < 0.7:
        return (f"Behind it, the {c(_BENCH_ADJ)} {c(_BENCH_NOUNS)} {c(_BENCH_VERBS)} the {c(_BENCH_NOUNS)}, "
                f"while a {c(_BENCH_ADJ)} {c(_BENCH_NOUNS)} adds depth to the scene.")
    if k < 0.85:
        return (f"Several {c(_BENCH_ADJ)} details, such as the {c(_BENCH_COLORS)} {c(_BENCH_NOUNS)} and the "
                f"{c(_BENCH_NOUNS)}, suggest a {c(_BENCH_ADJ)} setting.")
    return c(_BENCH_ENDINGS)


def benchmark_captions(n: int, leak_share: float = 0.01, seed: int = 0, degenerate_share: float = 0.002,
                       short_share: float = 0.002) -> list[str]:
    """Caption-like rows for timing: multi-sentence captions of 45-70 words; ``leak_share`` of them carry a
    prompt leak (a leaked sentence, or a clause such as ", as indicated in Sentence 1,"), a few are
    repetition loops or too short."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts: list[str] = []
        words, target = 0, rng.randint(45, 62)
        while words < target:
            parts.append(_bench_sentence(rng))
            words += parts[-1].count(" ") + 1
        roll = rng.random()
        if roll < leak_share:
            if rng.random() < 0.25:
                i = rng.randrange(len(parts))
                s = parts[i]
                cut = s.find(",")
                clause = rng.choice(_BENCH_CLAUSES)
                parts[i] = s[:cut] + clause + s[cut + 1:] if cut > 0 else s[:-1] + clause.rstrip(",") + "."
            else:
                parts.insert(rng.randint(0, len(parts)), rng.choice(_BENCH_LEAKS))
        elif roll < leak_share + degenerate_share:
            parts = parts[:1] + [" ".join([rng.choice(["the", "a dog", "very"])] * rng.randint(20, 60))]
        elif roll < leak_share + degenerate_share + short_share:
            parts = ["A red car."]
        out.append(" ".join(parts))
    return out


def benchmark_filter(n_captions: int = 50_000, leak_share: float = 0.01, repeats: int = 5, seed: int = 0,
                     rules: RuleSet | None = None) -> dict:
    """Time filter_frame against one raw polars scan with the rules' combined regex over the same captions.

    Returns ``filter_seconds`` and ``scan_seconds`` (the best of ``repeats`` interleaved runs each, after a
    warm-up, so that load from other processes affects both alike), ``ratio`` = scan_seconds /
    filter_seconds (the filter's throughput relative to the raw scan; 1.0 would be "as fast as one regex
    pass") and ``captions``; also ``filter_cpu_seconds`` and ``scan_cpu_seconds`` (process CPU time, the
    best of the same runs).
    """
    import time

    rules = rules if rules is not None else load_rules()
    df = pl.DataFrame({"uid": [f"u{i:08d}" for i in range(n_captions)],
                       "caption": benchmark_captions(n_captions, leak_share=leak_share, seed=seed)})
    pattern = rules.prescreen_pattern or r"[^\s\S]"  # no polars-compilable rule: a pattern that never matches
    runs = {
        "scan": lambda: df.select(pl.col("caption").str.contains(pattern)),
        "filter": lambda: filter_frame(df, rules),
    }
    best = {k: float("inf") for k in runs}
    cpu = {k: float("inf") for k in runs}
    for fn in runs.values():
        fn()  # warm-up: regex compilation, thread pool
    for rep in range(max(1, repeats)):
        for key in (("scan", "filter") if rep % 2 == 0 else ("filter", "scan")):
            t0, c0 = time.perf_counter(), time.process_time()
            runs[key]()
            best[key] = min(best[key], time.perf_counter() - t0)
            cpu[key] = min(cpu[key], time.process_time() - c0)
    # The CPU times (all threads of this process) are steadier than wall times when other processes load
    # the machine; the filter's use of a second core shows only in the wall times.
    return {"filter_seconds": best["filter"], "scan_seconds": best["scan"],
            "ratio": best["scan"] / best["filter"], "captions": n_captions,
            "filter_cpu_seconds": cpu["filter"], "scan_cpu_seconds": cpu["scan"]}


def _bench(n: int = 50_000, repeats: int = 9) -> None:
    rules = load_rules()
    no_degenerate = _without_degenerate(rules)
    for share in (0.005, 0.01, 0.03):
        full = benchmark_filter(n, leak_share=share, repeats=repeats, rules=rules)
        nodeg = benchmark_filter(n, leak_share=share, repeats=repeats, rules=no_degenerate)
        print(json.dumps({
            "leak_share": share, "captions": n, "raw_scan_s": round(full["scan_seconds"], 4),
            "filter_frame_s": round(full["filter_seconds"], 4), "ratio": round(full["ratio"], 3),
            "cpu_ratio": round(full["scan_cpu_seconds"] / full["filter_cpu_seconds"], 3),
            "ratio_without_degenerate_check": round(nodeg["ratio"], 3),
            "cpu_ratio_without_degenerate_check": round(nodeg["scan_cpu_seconds"] / nodeg["filter_cpu_seconds"], 3),
        }))


def _without_degenerate(rules: RuleSet) -> RuleSet:
    from dataclasses import replace

    return replace(rules, caption_rules=replace(rules.caption_rules, degenerate_enabled=False))


if __name__ == "__main__":  # pragma: no cover
    import sys

    _bench(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
