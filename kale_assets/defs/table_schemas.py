"""Each table asset's column schema in the Dagster UI, taken from its Pandera model through dagster-pandera.

The assets write parquet files themselves and validate them with the same Pandera models in their blocking
checks (defs/checks.py); this module only publishes those models as `dagster/column_schema` definition
metadata, so the asset page shows every column with its type, nullability, uniqueness and constraints.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from dagster import AssetsDefinition, AssetSpec, BetaWarning, TableSchema
from dagster_pandera import pandera_schema_to_dagster_type

from kale_assets.schemas import CaptionSchema, FinalShardSchema, ManifestSchema

# The Pandera model of the main table each asset writes (rejected rows have their own, shared model).
ASSET_TABLE_MODELS = {
    "datacomp_shards": ManifestSchema,
    "stage1_captions": CaptionSchema,
    "fused_captions": CaptionSchema,
    "stage2_captions": CaptionSchema,
    "kale_shards": FinalShardSchema,
}
COLUMN_SCHEMA_KEY = "dagster/column_schema"


def table_schema(model) -> TableSchema:
    """The TableSchema dagster-pandera derives from a Pandera (polars) model."""
    # Polars support is marked beta in dagster-pandera; the warning would print on every load of the code
    # location (webserver, daemon, each run worker) and says nothing the pinned version does not.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)
        return pandera_schema_to_dagster_type(model).metadata["schema"].schema


def _with_column_schema(spec: AssetSpec) -> AssetSpec:
    model = ASSET_TABLE_MODELS.get(spec.key.to_user_string())
    if model is None:
        return spec
    return spec.merge_attributes(metadata={COLUMN_SCHEMA_KEY: table_schema(model)})


def with_column_schemas(assets: Sequence[AssetsDefinition]) -> list[AssetsDefinition]:
    return [asset.map_asset_specs(_with_column_schema) for asset in assets]
