"""What every generation-stage asset does after generating: write atomically, check, report."""

from __future__ import annotations

import time

import polars as pl
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue

from kale_assets.captioning import StageOutput
from kale_assets.defs import checks
from kale_assets.generation import GenerationEngine
from kale_assets.layout import WorkLayout
from kale_assets.schemas import CaptionSchema, StageRejectedSchema
from kale_assets.shard_io import write_parquet_atomic

STAGE_CHECKS = ["schema", "unique_uid", "non_empty_captions", "provenance_non_null", "accounting"]
STAGE_PROVENANCE = ["uid", "key", "shard", "pool", "model_id", "model_revision", "engine", "engine_version",
                    "prompt_hash"]


def progress_dir(layout: WorkLayout, asset: str, shard_id: str):
    """Where a generation stage keeps finished chunks of a partition until its output is written."""
    return layout.shard_output(asset, shard_id).with_suffix(".progress")


def read_table(path) -> pl.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: materialize the upstream asset for this partition first")
    return pl.read_parquet(path)


def finish_stage(context: AssetExecutionContext, layout: WorkLayout, asset: str, shard_id: str,
                 out: StageOutput, engine: GenerationEngine) -> MaterializeResult:
    started = time.perf_counter()
    out_path = layout.shard_output(asset, shard_id)
    rejected_path = layout.shard_rejected(asset, shard_id)
    write_parquet_atomic(out.captions, out_path)
    write_parquet_atomic(out.rejected, rejected_path)
    # Only now: a failure before the writes above keeps the chunks for the next attempt.
    out.discard_progress()
    reasons = {r: int(n) for r, n in out.rejected.group_by("reason").len().iter_rows()} if len(out.rejected) else {}
    schema = checks.schema_check(out.captions, CaptionSchema)
    if schema.passed:
        schema = checks.schema_check(out.rejected, StageRejectedSchema)
    context.log.info(f"{asset} {shard_id}: {out.n_input} in, {len(out.captions)} kept, {len(out.rejected)} rejected "
                     f"in {out.seconds:.1f}s")
    return MaterializeResult(
        metadata={
            "rows_in": out.n_input,
            "rows_kept": len(out.captions),
            "rows_rejected": len(out.rejected),
            "rejected_by_reason": MetadataValue.json(reasons),
            "seconds": round(out.seconds, 3),
            "samples_per_s": round(out.samples_per_second, 3),
            "output_tokens": out.output_tokens,
            "resumed_requests": out.resumed_requests,
            "model_id": engine.model_id,
            "model_revision": engine.model_revision,
            "engine": f"{engine.name} {engine.version}",
            "output_path": MetadataValue.path(str(out_path)),
            "rejected_path": MetadataValue.path(str(rejected_path)),
            "write_seconds": round(time.perf_counter() - started, 3),
        },
        check_results=[
            schema,
            checks.unique_uid_check(out.captions),
            checks.non_empty_captions_check(out.captions),
            checks.provenance_check(out.captions, STAGE_PROVENANCE),
            checks.accounting_check(out.n_input, len(out.captions), len(out.rejected)),
        ],
    )


def other_pool_result(context: AssetExecutionContext, asset: str, shard_id: str, pool: str,
                      check_names: list[str]) -> MaterializeResult:
    """The instant no-op for a shard of the other pool: nothing is read or written, nothing is lost."""
    from dagster import AssetCheckResult

    note = f"shard {shard_id} belongs to the {pool} pool; {asset} only processes the other pool"
    context.log.info(note)
    return MaterializeResult(
        metadata={"pool": pool, "skipped": note, "rows_in": 0, "rows_kept": 0, "rows_rejected": 0},
        check_results=[AssetCheckResult(check_name=name, passed=True, metadata={"skipped": note})
                       for name in check_names],
    )
