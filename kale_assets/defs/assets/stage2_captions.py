from dataclasses import replace

from kale_assets.captioning import run_student
from kale_assets.defs.assets.generation import (
    FleetCall,
    GenerationStage,
    ShardCall,
    build_generation_asset,
)
from kale_assets.defs.assets.stage_outputs import read_input
from kale_assets.prompts import AltTextBudget
from kale_assets.student_store import current_student


def _student_spec(config, layout):
    student_dir = current_student(layout)
    if student_dir is None:
        raise FileNotFoundError(f"no trained student under {layout.student_dir}: materialize distilled_captioner first")
    return replace(config.resolve_preset().student_generation, model_id=str(student_dir))


def _student_shard(call: ShardCall):
    budget = AltTextBudget.for_engine(call.config.resolve_preset().alt_text_max_tokens, call.engine)
    return run_student(call.kale.shard_ref(call.shard_id), read_input(call.layout, "datacomp_shards", call.shard_id),
                       call.engine, budget, storage_options=call.config.storage_options or None,
                       progress_dir=call.progress_dir)


def _student_fleet(call: FleetCall):
    from kale_assets.fleet import pipeline
    from kale_assets.fleet.tokens import driver_budget

    budget = driver_budget(call.spec, call.config.resolve_preset().alt_text_max_tokens)
    shards = [(call.kale.shard_ref(s), read_input(call.layout, "datacomp_shards", s)) for s in call.shard_ids]
    return pipeline.run_student(shards, call.spec, budget, call.config.ray_settings(),
                                storage_options=call.config.storage_options or None)


STAGE2_CAPTIONS = GenerationStage(
    name="stage2_captions",
    pool="stage2",
    group_name="stage2",
    deps=("datacomp_shards", "distilled_captioner"),
    upstream=("datacomp_shards",),
    engine_spec=_student_spec,
    generate_shard=_student_shard,
    generate_fleet=_student_fleet,
    extra_inputs=lambda engine: {"student": engine.model_revision},
    description="The distilled student captions every kept image of a stage-2 shard from image + alt-text.",
)
stage2_captions = build_generation_asset(STAGE2_CAPTIONS)
