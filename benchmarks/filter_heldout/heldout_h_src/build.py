"""Build heldout_h.jsonl from the hand-written literals in part1.py … part5.py and validate it.

Run: python3 benchmarks/filter_heldout/heldout_h_src/build.py  (exits non-zero on any error)
"""
import collections
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import part1, part2, part3, part4, part5  # noqa: E402

OUT = HERE.parent / "heldout_h.jsonl"
KINDS = {"V": "visual", "T": "trap", "IE": "instruction_echo", "MC": "meta_commentary",
         "IR": "input_reference", "UH": "uncertainty_hedge", "AC": "assistant_chatter", "FR": "format_residue"}
LEAK_KINDS = {"instruction_echo", "meta_commentary", "input_reference", "uncertainty_hedge",
              "assistant_chatter", "format_residue"}
# Quoted spans (straight or curly) may hold visible text with its own sentence boundaries.
QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
BOUNDARY = re.compile(r"[.!?]\s+[A-ZÀ-ÝА-ЯΑ-Ω]")
END_OK = re.compile(r"""[.!?]["'”’)\]]*$""")


def records():
    data = part1.DATA + part2.DATA + part3.DATA + part4.DATA + part5.DATA
    for n, (alt, sents) in enumerate(data, 1):
        yield {"id": f"h{n:04d}", "alt_text": alt,
               "sentences": [{"text": t, "leak": KINDS[k] in LEAK_KINDS, "kind": KINDS[k]} for k, t in sents]}


def check(rows):
    errors, seen_ids, seen_texts = [], set(), set()
    for r in rows:
        if r["id"] in seen_ids:
            errors.append(f"duplicate id {r['id']}")
        seen_ids.add(r["id"])
        if not 3 <= len(r["sentences"]) <= 8:
            errors.append(f"{r['id']}: {len(r['sentences'])} sentences")
        for s in r["sentences"]:
            t, k = s["text"], s["kind"]
            if k not in set(KINDS.values()) or s["leak"] != (k in LEAK_KINDS):
                errors.append(f"{r['id']}: bad kind/leak {k} {s['leak']}")
            if t != t.strip() or not t:
                errors.append(f"{r['id']}: whitespace {t!r}")
            if BOUNDARY.search(QUOTED.sub('"q"', t)):
                errors.append(f"{r['id']}: internal boundary {t!r}")
            if k != "format_residue" and not END_OK.search(t) and not (s["leak"] and t.endswith(":")):
                errors.append(f"{r['id']}: end punctuation {t!r}")
            if t.count('"') % 2 or t.count("“") != t.count("”"):
                errors.append(f"{r['id']}: unbalanced quotes {t!r}")
            if t in seen_texts and k != "format_residue":
                errors.append(f"{r['id']}: repeated text {t!r}")
            seen_texts.add(t)
    return errors


def summary(rows):
    kinds = collections.Counter(s["kind"] for r in rows for s in r["sentences"])
    n = sum(kinds.values())
    leaks = sum(s["leak"] for r in rows for s in r["sentences"])
    errors = []
    if not 150 <= len(rows) <= 180:
        errors.append(f"{len(rows)} captions")
    errors += [f"only {kinds[k]} {k}" for k in LEAK_KINDS if kinds[k] < 22]
    if kinds["trap"] < 70:
        errors.append(f"only {kinds['trap']} traps")
    if not 0.20 <= leaks / n <= 0.25:
        errors.append(f"leak share {leaks / n:.1%}")
    return errors


def main():
    rows = list(records())
    errors = check(rows) + summary(rows)
    with OUT.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for line in OUT.read_text(encoding="utf-8").splitlines():
        json.loads(line)
    for e in errors:
        print("ERROR", e)
    print(f"wrote {len(rows)} captions to {OUT}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
