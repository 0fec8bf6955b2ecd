"""Batched generation with transformers (``AutoModelForImageTextToText`` / ``AutoModelForCausalLM``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from kale_assets.engines.base import (
    ChatPrompts,
    EngineFailure,
    GenerationRequest,
    GenerationResult,
    ModelSpec,
    PromptTokens,
    _max_context,
    chunked_stream,
    resolve_revision,
)
from kale_assets.engines.sampling import per_request_sampling, request_seed
from kale_assets.engines.settings import resolve_torch_device

log = logging.getLogger(__name__)


class TransformersEngine(PromptTokens):
    """Batched generation with ``AutoModelForImageTextToText`` / ``AutoModelForCausalLM`` + ``AutoProcessor``."""

    name = "transformers"

    def __init__(self, spec: ModelSpec, device: str | None = None):
        import torch
        import transformers

        self.spec = spec
        self.version = transformers.__version__
        self.model_id = spec.model_id
        self.model_revision = resolve_revision(spec)
        self.device = resolve_torch_device(device or spec.device)
        on_gpu = self.device.startswith("cuda")
        dtype = {"auto": torch.bfloat16 if on_gpu else torch.float32,
                 "float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[spec.dtype]
        # What, besides the model, decides the numbers (progress chunks of another build are not reused). The
        # device kind, not its index: a retry on another GPU of the same kind may reuse the progress chunks.
        self.runtime = {"torch": torch.__version__, "transformers": self.version,
                        "device": "cuda" if on_gpu else "cpu", "dtype": str(dtype)}
        if on_gpu:
            self.runtime["gpu"] = torch.cuda.get_device_name(self.device)
        load_kwargs = dict(revision=spec.revision, trust_remote_code=spec.trust_remote_code)
        self.prompts = ChatPrompts(spec)
        self.is_multimodal = self.prompts.is_multimodal
        self.processor = self.prompts.processor
        self.tokenizer = self.prompts.tokenizer
        started = time.perf_counter()
        if self.is_multimodal:
            from transformers import AutoModelForImageTextToText

            self.model = AutoModelForImageTextToText.from_pretrained(spec.model_id, dtype=dtype, **load_kwargs)
        else:
            from transformers import AutoModelForCausalLM

            self.model = AutoModelForCausalLM.from_pretrained(spec.model_id, dtype=dtype, **load_kwargs)
        # Decoder-only batched generation needs left padding so every prompt ends where generation starts.
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model.to(self.device).eval()
        self.load_seconds = time.perf_counter() - started
        self.num_parameters = sum(p.numel() for p in self.model.parameters())
        self.max_context = _max_context(self.model.config)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        results: list[GenerationResult] = []
        batch_size = max(1, self.spec.batch_size)
        for start in range(0, len(requests), batch_size):
            results.extend(self._generate_isolating_failures(list(requests[start : start + batch_size])))
        return results

    def generate_stream(self, requests: Iterable[GenerationRequest],
                        max_in_flight: int) -> Iterator[GenerationResult]:
        # Static batches: a group waits for its longest caption, so in-flight refill brings nothing here, and
        # more than one batch in flight only delays the first (it waits for a whole window of images to be
        # decoded). One batch at a time: the same batches `generate` makes of the same sequence of requests.
        return chunked_stream(self, requests, max(1, self.spec.batch_size))

    def _generate_isolating_failures(self, batch: list[GenerationRequest]) -> list[GenerationResult]:
        """Generate a batch; a request-shaped failure is isolated to its request, anything else fails loudly.

        Only per-request causes become rejected rows: a prompt the processor refuses (ValueError, TypeError,
        KeyError), an over-long prompt. A RuntimeError (CUDA out-of-memory, a device-side assert, a broken
        kernel) says nothing about one request, so it raises `EngineFailure` and the step is retried.
        """
        prepared: list[tuple[GenerationRequest, str]] = []
        failed: dict[str, GenerationResult] = {}
        for request in batch:
            try:
                prompt = self._render(request)
            except (ValueError, TypeError, KeyError) as err:
                failed[request.request_id] = GenerationResult(request.request_id, None, f"prompt_error: {err}")
                continue
            prepared.append((request, prompt))
        outputs: dict[str, GenerationResult] = {}
        if prepared:
            try:
                for result in self._generate_batch(prepared):
                    outputs[result.request_id] = result
            except RuntimeError as err:
                raise EngineFailure(f"{self.name} engine ({self.model_id}) failed on a batch of {len(prepared)} "
                                    f"on {self.device}: {type(err).__name__}: {err}") from err
            except (ValueError, TypeError, KeyError) as err:
                if len(prepared) == 1:
                    request = prepared[0][0]
                    outputs[request.request_id] = GenerationResult(request.request_id, None,
                                                                    f"request_error: {type(err).__name__}: {err}")
                else:
                    # One bad request must not sink its batch-mates: retry one by one to find it.
                    log.warning("batch of %d failed (%s); retrying requests one by one", len(prepared), err)
                    for item in prepared:
                        outputs.update({r.request_id: r for r in self._generate_isolating_failures([item[0]])})
        return [failed.get(r.request_id) or outputs[r.request_id] for r in batch]

    def _render(self, request: GenerationRequest) -> str:
        return self.prompts.render(request)

    def _generate_batch(self, prepared: list[tuple[GenerationRequest, str]]) -> list[GenerationResult]:
        import torch

        prompts = [prompt for _, prompt in prepared]
        if self.is_multimodal:
            images = [[req.image] if req.image is not None else [] for req, _ in prepared]
            if any(images):
                inputs = self.processor(text=prompts, images=images, padding=True, return_tensors="pt")
            else:
                inputs = self.processor(text=prompts, padding=True, return_tensors="pt")
        else:
            inputs = self.tokenizer(prompts, padding=True, return_tensors="pt", add_special_tokens=False)
        prompt_lengths = inputs["attention_mask"].sum(dim=1).tolist()
        input_width = inputs["input_ids"].shape[1]
        sampling = self.spec.sampling
        too_long = [
            req.request_id for (req, _), n in zip(prepared, prompt_lengths)
            if self.max_context and n + sampling.max_new_tokens > self.max_context
        ]
        if too_long:
            if len(prepared) == 1:
                return [GenerationResult(prepared[0][0].request_id, None,
                                         f"prompt_too_long: {prompt_lengths[0]} prompt tokens + "
                                         f"{sampling.max_new_tokens} new > context {self.max_context}",
                                         prompt_tokens=int(prompt_lengths[0]))]
            raise ValueError(f"prompts over the context window: {too_long}")
        inputs = inputs.to(self.device)
        gen_kwargs: dict[str, Any] = dict(
            max_new_tokens=sampling.max_new_tokens,
            do_sample=False,
            pad_token_id=self.tokenizer.pad_token_id,
        )
        if sampling.do_sample:
            seeds = [request_seed(sampling.seed, req.request_id) for req, _ in prepared]
            gen_kwargs["logits_processor"] = per_request_sampling(sampling, seeds, input_width)
        if sampling.repetition_penalty != 1.0:
            gen_kwargs["repetition_penalty"] = sampling.repetition_penalty
        if sampling.min_new_tokens:
            gen_kwargs["min_new_tokens"] = sampling.min_new_tokens
        if sampling.no_repeat_ngram_size:
            gen_kwargs["no_repeat_ngram_size"] = sampling.no_repeat_ngram_size
        with torch.inference_mode():
            output_ids = self.model.generate(**inputs, **gen_kwargs)
        new_tokens = output_ids[:, input_width:]
        texts = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        eos_ids = _eos_ids(self.model.generation_config, self.tokenizer)
        results = []
        for (req, _), text, n_prompt, row in zip(prepared, texts, prompt_lengths, new_tokens.tolist()):
            n_out = next((i + 1 for i, t in enumerate(row) if t in eos_ids), len(row))
            results.append(GenerationResult(req.request_id, text.strip(), None, int(n_prompt), n_out))
        return results


def _eos_ids(generation_config, tokenizer) -> set[int]:
    eos = generation_config.eos_token_id if generation_config is not None else None
    ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    if tokenizer.pad_token_id is not None:
        ids.add(tokenizer.pad_token_id)
    return ids
