"""Generation engines behind one interface (`base.GenerationEngine`), and the registry that builds them.

Importing this package never imports vLLM or CogVLM's code: their factories import them on first use.
"""

from __future__ import annotations

from collections.abc import Callable

from kale_assets.engines.base import (
    ChatPrompts,
    EngineFailure,
    GenerationEngine,
    GenerationRequest,
    GenerationResult,
    ModelSpec,
    SamplingSpec,
    resolve_revision,
)
from kale_assets.engines.sampling import (
    counter_uniforms,
    per_request_sampling,
    request_seed,
)
from kale_assets.engines.transformers_engine import TransformersEngine

__all__ = [
    "ENGINE_FACTORIES", "ENGINE_NAMES", "ChatPrompts", "EngineFailure", "GenerationEngine", "GenerationRequest",
    "GenerationResult", "ModelSpec", "SamplingSpec", "TransformersEngine", "build_engine", "counter_uniforms",
    "per_request_sampling", "release_engines", "request_seed", "resolve_revision",
]


def _vllm_engine(spec: ModelSpec) -> GenerationEngine:
    # Imported on first use only: importing this module (every Dagster step does) never imports vLLM.
    from kale_assets.engines.vllm_engine import VllmEngine

    return VllmEngine(spec)


def _cogvlm_engine(spec: ModelSpec) -> GenerationEngine:
    # CogVLM v1 needs its own prompt building and its Vicuna tokenizer; vLLM does not serve it.
    from kale_assets.engines.cogvlm import CogVLMEngine

    return CogVLMEngine(spec)


ENGINE_FACTORIES: dict[str, Callable[[ModelSpec], GenerationEngine]] = {
    "transformers": TransformersEngine,
    "vllm": _vllm_engine,
    "cogvlm": _cogvlm_engine,
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
