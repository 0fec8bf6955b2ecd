import time

import polars as pl
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from kale_assets.defs import checks
from kale_assets.defs.partitions import shard_partitions
from kale_assets.defs.resources import KaleResource
from kale_assets.schemas import ManifestSchema, StageRejectedSchema
from kale_assets.shard_io import read_shard, write_parquet_atomic


@asset(
    partitions_def=shard_partitions,
    group_name="ingest",
    kinds={"parquet", "webdataset"},
    check_specs=checks.check_specs("datacomp_shards", ["schema", "unique_uid", "accounting"]),
    description=(
        "One img2dataset/DataComp WebDataset shard (NNNNNNNN.tar + .parquet), read through fsspec. Writes the "
        "manifest of usable samples (uid, key, alt-text, image size, sha256 of image bytes) and the rejected "
        "samples with a reason (failed downloads, corrupt images, bad alt-text, unsafe tar members, duplicates)."
    ),
)
def datacomp_shards(context: AssetExecutionContext, kale: KaleResource) -> MaterializeResult:
    shard_id = context.partition_key
    config = kale.config()
    layout = kale.layout()
    ref = kale.shard_ref(shard_id)
    started = time.perf_counter()
    result = read_shard(ref, storage_options=config.storage_options or None)
    seconds = time.perf_counter() - started
    rejected = result.rejected.with_columns(pl.lit("datacomp_shards").alias("stage"))
    manifest_path = layout.manifest(shard_id)
    rejected_path = layout.shard_rejected("datacomp_shards", shard_id)
    write_parquet_atomic(result.manifest, manifest_path)
    write_parquet_atomic(rejected, rejected_path)
    reasons = {r: int(n) for r, n in rejected.group_by("reason").len().iter_rows()} if len(rejected) else {}
    schema = checks.schema_check(result.manifest, ManifestSchema)
    if schema.passed:
        schema = checks.schema_check(rejected, StageRejectedSchema)
    return MaterializeResult(
        metadata={
            "rows_in": result.n_input,
            "rows_kept": len(result.manifest),
            "rows_rejected": len(rejected),
            "rejected_by_reason": MetadataValue.json(reasons),
            "seconds": round(seconds, 3),
            "samples_per_s": round(result.n_input / seconds, 2) if seconds else 0.0,
            "source_tar": ref.tar_url,
            "source_parquet": ref.parquet_url or "none",
            "output_path": MetadataValue.path(str(manifest_path)),
            "rejected_path": MetadataValue.path(str(rejected_path)),
        },
        check_results=[
            schema,
            checks.unique_uid_check(result.manifest),
            checks.accounting_check(result.n_input, len(result.manifest), len(rejected)),
        ],
    )
