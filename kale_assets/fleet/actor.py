"""The engine actor: one `GenerationEngine` per Ray actor, loaded once, serving batches of requests.

Runs inside Ray worker processes (`ray.data.Dataset.map_batches` with an actor pool). The engine is built
with the same `build_engine(spec)` as the local path, so transformers, vLLM and CogVLM serve the same
requests the same way; the actor only converts Ray Data batches to `GenerationRequest`s and back. With
``num_gpus`` per actor Ray sets CUDA_VISIBLE_DEVICES for the actor, so the engine's default device is the
GPU (or the GPUs, for tensor parallelism) Ray gave it.
"""

from __future__ import annotations

import json
import os
import time
import uuid

import numpy as np
from PIL import Image

from kale_assets.engines import GenerationRequest, ModelSpec, build_engine

RESULT_COLUMNS = ("shard", "request_id", "text", "error", "prompt_tokens", "output_tokens", "unavailable",
                  "load_id", "pid", "engine_info")


class EngineActor:
    """A Ray Data callable class: ``__init__`` loads the model, ``__call__`` generates one batch."""

    def __init__(self, spec: ModelSpec):
        started = time.perf_counter()
        self.engine = build_engine(spec)
        self.load_seconds = time.perf_counter() - started
        # One id per model load: the driver counts distinct ids to report loads per run (and sees restarts).
        self.load_id = uuid.uuid4().hex
        self.engine_info = json.dumps({
            "name": self.engine.name, "version": self.engine.version, "model_id": self.engine.model_id,
            "model_revision": self.engine.model_revision, "runtime": self.engine.runtime,
        }, sort_keys=True)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        n = len(batch["request_id"])
        unavailable = batch["unavailable"]
        # Samples whose image could not be read go back untouched: the driver rejects them, as the local path does.
        # Arrow turns an all-null column into NaN floats, so "no value" travels as "" in every string column.
        serve = [i for i in range(n) if not unavailable[i]]
        requests = [GenerationRequest(str(batch["request_id"][i]), json.loads(batch["messages"][i]),
                                      _image(batch, i)) for i in serve]
        # EngineFailure (out of memory, device error) propagates: it fails the stage, as it does locally.
        results = self.engine.generate(requests) if requests else []
        text, error = [""] * n, [""] * n
        prompt_tokens, output_tokens = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        for i, result in zip(serve, results, strict=True):
            if result.request_id != str(batch["request_id"][i]):
                raise RuntimeError(f"engine answered {result.request_id} for {batch['request_id'][i]}")
            text[i], error[i] = result.text or "", result.error or ""
            prompt_tokens[i], output_tokens[i] = result.prompt_tokens, result.output_tokens
        return {
            "shard": batch["shard"], "request_id": batch["request_id"],
            "text": np.array(text, dtype=object), "error": np.array(error, dtype=object),
            "prompt_tokens": prompt_tokens, "output_tokens": output_tokens, "unavailable": unavailable,
            "load_id": np.array([self.load_id] * n, dtype=object), "pid": np.full(n, os.getpid(), dtype=np.int64),
            "engine_info": np.array([self.engine_info] * n, dtype=object),
        }


def _image(batch: dict[str, np.ndarray], i: int) -> Image.Image | None:
    pixels = batch["image"][i]
    if not len(pixels):
        return None
    # Raw RGB pixels from the CPU decode tasks: the exact image the local path hands the engine.
    return Image.frombytes("RGB", (int(batch["width"][i]), int(batch["height"][i])), bytes(pixels))
