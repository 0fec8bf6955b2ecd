"""Concatenate partN.jsonl into helper_train.jsonl and check schema and counts."""
import collections
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).parent
OUT = HERE.parent / "helper_train.jsonl"
LEAKS = {"instruction_echo", "meta_commentary", "input_reference", "uncertainty_hedge",
         "assistant_chatter", "format_residue"}
KEEPS = {"visual", "trap"}
# A sentence break (". " + capital) outside quotation marks means two sentences were glued.
QUOTED = re.compile(r'"[^"]*"|“[^”]*”|「[^」]*」')
SPLIT = re.compile(r"\. +[A-Z]")


def check(rec, seen, problems):
    if rec["id"] in seen:
        problems.append(f"duplicate id {rec['id']}")
    seen.add(rec["id"])
    if rec.get("split") != "train" or not rec.get("alt_text"):
        problems.append(f"{rec['id']}: bad split/alt_text")
    n = len(rec["sentences"])
    if not 3 <= n <= 7:
        problems.append(f"{rec['id']}: {n} sentences")
    for s in rec["sentences"]:
        k = s["kind"]
        if k not in LEAKS | KEEPS or s["leak"] != (k in LEAKS):
            problems.append(f"{rec['id']}: kind/leak mismatch {s}")
        t = s["text"]
        if k != "format_residue" and not re.search(r"[.!?:\"”)]$", t):
            problems.append(f"{rec['id']}: no end punctuation: {t}")
        if SPLIT.search(QUOTED.sub('""', t)):
            problems.append(f"{rec['id']}: internal sentence break: {t}")


def main(concat):
    parts = sorted(HERE.glob("part*.jsonl"), key=lambda p: int(p.stem[4:]))
    lines = [ln for p in parts for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]
    recs = [json.loads(ln) for ln in lines]
    seen, problems = set(), []
    kinds = collections.Counter()
    pos = collections.Counter()
    texts = collections.Counter()
    for rec in recs:
        check(rec, seen, problems)
        n = len(rec["sentences"])
        for i, s in enumerate(rec["sentences"]):
            kinds[s["kind"]] += 1
            texts[s["text"]] += 1
            if s["leak"]:
                pos["first" if i == 0 else "last" if i == n - 1 else "middle"] += 1
    dup = [t for t, c in texts.items() if c > 1 and len(t) > 12]
    total = sum(kinds.values())
    leaks = sum(kinds[k] for k in LEAKS)
    print(f"captions={len(recs)} sentences={total} leaks={leaks} ({leaks / total:.1%})")
    for k, c in sorted(kinds.items()):
        print(f"  {k:18s} {c}")
    print("leak positions", dict(pos))
    print("duplicate sentence texts", dup)
    for p in problems:
        print("PROBLEM", p)
    if concat and not problems:
        OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("wrote", OUT)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main("--concat" in sys.argv))
