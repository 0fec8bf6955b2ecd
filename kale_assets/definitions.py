"""The one `Definitions` of the project: `dagster dev -w workspace.yaml` and `dg` load it from here.

The resource reads the work folder from KALE_WORKDIR when a step runs (not at import time), so loading
this module needs no environment.
"""

from __future__ import annotations

from dagster import AssetSelection, Definitions, EnvVar, define_asset_job

from kale_assets.defs.assets.datacomp_shards import datacomp_shards
from kale_assets.defs.assets.distilled_captioner import distilled_captioner
from kale_assets.defs.assets.fused_captions import fused_captions
from kale_assets.defs.assets.kale_dataset_card import kale_dataset_card
from kale_assets.defs.assets.kale_shards import kale_shards
from kale_assets.defs.assets.stage1_captions import stage1_captions
from kale_assets.defs.assets.stage2_captions import stage2_captions
from kale_assets.defs.resources import KaleResource

ASSETS = [datacomp_shards, stage1_captions, fused_captions, distilled_captioner, stage2_captions, kale_shards,
          kale_dataset_card]

# One job per partitioning, in pipeline order; a run of a partitioned job processes one shard.
ingest_job = define_asset_job("ingest_job", AssetSelection.assets(datacomp_shards),
                              description="Read and validate input shards.")
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
JOBS = [ingest_job, stage1_job, distill_job, stage2_job, finalize_job, card_job]


def build_definitions() -> Definitions:
    return Definitions(
        assets=ASSETS,
        jobs=JOBS,
        resources={"kale": KaleResource(workdir=EnvVar("KALE_WORKDIR"))},
    )


defs = build_definitions()
