"""Domain logic of the three generation stages, shared: build requests, generate, account for every sample.

Each stage turns the kept samples of one shard into a caption table plus a rejected table; for every
shard ``len(input) == len(captions) + len(rejected)``. Images are streamed from the shard's tar in
chunks, so a shard of 10k images never sits decoded in memory at once.

With a ``progress_dir``, each generated chunk's results are saved there as they come (one parquet per
chunk, written atomically, named by a key over the chunk's request ids and contents; a writer thread saves
them in order while the engine goes on, and the stage returns only once every chunk is saved), so a step
that fails at 90 % of a shard re-runs only the last 10 %: a re-run loads the chunks whose key still matches
instead of generating them again. Rows are built from the results alone, by the same code for generated and
loaded chunks, so a resumed stage writes exactly what an uninterrupted one writes. A ``fingerprint.json`` covers what
the key of a chunk does not (engine, model, revision, sampling, prompt versions, chunk size); when it
differs the folder is stale and is deleted. The caller removes the folder once the stage's output is
stored (`StageOutput.discard_progress`).
"""

from __future__ import annotations

import hashlib
import io
import json
import queue
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
from PIL import Image

from kale_assets.engines import GenerationEngine, GenerationRequest, GenerationResult
from kale_assets.engines.base import chunked_stream
from kale_assets.faults import failpoint
from kale_assets.io_utils import atomic_write_bytes, atomic_write_json, sha256_bytes
from kale_assets.prompts import (
    AltTextBudget,
    fusion_messages,
    prompt_hash,
    student_messages,
    teacher_messages,
)
from kale_assets.shard_io import ShardRef, open_images

CAPTION_COLUMNS = {
    "uid": pl.Utf8, "key": pl.Utf8, "shard": pl.Utf8, "pool": pl.Utf8, "caption": pl.Utf8,
    "model_id": pl.Utf8, "model_revision": pl.Utf8, "engine": pl.Utf8, "engine_version": pl.Utf8,
    "prompt_hash": pl.Utf8, "prompt_tokens": pl.Int32, "output_tokens": pl.Int32, "alt_text_truncated": pl.Boolean,
}
STAGE_REJECTED_COLUMNS = {
    "uid": pl.Utf8, "key": pl.Utf8, "shard": pl.Utf8, "reason": pl.Utf8, "detail": pl.Utf8, "stage": pl.Utf8,
}


PROGRESS_FORMAT = 1
PROGRESS_COLUMNS = {"request_id": pl.Utf8, "text": pl.Utf8, "error": pl.Utf8, "prompt_tokens": pl.Int64,
                    "output_tokens": pl.Int64}


@dataclass
class StageOutput:
    captions: pl.DataFrame
    rejected: pl.DataFrame
    n_input: int
    seconds: float
    output_tokens: int
    progress_dir: Path | None = None
    resumed_requests: int = 0  # requests whose results were loaded from progress chunks, not generated

    def discard_progress(self) -> None:
        """Remove the progress chunks; call once the stage's output is stored."""
        if self.progress_dir is not None and self.progress_dir.exists():
            shutil.rmtree(self.progress_dir)

    @property
    def samples_per_second(self) -> float:
        return self.n_input / self.seconds if self.seconds > 0 else 0.0

    def check_accounting(self) -> None:
        if self.n_input != len(self.captions) + len(self.rejected):
            raise AssertionError(
                f"accounting broken: {self.n_input} in != {len(self.captions)} kept + {len(self.rejected)} rejected"
            )


@dataclass(frozen=True)
class _Pending:
    row: dict
    request: GenerationRequest
    alt_text_truncated: bool
    # The image's pixel digest for the progress chunk key, taken where the image is decoded (the prefetch
    # thread), so hashing overlaps generation instead of delaying it; None: taken when the key is built.
    image_digest: str | None = None


@dataclass(frozen=True)
class EngineInfo:
    """An engine's provenance without the engine: what rows and commits record when the engine itself lives
    elsewhere (in Ray actors, `kale_assets.fleet`)."""

    name: str
    version: str
    model_id: str
    model_revision: str
    runtime: dict


def _collect(
    pending: Iterable[_Pending],
    engine: GenerationEngine,
    *,
    stage: str,
    pool: str,
    chunk_size: int,
    late_rejected: list[dict],
    n_input: int,
    on_progress: Callable[[int], None] | None,
    progress_dir: str | Path | None = None,
) -> StageOutput:
    """Generate every pending request, store results per chunk of ``chunk_size``, build the stage's rows.

    Requests stream through the engine (``generate_stream``) with up to the spec's ``max_in_flight`` (default:
    ``chunk_size``, or the engine's ``preferred_in_flight`` when larger) in flight, across chunk boundaries: the engine never idles while a chunk's slowest request
    finishes or while a chunk is stored. Chunks stay the unit of progress, so crash safety is as before.
    """
    started = time.perf_counter()
    kept: list[dict] = []
    rejected: list[dict] = []
    out_tokens = 0
    resumed = 0
    p_hash = prompt_hash()
    progress = _Progress.open(Path(progress_dir), engine, stage, pool, chunk_size, p_hash) if progress_dir else None
    plans: deque[_ChunkPlan] = deque()
    # An engine that refills its batch wants at least a full batch in flight (vLLM: its max_num_seqs).
    window = getattr(getattr(engine, "spec", None), "max_in_flight", None) or \
        max(chunk_size, getattr(engine, "preferred_in_flight", 0))
    stream = _stream(engine, _planned_requests(pending, chunk_size, progress, plans), window)
    writer = _ChunkWriter(progress) if progress else None
    failed = True
    try:
        for plan, results in _finished_chunks(plans, stream):
            if plan.resumed is not None:
                resumed += len(results)
            elif writer:
                writer.submit(plan.path, results)
            out_tokens += build_rows(plan.items, results, engine, stage=stage, pool=pool, p_hash=p_hash,
                                     kept=kept, rejected=rejected)
            if on_progress:
                on_progress(len(plan.items))
        failed = False
    finally:
        # A stage that fails mid-way tells the engine now (vLLM drops its requests still in flight).
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        if writer:
            # Waits for the chunks still being saved: they are what a retry resumes from. Their own failure
            # (an I/O error) fails the step, unless the stage is already failing for another reason.
            writer.close(raise_failure=not failed)
    # Filled by the request generator as it runs out, so only complete once the loop above is done.
    rejected.extend(late_rejected)
    return stage_output(kept, rejected, n_input=n_input, seconds=time.perf_counter() - started,
                        output_tokens=out_tokens, progress_dir=progress.root if progress else None,
                        resumed_requests=resumed)


@dataclass
class _ChunkPlan:
    items: list[_Pending]
    path: Path | None
    resumed: list[GenerationResult] | None  # results loaded from a progress chunk; None: to be generated


def _planned_requests(pending: Iterable[_Pending], chunk_size: int, progress: _Progress | None,
                      plans: deque[_ChunkPlan]) -> Iterator[GenerationRequest]:
    """The requests still to generate, chunk by chunk; each chunk's plan is queued before its requests.

    A chunk found in the progress folder is queued with its stored results and sends nothing to the engine.
    """
    for index, chunk in enumerate(_chunks(pending, chunk_size)):
        requests = [p.request for p in chunk]
        path = progress.chunk_path(index, chunk) if progress else None
        resumed = progress.load(path, requests) if progress else None
        plans.append(_ChunkPlan(chunk, path, resumed))
        if resumed is None:
            yield from requests


def _stream(engine: GenerationEngine, requests: Iterator[GenerationRequest],
            window: int) -> Iterator[GenerationResult]:
    stream = getattr(engine, "generate_stream", None)
    # An engine written against the older interface (generate only) still works, chunk by chunk.
    return stream(requests, window) if stream is not None else chunked_stream(engine, requests, window)


def _finished_chunks(plans: deque[_ChunkPlan],
                     stream: Iterator[GenerationResult]) -> Iterator[tuple[_ChunkPlan, list[GenerationResult]]]:
    """Each chunk with its results, in order, as soon as its last result arrives.

    The stream pulls requests (and so queues plans) ahead of the results it yields; resumed chunks at the
    head of the queue are handed out between generated ones, in their place.
    """
    buffer: list[GenerationResult] = []
    for result in stream:
        yield from _resumed_at_head(plans)
        buffer.append(result)
        if len(buffer) == len(plans[0].items):
            plan = plans.popleft()
            if [r.request_id for r in buffer] != [p.request.request_id for p in plan.items]:
                raise RuntimeError("the engine stream returned results out of request order")
            yield plan, buffer
            buffer = []
    if buffer:
        raise RuntimeError(f"the engine stream ended {len(buffer)} results into a chunk")
    yield from _resumed_at_head(plans)
    if plans:
        raise RuntimeError(f"the engine stream ended with {len(plans)} chunks unanswered")


def _resumed_at_head(plans: deque[_ChunkPlan]) -> Iterator[tuple[_ChunkPlan, list[GenerationResult]]]:
    while plans and plans[0].resumed is not None:
        plan = plans.popleft()
        yield plan, plan.resumed


class _ChunkWriter:
    """Saves finished progress chunks in order on one background thread, so storing a chunk (parquet, sidecar,
    fsyncs) overlaps generating the next instead of holding up the engine.

    At most ``depth`` chunks wait to be saved; a full queue blocks the stage, so memory stays bounded. The
    fail point ``stage:after_chunk`` is reached once a chunk is durably saved, as before. A failed save (an
    I/O error) is raised in the stage at its next submit or at `close`: the step fails and is retried.
    """

    def __init__(self, progress: _Progress, depth: int = 2):
        self._progress = progress
        self._jobs: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="kale-progress-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not _END:
            if self._failure:
                continue  # keep draining so a blocked submit or close returns
            try:
                self._progress.save(*job)
            except BaseException as err:  # re-raised in the stage (`_raise_failure`), not swallowed
                self._failure.append(err)
                continue
            failpoint("stage:after_chunk")

    def _raise_failure(self) -> None:
        if self._failure:
            raise self._failure[0]

    def submit(self, path: Path, results: list[GenerationResult]) -> None:
        self._raise_failure()
        self._jobs.put((path, results))

    def close(self, *, raise_failure: bool = True) -> None:
        """Wait until every submitted chunk is saved; ``raise_failure=False`` when the stage already fails."""
        self._jobs.put(_END)
        self._thread.join()
        if raise_failure:
            self._raise_failure()


class _Progress:
    """The per-partition folder of finished chunks (see the module docstring).

    A chunk is ``chunk-<index>-<key>.parquet`` plus a ``.json`` sidecar written after it, holding the chunk's
    sha256, the fingerprint and the request ids. A chunk is reused only when all of these still hold and its
    rows have the progress schema; anything else (an edited or truncated file, another engine build, rows
    of other requests) is deleted and generated again.
    """

    def __init__(self, root: Path, fingerprint: str, found: list[str] | None = None):
        self.root = root
        self.fingerprint = fingerprint
        # Chunk files by index prefix ("chunk-000003-"), listed once when the stage opens the folder: only
        # those can be resumed or be stale (this run's own saves come later), so `load` needs no listing per
        # chunk. None: list the folder when asked.
        self._found: dict[str, list[str]] | None = None
        if found is not None:
            self._found = {}
            for name in found:
                if name.startswith("chunk-"):
                    self._found.setdefault(name.rsplit("-", 1)[0] + "-", []).append(name)

    @classmethod
    def open(cls, root: Path, engine: GenerationEngine, stage: str, pool: str, chunk_size: int,
             p_hash: str) -> _Progress:
        fingerprint = _sha256_json({
            "format": PROGRESS_FORMAT, "stage": stage, "pool": pool, "chunk_size": chunk_size, "prompt_hash": p_hash,
            "engine": engine.name, "engine_version": engine.version, "model_id": engine.model_id,
            "model_revision": engine.model_revision, "spec": engine.spec.cache_key(),
            # Library versions, device and dtype change the numbers a model produces.
            "runtime": engine.runtime,
        })
        marker = root / "fingerprint.json"
        if root.exists():
            try:
                stored = json.loads(marker.read_text()).get("fingerprint")
            except (OSError, ValueError):
                stored = None
            if stored != fingerprint:
                # Chunks of another model, prompt or sampling setting: never mix them into this output.
                shutil.rmtree(root)
        if not marker.exists():
            atomic_write_json(marker, {"fingerprint": fingerprint, "stage": stage, "engine": engine.name,
                                       "model_id": engine.model_id})
        return cls(root, fingerprint, found=[p.name for p in root.iterdir()])

    def chunk_path(self, index: int, chunk: list[_Pending]) -> Path:
        digest = hashlib.sha256(self.fingerprint.encode())
        for item in chunk:
            request = item.request
            digest.update(request.request_id.encode() + b"\x1f")
            digest.update(json.dumps(request.messages, sort_keys=True).encode() + b"\x1f")
            digest.update((item.image_digest or _image_digest(request.image)).encode() + b"\x1e")
        return self.root / f"chunk-{index:06d}-{digest.hexdigest()[:24]}.parquet"

    def load(self, path: Path, requests: list[GenerationRequest]) -> list[GenerationResult] | None:
        prefix = path.name.rsplit("-", 1)[0] + "-"
        if self._found is None:
            present = [p.name for p in self.root.glob(f"{prefix}*")]
        else:
            present = self._found.get(prefix, [])
        if not present:
            return None  # nothing saved for this chunk: generate it
        for name in present:
            if name not in (path.name, path.with_suffix(".json").name):
                (self.root / name).unlink(missing_ok=True)  # a chunk of other requests or contents
        frame = self._verified(path, requests)
        if frame is None:
            for leftover in (path, path.with_suffix(".json")):
                leftover.unlink(missing_ok=True)
            return None
        return [GenerationResult(row["request_id"], row["text"], row["error"], int(row["prompt_tokens"]),
                                 int(row["output_tokens"])) for row in frame.iter_rows(named=True)]

    def _verified(self, path: Path, requests: list[GenerationRequest]) -> pl.DataFrame | None:
        sidecar = path.with_suffix(".json")
        try:
            meta = json.loads(sidecar.read_text())
            data = path.read_bytes()
        except (OSError, ValueError):
            return None
        ids = [r.request_id for r in requests]
        if meta.get("sha256") != sha256_bytes(data) or meta.get("fingerprint") != self.fingerprint \
                or meta.get("request_ids") != ids:
            return None
        try:
            frame = pl.read_parquet(io.BytesIO(data))
        except (OSError, pl.exceptions.PolarsError):
            return None
        if dict(frame.schema) != PROGRESS_COLUMNS or frame["request_id"].to_list() != ids:
            return None
        # Every result is either text or an error, never both nor neither, and counts are not negative.
        consistent = frame.select(
            ((pl.col("text").is_null() != pl.col("error").is_null())
             & (pl.col("prompt_tokens") >= 0) & (pl.col("output_tokens") >= 0)).all()).item()
        return frame if consistent else None

    def save(self, path: Path, results: list[GenerationResult]) -> None:
        frame = pl.DataFrame([{"request_id": r.request_id, "text": r.text, "error": r.error,
                               "prompt_tokens": r.prompt_tokens, "output_tokens": r.output_tokens}
                              for r in results], schema=PROGRESS_COLUMNS)
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        data = buffer.getvalue()
        atomic_write_bytes(path, data)
        # Written second: a chunk without its sidecar is incomplete and is generated again.
        atomic_write_json(path.with_suffix(".json"), {"sha256": sha256_bytes(data), "fingerprint": self.fingerprint,
                                                     "request_ids": [r.request_id for r in results]})


def _sha256_json(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def _image_digest(image: Image.Image | None) -> str:
    if image is None:
        return "-"
    try:
        pixels = image.tobytes()
    except OSError as err:
        # Undecodable: the engine rejects it with image_error; the key only has to be stable.
        return f"unreadable:{err}"
    return f"{image.mode}:{image.size}:{hashlib.sha256(pixels).hexdigest()}"


def _rejection_reason(result: GenerationResult) -> tuple[str, str] | None:
    if result.error:
        code, _, detail = result.error.partition(": ")
        return code, detail or result.error
    if not result.text or not result.text.strip():
        return "empty_output", "the model produced no text"
    return None


def _rejected_row(row: dict, reason: str, detail: str, stage: str) -> dict:
    return {"uid": row["uid"], "key": row["key"], "shard": row["shard"], "reason": reason, "detail": detail,
            "stage": stage}


def _chunks(items: Iterable[_Pending], size: int) -> Iterator[list[_Pending]]:
    chunk: list[_Pending] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_END = object()


def prefetched(items: Iterable, depth: int) -> Iterator:
    """Iterate ``items`` with a background thread running up to ``depth`` items ahead.

    Reading the tar and decoding images (PIL releases the GIL while decoding) then overlaps the engine's
    generate call instead of adding to it. Errors of the producer surface in the consumer; a consumer that
    stops early stops the producer.
    """
    buffer: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as err:  # re-raised in the consumer below, not swallowed
            failure.append(err)
        finally:
            while not stop.is_set():
                try:
                    buffer.put(_END, timeout=0.1)
                    break
                except queue.Full:
                    continue

    worker = threading.Thread(target=produce, name="kale-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _END:
                break
            yield item
        if failure:
            raise failure[0]
    finally:
        stop.set()
        worker.join(timeout=5)


def _image_requests(
    ref: ShardRef,
    manifest: pl.DataFrame,
    build: Callable[[dict, Image.Image], _Pending],
    missing: list[dict],
    stage: str,
    storage_options: dict | None,
    with_digest: bool = False,
) -> Iterator[_Pending]:
    rows_by_member = {row["member"]: row for row in manifest.iter_rows(named=True)}

    # A member validated at ingest but gone or undecodable now (source rewritten or truncated since) is a
    # rejected sample with its reason, and the shard still completes.
    def unavailable(member: str, reason: str) -> None:
        missing.append(_rejected_row(rows_by_member[member], "image_unavailable", reason, stage))

    for member, image in open_images(ref, rows_by_member.keys(), storage_options=storage_options,
                                     on_unavailable=unavailable):
        item = build(rows_by_member[member], image)
        # Run in the prefetch thread: the pixel digest a progress chunk's key needs is taken here, off the
        # engine's path (only when the stage keeps progress chunks).
        yield replace(item, image_digest=_image_digest(image)) if with_digest else item


def teacher_request(row: dict, image: Image.Image | None) -> _Pending:
    """A teacher request (image only); ``image`` None builds it without pixels (the Ray path adds them later)."""
    return _Pending(row, GenerationRequest(row["uid"], teacher_messages(), image), False)


def student_request(budget: AltTextBudget) -> Callable[[dict, Image.Image | None], _Pending]:
    """The student's request builder: image + the sample's alt-text, sanitised and cut to the budget."""

    def build(row: dict, image: Image.Image | None) -> _Pending:
        alt, truncated = budget.apply(row["alt_text"])
        return _Pending(row, GenerationRequest(row["uid"], student_messages(alt), image), truncated)

    return build


def run_teacher(
    ref: ShardRef, manifest: pl.DataFrame, engine: GenerationEngine, *, pool: str = "stage1",
    chunk_size: int = 64, storage_options: dict | None = None, on_progress=None,
    progress_dir: str | Path | None = None,
) -> StageOutput:
    """stage1_captions: dense captions of each kept image by the teacher VLM (image only, no alt-text)."""
    missing: list[dict] = []
    pending = prefetched(_image_requests(ref, manifest, teacher_request, missing, "stage1_captions", storage_options,
                                         with_digest=progress_dir is not None),
                         depth=2 * chunk_size)
    return _collect(pending, engine, stage="stage1_captions", pool=pool, chunk_size=chunk_size,
                    late_rejected=missing, n_input=len(manifest), on_progress=on_progress, progress_dir=progress_dir)


def run_student(
    ref: ShardRef, manifest: pl.DataFrame, engine: GenerationEngine, budget: AltTextBudget, *,
    pool: str = "stage2", chunk_size: int = 64, storage_options: dict | None = None, on_progress=None,
    progress_dir: str | Path | None = None,
) -> StageOutput:
    """stage2_captions: the distilled student captions image + alt-text directly."""
    missing: list[dict] = []
    pending = prefetched(_image_requests(ref, manifest, student_request(budget), missing, "stage2_captions",
                                         storage_options, with_digest=progress_dir is not None),
                         depth=2 * chunk_size)
    return _collect(pending, engine, stage="stage2_captions", pool=pool, chunk_size=chunk_size,
                    late_rejected=missing, n_input=len(manifest), on_progress=on_progress, progress_dir=progress_dir)


def run_fusion(
    dense: pl.DataFrame, manifest: pl.DataFrame, engine: GenerationEngine, budget: AltTextBudget, *,
    pool: str = "stage1", chunk_size: int = 128, on_progress=None, progress_dir: str | Path | None = None,
) -> StageOutput:
    """fused_captions: the LLM merges each dense caption with its (sanitised, budgeted) alt-text.

    A sample with no alt-text left after sanitising has nothing to merge: its dense caption becomes the fused
    caption as it is, without an LLM call (and without the LLM's chance to garble it), keeping the teacher's
    provenance, and ``knowledge_augmented`` is false on that row (true on every LLM-fused row).
    """
    to_fuse, copied = fusion_requests(dense, manifest, budget, pool)
    out = _collect(iter(to_fuse), engine, stage="fused_captions", pool=pool, chunk_size=chunk_size,
                   late_rejected=[], n_input=len(dense) - len(copied), on_progress=on_progress,
                   progress_dir=progress_dir)
    if copied and on_progress:
        on_progress(len(copied))
    return fusion_output(out, copied, len(dense))


def fusion_requests(dense: pl.DataFrame, manifest: pl.DataFrame, budget: AltTextBudget,
                    pool: str) -> tuple[list[_Pending], list[dict]]:
    """Fusion's LLM requests, and the rows that keep their dense caption (no alt-text left to merge)."""
    joined = dense.select("uid", "caption", "model_id", "model_revision", "engine", "engine_version",
                          "prompt_hash").join(manifest.select("uid", "key", "shard", "alt_text"), on="uid", how="inner")
    to_fuse: list[_Pending] = []
    copied: list[dict] = []
    for row in joined.sort("key").iter_rows(named=True):
        alt, truncated = budget.apply(row["alt_text"])
        if alt.strip():
            # The dense caption may have read text off the image: it is untrusted too.
            messages = fusion_messages(budget.sanitize(row["caption"]), alt)
            to_fuse.append(_Pending(row, GenerationRequest(row["uid"], messages), truncated))
        else:
            copied.append({"uid": row["uid"], "key": row["key"], "shard": row["shard"], "pool": pool,
                           "caption": row["caption"], "model_id": row["model_id"],
                           "model_revision": row["model_revision"], "engine": row["engine"],
                           "engine_version": row["engine_version"], "prompt_hash": row["prompt_hash"],
                           "prompt_tokens": 0, "output_tokens": 0, "alt_text_truncated": False,
                           "knowledge_augmented": False})
    return to_fuse, copied


def fusion_output(out: StageOutput, copied: list[dict], n_dense: int) -> StageOutput:
    """The LLM-fused rows (knowledge-augmented) joined with the copied ones; accounting over all of dense."""
    fused = out.captions.with_columns(pl.lit(True).alias("knowledge_augmented"))
    kept = pl.DataFrame(copied, schema={**CAPTION_COLUMNS, "knowledge_augmented": pl.Boolean})
    out.captions = pl.concat([fused, kept], how="vertical").sort("key")
    out.n_input = n_dense
    out.check_accounting()
    return out


def build_rows(items: list[_Pending], results: list[GenerationResult], engine: EngineInfo | GenerationEngine, *,
               stage: str, pool: str, p_hash: str, kept: list[dict], rejected: list[dict]) -> int:
    """Turn one batch of results into caption rows and rejected rows (appended); returns the output tokens.

    The one place rows are built for both executors: the local path (`_collect`) calls it per chunk, the Ray
    path (`kale_assets.fleet`) per shard, so the executor cannot change what a row holds. ``engine`` only lends its provenance fields.
    """
    out_tokens = 0
    for item, result in zip(items, results, strict=True):
        reason = _rejection_reason(result)
        if reason is not None:
            rejected.append(_rejected_row(item.row, reason[0], reason[1], stage))
            continue
        out_tokens += result.output_tokens
        kept.append({
            "uid": item.row["uid"], "key": item.row["key"], "shard": item.row["shard"], "pool": pool,
            "caption": result.text, "model_id": engine.model_id, "model_revision": engine.model_revision,
            "engine": engine.name, "engine_version": engine.version, "prompt_hash": p_hash,
            "prompt_tokens": result.prompt_tokens, "output_tokens": result.output_tokens,
            "alt_text_truncated": item.alt_text_truncated,
        })
    return out_tokens


def stage_output(kept: list[dict], rejected: list[dict], *, n_input: int, seconds: float, output_tokens: int,
                 progress_dir: Path | None = None, resumed_requests: int = 0) -> StageOutput:
    """The stage's tables in their canonical order (by key), with the accounting rule checked."""
    output = StageOutput(
        captions=pl.DataFrame(kept, schema=CAPTION_COLUMNS).sort("key"),
        rejected=pl.DataFrame(rejected, schema=STAGE_REJECTED_COLUMNS).sort("key", "reason"),
        n_input=n_input,
        seconds=seconds,
        output_tokens=output_tokens,
        progress_dir=progress_dir,
        resumed_requests=resumed_requests,
    )
    output.check_accounting()
    return output
