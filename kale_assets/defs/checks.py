"""Blocking asset checks, evaluated inside each asset's step on the staged frames, before they are committed.

Every asset declares the same families: its Pandera schema, unique uid, non-empty captions,
non-null provenance, and the accounting rule (input samples = kept + rejected).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import pandera.errors
import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    PreviewWarning,
)

from kale_assets.defs.partitions import shard_partitions


def check_specs(asset: str, names: Sequence[str], partitions_def=shard_partitions) -> list[AssetCheckSpec]:
    descriptions = {
        "schema": "Rows match the Pandera schema of this table.",
        "unique_uid": "No uid appears twice in a partition.",
        "non_empty_captions": "Every kept caption has text.",
        "provenance_non_null": "Every provenance column is filled on every row.",
        "accounting": "For the shard: input samples = kept + rejected.",
        "generation_reject_share": "The engine rejected at most `max_generation_reject_share` of the input "
                                   "(kale.yaml, default 2 %); more means a broken engine or prompt, not bad samples.",
    }
    # partitions_def makes each evaluation carry its shard, so the UI shows results per partition. Dagster 1.13
    # marks partitioned checks as a preview; the warning is silenced here only, where we chose it knowingly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PreviewWarning)
        return [AssetCheckSpec(name, asset=AssetKey(asset), blocking=True, description=descriptions[name],
                               partitions_def=partitions_def)
                for name in names]


def schema_check(df: pl.DataFrame, model, *, name: str = "schema") -> AssetCheckResult:
    try:
        model.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as err:
        failures = err.failure_cases
        preview = failures.head(20) if hasattr(failures, "head") else failures
        return AssetCheckResult(check_name=name, passed=False, severity=AssetCheckSeverity.ERROR,
                                metadata={"schema": model.__name__, "failures": MetadataValue.md(_md(preview))})
    return AssetCheckResult(check_name=name, passed=True, metadata={"schema": model.__name__, "rows": len(df)})


def partition_schema_check(output: pl.DataFrame, output_model, rejected: pl.DataFrame) -> AssetCheckResult:
    """One `schema` verdict for a partition: its output rows against ``output_model``, then its rejected rows."""
    from kale_assets.schemas import StageRejectedSchema

    result = schema_check(output, output_model)
    return schema_check(rejected, StageRejectedSchema) if result.passed else result


def unique_uid_check(df: pl.DataFrame) -> AssetCheckResult:
    dupes = df.filter(pl.col("uid").is_duplicated())["uid"].unique().to_list() if len(df) else []
    return AssetCheckResult(check_name="unique_uid", passed=not dupes,
                            metadata={"duplicate_uids": len(dupes), "examples": ", ".join(dupes[:5])})


def non_empty_captions_check(df: pl.DataFrame, column: str = "caption") -> AssetCheckResult:
    bad = df.filter(pl.col(column).is_null() | (pl.col(column).str.strip_chars().str.len_chars() == 0)) \
        if len(df) else df
    return AssetCheckResult(check_name="non_empty_captions", passed=len(bad) == 0, metadata={"empty": len(bad)})


def provenance_check(df: pl.DataFrame, columns: Sequence[str]) -> AssetCheckResult:
    missing_cols = [c for c in columns if c not in df.columns]
    nulls = {c: int(df[c].null_count()) for c in columns if c in df.columns}
    passed = not missing_cols and not any(nulls.values())
    return AssetCheckResult(check_name="provenance_non_null", passed=passed,
                            metadata={"missing_columns": ", ".join(missing_cols) or "none",
                                      "null_counts": MetadataValue.json(nulls)})


def accounting_check(n_input: int, kept: int, rejected: int) -> AssetCheckResult:
    return AssetCheckResult(check_name="accounting", passed=n_input == kept + rejected,
                            metadata={"input": n_input, "kept": kept, "rejected": rejected})


def _md(df) -> str:
    try:
        return "```\n" + str(df) + "\n```"
    except (TypeError, ValueError):
        return repr(df)
