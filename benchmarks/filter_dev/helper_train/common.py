"""Shared writer for the hand-written helper training parts.

Each part holds hand-written captions as (alt_text, [(code, sentence), ...]);
the short codes only keep the literals readable, they expand to the schema kinds.
"""
import json
import pathlib

KINDS = {
    "V": ("visual", False),
    "T": ("trap", False),
    "IE": ("instruction_echo", True),
    "MC": ("meta_commentary", True),
    "IR": ("input_reference", True),
    "UH": ("uncertainty_hedge", True),
    "AC": ("assistant_chatter", True),
    "FR": ("format_residue", True),
}


def write_part(part_no, captions):
    # Part N owns ids (N-1)*100+1 .. N*100 so parts can be rebuilt independently.
    assert len(captions) <= 100, "a part owns only 100 ids"
    out = pathlib.Path(__file__).with_name(f"part{part_no}.jsonl")
    with out.open("w", encoding="utf-8") as fh:
        for i, (alt, sents) in enumerate(captions):
            rows = []
            for code, text in sents:
                kind, leak = KINDS[code]
                rows.append({"text": text, "leak": leak, "kind": kind})
            rec = {"id": f"ht-{(part_no - 1) * 100 + i + 1:05d}", "alt_text": alt,
                   "split": "train", "sentences": rows}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(out.name, len(captions))
