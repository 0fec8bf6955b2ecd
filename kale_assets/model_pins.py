"""Hub checkpoints of the paper-style presets, pinned to commit hashes.

Every hash below was taken from public code that pins the same repository (found by searching public GitHub
sources); none could be checked against the hub from the machine this was written on (it reaches package
registries only). `verified_by` says how many independent public sources agreed. Before a paper-scale run, check
each with ``huggingface_hub.model_info(repo, revision=sha)``; a wrong hash fails loudly at download time, it never
silently loads another revision.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pin:
    repo: str
    revision: str | None  # None: no hash could be found; recorded as "unpinned"
    verified_by: str


PINS: dict[str, Pin] = {p.repo: p for p in (
    # Stage-1 teacher (paper). Ships custom modelling code and no tokenizer of its own: it uses Vicuna's.
    Pin("THUDM/cogvlm-chat-hf", "e29dc3ba206d524bf8efbfc60d80fc4556ab0e3c", "2 public sources agree"),
    Pin("lmsys/vicuna-7b-v1.5", "3321f76e3f527bd14065daf69dad9344000a201d", "1 public source"),
    # Stage-1 fusion LLM (paper: "Mistral"; v0.2 Instruct is our choice of release).
    Pin("mistralai/Mistral-7B-Instruct-v0.2", "63a8b081895390a26e140280378bc85ec8bce07a", "several public sources agree"),
    # Student parts (paper section 2.2). DFN ViT-H is an OpenCLIP checkpoint (converted by training/openclip.py).
    Pin("apple/DFN5B-CLIP-ViT-H-14-378", "01b771ed0d1395ca5ffdd279897d665ebe00dfd2", "1 public source"),
    Pin("Qwen/Qwen2.5-1.5B", "8faed761d45a263340a0528343f099c05c9a4323", "2 public sources agree"),
    # A teacher vLLM serves natively (second paper-style preset).
    Pin("Qwen/Qwen2.5-VL-7B-Instruct", "cc594898137f460bfe9f0759e9844b3ce807cfb5", "2 public sources agree"),
    # The finetune_vlm alternative student: no commit hash found in public sources, so it stays unpinned.
    Pin("HuggingFaceTB/SmolVLM-Instruct", None, "not found"),
)}


def revision(repo: str) -> str | None:
    return PINS[repo].revision
