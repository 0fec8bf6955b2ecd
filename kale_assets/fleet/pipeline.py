"""A generation stage over a list of shards as one Ray Data pipeline.

    shards ──(CPU tasks: read the tar, decode each image to RGB pixels)──▶ requests
           ──(actor pool: one engine per actor, `EngineActor`)──▶ results ──▶ driver: rows per shard

Ray Data streams: decode tasks run ahead of the actors (bounded by the object store), so CPU preprocessing
overlaps generation, and every actor loads its model once for the whole list of shards. Requests are built
on the driver with the local path's own builders (`captioning.teacher_request` / `student_request` /
`fusion_requests`), and rows with its own `captioning.build_rows` / `stage_output`, so the executor cannot
change a row. A caption does not depend on its batch-mates (per-request seeds), so Ray's batching and
retries cannot change one either.

Failures: an actor that dies (process killed, node lost) is restarted by Ray Data and its batch retried
(actor pools default to ``max_restarts=-1, max_task_retries=-1``); the driver checks that every request is
answered exactly once. A per-request problem is a result ``error`` and becomes a rejected row; `EngineFailure`
raised in an actor fails the pipeline and is raised here as `EngineFailure`, so the step fails and is retried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np
import polars as pl

from kale_assets.captioning import (
    EngineInfo,
    StageOutput,
    _Pending,
    _rejected_row,
    build_rows,
    fusion_output,
    fusion_requests,
    stage_output,
    student_request,
    teacher_request,
)
from kale_assets.engines import EngineFailure, GenerationResult, ModelSpec
from kale_assets.fleet.actor import EngineActor
from kale_assets.fleet.settings import RaySettings
from kale_assets.prompts import AltTextBudget, prompt_hash
from kale_assets.shard_io import ShardRef, open_images


@dataclass
class ShardWork:
    """One shard's requests (built on the driver, without pixels) and, for image stages, where its images are."""

    shard_id: str
    pending: list[_Pending]
    n_input: int
    ref: ShardRef | None = None
    members: dict[str, str] = field(default_factory=dict)  # request id -> tar member


@dataclass
class FleetRun:
    outputs: dict[str, StageOutput]  # per shard, in the order given
    info: EngineInfo
    model_loads: int  # distinct engine loads that served results (actors, plus any restarted actor)
    seconds: float
    requests: int
    actors: int  # the pool's size (model_loads above it means actors were restarted)


def run_teacher(shards: list[tuple[ShardRef, pl.DataFrame]], spec: ModelSpec, settings: RaySettings, *,
                pool: str = "stage1", storage_options: dict | None = None, on_batch=None) -> FleetRun:
    works = [_image_work(ref, manifest, teacher_request) for ref, manifest in shards]
    return generate(works, spec, settings, role="teacher", stage="stage1_captions", pool=pool,
                    storage_options=storage_options, on_batch=on_batch)


def run_student(shards: list[tuple[ShardRef, pl.DataFrame]], spec: ModelSpec, budget: AltTextBudget,
                settings: RaySettings, *, pool: str = "stage2", storage_options: dict | None = None,
                on_batch=None) -> FleetRun:
    build = student_request(budget)
    works = [_image_work(ref, manifest, build) for ref, manifest in shards]
    return generate(works, spec, settings, role="student", stage="stage2_captions", pool=pool,
                    storage_options=storage_options, on_batch=on_batch)


def run_fusion(shards: list[tuple[str, pl.DataFrame, pl.DataFrame]], spec: ModelSpec, budget: AltTextBudget,
               settings: RaySettings, *, pool: str = "stage1", on_batch=None) -> FleetRun:
    """``shards``: (shard id, its stage1_captions rows, its manifest)."""
    works, plans = [], {}
    for shard_id, dense, manifest in shards:
        to_fuse, copied = fusion_requests(dense, manifest, budget, pool)
        plans[shard_id] = (copied, len(dense))
        works.append(ShardWork(shard_id, to_fuse, len(dense) - len(copied)))
    run = generate(works, spec, settings, role="fusion", stage="fused_captions", pool=pool, on_batch=on_batch)
    run.outputs = {s: fusion_output(out, *plans[s]) for s, out in run.outputs.items()}
    return run


def _image_work(ref: ShardRef, manifest: pl.DataFrame, build: Callable) -> ShardWork:
    rows = manifest.sort("key").to_dicts()
    return ShardWork(ref.shard_id, [build(row, None) for row in rows], len(rows), ref,
                     {row["uid"]: row["member"] for row in rows})


def generate(works: list[ShardWork], spec: ModelSpec, settings: RaySettings, *, role: str, stage: str, pool: str,
             storage_options: dict | None = None, on_batch: Callable[[dict], None] | None = None) -> FleetRun:
    """Run every shard's requests through the actor pool; one `StageOutput` per shard, built as locally.

    ``on_batch`` sees every result batch as it arrives (columns `actor.RESULT_COLUMNS`), for progress reports.
    """
    import ray

    if not ray.is_initialized():
        raise RuntimeError("the ray executor needs a connected Ray (kale_assets.fleet.cluster.connected)")
    started = time.perf_counter()
    answers: dict[tuple[str, str], dict] = {}
    loads: set[str] = set()
    infos: set[str] = set()
    if any(w.pending for w in works):
        _serve(_request_dataset(works, storage_options), spec, settings, role, answers, loads, infos, on_batch)
    info = _engine_info(infos, spec, settings, role)
    seconds = time.perf_counter() - started
    outputs = {w.shard_id: _shard_output(w, answers, info, stage=stage, pool=pool, seconds=seconds) for w in works}
    return FleetRun(outputs, info, len(loads), seconds, len(answers), settings.actors[role])


def _serve(requests, spec: ModelSpec, settings: RaySettings, role: str, answers: dict, loads: set, infos: set,
           on_batch: Callable[[dict], None] | None) -> None:
    import ray

    # Blocks of one batch each (a streaming repartition): a shard's decoded images spread over every actor
    # instead of sitting in one block that one actor would serve alone.
    dataset = requests.repartition(target_num_rows_per_block=settings.batch_size).map_batches(
        EngineActor, fn_constructor_args=(spec,), batch_size=settings.batch_size, batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=settings.actors[role]), num_gpus=settings.num_gpus_per_actor,
        num_cpus=settings.num_cpus_per_actor)
    for batch in _results(dataset):
        for row in _rows(batch):
            key = (row["shard"], row["request_id"])
            if key in answers:
                # An at-least-once retry must not count twice; a different answer would be a real defect.
                if (answers[key]["text"], answers[key]["error"]) != (row["text"], row["error"]):
                    raise RuntimeError(f"request {key} answered twice, differently")
                continue
            answers[key] = row
            loads.add(row["load_id"])
            infos.add(row["engine_info"])
        if on_batch:
            on_batch(batch)


def _request_dataset(works: list[ShardWork], storage_options: dict | None):
    import ray

    if any(w.ref is not None for w in works):
        items = [{"shard": w.shard_id, "ref": json.dumps(asdict(w.ref)),
                  "request_ids": [p.request.request_id for p in w.pending],
                  "members": [w.members[p.request.request_id] for p in w.pending],
                  "messages": [json.dumps(p.request.messages) for p in w.pending]} for w in works if w.pending]
        # One block per shard, so shards are read and decoded by parallel CPU tasks.
        return ray.data.from_items(items, override_num_blocks=len(items)).flat_map(
            _decode_shard, fn_kwargs={"storage_options": storage_options})
    rows = [{"shard": w.shard_id, "request_id": p.request.request_id, "messages": json.dumps(p.request.messages),
             "image": b"", "width": 0, "height": 0, "unavailable": ""} for w in works for p in w.pending]
    return ray.data.from_items(rows)


def _decode_shard(item: dict, storage_options: dict | None) -> Iterator[dict]:
    """CPU task: stream one shard's tar once and emit each wanted image as raw RGB pixels."""
    ref = ShardRef(**json.loads(item["ref"]))
    by_member = {m: (rid, msg) for rid, m, msg in zip(item["request_ids"], item["members"], item["messages"],
                                                      strict=True)}
    gone: list[tuple[str, str]] = []
    for member, image in open_images(ref, by_member.keys(), storage_options=storage_options,
                                     on_unavailable=lambda m, reason: gone.append((m, reason))):
        rid, messages = by_member[member]
        yield {"shard": item["shard"], "request_id": rid, "messages": messages, "image": image.tobytes(),
               "width": image.width, "height": image.height, "unavailable": ""}
    for member, reason in gone:
        rid, messages = by_member[member]
        yield {"shard": item["shard"], "request_id": rid, "messages": messages, "image": b"", "width": 0,
               "height": 0, "unavailable": reason or "unavailable"}


def _results(dataset) -> Iterator[dict[str, np.ndarray]]:
    """The pipeline's result batches; an `EngineFailure` in an actor comes out as `EngineFailure` here."""
    import ray

    try:
        yield from dataset.iter_batches(batch_size=None, batch_format="numpy")
    except (ray.exceptions.RayError, ray.data.exceptions.UserCodeException) as err:
        cause = _engine_failure_in(err)
        if cause is not None:
            raise EngineFailure(f"an engine actor failed: {cause}") from err
        raise


def _engine_failure_in(err: BaseException) -> BaseException | None:
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, EngineFailure):
            return err
        err = err.__cause__ or err.__context__
    return None


def _rows(batch: dict[str, np.ndarray]) -> Iterator[dict]:
    for i in range(len(batch["request_id"])):
        yield {name: _plain(values[i]) for name, values in batch.items()}


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _engine_info(infos: set[str], spec: ModelSpec, settings: RaySettings, role: str) -> EngineInfo:
    if len(infos) > 1:
        # Rows of one stage must carry one provenance: actors on different library versions would not.
        raise EngineFailure(f"the {role} actors run different engine builds: {sorted(infos)}")
    data = json.loads(infos.pop()) if infos else _probe(spec, settings)
    return EngineInfo(data["name"], data["version"], data["model_id"], data["model_revision"], data["runtime"])


def _probe(spec: ModelSpec, settings: RaySettings) -> dict:
    """Nothing to generate (every shard empty): one actor reports what the engine would have recorded."""
    import ray

    actor = ray.remote(num_gpus=settings.num_gpus_per_actor, num_cpus=settings.num_cpus_per_actor)(EngineActor)
    handle = actor.remote(spec)
    try:
        return json.loads(ray.get(handle.__ray_call__.remote(lambda self: self.engine_info)))
    finally:
        ray.kill(handle)


def _shard_output(work: ShardWork, answers: dict, info: EngineInfo, *, stage: str, pool: str,
                  seconds: float) -> StageOutput:
    kept: list[dict] = []
    rejected: list[dict] = []
    served: list[tuple[_Pending, GenerationResult]] = []
    lost = []
    for item in work.pending:
        row = answers.get((work.shard_id, item.request.request_id))
        if row is None:
            lost.append(item.request.request_id)
        elif row["unavailable"]:
            rejected.append(_rejected_row(item.row, "image_unavailable", row["unavailable"], stage))
        else:
            error = row["error"] or None
            served.append((item, GenerationResult(row["request_id"], None if error else row["text"], error,
                                                  int(row["prompt_tokens"]), int(row["output_tokens"]))))
    if lost:
        raise EngineFailure(f"shard {work.shard_id}: {len(lost)} request(s) got no answer from the actors "
                            f"(first: {lost[0]}); the step fails rather than lose samples")
    tokens = build_rows([s[0] for s in served], [s[1] for s in served], info, stage=stage, pool=pool,
                        p_hash=prompt_hash(), kept=kept, rejected=rejected)
    return stage_output(kept, rejected, n_input=work.n_input, seconds=seconds, output_tokens=tokens)
