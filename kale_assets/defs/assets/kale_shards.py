import time
from collections.abc import Iterator

import polars as pl
from dagster import (
    AssetCheckEvaluation,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    MaterializeResult,
    MetadataValue,
    Output,
    asset,
)

from kale_assets.commit import committed_digest
from kale_assets.config import PipelineConfig
from kale_assets.defs import checks
from kale_assets.defs.assets.stage_outputs import (
    ShardResult,
    commit_shard,
    partition_result,
    read_input,
)
from kale_assets.defs.partitions import shard_partitions
from kale_assets.defs.resources import KaleResource
from kale_assets.filtering import RuleSet, load_rules
from kale_assets.final_shards import Lineage, assemble_final_shard
from kale_assets.layout import WorkLayout
from kale_assets.schemas import (
    PROVENANCE_COLUMNS,
    FinalShardSchema,
)
from kale_assets.student_store import current_version, student_lineage
from kale_assets.uid_index import UidIndex, reject_cross_shard_duplicates

KALE_SHARDS = AssetKey("kale_shards")


def _single(df: pl.DataFrame, column: str) -> str:
    values = sorted(v for v in df[column].unique().to_list() if v is not None)
    return ",".join(values) if values else "unknown"


def _pool_inputs(layout: WorkLayout, shard_id: str, pool: str) -> tuple[pl.DataFrame, list[pl.DataFrame], Lineage]:
    if pool == "stage1":
        dense = read_input(layout, "stage1_captions", shard_id)
        fused = read_input(layout, "fused_captions", shard_id)
        rejected = [read_input(layout, a, shard_id, "rejected") for a in ("stage1_captions", "fused_captions")]
        # Rows without alt-text keep the teacher's caption and provenance; the fusion model is the LLM's rows'.
        by_llm = fused.filter(pl.col("knowledge_augmented")) if "knowledge_augmented" in fused.columns else fused
        lineage = Lineage(_single(dense, "model_id"), _single(dense, "model_revision"),
                          _single(by_llm, "model_id"), _single(by_llm, "model_revision"))
        return fused, rejected, lineage
    captions = read_input(layout, "stage2_captions", shard_id)
    version = current_version(layout)
    if version is None:
        raise FileNotFoundError(f"no trained student under {layout.student_dir}")
    trained_from = student_lineage(layout, version)
    lineage = Lineage(trained_from["teacher_model_id"], trained_from["teacher_model_revision"],
                      trained_from["fusion_model_id"], trained_from["fusion_model_revision"],
                      _single(captions, "model_id"), _single(captions, "model_revision"))
    return captions, [read_input(layout, "stage2_captions", shard_id, "rejected")], lineage


@asset(
    partitions_def=shard_partitions,
    deps=[
        "datacomp_shards",
        "fused_captions",
        "stage2_captions",
    ],
    group_name="release",
    kinds={"parquet"},
    # A range run (rules_change_sensor re-finalizes shard groups in ranges) reports each partition itself.
    output_required=False,
    check_specs=checks.check_specs("kale_shards", ["schema", "unique_uid", "non_empty_captions",
                                                   "provenance_non_null", "accounting"]),
    description=(
        "Final KALE shards for both pools: sentences that leak the prompt are removed by the versioned rules "
        "file, degenerate captions dropped with a reason, provenance attached to every row. Parquet with a "
        "`caption` column, loadable by HF datasets; every dropped sample is in the rejected file."
    ),
)
def kale_shards(context: AssetExecutionContext, kale: KaleResource) -> Iterator:
    config = kale.config()
    layout = config.layout()
    rules = load_rules(config.rules_path)
    if context.has_partition_key:
        yield _finalize_partition(context, kale, config, layout, rules, context.partition_key)
        return
    # Several partitions in one run: each is finalized, committed shard by shard, and reported as its own
    # materialization with its own check evaluations (Dagster 1.13 would give a range one result for all).
    for key in context.partition_keys:
        result = _finalize_partition(context, kale, config, layout, rules, key)
        yield AssetMaterialization(asset_key=KALE_SHARDS, partition=key, metadata=result.metadata)
        for check in result.check_results:
            yield AssetCheckEvaluation(asset_key=KALE_SHARDS, check_name=check.check_name, passed=check.passed,
                                       metadata=check.metadata, severity=check.severity, blocking=True,
                                       partition=key)
    # The step's check outputs (the evaluations above carry the verdicts; Dagster still expects each output).
    for output_name in context.assets_def.check_specs_by_output_name:
        yield Output(None, output_name=output_name)


def _finalize_partition(context: AssetExecutionContext, kale: KaleResource, config: PipelineConfig,
                        layout: WorkLayout, rules: RuleSet, key: str) -> MaterializeResult:
    shards = kale.partition_shards(key)
    return partition_result([_finalize_shard(context, config, layout, rules, s) for s in shards],
                            {"rules_version": rules.version, "rules_hash": rules.sha256})


def _finalize_shard(context: AssetExecutionContext, config: PipelineConfig, layout: WorkLayout, rules: RuleSet,
                    shard_id: str) -> ShardResult:
    pool = config.pool_rule.pool_of(shard_id)
    started = time.perf_counter()
    manifest = read_input(layout, "datacomp_shards", shard_id)
    ingest_rejected = read_input(layout, "datacomp_shards", shard_id, "rejected")
    captions, stage_rejected, lineage = _pool_inputs(layout, shard_id, pool)
    # A lower shard ingested after this one may own some of its uids by now: asked again at every finalize.
    with UidIndex(layout.uid_index) as index:
        owners = index.owned_elsewhere(shard_id, captions["uid"].to_list())
    captions, dup_rejected = reject_cross_shard_duplicates(captions, stage_rejected[0].head(0), owners, "kale_shards")
    final = assemble_final_shard(
        shard_id=shard_id, pool=pool, captions=captions, manifest=manifest,
        upstream_rejected=[ingest_rejected, *stage_rejected, dup_rejected],
        n_input=len(manifest) + len(ingest_rejected), lineage=lineage, rules=rules,
    )
    seconds = time.perf_counter() - started
    schema = checks.partition_schema_check(final.rows, FinalShardSchema, final.rejected)
    provenance = list(PROVENANCE_COLUMNS) + (["student_model_id", "student_model_revision"] if pool == "stage2" else [])
    upstream = ["datacomp_shards", *(("stage1_captions", "fused_captions") if pool == "stage1" else ("stage2_captions",))]
    return commit_shard(
        context, layout, "kale_shards", shard_id, output=final.rows, rejected=final.rejected,
        check_results=[
            schema,
            checks.unique_uid_check(final.rows),
            checks.non_empty_captions_check(final.rows),
            checks.provenance_check(final.rows, provenance),
            checks.accounting_check(final.n_input, len(final.rows), len(final.rejected)),
        ],
        versions={"rules_version": rules.version, "rules_hash": rules.sha256,
                  "inputs": {a: committed_digest(layout, a, shard_id) for a in upstream}},
        metadata={
            "pool": pool,
            "rows_in": final.n_input,
            "rows_kept": len(final.rows),
            "rows_rejected": len(final.rejected),
            "removals_by_rule": MetadataValue.json(final.removals_by_rule),
            "dropped_by_reason": MetadataValue.json(final.drops_by_reason),
            "duplicates_across_shards": len(owners),
            "rules_version": rules.version,
            "rules_hash": rules.sha256,
            "caption_model_id": _single(final.rows, "caption_model_id") if len(final.rows) else "none",
            "seconds": round(seconds, 3),
            "samples_per_s": round(final.n_input / seconds, 2) if seconds else 0.0,
        },
    )
