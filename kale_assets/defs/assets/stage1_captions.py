from dagster import AssetExecutionContext, MaterializeResult, asset

from kale_assets.captioning import run_teacher
from kale_assets.commit import committed_digest
from kale_assets.defs import checks
from kale_assets.defs.assets.stage_outputs import (
    GENERATION_RETRY,
    STAGE_CHECKS,
    finish_stage,
    other_pool_result,
    progress_dir,
    read_input,
)
from kale_assets.defs.partitions import shard_partitions
from kale_assets.defs.resources import KaleResource
from kale_assets.engines import build_engine


@asset(
    partitions_def=shard_partitions,
    deps=["datacomp_shards"],
    group_name="stage1",
    pool="gpu",
    retry_policy=GENERATION_RETRY,
    kinds={"parquet", "pytorch"},
    check_specs=checks.check_specs("stage1_captions", STAGE_CHECKS),
    description="Dense captions of every kept image of a stage-1 shard by the teacher VLM (paper: CogVLM-17B).",
)
def stage1_captions(context: AssetExecutionContext, kale: KaleResource) -> MaterializeResult:
    shard_id = context.partition_key
    config, layout = kale.config(), kale.layout()
    pool = config.pool_rule.pool_of(shard_id)
    if pool != "stage1":
        return other_pool_result(context, "stage1_captions", shard_id, pool, STAGE_CHECKS)
    manifest = read_input(layout, "datacomp_shards", shard_id)
    engine = build_engine(config.resolve_preset().teacher)
    out = run_teacher(kale.shard_ref(shard_id), manifest, engine, storage_options=config.storage_options or None,
                      progress_dir=progress_dir(layout, "stage1_captions", shard_id))
    return finish_stage(context, layout, "stage1_captions", shard_id, out, engine,
                        max_reject_share=config.max_generation_reject_share,
                        inputs={"datacomp_shards": committed_digest(layout, "datacomp_shards", shard_id)})
