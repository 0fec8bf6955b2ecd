from dataclasses import replace

from dagster import AssetExecutionContext, MaterializeResult, asset

from kale_assets.captioning import run_student
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
from kale_assets.distillation import latest_student
from kale_assets.engines import build_engine
from kale_assets.prompts import AltTextBudget


@asset(
    partitions_def=shard_partitions,
    deps=["datacomp_shards", "distilled_captioner"],
    group_name="stage2",
    pool="gpu",
    retry_policy=GENERATION_RETRY,
    kinds={"parquet", "pytorch"},
    check_specs=checks.check_specs("stage2_captions", STAGE_CHECKS),
    description="The distilled student captions every kept image of a stage-2 shard from image + alt-text.",
)
def stage2_captions(context: AssetExecutionContext, kale: KaleResource) -> MaterializeResult:
    shard_id = context.partition_key
    config, layout = kale.config(), kale.layout()
    pool = config.pool_rule.pool_of(shard_id)
    if pool != "stage2":
        return other_pool_result(context, "stage2_captions", shard_id, pool, STAGE_CHECKS)
    preset = config.resolve_preset()
    student_dir = latest_student(layout.student_dir)
    if student_dir is None:
        raise FileNotFoundError(f"no trained student under {layout.student_dir}: materialize distilled_captioner first")
    manifest = read_input(layout, "datacomp_shards", shard_id)
    engine = build_engine(replace(preset.student_generation, model_id=str(student_dir)))
    budget = AltTextBudget.for_engine(preset.alt_text_max_tokens, engine)
    out = run_student(kale.shard_ref(shard_id), manifest, engine, budget,
                      storage_options=config.storage_options or None,
                      progress_dir=progress_dir(layout, "stage2_captions", shard_id))
    return finish_stage(context, layout, "stage2_captions", shard_id, out, engine,
                        max_reject_share=config.max_generation_reject_share,
                        inputs={"datacomp_shards": committed_digest(layout, "datacomp_shards", shard_id),
                                "student": engine.model_revision})
