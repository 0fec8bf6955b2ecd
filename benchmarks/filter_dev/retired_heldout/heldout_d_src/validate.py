import json, re, sys, collections as C
path = sys.argv[1]
ALL = {"visual","trap","instruction_echo","meta_commentary","input_reference","uncertainty_hedge","assistant_chatter","format_residue"}
LEAK = ALL - {"visual","trap"}
R = [json.loads(l) for l in open(path, encoding="utf-8")]
ids = [r["id"] for r in R]; assert len(ids) == len(set(ids)), "dup ids"
probs = []
def strip_quotes(t):
    return re.sub(r'"[^"]*"|\u201c[^\u201d]*\u201d', '""', t)
for r in R:
    assert set(r) == {"id","alt_text","sentences"} and r["alt_text"].strip()
    n = len(r["sentences"])
    if not 3 <= n <= 8: probs.append((r["id"], "len", n))
    for s in r["sentences"]:
        assert set(s) == {"text","leak","kind"}, s
        assert s["kind"] in ALL, s
        assert s["leak"] == (s["kind"] in LEAK), s
        t = s["text"]
        if t != t.strip() or not t: probs.append((r["id"], "ws", t))
        if s["kind"] != "format_residue" and not re.search(r'[.!?]["\u201d)]?$', t): probs.append((r["id"], "endpunct", t))
        if re.search(r'[.!?]["\u201d]?\s+[A-Z]', strip_quotes(t)): probs.append((r["id"], "boundary", t))
texts = [s["text"] for r in R for s in r["sentences"]]
d = [t for t, c in C.Counter(texts).items() if c > 1 and len(t) > 12]
if d: probs.append(("dup texts", d))
c = C.Counter(s["kind"] for r in R for s in r["sentences"]); n = sum(c.values()); L = sum(s["leak"] for r in R for s in r["sentences"])
print(len(R), "captions", n, "sentences", L, "leaks", f"{L/n:.1%}")
print(dict(sorted(c.items())))
print("captions with no leak:", sum(not any(s["leak"] for s in r["sentences"]) for r in R))
print("positions:", dict(C.Counter(("first" if i == 0 else "last" if i == len(r["sentences"]) - 1 else "middle") for r in R for i, s in enumerate(r["sentences"]) if s["leak"])))
print("lengths:", dict(sorted(C.Counter(len(r["sentences"]) for r in R).items())))
for p in probs: print("PROBLEM", p)
