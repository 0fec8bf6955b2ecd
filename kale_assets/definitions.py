"""The one `Definitions` of the project: `dagster dev -w workspace.yaml` and `dg` load it from here.

The resource reads the work folder from KALE_WORKDIR when a step runs (not at import time), so loading
this module needs no environment.

Automation (`defs/sensors.py`, `defs/schedules.py`): shard_discovery_sensor registers and starts new shards,
rules_change_sensor re-finalizes shards when the filter rules change, dataset_card_sensor rebuilds the card
after kale_shards changed, and the backfill_missing_shards schedule restarts missing or failed shards.
"""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job

from kale_assets.defs.assets.datacomp_shards import datacomp_shards
from kale_assets.defs.assets.distilled_captioner import distilled_captioner
from kale_assets.defs.assets.fused_captions import fused_captions
from kale_assets.defs.assets.kale_dataset_card import kale_dataset_card
from kale_assets.defs.assets.kale_shards import kale_shards
from kale_assets.defs.assets.stage1_captions import stage1_captions
from kale_assets.defs.assets.stage2_captions import stage2_captions
from kale_assets.defs.ray_cluster import KaleRayCluster
from kale_assets.defs.resources import KaleResource, s3_resource_from_environment
from kale_assets.defs.schedules import build_backfill_schedule
from kale_assets.defs.sensors import (
    PLAN_ASSETS,
    build_dataset_card_sensor,
    build_rules_change_sensor,
    build_shard_discovery_sensor,
)
from kale_assets.defs.table_schemas import with_column_schemas

ASSETS = [datacomp_shards, stage1_captions, fused_captions, distilled_captioner, stage2_captions, kale_shards,
          kale_dataset_card]

# One job per partitioning, in pipeline order; a run of a partitioned job processes one shard.
ingest_job = define_asset_job("ingest_job", AssetSelection.assets(datacomp_shards),
                              description="Read and validate input shards.")
# The CLI runner uses the one-asset teacher/fusion jobs over all shards in turn, so each model is loaded
# (and a vLLM worker started) once per pass rather than once per shard.
teacher_job = define_asset_job("teacher_job", AssetSelection.assets(stage1_captions),
                               description="Teacher dense captions for one shard (no-op for stage-2 shards).")
fusion_job = define_asset_job("fusion_job", AssetSelection.assets(fused_captions),
                              description="Fusion of dense caption + alt-text for one shard (no-op for stage-2 shards).")
stage1_job = define_asset_job("stage1_job", AssetSelection.assets(stage1_captions, fused_captions),
                              description="Teacher dense captions, then fusion, for one stage-1 shard.")
distill_job = define_asset_job("distill_job", AssetSelection.assets(distilled_captioner),
                               description="Train the student on every fused stage-1 shard.")
stage2_job = define_asset_job("stage2_job", AssetSelection.assets(stage2_captions),
                              description="Student captions for one stage-2 shard.")
finalize_job = define_asset_job("finalize_job", AssetSelection.assets(kale_shards),
                                description="Filter and write the final KALE shard.")
card_job = define_asset_job("card_job", AssetSelection.assets(kale_dataset_card),
                            description="Rebuild the dataset card.")
# One run per shard through its whole pool: every job shares the "shards" partitions, so the run executes
# the shard's steps in dependency order (what the discovery sensor requests for a new shard).
stage1_shard_job = define_asset_job("stage1_shard_job", AssetSelection.assets(*PLAN_ASSETS["stage1"]),
                                    description="Ingest, teacher, fusion and final shard for one stage-1 shard.")
stage2_shard_job = define_asset_job("stage2_shard_job", AssetSelection.assets(*PLAN_ASSETS["stage2"]),
                                    description="Ingest, student captions and final shard for one stage-2 shard.")
# A schedule submits every run against one job; the backfill schedule selects each shard's subset of this one.
shard_repair_job = define_asset_job(
    "shard_repair_job",
    AssetSelection.assets(*sorted({a for assets in PLAN_ASSETS.values() for a in assets})),
    description="Every partitioned asset of one shard; backfill_missing_shards runs the subset a shard needs.",
)
JOBS = [ingest_job, teacher_job, fusion_job, stage1_job, distill_job, stage2_job, finalize_job, card_job, stage1_shard_job,
        stage2_shard_job, shard_repair_job]

SENSORS = [
    build_shard_discovery_sensor(stage1_shard_job, stage2_shard_job, ingest_job),
    build_rules_change_sensor(finalize_job),
    build_dataset_card_sensor(card_job, shard_jobs=[finalize_job, stage1_shard_job, stage2_shard_job,
                                                    shard_repair_job]),
]
SCHEDULES = [build_backfill_schedule(shard_repair_job)]


def build_definitions() -> Definitions:
    # One S3Resource (dagster-aws) for S3: assets take it as `s3` for boto3 clients, and KaleResource derives
    # the s3fs options for s3:// shard sources from the same construction. Its settings come from the
    # environment when a step runs (see defs/resources.py), so loading this module needs no AWS variables.
    return Definitions(
        assets=with_column_schemas(ASSETS),
        jobs=JOBS,
        sensors=SENSORS,
        schedules=SCHEDULES,
        resources={"kale": KaleResource(), "s3": s3_resource_from_environment(), "ray_cluster": KaleRayCluster.on_demand()},
    )


defs = build_definitions()
