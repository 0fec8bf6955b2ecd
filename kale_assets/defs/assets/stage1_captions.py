from kale_assets.captioning import run_teacher
from kale_assets.defs.assets.generation import (
    FleetCall,
    GenerationStage,
    ShardCall,
    build_generation_asset,
)
from kale_assets.defs.assets.stage_outputs import read_input


def _teacher_shard(call: ShardCall):
    return run_teacher(call.kale.shard_ref(call.shard_id), read_input(call.layout, "datacomp_shards", call.shard_id),
                       call.engine, storage_options=call.config.storage_options or None,
                       progress_dir=call.progress_dir)


def _teacher_fleet(call: FleetCall):
    from kale_assets.fleet import pipeline

    shards = [(call.kale.shard_ref(s), read_input(call.layout, "datacomp_shards", s)) for s in call.shard_ids]
    return pipeline.run_teacher(shards, call.spec, call.config.ray_settings(),
                                storage_options=call.config.storage_options or None)


STAGE1_CAPTIONS = GenerationStage(
    name="stage1_captions",
    pool="stage1",
    group_name="stage1",
    deps=("datacomp_shards",),
    upstream=("datacomp_shards",),
    engine_spec=lambda config, layout: config.resolve_preset().teacher,
    generate_shard=_teacher_shard,
    generate_fleet=_teacher_fleet,
    description="Dense captions of every kept image of a stage-1 shard by the teacher VLM (paper: CogVLM-17B).",
)
stage1_captions = build_generation_asset(STAGE1_CAPTIONS)
