"""Per-role engine settings from kale.yaml, checked on load and merged over a preset's `ModelSpec`.

kale.yaml, every key optional::

    engines:
      teacher: vllm                    # the short form: the engine only (what `--engine teacher=vllm` writes)
      fusion:
        engine: vllm
        dtype: bfloat16
        max_in_flight: 512
        vllm: {tensor_parallel_size: 2, gpu_memory_utilization: 0.85, max_model_len: 4096, max_num_seqs: 256}
      student: {engine: transformers, device: auto, batch_size: 32}

A mistake is a `KaleUsageError` with one line per problem (an unknown key, a value of the wrong kind), naming
what is accepted. The vLLM arguments are checked here against a list of `vllm.EngineArgs` names (vLLM 0.32)
without importing vLLM: the process that runs Dagster steps never does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from kale_assets.engines.base import ModelSpec
from kale_assets.errors import KaleUsageError

DTYPES = ("auto", "float32", "bfloat16", "float16")
DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d+)?")


def _int_at_least(low: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
        return None if ok else f"a whole number >= {low}"
    return check


def _number_in(low: float, high: float, low_open: bool = False) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and \
            (value > low if low_open else value >= low) and value <= high
        return None if ok else f"a number in {'(' if low_open else '['}{low}, {high}]"
    return check


def _is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def _is_str(value: Any) -> str | None:
    return None if isinstance(value, str) and value else "a name"


def _is_mapping(value: Any) -> str | None:
    return None if isinstance(value, Mapping) else "a mapping"


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"one of {', '.join(choices)}"
    return check


# vllm.EngineArgs fields (vLLM 0.32) a caption run may want; test_engine_settings checks each is still one.
# Left out on purpose: model/tokenizer/revision/trust_remote_code/dtype (set from the spec) and seed (each
# request carries its own seed, so a caption does not depend on the engine's).
VLLM_ARGS: dict[str, Callable[[Any], str | None]] = {
    "tensor_parallel_size": _int_at_least(1),
    "pipeline_parallel_size": _int_at_least(1),
    "gpu_memory_utilization": _number_in(0.0, 1.0, low_open=True),
    "max_model_len": _int_at_least(1),
    "max_num_seqs": _int_at_least(1),
    "max_num_batched_tokens": _int_at_least(1),
    "enforce_eager": _is_bool,
    "enable_prefix_caching": _is_bool,
    "enable_chunked_prefill": _is_bool,
    "async_scheduling": _is_bool,
    "disable_custom_all_reduce": _is_bool,
    "kv_cache_dtype": _is_str,
    "kv_cache_memory_bytes": _int_at_least(1),
    "quantization": _is_str,
    "block_size": _int_at_least(1),
    "cpu_offload_gb": _number_in(0.0, 1e6),
    "distributed_executor_backend": _one_of("mp", "ray", "uni"),
    "limit_mm_per_prompt": _is_mapping,
    "mm_processor_kwargs": _is_mapping,
    "mm_processor_cache_gb": _number_in(0.0, 1e6),
}


def _device(value: Any) -> str | None:
    return None if isinstance(value, str) and DEVICE_PATTERN.fullmatch(value) else "auto, cpu, cuda or cuda:N"


ROLE_KEYS: dict[str, Callable[[Any], str | None]] = {
    "engine": _is_str,  # checked against the engine registry by the caller, which knows the names
    "batch_size": _int_at_least(1),
    "device": _device,
    "dtype": _one_of(*DTYPES),
    "max_in_flight": _int_at_least(1),
    "vllm": _is_mapping,
}


def settings_problems(role: str, settings: Any) -> list[str]:
    """Every mistake in one role's settings, one line each (empty: the settings are fine)."""
    where = f"engines.{role}"
    if not isinstance(settings, Mapping):
        return [f"{where} must be an engine name or a mapping of settings, got {settings!r}"]
    problems = []
    for key, value in settings.items():
        check = ROLE_KEYS.get(key)
        if check is None:
            problems.append(f"{where}: unknown key {key!r}; accepted: {', '.join(ROLE_KEYS)}")
        elif (want := check(value)) is not None:
            problems.append(f"{where}.{key} must be {want}, got {value!r}")
    vllm_args = settings.get("vllm")
    if isinstance(vllm_args, Mapping):
        for key, value in vllm_args.items():
            check = VLLM_ARGS.get(key)
            if check is None:
                problems.append(f"{where}.vllm: unknown vLLM engine argument {key!r}; accepted: "
                                f"{', '.join(sorted(VLLM_ARGS))}")
            elif (want := check(value)) is not None:
                problems.append(f"{where}.vllm.{key} must be {want}, got {value!r}")
    return problems


def check_settings(settings: Mapping[str, Any], roles: tuple[str, ...], *more: Mapping[str, Any]) -> None:
    """Raise one `KaleUsageError` listing every problem in ``{role: settings}`` (and in ``more`` such maps)."""
    problems: list[str] = []
    for source in (settings, *more):
        problems += [f"engines: unknown role {role!r}; roles are {', '.join(roles)}" for role in source
                     if role not in roles]
        for role, role_settings in source.items():
            if role in roles:
                problems.extend(settings_problems(role, role_settings))
    if problems:
        raise KaleUsageError("invalid engine settings in kale.yaml:\n  " + "\n  ".join(problems),
                             "fix these keys (README: Engine settings)")


def apply_settings(spec: ModelSpec, settings: Mapping[str, Any] | None) -> ModelSpec:
    """The preset's spec with a role's settings over it; vLLM arguments merge over the preset's own."""
    if not settings:
        return spec
    changes: dict[str, Any] = {k: settings[k] for k in ("engine", "batch_size", "device", "dtype", "max_in_flight")
                               if k in settings}
    if settings.get("vllm"):
        merged = {**spec.vllm_engine_args, **dict(settings["vllm"])}
        changes["vllm_args"] = tuple(sorted(merged.items()))
    return replace(spec, **changes)


def resolve_torch_device(requested: str) -> str:
    """The torch device an in-process engine binds: ``cpu`` or ``cuda:N``, and that GPU made current.

    "auto" is the first GPU this process sees. A scheduler that gives each worker its own GPU does so with
    CUDA_VISIBLE_DEVICES (Ray sets it per actor), so "auto" and "cuda:0" are that worker's own GPU, never the
    host's first one. Made current too, so stray allocations (kernels' workspaces, caches) land there as well.
    """
    import torch

    if not DEVICE_PATTERN.fullmatch(requested or ""):
        raise KaleUsageError(f"engine device {requested!r} is not a device", "write auto, cpu, cuda or cuda:N")
    if requested == "cpu" or (requested == "auto" and not torch.cuda.is_available()):
        return "cpu"
    visible = torch.cuda.device_count() if torch.cuda.is_available() else 0
    index = int(requested.partition(":")[2] or 0) if requested != "auto" else 0
    if index >= visible:
        import os

        mask = os.environ.get("CUDA_VISIBLE_DEVICES")
        seen = f"{visible} GPU(s)" + (f" (CUDA_VISIBLE_DEVICES={mask})" if mask is not None else "")
        raise KaleUsageError(f"engine device {requested!r} asked for, but this process sees {seen}",
                             "set the role's device to auto, cpu or a GPU index below the count")
    torch.cuda.set_device(index)
    return f"cuda:{index}"
