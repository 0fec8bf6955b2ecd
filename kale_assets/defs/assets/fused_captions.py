from kale_assets.captioning import run_fusion
from kale_assets.defs.assets.generation import (
    FleetCall,
    GenerationStage,
    ShardCall,
    build_generation_asset,
)
from kale_assets.defs.assets.stage_outputs import read_input
from kale_assets.prompts import AltTextBudget


def _fusion_shard(call: ShardCall):
    budget = AltTextBudget.for_engine(call.config.resolve_preset().alt_text_max_tokens, call.engine)
    return run_fusion(read_input(call.layout, "stage1_captions", call.shard_id),
                      read_input(call.layout, "datacomp_shards", call.shard_id), call.engine, budget,
                      progress_dir=call.progress_dir)


def _fusion_fleet(call: FleetCall):
    from kale_assets.fleet import pipeline
    from kale_assets.fleet.tokens import driver_budget

    budget = driver_budget(call.spec, call.config.resolve_preset().alt_text_max_tokens)
    shards = [(s, read_input(call.layout, "stage1_captions", s), read_input(call.layout, "datacomp_shards", s))
              for s in call.shard_ids]
    return pipeline.run_fusion(shards, call.spec, budget, call.config.ray_settings())


FUSED_CAPTIONS = GenerationStage(
    name="fused_captions",
    pool="stage1",
    group_name="stage1",
    deps=("stage1_captions",),
    upstream=("datacomp_shards", "stage1_captions"),
    engine_spec=lambda config, layout: config.resolve_preset().fusion,
    generate_shard=_fusion_shard,
    generate_fleet=_fusion_fleet,
    description=(
        "Knowledge-augmented captions: an instruction LLM (paper: Mistral-7B-Instruct) merges each dense caption "
        "with the sample's alt-text (delimited as untrusted data, cut to a token budget), CapsFusion-style."
    ),
)
fused_captions = build_generation_asset(FUSED_CAPTIONS)
