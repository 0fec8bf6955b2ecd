from dagster import AssetExecutionContext, MaterializeResult, asset

from kale_assets.captioning import run_fusion
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
from kale_assets.prompts import AltTextBudget


@asset(
    partitions_def=shard_partitions,
    deps=["stage1_captions"],
    group_name="stage1",
    pool="gpu",
    retry_policy=GENERATION_RETRY,
    kinds={"parquet", "pytorch"},
    check_specs=checks.check_specs("fused_captions", STAGE_CHECKS),
    description=(
        "Knowledge-augmented captions: an instruction LLM (paper: Mistral-7B-Instruct) merges each dense caption "
        "with the sample's alt-text (delimited as untrusted data, cut to a token budget), CapsFusion-style."
    ),
)
def fused_captions(context: AssetExecutionContext, kale: KaleResource) -> MaterializeResult:
    shard_id = context.partition_key
    config, layout = kale.config(), kale.layout()
    pool = config.pool_rule.pool_of(shard_id)
    if pool != "stage1":
        return other_pool_result(context, "fused_captions", shard_id, pool, STAGE_CHECKS)
    preset = config.resolve_preset()
    dense = read_input(layout, "stage1_captions", shard_id)
    manifest = read_input(layout, "datacomp_shards", shard_id)
    engine = build_engine(preset.fusion)
    budget = AltTextBudget.for_engine(preset.alt_text_max_tokens, engine)
    out = run_fusion(dense, manifest, engine, budget, progress_dir=progress_dir(layout, "fused_captions", shard_id))
    return finish_stage(context, layout, "fused_captions", shard_id, out, engine,
                        max_reject_share=config.max_generation_reject_share,
                        inputs={a: committed_digest(layout, a, shard_id) for a in ("datacomp_shards", "stage1_captions")})
