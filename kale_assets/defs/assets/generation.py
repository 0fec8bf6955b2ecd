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
from kale_assets.commit import committed_digest
from kale_assets.config import PipelineConfig
from kale_assets.defs import checks
from kale_assets.defs.assets.stage_outputs import (
    GENERATION_RETRY,
    STAGE_CHECKS,
    finish_stage,
    other_pool_result,
    partition_result,
    progress_dir,
)
from kale_assets.defs.partitions import shard_partitions
from kale_assets.defs.ray_cluster import KaleRayCluster
from kale_assets.defs.resources import KaleResource
from kale_assets.engines import GenerationEngine, ModelSpec, build_engine
from kale_assets.fleet.pipeline import FleetRun
from kale_assets.layout import WorkLayout


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


def run_partition(stage: GenerationStage, context: AssetExecutionContext, kale: KaleResource,
                  ray_cluster: KaleRayCluster | None = None) -> MaterializeResult:
    key = context.partition_key
    config, layout = kale.config(), kale.layout()
    shards = kale.partition_shards(key)
    mine = [s for s in shards if config.pool_rule.pool_of(s) == stage.pool]
    if not mine:
        pools = sorted({config.pool_rule.pool_of(s) for s in shards}) or ["none"]
        return other_pool_result(context, stage.name, key, "/".join(pools), STAGE_CHECKS)
    other = len(shards) - len(mine)
    if config.executor == "ray":
        return _run_partition_on_ray(stage, context, kale, ray_cluster, config, layout, mine, other)
    engine = build_engine(stage.engine_spec(config, layout))
    results = []
    for shard_id in mine:
        out = stage.generate_shard(ShardCall(kale, config, layout, shard_id, engine,
                                             progress_dir(layout, stage.name, shard_id)))
        results.append(finish_stage(context, layout, stage.name, shard_id, out, engine,
                                    max_reject_share=config.max_generation_reject_share,
                                    inputs=_inputs(stage, layout, shard_id, engine)))
    return partition_result(results, {"other_pool_shards": other} if other else None)


def _run_partition_on_ray(stage: GenerationStage, context: AssetExecutionContext, kale: KaleResource,
                          ray_cluster: KaleRayCluster | None, config: PipelineConfig, layout: WorkLayout,
                          mine: list[str], other: int) -> MaterializeResult:
    """The partition's shards through one Ray Data pipeline; then per shard the same checks and commit."""
    if stage.generate_fleet is None:
        raise ValueError(f"{stage.name} has no ray executor path")
    settings = config.ray_settings()
    (ray_cluster or KaleRayCluster.on_demand()).connect_for(context, settings.address)
    run = stage.generate_fleet(FleetCall(kale, config, layout, mine, stage.engine_spec(config, layout)))
    context.log.info(f"{stage.name}: {run.requests} requests on Ray in {run.seconds:.1f}s, "
                     f"{run.model_loads} model load(s) across {run.actors} actor(s)")
    # The actors' provenance (EngineInfo) stands in for the engine: same fields, rows and commits alike.
    results = [finish_stage(context, layout, stage.name, shard_id, run.outputs[shard_id], run.info,
                            max_reject_share=config.max_generation_reject_share,
                            inputs=_inputs(stage, layout, shard_id, run.info)) for shard_id in mine]
    extra = {"executor": "ray", "model_loads": run.model_loads, **({"other_pool_shards": other} if other else {})}
    return partition_result(results, extra)


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
