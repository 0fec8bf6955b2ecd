"""Pandera (polars) models for every table the pipeline writes; they back the blocking asset checks."""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

UID_PATTERN = r"^[0-9a-f]{32}$"
STAGES = ["datacomp_shards", "stage1_captions", "fused_captions", "stage2_captions", "kale_shards"]


class ManifestSchema(pa.DataFrameModel):
    uid: str = pa.Field(str_matches=UID_PATTERN, unique=True)
    key: str = pa.Field(unique=True)
    shard: str
    member: str
    alt_text: str
    width: pl.Int32 = pa.Field(gt=0)
    height: pl.Int32 = pa.Field(gt=0)
    image_format: str
    image_sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    url: str = pa.Field(nullable=True)

    class Config:
        strict = False


class RejectedSchema(pa.DataFrameModel):
    uid: str = pa.Field(nullable=True)
    key: str
    shard: str
    reason: str = pa.Field(str_length={"min_value": 1})
    detail: str = pa.Field(nullable=True)

    class Config:
        strict = False


class StageRejectedSchema(RejectedSchema):
    stage: str = pa.Field(isin=STAGES)


class CaptionSchema(pa.DataFrameModel):
    """Output rows of a generation stage (stage1_captions, fused_captions, stage2_captions)."""

    uid: str = pa.Field(str_matches=UID_PATTERN, unique=True)
    key: str
    shard: str
    pool: str = pa.Field(isin=["stage1", "stage2"])
    caption: str = pa.Field(str_length={"min_value": 1})
    model_id: str
    model_revision: str
    engine: str
    engine_version: str
    prompt_hash: str
    prompt_tokens: pl.Int32 = pa.Field(ge=0)
    output_tokens: pl.Int32 = pa.Field(ge=0)
    alt_text_truncated: bool
    # fused_captions only: false where the sample had no alt-text and the dense caption was kept as it is
    knowledge_augmented: Optional[bool]

    class Config:
        strict = False


class FinalShardSchema(pa.DataFrameModel):
    """Rows of the released KALE shards: a ``caption`` column plus provenance per row."""

    uid: str = pa.Field(str_matches=UID_PATTERN, unique=True)
    key: str
    shard: str
    pool: str = pa.Field(isin=["stage1", "stage2"])
    url: str = pa.Field(nullable=True)
    alt_text: str
    caption: str = pa.Field(str_length={"min_value": 1})
    caption_model_id: str
    caption_model_revision: str
    teacher_model_id: str
    teacher_model_revision: str
    fusion_model_id: str
    fusion_model_revision: str
    student_model_id: str = pa.Field(nullable=True)
    student_model_revision: str = pa.Field(nullable=True)
    engine: str
    engine_version: str
    prompt_hash: str
    rules_version: str
    rules_hash: str
    removed_sentences: pl.List(pl.Struct({"text": pl.Utf8, "rule": pl.Utf8}))
    # false where the caption could not carry alt-text knowledge (the sample had no alt-text)
    knowledge_augmented: bool

    class Config:
        strict = False

    @pa.dataframe_check
    def student_provenance_on_stage2_rows(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("pool") != "stage2") | (pl.col("student_model_id").is_not_null()
                                             & pl.col("student_model_revision").is_not_null())
        )


PROVENANCE_COLUMNS = [
    "uid", "key", "shard", "pool", "alt_text", "caption_model_id", "caption_model_revision",
    "teacher_model_id", "teacher_model_revision", "fusion_model_id", "fusion_model_revision",
    "engine", "engine_version", "prompt_hash", "rules_version", "rules_hash",
]
