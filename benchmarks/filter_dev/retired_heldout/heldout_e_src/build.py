"""Convert the hand-written literals in part*.py to heldout_e.jsonl and validate the result."""
import collections
import importlib.util
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent / "heldout_e.jsonl"
KINDS = {"v": "visual", "t": "trap", "I": "instruction_echo", "M": "meta_commentary", "R": "input_reference",
         "U": "uncertainty_hedge", "A": "assistant_chatter", "F": "format_residue"}
LEAKS = {"instruction_echo", "meta_commentary", "input_reference", "uncertainty_hedge", "assistant_chatter",
         "format_residue"}
# A sentence boundary is ". " + capital; text inside straight or curly double quotes is visible text and exempt.
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
BOUNDARY = re.compile(r"[.!?][)\]’']? +[A-Z]")
END = re.compile(r"[.!?][\"”’')\]]*$")


def load_parts():
    rows = []
    for path in sorted(HERE.glob("part*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        rows.extend(mod.CAPTIONS)
    return rows


def check(rows):
    errors = []
    for n, (alt, sents) in enumerate(rows, 1):
        if not 6 <= len(sents) <= 10:
            errors.append(f"e{n:04d}: {len(sents)} sentences")
        for code, text in sents:
            if code not in KINDS:
                errors.append(f"e{n:04d}: bad code {code!r}")
            if BOUNDARY.search(QUOTED.sub("Q", text)):
                errors.append(f"e{n:04d}: internal boundary: {text}")
            if code != "F" and not END.search(text):
                errors.append(f"e{n:04d}: no end punctuation: {text}")
    return errors


def main():
    rows = load_parts()
    errors = check(rows)
    records = [{"id": f"e{n:04d}", "alt_text": alt,
                "sentences": [{"text": t, "leak": KINDS[c] in LEAKS, "kind": KINDS[c]} for c, t in sents]}
               for n, (alt, sents) in enumerate(rows, 1)]
    texts = collections.Counter(s["text"] for r in records for s in r["sentences"] if s["kind"] != "format_residue")
    errors += [f"duplicate text: {t}" for t, k in texts.items() if k > 1]
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    # Re-read the written file so the checks cover what is on disk, not the literals.
    back = [json.loads(line) for line in OUT.read_text(encoding="utf-8").splitlines()]
    ids = [r["id"] for r in back]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for r in back:
        for s in r["sentences"]:
            assert s["kind"] in LEAKS | {"visual", "trap"}, s
            assert s["leak"] == (s["kind"] in LEAKS), s
    kinds = collections.Counter(s["kind"] for r in back for s in r["sentences"])
    n = sum(kinds.values())
    leaks = sum(kinds[k] for k in LEAKS)
    pos = collections.Counter(("first" if i == 0 else "last" if i == len(r["sentences"]) - 1 else "middle")
                              for r in back for i, s in enumerate(r["sentences"]) if s["leak"])
    print(len(back), "captions", n, "sentences", leaks, "leaks", f"{leaks / n:.1%}")
    print(dict(sorted(kinds.items())))
    print("no-leak captions:", sum(not any(s["leak"] for s in r["sentences"]) for r in back))
    print("positions:", dict(pos))
    print("lengths:", dict(sorted(collections.Counter(len(r["sentences"]) for r in back).items())))
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
