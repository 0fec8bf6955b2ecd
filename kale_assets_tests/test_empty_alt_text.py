"""A sample with an empty or whitespace alt-text is captioned, not rejected (issue 9, item 5): ingest keeps
it, fusion keeps its dense caption without asking the LLM, and every row says it is not knowledge-augmented."""

import polars as pl
import pytest

from kale_assets.captioning import run_fusion, run_teacher
from kale_assets.config import PipelineConfig, tiny_preset
from kale_assets.demo_data import HOSTILE_EXPECTED, demo_key, write_demo_shards
from kale_assets.engines import build_engine
from kale_assets.filtering import load_rules
from kale_assets.final_shards import Lineage, assemble_final_shard
from kale_assets.prompts import AltTextBudget
from kale_assets.schemas import CaptionSchema, FinalShardSchema
from kale_assets.shard_io import list_shards, read_shard

SPS = 4
EMPTY_KEY = demo_key(0, SPS + list(HOSTILE_EXPECTED).index("no_alt_text_anywhere"))


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    write_demo_shards(src, n_shards=1, samples_per_shard=SPS, seed=7)
    return list_shards(str(src))[0]


def test_ingest_keeps_it_by_default_and_rejects_it_on_request(ref):
    kept = read_shard(ref)
    row = kept.manifest.filter(pl.col("key") == EMPTY_KEY)
    assert row["alt_text"].to_list() == [""]
    assert "missing_alt_text" not in kept.reason_counts
    strict = read_shard(ref, empty_alt_text="reject")
    assert strict.rejected.filter(pl.col("key") == EMPTY_KEY)["reason"].to_list() == ["missing_alt_text"]
    assert strict.n_input == kept.n_input and len(strict.manifest) == len(kept.manifest) - 1


def test_policy_is_configuration(tmp_path):
    assert PipelineConfig(workdir=str(tmp_path), source="s").empty_alt_text == "caption"
    config = PipelineConfig(workdir=str(tmp_path), source="s", empty_alt_text="reject")
    config.save()
    assert PipelineConfig.load(tmp_path).empty_alt_text == "reject"
    with pytest.raises(ValueError, match="empty_alt_text"):
        PipelineConfig(workdir=str(tmp_path), source="s", empty_alt_text="drop")


class _CountingEngine:
    """The real fusion engine, recording which samples it was asked to fuse."""

    def __init__(self, inner):
        self.inner, self.asked = inner, []
        for attr in ("name", "version", "model_id", "model_revision", "num_parameters", "spec"):
            setattr(self, attr, getattr(inner, attr))

    def generate(self, requests):
        self.asked += [r.request_id for r in requests]
        return self.inner.generate(requests)


def test_empty_alt_text_is_captioned_end_to_end(ref, tiny_models_dir):
    ingest = read_shard(ref)
    # a whitespace-only alt-text, and one made only of the fusion model's own tokens, are empty too
    other = ingest.manifest.filter(pl.col("key") != EMPTY_KEY)["key"].to_list()
    blank, only_tokens = other[0], other[1]
    manifest = ingest.manifest.with_columns(
        pl.when(pl.col("key") == blank).then(pl.lit("  \t ")).when(pl.col("key") == only_tokens)
        .then(pl.lit("<|im_start|> <|im_end|>")).otherwise(pl.col("alt_text")).alias("alt_text"))
    empty_keys = {EMPTY_KEY, blank, only_tokens}
    preset = tiny_preset(tiny_models_dir)
    teacher = build_engine(preset.teacher)
    dense = run_teacher(ref, manifest, teacher)
    assert set(dense.captions["key"]) == set(manifest["key"])  # every image captioned, empty alt-text or not
    fusion = build_engine(preset.fusion)
    engine = _CountingEngine(fusion)
    fused = run_fusion(dense.captions, manifest, engine, AltTextBudget.for_engine(32, fusion))
    fused.check_accounting()
    CaptionSchema.validate(fused.captions)
    uid_of = dict(zip(manifest["key"], manifest["uid"]))
    assert set(engine.asked) == {uid_of[k] for k in manifest["key"] if k not in empty_keys}  # no LLM call for them
    rows = {r["key"]: r for r in fused.captions.iter_rows(named=True)}
    dense_rows = {r["key"]: r for r in dense.captions.iter_rows(named=True)}
    for key in empty_keys:
        assert rows[key]["caption"] == dense_rows[key]["caption"]
        assert rows[key]["knowledge_augmented"] is False
        assert rows[key]["model_id"] == preset.teacher.model_id and rows[key]["output_tokens"] == 0
    assert all(rows[k]["knowledge_augmented"] for k in rows if k not in empty_keys)
    assert {rows[k]["model_id"] for k in rows if k not in empty_keys} == {preset.fusion.model_id}

    final = assemble_final_shard(
        shard_id=ref.shard_id, pool="stage1", captions=fused.captions, manifest=manifest,
        upstream_rejected=[ingest.rejected.with_columns(pl.lit("datacomp_shards").alias("stage"))],
        n_input=ingest.n_input, lineage=Lineage(preset.teacher.model_id, "r", preset.fusion.model_id, "r"),
        rules=load_rules(),
    )
    FinalShardSchema.validate(final.rows)
    flags = dict(zip(final.rows["key"], final.rows["knowledge_augmented"]))
    # the filter may drop a gibberish caption; every empty-alt-text row that reached the final shard says false
    assert {k for k, v in flags.items() if not v} == empty_keys & set(flags)
    assert final.n_input == len(final.rows) + len(final.rejected)
