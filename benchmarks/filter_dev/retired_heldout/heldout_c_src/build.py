"""Write ../heldout_c.jsonl (or the path given) from the hand-written literals in d*.py, then validate."""
import collections, importlib.util, json, re, sys, pathlib
HERE = pathlib.Path(__file__).resolve().parent
KIND = {"v": "visual", "t": "trap", "ie": "instruction_echo", "mc": "meta_commentary", "ir": "input_reference",
        "uh": "uncertainty_hedge", "ac": "assistant_chatter", "fr": "format_residue"}
LEAK = {"instruction_echo", "meta_commentary", "input_reference", "uncertainty_hedge", "assistant_chatter", "format_residue"}
data = []
for name in sorted(HERE.glob("d*.py")):
    spec = importlib.util.spec_from_file_location(name.stem, name); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    data += getattr(m, name.stem.upper())
out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "heldout_c.jsonl"
with out.open("w", encoding="utf-8") as f:
    for i, (alt, sents) in enumerate(data, 1):
        rec = {"id": f"c{i:04d}", "alt_text": alt,
               "sentences": [{"text": t, "leak": KIND[k] in LEAK, "kind": KIND[k]} for t, k in sents]}
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
# validate from the file
R = [json.loads(l) for l in out.open(encoding="utf-8")]
ids = [r["id"] for r in R]; assert len(ids) == len(set(ids))
bad = 0
for r in R:
    assert 3 <= len(r["sentences"]) <= 8, r["id"]
    for s in r["sentences"]:
        assert s["kind"] in KIND.values() and s["leak"] == (s["kind"] in LEAK)
        noq = re.sub(r'"[^"]*"|“[^”]*”', '""', s["text"])
        if re.search(r"[.!?] [A-Z]", noq) or (s["kind"] != "format_residue" and not re.search(r"[.!?]['\")”’]?$", s["text"])):
            print("BOUNDARY/PUNCT", r["id"], s["text"]); bad += 1
texts = [s["text"] for r in R for s in r["sentences"] if s["kind"] not in ("format_residue",)]
dup = [t for t, n in collections.Counter(texts).items() if n > 1]
if dup: print("DUP", dup)
c = collections.Counter(s["kind"] for r in R for s in r["sentences"]); n = sum(c.values()); L = sum(s["leak"] for r in R for s in r["sentences"])
print(len(R), "captions", n, "sentences", L, "leaks", f"{L/n:.1%}"); print(dict(sorted(c.items())))
print("no-leak captions:", sum(not any(s["leak"] for s in r["sentences"]) for r in R))
print("positions:", dict(collections.Counter(("first" if i == 0 else "last" if i == len(r["sentences"]) - 1 else "middle") for r in R for i, s in enumerate(r["sentences"]) if s["leak"])))
print("lengths:", dict(sorted(collections.Counter(len(r["sentences"]) for r in R).items())))
sys.exit(1 if bad else 0)
