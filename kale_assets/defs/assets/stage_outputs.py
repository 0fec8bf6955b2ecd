"""What every partitioned asset does with what it computed: stage, validate, commit (or quarantine), report.

Blocking checks run on the staged frames *before* anything becomes visible; a partition is committed only
when they all pass. When one fails, the partition's earlier commit is withdrawn as well, so no later run,
schedule, sensor or training reads a partition whose latest checks failed (`kale_assets.commit`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    Backoff,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
)

from kale_assets import commit
from kale_assets.captioning import StageOutput
from kale_assets.defs import checks
from kale_assets.engines import GenerationEngine
from kale_assets.layout import WorkLayout
from kale_assets.schemas import CaptionSchema

STAGE_CHECKS = ["schema", "unique_uid", "non_empty_captions", "provenance_non_null", "accounting",
                "generation_reject_share"]
STAGE_PROVENANCE = ["uid", "key", "shard", "pool", "model_id", "model_revision", "engine", "engine_version",
                    "prompt_hash"]
# Infrastructure failures (out of memory, a dead engine, I/O) fail the step; a retry resumes from the
# partition's finished chunks. Deterministic failures (a failed blocking check) fail the same way again.
GENERATION_RETRY = RetryPolicy(max_retries=2, delay=10, backoff=Backoff.EXPONENTIAL)


def progress_dir(layout: WorkLayout, asset: str, shard_id: str):
    """Where a generation stage keeps finished chunks of a partition until the partition commits."""
    return layout.progress_dir(asset, shard_id)


def read_input(layout: WorkLayout, asset: str, shard_id: str, table: str = "output") -> pl.DataFrame:
    """An upstream partition's table, verified against its commit (`commit.read_committed`)."""
    return commit.read_committed(layout, asset, shard_id, table)


@dataclass
class ShardResult:
    """What one shard of a partition came to: its blocking checks, its metadata, whether it committed."""

    shard_id: str
    check_results: list[AssetCheckResult]
    metadata: dict
    committed: bool


def commit_shard(context: AssetExecutionContext, layout: WorkLayout, asset: str, shard_id: str, *,
                 output: pl.DataFrame, rejected: pl.DataFrame, check_results: Sequence[AssetCheckResult],
                 metadata: dict, versions: dict) -> ShardResult:
    """Stage both tables of one shard, commit them when every check passed, else quarantine them."""
    started = time.perf_counter()
    staged = commit.stage(layout, asset, shard_id, {"output": output, "rejected": rejected})
    failed = [c.check_name for c in check_results if not c.passed]
    if failed:
        quarantine = staged.reject()
        context.log.error(f"{asset} {shard_id}: blocking checks failed ({', '.join(failed)}); not committed, "
                          f"earlier commit withdrawn, staged files kept in {quarantine}")
        outcome = {"committed": False, "failed_checks": ", ".join(failed),
                   "quarantine_path": MetadataValue.path(str(quarantine))}
    else:
        manifest = staged.commit(versions)
        outcome = {
            "committed": True,
            "output_path": MetadataValue.path(str(layout.shard_output(asset, shard_id))),
            "rejected_path": MetadataValue.path(str(layout.shard_rejected(asset, shard_id))),
            "output_sha256": manifest["tables"]["output"]["sha256"],
        }
    return ShardResult(shard_id, list(check_results),
                       {**metadata, **outcome, "commit_seconds": round(time.perf_counter() - started, 3)},
                       committed=not failed)


_SUMMED = ("rows_in", "rows_kept", "rows_rejected", "output_tokens", "resumed_requests", "duplicates_across_shards",
           "seconds", "commit_seconds")


def _merged_check(name: str, results: list[ShardResult]) -> AssetCheckResult:
    by_shard = {r.shard_id: c for r in results for c in r.check_results if c.check_name == name}
    failed = sorted(s for s, c in by_shard.items() if not c.passed)
    metadata = {"shards": len(by_shard), "failed_shards": MetadataValue.json(failed)}
    for shard_id in failed[:20]:  # the evidence of what failed, per shard; passing shards only count
        metadata[f"shard_{shard_id}"] = MetadataValue.json(
            {k: getattr(v, "value", v) for k, v in (by_shard[shard_id].metadata or {}).items()})
    return AssetCheckResult(check_name=name, passed=not failed, metadata=metadata)


def partition_result(results: Sequence[ShardResult], metadata: dict | None = None) -> MaterializeResult:
    """One MaterializeResult for a partition from its shards' results.

    A one-shard partition reports exactly that shard's metadata and checks. A shard group sums the row counts,
    lists each shard's outcome, and reports each check once for the partition: passed only when it passed on
    every shard, naming the shards where it failed (those shards are not committed; the others are).
    """
    if len(results) == 1:
        only = results[0]
        return MaterializeResult(metadata={**(metadata or {}), **only.metadata}, check_results=only.check_results)
    merged = {key: round(sum(r.metadata.get(key, 0) for r in results), 3) for key in _SUMMED
              if any(key in r.metadata for r in results)}
    names = list(dict.fromkeys(c.check_name for r in results for c in r.check_results))
    return MaterializeResult(
        metadata={
            **(metadata or {}), **merged,
            "shards": len(results),
            "committed": all(r.committed for r in results),
            "shards_not_committed": MetadataValue.json(sorted(r.shard_id for r in results if not r.committed)),
            "by_shard": MetadataValue.json({r.shard_id: {k: r.metadata[k] for k in ("rows_in", "rows_kept",
                                                                                   "rows_rejected", "committed")
                                                         if k in r.metadata} for r in results}),
        },
        check_results=[_merged_check(name, list(results)) for name in names],
    )


def commit_and_report(context: AssetExecutionContext, layout: WorkLayout, asset: str, shard_id: str, *,
                      output: pl.DataFrame, rejected: pl.DataFrame, check_results: Sequence[AssetCheckResult],
                      metadata: dict, versions: dict) -> MaterializeResult:
    """`commit_shard` then `partition_result` for a partition of one shard."""
    return partition_result([commit_shard(context, layout, asset, shard_id, output=output, rejected=rejected,
                                          check_results=check_results, metadata=metadata, versions=versions)])


def reject_share_check(rejected: pl.DataFrame, n_input: int, max_share: float) -> AssetCheckResult:
    """Fails when the engine rejected more than ``max_share`` of a stage's input (sources gone missing since
    ingest, ``image_unavailable``, do not count: they say nothing about the engine)."""
    generation = rejected.filter(pl.col("reason") != "image_unavailable") if len(rejected) else rejected
    share = len(generation) / n_input if n_input else 0.0
    return AssetCheckResult(
        check_name="generation_reject_share", passed=share <= max_share,
        metadata={"generation_rejects": len(generation), "input": n_input, "share": round(share, 4),
                  "max_share": max_share},
    )


def finish_stage(context: AssetExecutionContext, layout: WorkLayout, asset: str, shard_id: str,
                 out: StageOutput, engine: GenerationEngine, *, max_reject_share: float,
                 inputs: dict | None = None, work_key: str | None = None) -> ShardResult:
    reasons = {r: int(n) for r, n in out.rejected.group_by("reason").len().iter_rows()} if len(out.rejected) else {}
    schema = checks.partition_schema_check(out.captions, CaptionSchema, out.rejected)
    check_results = [
        schema,
        checks.unique_uid_check(out.captions),
        checks.non_empty_captions_check(out.captions),
        checks.provenance_check(out.captions, STAGE_PROVENANCE),
        checks.accounting_check(out.n_input, len(out.captions), len(out.rejected)),
        reject_share_check(out.rejected, out.n_input, max_reject_share),
    ]
    context.log.info(f"{asset} {shard_id}: {out.n_input} in, {len(out.captions)} kept, {len(out.rejected)} rejected "
                     f"in {out.seconds:.1f}s")
    versions = {"model_id": engine.model_id, "model_revision": engine.model_revision,
                "engine": f"{engine.name} {engine.version}", "runtime": engine.runtime,
                "inputs": inputs or {}, **({"work_key": work_key} if work_key else {})}
    result = commit_shard(
        context, layout, asset, shard_id, output=out.captions, rejected=out.rejected, check_results=check_results,
        versions=versions,
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
        },
    )
    # Only once the partition is decided: until then the chunks are what a retry after a crash resumes from.
    # A partition whose checks failed is generated afresh next time (the engine or prompt may have been fixed).
    out.discard_progress()
    return result


def reused_shard_result(layout: WorkLayout, asset: str, shard_id: str, manifest: dict,
                        check_names: Sequence[str]) -> ShardResult:
    """A shard of a group whose commit already holds this exact work: its checks passed when it was committed
    (nothing is committed otherwise), so they are reported as passed, marked as reused."""
    note = "reused: committed earlier from the same inputs and engine spec (versions.work_key)"
    kept, rejected = (manifest["tables"][t]["rows"] for t in ("output", "rejected"))
    return ShardResult(shard_id, [AssetCheckResult(check_name=name, passed=True, metadata={"reused": note})
                                  for name in check_names],
                       {"rows_in": kept + rejected, "rows_kept": kept, "rows_rejected": rejected, "reused": True,
                        "committed": True}, committed=True)


def other_pool_result(context: AssetExecutionContext, asset: str, shard_id: str, pool: str,
                      check_names: list[str]) -> MaterializeResult:
    """The instant no-op for a shard of the other pool: nothing is read or written, nothing is lost."""
    note = f"shard {shard_id} belongs to the {pool} pool; {asset} only processes the other pool"
    context.log.info(note)
    return MaterializeResult(
        metadata={"pool": pool, "skipped": note, "rows_in": 0, "rows_kept": 0, "rows_rejected": 0},
        check_results=[AssetCheckResult(check_name=name, passed=True, metadata={"skipped": note})
                       for name in check_names],
    )
