"""Domain logic of `kale_shards`: filter the pool's captions and attach provenance to every row.

For each shard, every input sample ends in exactly one place: a final row, or a rejected row naming the
stage and the reason (ingest rejections, generation failures, and captions the filter dropped).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kale_assets.filtering import RuleSet, filter_frame

FINAL_COLUMNS = [
    "uid", "key", "shard", "pool", "url", "alt_text", "caption", "caption_model_id", "caption_model_revision",
    "teacher_model_id", "teacher_model_revision", "fusion_model_id", "fusion_model_revision",
    "student_model_id", "student_model_revision", "engine", "engine_version", "prompt_hash",
    "rules_version", "rules_hash", "removed_sentences", "caption_raw", "knowledge_augmented",
]


@dataclass(frozen=True)
class Lineage:
    """Models behind a pool's captions. Stage-2 rows inherit the teacher/fusion models the student learnt from."""

    teacher_model_id: str
    teacher_model_revision: str
    fusion_model_id: str
    fusion_model_revision: str
    student_model_id: str | None = None
    student_model_revision: str | None = None


def _knowledge_augmented(captions: pl.DataFrame) -> pl.Expr:
    """Whether a row's caption could carry alt-text knowledge: fusion says so per row (a sample without
    alt-text keeps its dense caption); the student saw the alt-text when there was one."""
    has_alt_text = pl.col("alt_text").fill_null("").str.strip_chars() != ""
    if "knowledge_augmented" in captions.columns:
        return (pl.col("knowledge_augmented").fill_null(True) & has_alt_text).alias("knowledge_augmented")
    return has_alt_text.alias("knowledge_augmented")


@dataclass
class FinalShard:
    rows: pl.DataFrame
    rejected: pl.DataFrame
    n_input: int
    removals_by_rule: dict[str, int]
    drops_by_reason: dict[str, int]


def assemble_final_shard(
    *,
    shard_id: str,
    pool: str,
    captions: pl.DataFrame,
    manifest: pl.DataFrame,
    upstream_rejected: list[pl.DataFrame],
    n_input: int,
    lineage: Lineage,
    rules: RuleSet,
) -> FinalShard:
    # The classifier reads the row's alt-text (the fusion input) as context: join it under a helper name so the
    # manifest join below still brings `alt_text` in once, then drop the helper.
    context = captions.drop("_filter_alt_text", strict=False).join(
        manifest.select("uid", pl.col("alt_text").alias("_filter_alt_text")), on="uid", how="left")
    filtered = filter_frame(context, rules, caption_col="caption", alt_text_col="_filter_alt_text").drop(
        "_filter_alt_text")
    dropped = filtered.filter(pl.col("drop_reason").is_not_null())
    kept = filtered.filter(pl.col("drop_reason").is_null())
    rows = (
        kept.join(manifest.select("uid", "url", "alt_text"), on="uid", how="left")
        .with_columns(
            _knowledge_augmented(kept),
            pl.col("model_id").alias("caption_model_id"),
            pl.col("model_revision").alias("caption_model_revision"),
            pl.lit(lineage.teacher_model_id).alias("teacher_model_id"),
            pl.lit(lineage.teacher_model_revision).alias("teacher_model_revision"),
            pl.lit(lineage.fusion_model_id).alias("fusion_model_id"),
            pl.lit(lineage.fusion_model_revision).alias("fusion_model_revision"),
            pl.lit(lineage.student_model_id, dtype=pl.Utf8).alias("student_model_id"),
            pl.lit(lineage.student_model_revision, dtype=pl.Utf8).alias("student_model_revision"),
            pl.lit(rules.version).alias("rules_version"),
            pl.lit(rules.sha256).alias("rules_hash"),
            pl.lit(pool).alias("pool"),
            pl.lit(shard_id).alias("shard"),
        )
        .select(FINAL_COLUMNS)
        .sort("key")
    )
    filter_rejected = dropped.select(
        "uid", "key", pl.lit(shard_id).alias("shard"), pl.col("drop_reason").alias("reason"),
        pl.col("caption_raw").str.slice(0, 200).alias("detail"), pl.lit("kale_shards").alias("stage"),
    )
    rejected = pl.concat([*upstream_rejected, filter_rejected], how="vertical_relaxed").sort("key", "reason")
    removals = (
        filtered.select(pl.col("removed_sentences").explode().struct.field("rule").alias("rule"))
        .drop_nulls()
        .group_by("rule").len()
    )
    return FinalShard(
        rows=rows,
        rejected=rejected,
        n_input=n_input,
        removals_by_rule={r: int(n) for r, n in removals.iter_rows()},
        drops_by_reason={r: int(n) for r, n in dropped.group_by("drop_reason").len().iter_rows()},
    )
