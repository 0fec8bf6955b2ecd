"""One factory for the three generation stages (teacher captions, fusion, student captions).

Each stage asset is the same loop: the shards of the partition that belong to the stage's pool, one engine for
all of them, per shard generate -> checks -> commit (`stage_outputs.finish_stage`), and one report for the
partition (`stage_outputs.partition_result`). What differs per stage is data: its pool, its upstream assets, how
its engine spec is chosen and how one shard is generated (`kale_assets.captioning`).
"""


from collections.abc import Callable
from dataclasses import dataclass

from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, asset

from kale_assets.captioning import StageOutput
from kale_assets.commit import (
    code_version,
    committed_digest,
    is_committed,
    load_manifest,
)
from kale_assets.config import PipelineConfig
from kale_assets.defs import checks
from kale_assets.defs.assets.stage_outputs import (
    GENERATION_RETRY,
    STAGE_CHECKS,
    finish_stage,
    other_pool_result,
    partition_result,
    progress_dir,
    reused_shard_result,
)
from kale_assets.defs.partitions import shard_partitions
from kale_assets.defs.ray_cluster import KaleRayCluster
from kale_assets.defs.resources import KaleResource
from kale_assets.engines import GenerationEngine, ModelSpec, build_engine
from kale_assets.fleet.pipeline import FleetRun
from kale_assets.io_utils import sha256_bytes
from kale_assets.layout import WorkLayout
from kale_assets.shard_groups import is_group_key


@dataclass(frozen=True)
class ShardCall:
    """Everything a stage needs to generate one shard."""

    kale: KaleResource
    config: PipelineConfig
    layout: WorkLayout
    shard_id: str
    engine: GenerationEngine
    progress_dir: object


@dataclass(frozen=True)
class FleetCall:
    """Everything a stage needs to generate a partition's shards on Ray (`kale_assets.fleet.pipeline`)."""

    kale: KaleResource
    config: PipelineConfig
    layout: WorkLayout
    shard_ids: list[str]
    spec: ModelSpec


@dataclass(frozen=True)
class GenerationStage:
    name: str
    pool: str
    group_name: str
    description: str
    # Committed upstream partitions a shard reads; their digests are recorded in its commit.
    upstream: tuple[str, ...]
    engine_spec: Callable[[PipelineConfig, WorkLayout], ModelSpec]
    generate_shard: Callable[[ShardCall], StageOutput]
    # Extra provenance recorded with the inputs (e.g. the student checkpoint), from the built engine.
    extra_inputs: Callable[[GenerationEngine], dict] = lambda engine: {}
    deps: tuple[str, ...] = ()
    # The ray executor's way (kale_assets.fleet): every shard of the partition in one Ray Data pipeline.
    generate_fleet: Callable[[FleetCall], FleetRun] | None = None


def _inputs(stage: GenerationStage, layout: WorkLayout, shard_id: str, engine: GenerationEngine) -> dict:
    return {**{a: committed_digest(layout, a, shard_id) for a in stage.upstream}, **stage.extra_inputs(engine)}


def work_key(stage: GenerationStage, layout: WorkLayout, shard_id: str, spec: ModelSpec) -> str:
    """What a shard's output is a function of: the engine spec (model, revision, sampling, engine settings), the
    committed upstream partitions it reads, and the code version. Recorded in its commit (`versions.work_key`)."""
    parts = [stage.name, spec.cache_key(), code_version(),
             *(f"{a}={committed_digest(layout, a, shard_id)}" for a in stage.upstream)]
    return sha256_bytes("\n".join(parts).encode())[:24]


def _split_reusable(stage: GenerationStage, context: AssetExecutionContext, config: PipelineConfig,
                    layout: WorkLayout, shard_ids: list[str], spec: ModelSpec) -> tuple[list[str], dict, dict]:
    """(shards to generate, {shard: ShardResult} of shards reused as committed, {shard: work key}). Only in shard groups: a straggler
    that joins a group of 100 then costs one shard of generation, not 100. A one-shard partition, or
    ``reuse_committed_shards: false``, always generates (a materialization recomputes, as Dagster users expect)."""
    keys = {s: work_key(stage, layout, s, spec) for s in shard_ids}
    if not (config.reuse_committed_shards and is_group_key(context.partition_key)):
        return shard_ids, {}, keys
    reused = {}
    for shard_id in shard_ids:
        manifest = load_manifest(layout, stage.name, shard_id)
        if (manifest and manifest.get("versions", {}).get("work_key") == keys[shard_id]
                and is_committed(layout, stage.name, shard_id)):
            reused[shard_id] = reused_shard_result(layout, stage.name, shard_id, manifest, STAGE_CHECKS)
    if reused:
        context.log.info(f"{stage.name}: {len(reused)} of {len(shard_ids)} shards already committed from the same "
                         f"inputs and engine spec; generating the other {len(shard_ids) - len(reused)}")
    return [s for s in shard_ids if s not in reused], reused, keys


def run_partition(stage: GenerationStage, context: AssetExecutionContext, kale: KaleResource,
                  ray_cluster: KaleRayCluster | None = None) -> MaterializeResult:
    key = context.partition_key
    config = kale.config()
    layout = config.layout()
    shards = kale.partition_shards(key)
    mine = [s for s in shards if config.pool_rule.pool_of(s) == stage.pool]
    if not mine:
        pools = sorted({config.pool_rule.pool_of(s) for s in shards}) or ["none"]
        return other_pool_result(context, stage.name, key, "/".join(pools), STAGE_CHECKS)
    other = {"other_pool_shards": len(shards) - len(mine)} if len(shards) > len(mine) else {}
    spec = stage.engine_spec(config, layout)
    todo, reused, keys = _split_reusable(stage, context, config, layout, mine, spec)
    if reused:
        other["reused_shards"] = len(reused)
    if not todo:
        return partition_result([reused[s] for s in mine], other or None)
    if config.executor == "ray":
        fresh = _generate_on_ray(stage, context, kale, ray_cluster, config, layout, todo, spec, keys, other)
    else:
        engine = build_engine(spec)
        fresh = {}
        for shard_id in todo:
            out = stage.generate_shard(ShardCall(kale, config, layout, shard_id, engine,
                                                 progress_dir(layout, stage.name, shard_id)))
            fresh[shard_id] = finish_stage(context, layout, stage.name, shard_id, out, engine,
                                           max_reject_share=config.max_generation_reject_share,
                                           inputs=_inputs(stage, layout, shard_id, engine), work_key=keys[shard_id])
    return partition_result([fresh.get(s) or reused[s] for s in mine], other or None)


def _generate_on_ray(stage: GenerationStage, context: AssetExecutionContext, kale: KaleResource,
                     ray_cluster: KaleRayCluster | None, config: PipelineConfig, layout: WorkLayout,
                     shard_ids: list[str], spec: ModelSpec, keys: dict, extra: dict) -> dict:
    """The shards through one Ray Data pipeline; then per shard the same checks and commit as locally."""
    if stage.generate_fleet is None:
        raise ValueError(f"{stage.name} has no ray executor path")
    settings = config.ray_settings()
    (ray_cluster or KaleRayCluster.on_demand()).connect_for(context, settings.address)
    run = stage.generate_fleet(FleetCall(kale, config, layout, shard_ids, spec))
    context.log.info(f"{stage.name}: {run.requests} requests on Ray in {run.seconds:.1f}s, "
                     f"{run.model_loads} model load(s) across {run.actors} actor(s)")
    extra.update(executor="ray", model_loads=run.model_loads)
    # The actors' provenance (EngineInfo) stands in for the engine: same fields, rows and commits alike.
    return {s: finish_stage(context, layout, stage.name, s, run.outputs[s], run.info,
                            max_reject_share=config.max_generation_reject_share,
                            inputs=_inputs(stage, layout, s, run.info), work_key=keys[s]) for s in shard_ids}


def build_generation_asset(stage: GenerationStage) -> AssetsDefinition:
    @asset(
        name=stage.name,
        partitions_def=shard_partitions,
        deps=list(stage.deps),
        group_name=stage.group_name,
        pool="gpu",
        retry_policy=GENERATION_RETRY,
        kinds={"parquet", "pytorch"},
        check_specs=checks.check_specs(stage.name, STAGE_CHECKS),
        description=stage.description,
    )
    def _generation_asset(context: AssetExecutionContext, kale: KaleResource,
                          ray_cluster: KaleRayCluster) -> MaterializeResult:
        return run_partition(stage, context, kale, ray_cluster)

    return _generation_asset
