"""Shared writer/validator for the hand-written helper_train2 parts.

Each part file holds hand-written captions as (alt_text, block) literals; a block is one
sentence per line prefixed by a short kind code, so the sentences stay readable literals.
"""
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODES = {
    "v": ("visual", False), "t": ("trap", False),
    "ie": ("instruction_echo", True), "mc": ("meta_commentary", True),
    "ir": ("input_reference", True), "uh": ("uncertainty_hedge", True),
    "ac": ("assistant_chatter", True), "fr": ("format_residue", True),
}
KINDS = {k for k, _ in CODES.values()}
# A sentence boundary inside one item would make the splitter see two sentences.
_INTERNAL = re.compile(r"[.!?] [A-Z]")


def _strip_quotes(text: str) -> str:
    return re.sub(r"'[^']*'|\"[^\"]*\"|“[^”]*”", "", text)


def parse(block: str) -> list[dict]:
    out = []
    for line in block.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        code, text = line.split(" ", 1)
        kind, leak = CODES[code]
        out.append({"text": text.strip(), "leak": leak, "kind": kind})
    return out


def check(rec: dict) -> None:
    n = len(rec["sentences"])
    assert 2 <= n <= 9, (rec["id"], n)
    for s in rec["sentences"]:
        assert s["kind"] in KINDS
        assert s["leak"] == (s["kind"] not in ("visual", "trap")), rec["id"]
        if s["kind"] != "format_residue":
            assert s["text"][-1] in ".!?'\")”", (rec["id"], s["text"])
        assert not _INTERNAL.search(_strip_quotes(s["text"])), (rec["id"], s["text"])


def write(part: int, captions: list[tuple[str, str]], start: int) -> None:
    path = HERE / f"part{part}.jsonl"
    with path.open("w") as fh:
        for i, (alt, block) in enumerate(captions):
            rec = {"id": f"ht2-{start + i:05d}", "alt_text": alt, "split": "train",
                   "sentences": parse(block)}
            check(rec)
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(captions)} captions to {path.name}")
