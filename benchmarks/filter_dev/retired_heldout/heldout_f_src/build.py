"""Write heldout_f.jsonl from the hand-written literals in data*.py and validate it.

Run from the repo root: python3 benchmarks/filter_heldout/heldout_f_src/build.py
"""
import collections
import importlib.util
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "heldout_f.jsonl"
KINDS = {"v": "visual", "t": "trap", "ie": "instruction_echo", "mc": "meta_commentary",
         "ir": "input_reference", "uh": "uncertainty_hedge", "ac": "assistant_chatter",
         "fr": "format_residue"}
LEAK_KINDS = {"instruction_echo", "meta_commentary", "input_reference", "uncertainty_hedge",
              "assistant_chatter", "format_residue"}
# Quoted spans may hold visible text with its own sentence boundaries, so they are blanked first.
QUOTED = re.compile(r'"[^"]*"|“[^”]*”|`[^`]*`')
BOUNDARY = re.compile(r"[.!?][\"”’)\]]?\s+[A-Z]")
END = re.compile(r"[.!?:][\"”’)\]]?$")


def load_parts():
    rows = []
    for part in sorted(HERE.glob("data*.py")):
        spec = importlib.util.spec_from_file_location(part.stem, part)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        rows.extend(mod.DATA)
    return rows


def to_records(rows):
    records = []
    for i, (alt, sents) in enumerate(rows, 1):
        sentences = [{"text": text, "leak": KINDS[code] in LEAK_KINDS, "kind": KINDS[code]}
                     for code, text in sents]
        records.append({"id": f"f{i:04d}", "alt_text": alt, "sentences": sentences})
    return records


def problems(rec):
    out = []
    n = len(rec["sentences"])
    if not 2 <= n <= 7:
        out.append(f"{n} sentences")
    for s in rec["sentences"]:
        t = s["text"]
        if t != t.strip() or not t:
            out.append(f"whitespace: {t!r}")
        if BOUNDARY.search(QUOTED.sub('""', t)):
            out.append(f"internal boundary: {t!r}")
        # Only format residue (tokens, labels) and prompt-echo fragments may end in a colon or bare.
        if s["kind"] != "format_residue" and not END.search(t):
            out.append(f"no end punctuation: {t!r}")
        if t.endswith(":") and not s["leak"]:
            out.append(f"colon ending on a non-leak: {t!r}")
    return out


def main():
    records = to_records(load_parts())
    bad = [(r["id"], p) for r in records for p in problems(r)]
    texts = collections.Counter(s["text"] for r in records for s in r["sentences"])
    bad += [("dup", t) for t, c in texts.items() if c > 1]
    for b in bad:
        print("PROBLEM", *b)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    check(OUT)
    return 1 if bad else 0


def check(path):
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for r in recs:
        for s in r["sentences"]:
            assert s["kind"] in LEAK_KINDS | {"visual", "trap"}, s
            assert s["leak"] == (s["kind"] in LEAK_KINDS), s
    kinds = collections.Counter(s["kind"] for r in recs for s in r["sentences"])
    n = sum(kinds.values())
    leaks = sum(kinds[k] for k in LEAK_KINDS)
    pos = collections.Counter(
        "first" if i == 0 else "last" if i == len(r["sentences"]) - 1 else "middle"
        for r in recs for i, s in enumerate(r["sentences"]) if s["leak"])
    print(len(recs), "captions", n, "sentences", leaks, "leaks", f"{leaks / n:.1%}")
    print(dict(sorted(kinds.items())))
    print("captions with no leak:", sum(not any(s["leak"] for s in r["sentences"]) for r in recs))
    print("positions:", dict(pos))
    print("lengths:", dict(sorted(collections.Counter(len(r["sentences"]) for r in recs).items())))


if __name__ == "__main__":
    sys.exit(main())
