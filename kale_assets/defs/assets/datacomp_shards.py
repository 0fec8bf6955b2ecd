import time

import polars as pl
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from kale_assets.defs import checks
from kale_assets.defs.assets.stage_outputs import (
    ShardResult,
    commit_shard,
    partition_result,
)
from kale_assets.defs.partitions import shard_partitions
from kale_assets.defs.resources import KaleResource
from kale_assets.schemas import ManifestSchema
from kale_assets.shard_io import read_shard
from kale_assets.uid_index import UidIndex, reject_cross_shard_duplicates


@asset(
    partitions_def=shard_partitions,
    group_name="ingest",
    kinds={"parquet", "webdataset"},
    check_specs=checks.check_specs("datacomp_shards", ["schema", "unique_uid", "accounting"]),
    description=(
        "One img2dataset/DataComp WebDataset shard (NNNNNNNN.tar + .parquet), read through fsspec. Writes the "
        "manifest of usable samples (uid, key, alt-text, image size, sha256 of image bytes) and the rejected "
        "samples with a reason (failed downloads, corrupt images, bad alt-text, unsafe tar members, duplicates "
        "within the shard and across shards: the lowest shard id keeps a uid)."
    ),
)
def datacomp_shards(context: AssetExecutionContext, kale: KaleResource) -> MaterializeResult:
    return partition_result([_ingest_shard(context, kale, s) for s in kale.partition_shards(context.partition_key)])


def _ingest_shard(context: AssetExecutionContext, kale: KaleResource, shard_id: str) -> ShardResult:
    config = kale.config()
    layout = config.layout()
    ref = kale.shard_ref(shard_id)
    started = time.perf_counter()
    result = read_shard(ref, storage_options=config.storage_options or None, empty_alt_text=config.empty_alt_text)
    rejected = result.rejected.with_columns(pl.lit("datacomp_shards").alias("stage"))
    with UidIndex(layout.uid_index) as index:
        owners = index.claim(shard_id, result.manifest["uid"].to_list())
    manifest, rejected = reject_cross_shard_duplicates(result.manifest, rejected, owners, "datacomp_shards")
    seconds = time.perf_counter() - started
    reasons = {r: int(n) for r, n in rejected.group_by("reason").len().iter_rows()} if len(rejected) else {}
    schema = checks.partition_schema_check(manifest, ManifestSchema, rejected)
    return commit_shard(
        context, layout, "datacomp_shards", shard_id, output=manifest, rejected=rejected,
        check_results=[
            schema,
            checks.unique_uid_check(manifest),
            checks.accounting_check(result.n_input, len(manifest), len(rejected)),
        ],
        versions={"source_tar": ref.tar_url, "source_parquet": ref.parquet_url or "none",
                  "empty_alt_text": config.empty_alt_text},
        metadata={
            "rows_in": result.n_input,
            "rows_kept": len(manifest),
            "rows_rejected": len(rejected),
            "rejected_by_reason": MetadataValue.json(reasons),
            "duplicates_across_shards": len(owners),
            "seconds": round(seconds, 3),
            "samples_per_s": round(result.n_input / seconds, 2) if seconds else 0.0,
            "source_tar": ref.tar_url,
            "source_parquet": ref.parquet_url or "none",
        },
    )
