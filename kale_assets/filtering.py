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

A caption from which nothing is removed comes back byte-identical; otherwise the kept sentences are joined
with single spaces.  The rules' identity is ``version`` plus the sha256 of the rules file's bytes.

Speed: :func:`filter_frame` runs one vectorised polars regex over the whole column (the alternation of
every rule: a superset pre-screen that costs the same as a raw ``str.contains`` scan) plus vectorised
caption-level checks, and the exact Python path only on the rows a rule may touch; there, one more polars
pass over their sentences names the rules that can match each sentence, so Python runs only those
(about 40 us per affected row).  The degenerate-repetition check needs per-row token statistics, which no
regex (Rust regex has no back-references) can compute; it costs about two to three raw scans, and
``degenerate_repetition.enabled: false`` in the rules file turns it off.  ``python -m
kale_assets.filtering [n_rows]`` prints the timings against a raw ``str.contains`` scan.  The results are
identical to :func:`filter_caption` row by row (the tests check this).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

__all__ = [
    "DEFAULT_RULES_PATH",
    "DROP_DEGENERATE",
    "DROP_EMPTY",
    "DROP_TOO_SHORT",
    "REMOVED_DTYPE",
    "CaptionRules",
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
class RuleSet:
    version: str
    sha256: str  # hex sha256 of the rules file bytes (the `rules_hash` of every output row)
    path: str
    sentence_rules: tuple[SentenceRule, ...] = ()
    caption_rules: CaptionRules = field(default_factory=CaptionRules)
    prescreen_pattern: str | None = field(default=None, repr=False)  # polars regex over whole captions
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
_TOP_KEYS = {"version", "sentence_rules", "caption_rules"}
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
    return RuleSet(version=version.strip(), sha256=sha, path=str(p), sentence_rules=tuple(rules),
                   caption_rules=caption_rules, prescreen_pattern=prescreen)


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
    r"|(?<!\w)'(?:[^'\n]|'(?=\w)){1,400}?'(?!\w)"
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
    if prev in _ABBREV_MAYBE or (len(prev) == 1 and prev.isalpha()) or _INITIALISM_RE.match(prev):
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
    quoted = _quoted_spans(text) if rule.skip_quoted else []
    matches = _match_outside_quotes(rule, text, quoted)
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


def _process_sentence(
    sentence: str, rules: RuleSet, hits: frozenset[str] | None = None
) -> tuple[str | None, list[Removal]]:
    """Apply the sentence rules to one sentence: (kept text or None, removals).

    ``hits`` (from the vectorised per-sentence screen) names the rules whose pattern can match the
    sentence; the others are skipped while the sentence is unchanged.  ``None`` checks every rule.
    """
    removals: list[Removal] = []
    current = sentence
    modified = False
    for rule in rules._sentence_strip:
        if not modified and hits is not None and rule.name not in hits:
            continue
        if rule.regex.search(current) is None:
            continue
        new, removed = _strip(rule, current)
        if removed:
            modified = True
            current = new
            removals.extend(removed)
    if modified:
        current = _tidy(current, sentence)
        if not current:
            return None, removals
    quoted: list[tuple[int, int]] | None = None
    for rule in rules._sentence_drop:
        if not modified and hits is not None and rule.name not in hits:
            continue
        if rule.regex.search(current) is None:
            continue
        if rule.skip_quoted:
            if quoted is None:
                quoted = _quoted_spans(current)
            if quoted and not _match_outside_quotes(rule, current, quoted):
                continue
        removals.append(Removal(current, rule.name))
        return None, removals
    return current, removals


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


def filter_caption(text: str | None, rules: RuleSet) -> FilterOutcome:
    """Apply the rules to one caption.

    ``None`` or blank text is dropped as ``empty``.  A caption with no removals comes back unchanged
    (byte-identical) unless a caption-level drop applies; otherwise kept sentences are joined with single
    spaces.
    """
    return _filter_captions([text], rules, vectorised=False)[0]


def _filter_captions(texts: list[str | None], rules: RuleSet, vectorised: bool = True) -> list[FilterOutcome]:
    """filter_caption over many captions.  With ``vectorised``, one polars pass over all their sentences
    tells which rules can match which sentence, and Python only runs those (same result, much faster)."""
    for t in texts:
        if t is not None and not isinstance(t, str):
            raise TypeError(f"caption must be str or None, got {type(t).__name__}")
    caption_removals: list[list[Removal]] = []
    works: list[str | None] = []
    for t in texts:
        removals: list[Removal] = []
        if t is not None:
            for rule in rules._caption_strip:
                if rule.regex.search(t) is not None:
                    t, removed = _strip(rule, t)
                    removals.extend(removed)
        works.append(t)
        caption_removals.append(removals)
    sentences: list[list[str]] = [[w[s:e] for s, e in _sentence_spans(w)] if w else [] for w in works]
    hits: list[list[frozenset[str] | None]] = [[None] * len(ss) for ss in sentences]
    screened = [r for r in (*rules._sentence_strip, *rules._sentence_drop) if r.polars_ok]
    if vectorised and screened:
        flat = [s for ss in sentences for s in ss]
        if flat:
            always = frozenset(r.name for r in (*rules._sentence_strip, *rules._sentence_drop) if not r.polars_ok)
            # one bit per screened rule; most sentences come back 0 and are kept untouched
            masks = pl.DataFrame({"s": flat}).select(
                pl.sum_horizontal(
                    pl.col("s").str.contains(r.pattern if r.case_sensitive else f"(?i){r.pattern}")
                    .cast(pl.Int64) * (1 << bit)
                    for bit, r in enumerate(screened)
                ).alias("mask")
            ).get_column("mask").to_list()
            decoded: dict[int, frozenset[str]] = {}
            k = 0
            for i, ss in enumerate(sentences):
                row_hits = hits[i]
                for j in range(len(ss)):
                    mask = masks[k]
                    k += 1
                    names = decoded.get(mask)
                    if names is None:
                        names = frozenset(r.name for bit, r in enumerate(screened) if mask >> bit & 1) | always
                        decoded[mask] = names
                    row_hits[j] = names
    out: list[FilterOutcome] = []
    for t, ss, hs, removals in zip(texts, sentences, hits, caption_removals, strict=True):
        if t is None:
            out.append(FilterOutcome(None, (), DROP_EMPTY))
            continue
        changed = bool(removals)
        kept: list[str] = []
        for sentence, h in zip(ss, hs, strict=True):
            if h is not None and not h:
                kept.append(sentence)
                continue
            kept_text, removed = _process_sentence(sentence, rules, h)
            if removed:
                changed = True
                removals.extend(removed)
            if kept_text is not None:
                kept.append(kept_text)
        cleaned = " ".join(kept) if changed else t
        reason = _caption_drop_reason(cleaned, rules.caption_rules)
        out.append(FilterOutcome(None if reason else cleaned, tuple(removals), reason))
    return out


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


def _has_min_words_pattern(k: int) -> str:
    return rf"^[{_WS_CLASS}]*[^{_WS_CLASS}]+(?:[{_WS_CLASS}]+[^{_WS_CLASS}]+){{{k - 1}}}"


def _screen(raw: pl.Series, rules: RuleSet) -> pl.DataFrame:
    """Vectorised screen over a caption column: bool columns match, empty, short, degenerate.

    ``match``: some rule may match (superset, from the combined polars regex).  ``empty`` and ``short``
    are exact for captions nothing is removed from (``short`` counts words exactly like str.split()).
    ``degenerate``: a slightly wider screen than the rule (polars and Python lower-case a few exotic
    characters differently); candidates are confirmed in Python.
    """
    cr = rules.caption_rules
    c = pl.col("c")
    exprs = [
        (c.str.contains(rules.prescreen_pattern) if rules.prescreen_pattern else pl.lit(False))
        .fill_null(False).alias("match"),
        (c.is_null() | ~c.str.contains(r"[^\W_]")).fill_null(True).alias("empty"),
        ((~c.str.contains(_has_min_words_pattern(cr.min_words))) if cr.min_words > 0 else pl.lit(False))
        .fill_null(True).alias("short"),
    ]
    lf = pl.DataFrame({"c": raw}).lazy()
    if cr.degenerate_enabled:
        tokens = (
            c.str.to_lowercase()
            .str.replace_all(_DEGENERATE_DELETE_CLASS, "")
            .str.replace_all(_DEGENERATE_SPACE_CLASS, " ")
            .str.split(" ")
            .list.filter(pl.element() != "")
        )
        t = pl.col("t")
        n = t.list.len().cast(pl.Float64)
        w = cr.degenerate_window_tokens
        window = t.list.tail(w) if w else t
        wn = pl.min_horizontal(n, pl.lit(float(w))) if w else n
        ratio = cr.degenerate_min_unique_ratio + 0.05  # a little wider; candidates are confirmed in Python
        low = window.list.n_unique().cast(pl.Float64) < ratio * wn + 1.0
        # the token lists and the regex screens are independent: computed side by side (in parallel)
        lf = lf.with_columns(tokens.alias("t"), *exprs)
        degenerate = ((n >= max(1, cr.degenerate_min_tokens - 1)) & low).fill_null(False)
        return lf.select("match", "empty", "short", degenerate.alias("degenerate")).collect()
    return lf.select(*exprs, pl.lit(False).alias("degenerate")).collect()


def filter_frame(df: pl.DataFrame, rules: RuleSet, caption_col: str = "caption") -> pl.DataFrame:
    """Filter the caption column of a frame; same rows, same order, all input columns.

    The caption column is replaced by the cleaned caption (null when dropped) and ``caption_raw``
    (the input caption), ``removed_sentences`` (list of {text, rule}) and ``drop_reason`` (null when kept)
    are added (replaced if present).
    """
    if caption_col not in df.columns:
        raise ValueError(f"filter_frame: no column {caption_col!r} (columns: {df.columns})")
    if caption_col in ("caption_raw", "removed_sentences", "drop_reason"):
        raise ValueError(f"filter_frame: the caption column may not be called {caption_col!r} (an output column)")
    raw = df.get_column(caption_col)
    if raw.dtype != pl.String:
        raw = raw.cast(pl.String)
    screen = _screen(raw, rules)
    match_s = screen.get_column("match")
    if rules._python_prescreen:
        extra = [i for i, (t, hit) in enumerate(zip(raw.to_list(), match_s.to_list(), strict=True))
                 if not hit and t is not None and any(r.regex.search(t) for r in rules._python_prescreen)]
        if extra:
            match_s = match_s.scatter(extra, True)
    empty_s, short_s = screen.get_column("empty"), screen.get_column("short")
    # Rows no rule can touch keep their text and get their drop reason here: exact for empty/too_short;
    # degenerate candidates are confirmed in Python.  Rows a rule may touch take the per-sentence path.
    vec_reason = (
        pl.select(pl.when(empty_s).then(pl.lit(DROP_EMPTY)).when(short_s).then(pl.lit(DROP_TOO_SHORT))
                  .otherwise(pl.lit(None, dtype=pl.String)).alias("r")).get_column("r")
    )
    rule_rows = match_s.arg_true()
    degenerate_rows = (screen.get_column("degenerate") & ~match_s & ~empty_s & ~short_s).arg_true()

    out_caption = pl.select(pl.when(vec_reason.is_null()).then(raw).otherwise(None).alias(caption_col)) \
        .get_column(caption_col)
    out_reason = vec_reason
    removed_col = None
    if len(degenerate_rows):
        idx = degenerate_rows.to_list()
        cr = rules.caption_rules
        hit = [i for i, t in zip(idx, raw.gather(degenerate_rows).to_list(), strict=True) if _is_degenerate(t, cr)]
        if hit:
            out_caption = out_caption.scatter(hit, None)
            out_reason = out_reason.scatter(hit, DROP_DEGENERATE)
    if len(rule_rows):
        idx = rule_rows.to_list()
        outcomes = _filter_captions(raw.gather(rule_rows).to_list(), rules)
        out_caption = out_caption.scatter(idx, pl.Series([o.caption for o in outcomes], dtype=pl.String))
        out_reason = out_reason.scatter(idx, pl.Series([o.drop_reason for o in outcomes], dtype=pl.String))
        with_removals = [(i, o) for i, o in zip(idx, outcomes, strict=True) if o.removals]
        if with_removals:
            removed_col = _removed_column(df.height, with_removals)
    if removed_col is None:
        removed_col = _removed_column(df.height, [])
    return df.with_columns(
        out_caption.alias(caption_col),
        raw.alias("caption_raw"),
        removed_col.alias("removed_sentences"),
        out_reason.alias("drop_reason"),
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
    filtered = filter_frame(df.select("uid", "caption"), rules, caption_col="caption")
    out = filtered.select(
        "uid", "caption", "drop_reason", "removed_sentences",
        pl.lit(rules.version, dtype=pl.String).alias("rules_version"),
        pl.lit(rules.sha256, dtype=pl.String).alias("rules_hash"),
    )
    _atomic_write(out, out_path, out_kind)
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


def _atomic_write(df: pl.DataFrame, out_path: str, kind: str) -> None:
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        if kind == "parquet":
            df.write_parquet(tmp)
        else:
            df.write_ndjson(tmp)
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# --------------------------------------------------------------------------------------------------
# Timing: python -m kale_assets.filtering [n_rows]
# --------------------------------------------------------------------------------------------------


def _synthetic_captions(n: int, seed: int = 0, leak_rate: float = 0.03, degenerate_rate: float = 0.01,
                        short_rate: float = 0.01) -> list[str]:
    """Caption-like text for timing: 3-6 sentences; some rows leak, loop or are too short."""
    import random

    rng = random.Random(seed)
    subjects = ["A red brick building", "A woman in a yellow raincoat", "The storefront", "A vintage poster",
                "A wooden table", "The screenshot", "A bottle of olive oil", "An oil painting", "A street sign",
                "The book cover", "A golden retriever", "A smartphone"]
    details = ["stands beside a narrow cobblestone street", "is lit by warm afternoon light",
               "shows the words 'Grand Opening' in bold white letters", "features a stylized blue logo",
               "sits on a marble counter next to a potted plant", "displays a menu with prices in euros",
               "is framed by tall pine trees", "has a label reading 'Extra Virgin'", "hangs on a white wall",
               "is photographed from a low angle", "carries the title 'Modern Kitchens' in serif type"]
    extras = ["The background is slightly blurred.", "Several people walk past on the sidewalk.",
              "The colors are muted and earthy.", "It was built in 1887 by the architect John Smith.",
              "The image has a shallow depth of field.", "A small dog sleeps in the corner.",
              "Dr. Jane Doe's name appears on a brass plaque near the door.", "Prices start at 3.50 euros."]
    leaks = ["The alt-text mentions that the shop opened in 2019.", "Here is the revised caption:",
             "The logo, as depicted in Sentence 2, is green.", "I hope this helps!",
             "Note: I have incorporated the real-world knowledge from the alt-text."]
    out = []
    for _ in range(n):
        parts = [f"{rng.choice(subjects)} {rng.choice(details)}."]
        parts += rng.sample(extras, rng.randint(2, 5))
        roll = rng.random()
        if roll < leak_rate:
            parts.insert(rng.randint(0, len(parts)), rng.choice(leaks))
        elif roll < leak_rate + degenerate_rate:
            parts = [" ".join(["the"] * rng.randint(6, 40))]
        elif roll < leak_rate + degenerate_rate + short_rate:
            parts = ["A red car."]
        out.append(" ".join(parts))
    return out


def _bench(n: int = 50_000, rounds: int = 9) -> None:
    """Time filter_frame against a raw polars contains-scan with the rules' alternation.

    The three timings are interleaved and the best of ``rounds`` is kept, so background load on the
    machine affects them alike.
    """
    import time

    rules = load_rules()
    no_degenerate = _without_degenerate(rules)
    big = rules.prescreen_pattern
    for label, leak_rate in (("3% leaking rows", 0.03), ("0.5% leaking rows", 0.005)):
        df = pl.DataFrame({"uid": [f"u{i}" for i in range(n)],
                           "caption": _synthetic_captions(n, leak_rate=leak_rate)})
        runs = {
            "scan": lambda df=df: df.select(pl.col("caption").str.contains(big)),
            "frame": lambda df=df: filter_frame(df, rules),
            "frame_no_degenerate": lambda df=df: filter_frame(df, no_degenerate),
        }
        best = {k: float("inf") for k in runs}
        for fn in runs.values():
            fn()  # warm-up
        for _ in range(rounds):
            for k, fn in runs.items():
                t0 = time.perf_counter()
                fn()
                best[k] = min(best[k], time.perf_counter() - t0)
        print(json.dumps({
            "mix": label, "rows": n, "raw_contains_scan_s": round(best["scan"], 4),
            "filter_frame_s": round(best["frame"], 4), "ratio": round(best["frame"] / best["scan"], 2),
            "filter_frame_without_degenerate_check_s": round(best["frame_no_degenerate"], 4),
            "ratio_without_degenerate_check": round(best["frame_no_degenerate"] / best["scan"], 2),
        }))


def _without_degenerate(rules: RuleSet) -> RuleSet:
    from dataclasses import replace

    return replace(rules, caption_rules=replace(rules.caption_rules, degenerate_enabled=False))


if __name__ == "__main__":  # pragma: no cover
    import sys

    _bench(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
