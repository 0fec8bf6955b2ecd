"""Domain logic of the three generation stages, shared: build requests, generate, account for every sample.

Each stage turns the kept samples of one shard into a caption table plus a rejected table; for every
shard ``len(input) == len(captions) + len(rejected)``. Images are streamed from the shard's tar in
chunks, so a shard of 10k images never sits decoded in memory at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import polars as pl
from PIL import Image

from kale_assets.generation import GenerationEngine, GenerationRequest, GenerationResult
from kale_assets.prompts import AltTextBudget, fusion_messages, prompt_hash, student_messages, teacher_messages
from kale_assets.shard_io import ShardRef, open_images

CAPTION_COLUMNS = {
    "uid": pl.Utf8, "key": pl.Utf8, "shard": pl.Utf8, "pool": pl.Utf8, "caption": pl.Utf8,
    "model_id": pl.Utf8, "model_revision": pl.Utf8, "engine": pl.Utf8, "engine_version": pl.Utf8,
    "prompt_hash": pl.Utf8, "prompt_tokens": pl.Int32, "output_tokens": pl.Int32, "alt_text_truncated": pl.Boolean,
}
STAGE_REJECTED_COLUMNS = {
    "uid": pl.Utf8, "key": pl.Utf8, "shard": pl.Utf8, "reason": pl.Utf8, "detail": pl.Utf8, "stage": pl.Utf8,
}


@dataclass
class StageOutput:
    captions: pl.DataFrame
    rejected: pl.DataFrame
    n_input: int
    seconds: float
    output_tokens: int

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
) -> StageOutput:
    started = time.perf_counter()
    kept: list[dict] = []
    rejected: list[dict] = []
    out_tokens = 0
    p_hash = prompt_hash()
    for chunk in _chunks(pending, chunk_size):
        results = engine.generate([p.request for p in chunk])
        for item, result in zip(chunk, results, strict=True):
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
        if on_progress:
            on_progress(len(chunk))
    # Filled by the request generator as it runs out, so only complete once the loop above is done.
    rejected.extend(late_rejected)
    output = StageOutput(
        captions=pl.DataFrame(kept, schema=CAPTION_COLUMNS).sort("key"),
        rejected=pl.DataFrame(rejected, schema=STAGE_REJECTED_COLUMNS).sort("key", "reason"),
        n_input=n_input,
        seconds=time.perf_counter() - started,
        output_tokens=out_tokens,
    )
    output.check_accounting()
    return output


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


def _image_requests(
    ref: ShardRef,
    manifest: pl.DataFrame,
    build: Callable[[dict, Image.Image], _Pending],
    missing: list[dict],
    stage: str,
    storage_options: dict | None,
) -> Iterator[_Pending]:
    rows_by_member = {row["member"]: row for row in manifest.iter_rows(named=True)}
    seen: set[str] = set()
    for member, image in open_images(ref, rows_by_member.keys(), storage_options=storage_options):
        seen.add(member)
        yield build(rows_by_member[member], image)
    # A member validated at ingest but gone now (source rewritten, truncated since) is recorded, not lost.
    for member, row in rows_by_member.items():
        if member not in seen:
            missing.append(_rejected_row(row, "image_unavailable", f"{member} not readable from {ref.tar_url}", stage))


def run_teacher(
    ref: ShardRef, manifest: pl.DataFrame, engine: GenerationEngine, *, pool: str = "stage1",
    chunk_size: int = 64, storage_options: dict | None = None, on_progress=None,
) -> StageOutput:
    """stage1_captions: dense captions of each kept image by the teacher VLM (image only, no alt-text)."""
    missing: list[dict] = []

    def build(row: dict, image: Image.Image) -> _Pending:
        return _Pending(row, GenerationRequest(row["uid"], teacher_messages(), image), False)

    pending = _image_requests(ref, manifest, build, missing, "stage1_captions", storage_options)
    return _collect(pending, engine, stage="stage1_captions", pool=pool, chunk_size=chunk_size,
                   late_rejected=missing, n_input=len(manifest), on_progress=on_progress)


def run_student(
    ref: ShardRef, manifest: pl.DataFrame, engine: GenerationEngine, budget: AltTextBudget, *,
    pool: str = "stage2", chunk_size: int = 64, storage_options: dict | None = None, on_progress=None,
) -> StageOutput:
    """stage2_captions: the distilled student captions image + alt-text directly."""
    missing: list[dict] = []

    def build(row: dict, image: Image.Image) -> _Pending:
        alt, truncated = budget.apply(row["alt_text"])
        return _Pending(row, GenerationRequest(row["uid"], student_messages(alt), image), truncated)

    pending = _image_requests(ref, manifest, build, missing, "stage2_captions", storage_options)
    return _collect(pending, engine, stage="stage2_captions", pool=pool, chunk_size=chunk_size,
                   late_rejected=missing, n_input=len(manifest), on_progress=on_progress)


def run_fusion(
    dense: pl.DataFrame, manifest: pl.DataFrame, engine: GenerationEngine, budget: AltTextBudget, *,
    pool: str = "stage1", chunk_size: int = 128, on_progress=None,
) -> StageOutput:
    """fused_captions: the LLM merges each dense caption with its (sanitised, budgeted) alt-text."""
    joined = dense.select("uid", "caption").join(manifest.select("uid", "key", "shard", "alt_text"), on="uid",
                                                 how="inner")

    def pending() -> Iterator[_Pending]:
        for row in joined.sort("key").iter_rows(named=True):
            alt, truncated = budget.apply(row["alt_text"])
            yield _Pending(row, GenerationRequest(row["uid"], fusion_messages(row["caption"], alt)), truncated)

    return _collect(pending(), engine, stage="fused_captions", pool=pool, chunk_size=chunk_size,
                    late_rejected=[], n_input=len(dense), on_progress=on_progress)
