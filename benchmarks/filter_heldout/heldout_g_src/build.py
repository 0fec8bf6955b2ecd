"""Build heldout_g.jsonl from the hand-written literals in part*.py and validate it.

Run: python3 benchmarks/filter_heldout/heldout_g_src/build.py  (exits non-zero on any error)
"""
import collections
import importlib.util
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent / "heldout_g.jsonl"
KINDS = {
    "V": ("visual", False), "T": ("trap", False),
    "ie": ("instruction_echo", True), "mc": ("meta_commentary", True),
    "ir": ("input_reference", True), "uh": ("uncertainty_hedge", True),
    "ac": ("assistant_chatter", True), "fr": ("format_residue", True),
}
LEAK_KINDS = {name for name, leak in KINDS.values() if leak}
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
BOUNDARY = re.compile(r"[.!?][”\"')]?\s+[A-Z]")
END_OK = re.compile(r"[.!?][”\"')]?$")


def load_parts():
    captions = []
    for path in sorted(HERE.glob("part*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        captions.extend(module.CAPTIONS)
    return captions


def to_records(captions):
    records = []
    for i, (alt, sents) in enumerate(captions, start=1):
        rows = []
        for code, text in sents:
            kind, leak = KINDS[code]
            rows.append({"text": text, "leak": leak, "kind": kind})
        records.append({"id": f"g{i:04d}", "alt_text": alt, "sentences": rows})
    return records


def sentence_errors(rid, s):
    errs = []
    text = s["text"]
    if text != text.strip() or not text:
        errs.append(f"{rid}: blank or padded text {text!r}")
    if BOUNDARY.search(QUOTED.sub("Q", text)):
        errs.append(f"{rid}: internal sentence boundary in {text!r}")
    if s["kind"] != "format_residue":
        colon_ok = s["leak"] and text.endswith(":")
        if not (END_OK.search(text) or colon_ok):
            errs.append(f"{rid}: bad end punctuation in {text!r}")
    if (s["kind"] in LEAK_KINDS) != s["leak"]:
        errs.append(f"{rid}: leak flag inconsistent for {text!r}")
    return errs


def validate(path):
    errs, seen_ids, seen_texts = [], set(), collections.Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    for r in records:
        if r["id"] in seen_ids:
            errs.append(f"duplicate id {r['id']}")
        seen_ids.add(r["id"])
        if not 4 <= len(r["sentences"]) <= 8:
            errs.append(f"{r['id']}: {len(r['sentences'])} sentences")
        for s in r["sentences"]:
            errs.extend(sentence_errors(r["id"], s))
            if s["kind"] != "format_residue":
                seen_texts[s["text"]] += 1
    errs.extend(f"repeated text {t!r}" for t, n in seen_texts.items() if n > 1)
    return records, errs


def report(records):
    kinds = collections.Counter(s["kind"] for r in records for s in r["sentences"])
    n = sum(kinds.values())
    leaks = sum(s["leak"] for r in records for s in r["sentences"])
    pos = collections.Counter(
        "first" if i == 0 else "last" if i == len(r["sentences"]) - 1 else "middle"
        for r in records for i, s in enumerate(r["sentences"]) if s["leak"])
    lengths = collections.Counter(len(r["sentences"]) for r in records)
    no_leak = sum(not any(s["leak"] for s in r["sentences"]) for r in records)
    print(len(records), "captions", n, "sentences", leaks, "leaks", f"{leaks / n:.1%}")
    print(dict(sorted(kinds.items())))
    print("captions with no leak:", no_leak, "positions:", dict(pos))
    print("lengths:", dict(sorted(lengths.items())))
    errs = [f"{k}: only {kinds[k]}" for k in sorted(LEAK_KINDS) if kinds[k] < 22]
    if kinds["trap"] < 60:
        errs.append(f"only {kinds['trap']} traps")
    if not 150 <= len(records) <= 180:
        errs.append(f"{len(records)} captions")
    if not 0.20 <= leaks / n <= 0.25:
        errs.append(f"leak share {leaks / n:.1%}")
    return errs


def main():
    records = to_records(load_parts())
    with OUT.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    records, errs = validate(OUT)
    errs.extend(report(records))
    for e in errs:
        print("ERROR", e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
