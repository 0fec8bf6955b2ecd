"""Concatenate partN.jsonl into ../helper_train2.jsonl, validating and counting."""
import collections
import json
import re

from common import HERE, KINDS, check


def main() -> None:
    parts = sorted(HERE.glob("part*.jsonl"), key=lambda p: int(re.findall(r"\d+", p.stem)[0]))
    recs, ids = [], set()
    for p in parts:
        for line in p.read_text().splitlines():
            rec = json.loads(line)
            check(rec)
            assert rec["id"] not in ids, rec["id"]
            ids.add(rec["id"])
            recs.append(rec)
    kinds = collections.Counter(s["kind"] for r in recs for s in r["sentences"])
    n = sum(kinds.values())
    leaks = sum(v for k, v in kinds.items() if k not in ("visual", "trap"))
    out = HERE.parent / "helper_train2.jsonl"
    tmp = out.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
    tmp.replace(out)  # atomic, so readers never see a half-written file
    print(f"{len(recs)} captions, {n} sentences, leaks {leaks} ({leaks / n:.1%})")
    for k in sorted(KINDS):
        print(f"  {k:20s} {kinds[k]}")


if __name__ == "__main__":
    main()
