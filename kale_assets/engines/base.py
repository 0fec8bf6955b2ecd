"""The one generation-engine interface: what a request and a result are, what every engine provides.

Engines: `TransformersEngine` (`transformers_engine.py`), `VllmEngine` (`vllm_engine.py`, vLLM in a spawned
worker process) and `CogVLMEngine` (`cogvlm.py`, the paper's teacher with its own prompt building). All render a
request into a prompt the same way (`ChatPrompts`: the model's own processor and chat template, except CogVLM),
so the same request gives the same prompt tokens on either engine.

Failure contract: a result's ``error`` names a per-request cause (``prompt_too_long``, ``image_error``,
``prompt_error``, ``request_error``) and becomes a rejected row; an engine that cannot serve at all raises
`EngineFailure`, which fails the step so it is retried.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PIL import Image


@dataclass(frozen=True)
class SamplingSpec:
    """Decoding settings. Greedy unless ``do_sample``; sampling is seeded per batch so a re-run is identical."""

    max_new_tokens: int = 128
    # End-of-sequence is blocked before this many new tokens (random-weight models otherwise stop at once).
    min_new_tokens: int = 0
    do_sample: bool = False
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    seed: int = 0


@dataclass(frozen=True)
class ModelSpec:
    """Where a model comes from and how to run it. ``model_id`` is a hub id or a local folder."""

    model_id: str
    revision: str | None = None
    engine: str = "transformers"
    trust_remote_code: bool = False
    dtype: str = "auto"  # "auto": bfloat16 on CUDA, float32 on CPU
    batch_size: int = 8
    sampling: SamplingSpec = field(default_factory=SamplingSpec)
    params_billions: float | None = None  # for the dataset card when the checkpoint is not loaded
    # "auto": the first GPU this process sees (Ray and schedulers set CUDA_VISIBLE_DEVICES per worker), else
    # the CPU; "cpu"; "cuda:N". See `engines.settings` for the per-role settings in kale.yaml.
    device: str = "auto"
    # Requests outstanding in the engine at once (None: the stage's chunk size, or the engine's preferred number
    # when larger, vLLM's max_num_seqs); a stream refills as requests finish.
    max_in_flight: int | None = None
    # vLLM engine arguments as sorted (name, value) pairs: a frozen spec stays hashable and its key stable.
    vllm_args: tuple[tuple[str, Any], ...] = ()

    def cache_key(self) -> str:
        return hashlib.sha256(repr(asdict(self)).encode()).hexdigest()[:16]

    @property
    def vllm_engine_args(self) -> dict[str, Any]:
        return dict(self.vllm_args)


@dataclass
class GenerationRequest:
    request_id: str
    messages: list[dict[str, Any]]
    image: Image.Image | None = None


@dataclass
class GenerationResult:
    request_id: str
    text: str | None
    error: str | None = None
    prompt_tokens: int = 0
    output_tokens: int = 0


class GenerationEngine(Protocol):
    name: str
    version: str
    model_id: str
    model_revision: str
    num_parameters: int
    spec: ModelSpec
    # Library versions, device, dtype: what besides the model decides its outputs (in progress fingerprints).
    runtime: dict

    def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]: ...

    # One result per request, in request order, with up to ``max_in_flight`` requests in the engine at once;
    # `chunked_stream` is the plain implementation over ``generate``.
    def generate_stream(self, requests: Iterable[GenerationRequest],
                        max_in_flight: int) -> Iterator[GenerationResult]: ...

    def count_tokens(self, text: str) -> int: ...

    def truncate_to_tokens(self, text: str, max_tokens: int) -> str: ...

    def special_token_strings(self) -> tuple[str, ...]: ...


def chunked_stream(engine: GenerationEngine, requests: Iterable[GenerationRequest],
                   max_in_flight: int) -> Iterator[GenerationResult]:
    """``generate_stream`` for an engine without in-flight batching: ``generate`` on consecutive groups.

    A group waits for its slowest request; engines that can refill their batch (vLLM) override this.
    """
    size = max(1, int(max_in_flight))
    group: list[GenerationRequest] = []
    for request in requests:
        group.append(request)
        if len(group) >= size:
            yield from engine.generate(group)
            group = []
    if group:
        yield from engine.generate(group)


def resolve_revision(spec: ModelSpec) -> str:
    """The revision recorded in provenance: the pinned one, else a content hash for a local folder."""
    if spec.revision:
        return spec.revision
    path = Path(spec.model_id)
    if path.is_dir():
        from kale_assets.tiny_models import checkpoint_revision

        return "local-" + checkpoint_revision(path)
    return "unpinned"


class ChatPrompts:
    """A model's own processor / tokenizer and chat template: how every engine renders a request.

    Multimodal models get ``AutoProcessor`` (its chat template places the image tokens the model expects),
    text-only models ``AutoTokenizer``. Loads no weights, so it is cheap beside an engine in another process.
    """

    def __init__(self, spec: ModelSpec, config=None):
        from transformers import AutoConfig

        load_kwargs = dict(revision=spec.revision, trust_remote_code=spec.trust_remote_code)
        self.config = config if config is not None else AutoConfig.from_pretrained(spec.model_id, **load_kwargs)
        self.is_multimodal = _is_image_text_to_text(self.config)
        if self.is_multimodal:
            from transformers import AutoProcessor

            self.processor = AutoProcessor.from_pretrained(spec.model_id, **load_kwargs)
            self.tokenizer = self.processor.tokenizer
        else:
            from transformers import AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(spec.model_id, **load_kwargs)
            self.processor = self.tokenizer
        self.max_context = _max_context(self.config)

    def render(self, request: GenerationRequest) -> str:
        return self.processor.apply_chat_template(request.messages, add_generation_prompt=True, tokenize=False)

    def text_token_ids(self, prompt: str) -> list[int]:
        # Chat templates write their own BOS/role tokens; adding special tokens again would double them.
        return self.tokenizer(prompt, add_special_tokens=False)["input_ids"]

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def truncate_to_tokens(self, text: str, max_tokens: int) -> str:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) <= max_tokens:
            return text
        return self.tokenizer.decode(ids[:max_tokens], skip_special_tokens=True)


class EngineFailure(RuntimeError):
    """The engine cannot serve at all (out of memory, device error, dead worker): the step fails and is retried.

    Never turned into rejected rows: a rejection must name something wrong with one request.
    """


def _is_image_text_to_text(config) -> bool:
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES,
    )

    if config.model_type in MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES:
        return True
    auto_map = getattr(config, "auto_map", None) or {}
    return "AutoModelForImageTextToText" in auto_map or hasattr(config, "vision_config")


def _max_context(config) -> int | None:
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    return getattr(text_config, "max_position_embeddings", None)


class PromptTokens:
    """Token helpers of every engine that renders through `ChatPrompts` (``self.prompts``), in this process.

    Used to cut untrusted alt-text to a token budget and to strip the model's own special and added tokens
    from it (`kale_assets.prompts.AltTextBudget`) before it reaches a prompt.
    """

    prompts: ChatPrompts

    def count_tokens(self, text: str) -> int:
        return self.prompts.count_tokens(text)

    def truncate_to_tokens(self, text: str, max_tokens: int) -> str:
        return self.prompts.truncate_to_tokens(text, max_tokens)

    def special_token_strings(self) -> tuple[str, ...]:
        from kale_assets.prompts import model_special_tokens

        return model_special_tokens(self.prompts.tokenizer)
