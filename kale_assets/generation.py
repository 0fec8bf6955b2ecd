"""One generation engine interface for the three generation stages (teacher, fusion, student).

Stages build `GenerationRequest`s (chat messages, optionally one image) and get one `GenerationResult`
per request back, in order. A request that cannot be served (prompt longer than the model's context,
an image the processor refuses) comes back with ``error`` set, never as an exception that would fail
the partition; the stage records it as a rejected row.

Two implementations sit behind `build_engine` (``ModelSpec.engine`` picks one, see `ENGINE_FACTORIES`):
`TransformersEngine` here, and `kale_assets.vllm_engine.VllmEngine`, which runs vLLM in a spawned worker
process. Both turn a request into a prompt the same way (`ChatPrompts`: the model's own processor and chat
template), so the same request gives the same prompt tokens on either engine.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

log = logging.getLogger(__name__)


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

    def cache_key(self) -> str:
        return hashlib.sha256(repr(asdict(self)).encode()).hexdigest()[:16]


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

    def count_tokens(self, text: str) -> int: ...

    def truncate_to_tokens(self, text: str, max_tokens: int) -> str: ...

    def special_token_strings(self) -> tuple[str, ...]: ...


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


class TransformersEngine:
    """Batched generation with ``AutoModelForImageTextToText`` / ``AutoModelForCausalLM`` + ``AutoProcessor``."""

    name = "transformers"

    def __init__(self, spec: ModelSpec, device: str | None = None):
        import torch
        import transformers

        self.spec = spec
        self.version = transformers.__version__
        self.model_id = spec.model_id
        self.model_revision = resolve_revision(spec)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = {"auto": torch.bfloat16 if self.device == "cuda" else torch.float32,
                 "float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[spec.dtype]
        # What, besides the model, decides the numbers (progress chunks of another build are not reused).
        self.runtime = {"torch": torch.__version__, "transformers": self.version, "device": self.device,
                        "dtype": str(dtype)}
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

    # -- token budget helpers (used to cut untrusted alt-text before it reaches a prompt) --
    def count_tokens(self, text: str) -> int:
        return self.prompts.count_tokens(text)

    def truncate_to_tokens(self, text: str, max_tokens: int) -> str:
        return self.prompts.truncate_to_tokens(text, max_tokens)

    # -- alt-text sanitising: the model's own special/added tokens (kale_assets.prompts.AltTextBudget) --
    def special_token_strings(self) -> tuple[str, ...]:
        from kale_assets.prompts import model_special_tokens

        return model_special_tokens(self.prompts.tokenizer)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        results: list[GenerationResult] = []
        batch_size = max(1, self.spec.batch_size)
        for start in range(0, len(requests), batch_size):
            results.extend(self._generate_isolating_failures(list(requests[start : start + batch_size])))
        return results

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


def request_seed(seed: int, request_id: str) -> int:
    """A per-request sampling seed: the text of a request does not depend on which requests share its batch."""
    digest = hashlib.sha256(f"{seed}|{request_id}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFF_FFFF


class EngineFailure(RuntimeError):
    """The engine cannot serve at all (out of memory, device error, dead worker): the step fails and is retried.

    Never turned into rejected rows: a rejection must name something wrong with one request.
    """


_MASK64 = (1 << 64) - 1


def _signed64(value: int) -> int:
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


# splitmix64 constants (Steele et al.), as signed int64 so torch can hold them.
_GOLDEN = _signed64(0x9E3779B97F4A7C15)
_MIX1 = _signed64(0xBF58476D1CE4E5B9)
_MIX2 = _signed64(0x94D049BB133111EB)


def _shr(x, bits: int):
    # torch's >> on int64 is arithmetic; masking makes it the logical shift splitmix64 needs.
    return (x >> bits) & ((1 << (64 - bits)) - 1)


def counter_uniforms(seeds, step: int, vocab: int):
    """Uniforms in (0, 1) that depend only on (seed, step, token id): a counter-based generator.

    Each row's noise comes from its own request seed, so a request samples the same tokens whichever
    requests share its batch, on any device, without a per-row generator object.
    """
    import torch

    tokens = torch.arange(vocab, device=seeds.device, dtype=torch.int64)
    step_term = torch.full((), step + 1, dtype=torch.int64, device=seeds.device) * _MIX2
    x = seeds[:, None] * _GOLDEN + step_term + tokens[None, :] * _MIX1
    x = (x ^ _shr(x, 30)) * _MIX1
    x = (x ^ _shr(x, 27)) * _MIX2
    x = x ^ _shr(x, 31)
    mantissa = _shr(x, 11).to(torch.float64)
    return ((mantissa + 0.5) / float(1 << 53)).to(torch.float32)


class _GumbelPerRequest:
    """Sampling by the Gumbel-max trick with per-request noise; ``generate`` then decodes greedily.

    argmax(log softmax(scores) + Gumbel noise) is an exact sample from softmax(scores), so this is the same
    distribution as multinomial sampling after the same warpers, without a batch-wide random state.
    """

    def __init__(self, seeds: list[int], input_width: int):
        self.seeds = seeds
        self.input_width = input_width
        self._seeds_tensor = None

    def __call__(self, input_ids, scores):
        import torch

        if self._seeds_tensor is None or self._seeds_tensor.device != scores.device:
            self._seeds_tensor = torch.tensor(self.seeds, dtype=torch.int64, device=scores.device)
        step = input_ids.shape[1] - self.input_width
        uniforms = counter_uniforms(self._seeds_tensor, step, scores.shape[-1])
        gumbel = -torch.log(-torch.log(uniforms))
        return torch.log_softmax(scores.float(), dim=-1) + gumbel


def per_request_sampling(sampling: SamplingSpec, seeds: list[int], input_width: int):
    """Logits processors for seeded top-k / top-p / temperature sampling that is independent of batch-mates."""
    from transformers import LogitsProcessorList, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    processors = []
    if sampling.temperature != 1.0:
        processors.append(TemperatureLogitsWarper(sampling.temperature))
    if sampling.top_k:
        processors.append(TopKLogitsWarper(sampling.top_k))
    if sampling.top_p < 1.0:
        processors.append(TopPLogitsWarper(sampling.top_p))
    processors.append(_GumbelPerRequest(seeds, input_width))
    return LogitsProcessorList(processors)


def _eos_ids(generation_config, tokenizer) -> set[int]:
    eos = generation_config.eos_token_id if generation_config is not None else None
    ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    if tokenizer.pad_token_id is not None:
        ids.add(tokenizer.pad_token_id)
    return ids


def _is_image_text_to_text(config) -> bool:
    from transformers.models.auto.modeling_auto import MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES

    if config.model_type in MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES:
        return True
    auto_map = getattr(config, "auto_map", None) or {}
    return "AutoModelForImageTextToText" in auto_map or hasattr(config, "vision_config")


def _max_context(config) -> int | None:
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    return getattr(text_config, "max_position_embeddings", None)


def _vllm_engine(spec: ModelSpec) -> GenerationEngine:
    # Imported on first use only: importing this module (every Dagster step does) never imports vLLM.
    from kale_assets.vllm_engine import VllmEngine

    return VllmEngine(spec)


ENGINE_FACTORIES: dict[str, Callable[[ModelSpec], GenerationEngine]] = {
    "transformers": TransformersEngine,
    "vllm": _vllm_engine,
}
ENGINE_NAMES = tuple(ENGINE_FACTORIES)

_ENGINE_CACHE: dict[str, GenerationEngine] = {}


def build_engine(spec: ModelSpec, *, reuse: bool = True) -> GenerationEngine:
    """Create (or reuse, within this process) the engine for a model.

    One engine is kept: stages run one after another, and holding the previous stage's model would only
    cost memory (for vLLM, its worker process and the memory it reserved).
    """
    try:
        factory = ENGINE_FACTORIES[spec.engine]
    except KeyError:
        raise ValueError(f"unknown engine {spec.engine!r}; known: {sorted(ENGINE_FACTORIES)}") from None
    key = spec.cache_key()
    if reuse and key in _ENGINE_CACHE:
        return _ENGINE_CACHE[key]
    release_engines()
    engine = factory(spec)
    if reuse:
        _ENGINE_CACHE[key] = engine
    return engine


def release_engines() -> None:
    """Drop the cached engine; an engine with a ``close()`` (vLLM's worker process) is shut down first."""
    engines = list(_ENGINE_CACHE.values())
    _ENGINE_CACHE.clear()
    for engine in engines:
        close = getattr(engine, "close", None)
        if close is not None:
            close()
    import gc

    gc.collect()
