"""The paper's stage-1 teacher, CogVLM-17B (``THUDM/cogvlm-chat-hf``), behind the shared engine interface.

CogVLM does not fit the generic path (`kale_assets.engines.ChatPrompts`): the hub repository ships custom
modelling code, no processor and no chat template, and no tokenizer of its own - it uses Vicuna-7B-v1.5's
Llama tokenizer. Its model code builds the prompt itself (``build_conversation_input_ids``: BOS, the image
placeholder tokens, then the text in the model's conversation format) and preprocesses the image (490 px).
This engine therefore:

- refuses to start unless remote code was switched on for the role (``--trust-remote-code teacher``);
- loads the Vicuna tokenizer at its pinned revision (`kale_assets.model_pins`);
- turns our chat messages into CogVLM's single query (one user turn: an image and text) and lets the model's
  own code apply its conversation format, so the prompt is exactly the one CogVLM was trained with. For
  ``cogvlm-chat-hf`` (v1.1) that format is "Question: {query} Answer:" (`cogvlm_prompt` spells it out for the
  token budget checks and the tests);
- batches requests with left padding of ``input_ids``, ``token_type_ids`` and ``attention_mask``.

Only a machine with the real weights can check what this cannot: that the remote code at the pinned revision
still has this signature, how many image tokens it inserts, and that batched greedy output equals unbatched.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from kale_assets.engines.base import (
    GenerationRequest,
    GenerationResult,
    ModelSpec,
    resolve_revision,
)
from kale_assets.engines.settings import resolve_torch_device

log = logging.getLogger(__name__)

TOKENIZER_REPO = "lmsys/vicuna-7b-v1.5"
# cogvlm-chat-hf is CogVLM v1.1, whose chat format is the "chat_old" template of its modelling code.
TEMPLATE_VERSION = "chat_old"
IMAGE_TOKENS = 2 + (490 // 14) ** 2  # boi/eoi + 35x35 patches: what the remote code inserts for one image


def cogvlm_query(messages: list[dict[str, Any]]) -> str:
    """The text of a one-turn, one-image user request; CogVLM takes the image separately."""
    if len(messages) != 1 or messages[0].get("role") != "user":
        raise ValueError("CogVLM requests are one user turn")
    content = messages[0]["content"]
    items = [{"type": "text", "text": content}] if isinstance(content, str) else content
    if sum(1 for i in items if i.get("type") == "image") > 1:
        raise ValueError("CogVLM takes at most one image per request")
    return " ".join(i["text"].strip() for i in items if i.get("type") == "text")


def cogvlm_prompt(query: str, history: Sequence[tuple[str, str]] = ()) -> str:
    """CogVLM v1.1's conversation format ("chat_old"), as its modelling code renders it."""
    prompt = "Question: "
    for old_query, response in history:
        prompt += old_query + " Answer: " + response + "\nQuestion: "
    return prompt + query + " Answer:"


def load_cogvlm_tokenizer(tokenizer_id: str = TOKENIZER_REPO, revision: str | None = None):
    from transformers import AutoTokenizer

    if revision is None and tokenizer_id == TOKENIZER_REPO:
        from kale_assets.model_pins import revision as pinned

        revision = pinned(TOKENIZER_REPO)
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_id, revision=revision)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token_id = tokenizer.unk_token_id if tokenizer.unk_token_id is not None else 0
    return tokenizer


def left_pad(features: list[dict[str, Any]], pad_id: int) -> dict[str, Any]:
    """Left-pad the per-request tensors the remote code returns into one batch (images as a list)."""
    import torch

    width = max(int(f["input_ids"].shape[0]) for f in features)
    batch: dict[str, Any] = {}
    for key, fill in (("input_ids", pad_id), ("token_type_ids", 0), ("attention_mask", 0)):
        rows = []
        for f in features:
            t = f[key]
            rows.append(torch.cat([torch.full((width - t.shape[0],), fill, dtype=t.dtype), t]))
        batch[key] = torch.stack(rows)
    batch["images"] = [f["images"] for f in features]
    return batch


class CogVLMEngine:
    """`GenerationEngine` for CogVLM: transformers with the repository's remote code, opted in explicitly."""

    name = "cogvlm"

    def __init__(self, spec: ModelSpec, device: str | None = None, tokenizer_id: str = TOKENIZER_REPO):
        if not spec.trust_remote_code:
            raise ValueError(f"{spec.model_id} runs custom modelling code from its repository; switch it on "
                             "explicitly for this role (kale run --trust-remote-code teacher)")
        import torch
        import transformers
        from transformers import AutoModelForCausalLM

        self.spec, self.model_id, self.version = spec, spec.model_id, transformers.__version__
        self.model_revision = resolve_revision(spec)
        self.device = resolve_torch_device(device or spec.device)
        self.tokenizer = load_cogvlm_tokenizer(tokenizer_id)
        dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        # As the transformers engine: what besides the model decides the numbers (progress fingerprints).
        self.runtime = {"torch": torch.__version__, "transformers": self.version,
                        "device": self.device.split(":")[0], "dtype": str(dtype)}
        self.model = AutoModelForCausalLM.from_pretrained(spec.model_id, revision=spec.revision, dtype=dtype,
                                                          trust_remote_code=spec.trust_remote_code)
        self.model = self.model.to(self.device).eval()
        self.num_parameters = sum(p.numel() for p in self.model.parameters())
        self.max_context = getattr(self.model.config, "max_position_embeddings", 2048)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def truncate_to_tokens(self, text: str, max_tokens: int) -> str:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return text if len(ids) <= max_tokens else self.tokenizer.decode(ids[:max_tokens], skip_special_tokens=True)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        results: list[GenerationResult] = []
        size = max(1, self.spec.batch_size)
        for start in range(0, len(requests), size):
            results.extend(self._generate_batch(list(requests[start : start + size])))
        return results

    def _features(self, request: GenerationRequest) -> dict[str, Any]:
        query = cogvlm_query(request.messages)
        images = [request.image.convert("RGB")] if request.image is not None else []
        return self.model.build_conversation_input_ids(self.tokenizer, query=query, history=[], images=images,
                                                       template_version=TEMPLATE_VERSION)

    def _generate_batch(self, batch: list[GenerationRequest]) -> list[GenerationResult]:
        import torch

        features, failed = [], {}
        for request in batch:
            try:
                features.append((request, self._features(request)))
            except (ValueError, TypeError, KeyError, OSError) as err:
                failed[request.request_id] = GenerationResult(request.request_id, None, f"prompt_error: {err}")
        outputs: dict[str, GenerationResult] = {}
        if features:
            inputs = left_pad([f for _, f in features], self.tokenizer.pad_token_id)
            dtype = next(self.model.parameters()).dtype
            inputs["images"] = [[im.to(self.device, dtype) for im in ims] for ims in inputs["images"]]
            inputs.update({k: inputs[k].to(self.device) for k in ("input_ids", "token_type_ids", "attention_mask")})
            sampling = self.spec.sampling
            with torch.inference_mode():
                out = self.model.generate(**inputs, max_new_tokens=sampling.max_new_tokens, do_sample=False,
                                          repetition_penalty=sampling.repetition_penalty,
                                          pad_token_id=self.tokenizer.pad_token_id)
            width = inputs["input_ids"].shape[1]
            for (request, _), row, mask in zip(features, out[:, width:], inputs["attention_mask"]):
                ids = row.tolist()
                n_out = next((i + 1 for i, t in enumerate(ids) if t == self.tokenizer.eos_token_id), len(ids))
                text = self.tokenizer.decode(ids[:n_out], skip_special_tokens=True).strip()
                outputs[request.request_id] = GenerationResult(request.request_id, text, None, int(mask.sum()), n_out)
        return [failed.get(r.request_id) or outputs[r.request_id] for r in batch]
