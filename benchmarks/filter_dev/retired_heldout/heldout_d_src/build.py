"""Write ../heldout_d.jsonl (or the path given) from the hand-written literals in part*.py."""
import json, sys, collections, re, pathlib
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from part1 import P1
from part2 import P2
from part3 import P3
from part4 import P4
try:
    from part5 import P5
except ImportError:
    P5 = []
from part6 import P6
KINDS = {"v": "visual", "t": "trap", "ie": "instruction_echo", "mc": "meta_commentary", "ir": "input_reference",
         "uh": "uncertainty_hedge", "ac": "assistant_chatter", "fr": "format_residue"}
LEAK = {"instruction_echo", "meta_commentary", "input_reference", "uncertainty_hedge", "assistant_chatter", "format_residue"}
rows = []
for i, (alt, sents) in enumerate(P1 + P2 + P3 + P4 + P5 + P6, 1):
    out = []
    for s in sents:
        code, text = s.split("|", 1)
        kind = KINDS[code]
        out.append({"text": text.strip(), "leak": kind in LEAK, "kind": kind})
    rows.append({"id": f"d{i:04d}", "alt_text": alt, "sentences": out})
path = sys.argv[1] if len(sys.argv) > 1 else str(HERE.parent / "heldout_d.jsonl")
with open(path, "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print("wrote", len(rows), "to", path)
