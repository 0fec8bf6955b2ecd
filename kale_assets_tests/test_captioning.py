import polars as pl
import pytest

from kale_assets.captioning import run_fusion, run_student, run_teacher
from kale_assets.config import tiny_preset
from kale_assets.demo_data import write_demo_shards
from kale_assets.engines import GenerationResult, build_engine
from kale_assets.prompts import AltTextBudget
from kale_assets.schemas import CaptionSchema, StageRejectedSchema
from kale_assets.shard_io import list_shards, read_shard


@pytest.fixture(scope="module")
def shard(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    write_demo_shards(src, n_shards=1, samples_per_shard=6, seed=5)
    ref = list_shards(str(src))[0]
    return ref, read_shard(ref)


def test_teacher_then_fusion_account_for_every_sample(shard, tiny_models_dir):
    ref, ingest = shard
    preset = tiny_preset(tiny_models_dir)
    teacher = build_engine(preset.teacher)
    dense = run_teacher(ref, ingest.manifest, teacher)
    assert dense.n_input == len(ingest.manifest) == len(dense.captions) + len(dense.rejected)
    CaptionSchema.validate(dense.captions)
    assert set(dense.captions["model_id"]) == {preset.teacher.model_id}
    fusion = build_engine(preset.fusion)
    fused = run_fusion(dense.captions, ingest.manifest, fusion, AltTextBudget(8, fusion.truncate_to_tokens))
    assert fused.n_input == len(dense.captions) == len(fused.captions) + len(fused.rejected)
    CaptionSchema.validate(fused.captions)
    # alt-texts of the demo set are longer than 8 tokens, so the budget cut some of them
    assert fused.captions["alt_text_truncated"].any()
    # a re-run of the stage writes the same captions
    again = run_fusion(dense.captions, ingest.manifest, fusion, AltTextBudget(8, fusion.truncate_to_tokens))
    assert again.captions.drop("prompt_tokens").equals(fused.captions.drop("prompt_tokens"))


class _FailingEngine:
    """A real engine wrapper whose results for chosen uids come back as request errors."""

    def __init__(self, inner, fail_uids):
        self.inner, self.fail_uids = inner, set(fail_uids)
        for attr in ("name", "version", "model_id", "model_revision", "num_parameters"):
            setattr(self, attr, getattr(inner, attr))

    def generate(self, requests):
        results = self.inner.generate(requests)
        return [GenerationResult(r.request_id, None, "prompt_too_long: over budget") if r.request_id in self.fail_uids
                else r for r in results]

    def truncate_to_tokens(self, text, n):
        return self.inner.truncate_to_tokens(text, n)


def test_failed_requests_become_rejected_rows_with_reason(shard, tiny_models):
    ref, ingest = shard
    from kale_assets.engines import ModelSpec, SamplingSpec

    inner = build_engine(ModelSpec(str(tiny_models.student_vlm), sampling=SamplingSpec(max_new_tokens=8, do_sample=True,
                                                                                       top_k=20)))
    bad = ingest.manifest["uid"][0]
    engine = _FailingEngine(inner, [bad])
    out = run_student(ref, ingest.manifest, engine, AltTextBudget(16, engine.truncate_to_tokens))
    assert out.n_input == len(out.captions) + len(out.rejected)
    StageRejectedSchema.validate(out.rejected)
    row = out.rejected.filter(pl.col("uid") == bad).row(0, named=True)
    assert row["reason"] == "prompt_too_long" and row["stage"] == "stage2_captions"
    assert bad not in out.captions["uid"].to_list()


def test_prefetched_keeps_order_surfaces_errors_and_stops_with_its_consumer():
    import threading

    from kale_assets.captioning import prefetched

    assert list(prefetched(iter(range(100)), depth=4)) == list(range(100))

    def broken():
        yield 1
        raise OSError("tar broke")

    with pytest.raises(OSError, match="tar broke"):
        list(prefetched(broken(), depth=2))

    produced = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    it = prefetched(endless(), depth=3)
    assert [next(it) for _ in range(5)] == [0, 1, 2, 3, 4]
    it.close()
    count = len(produced)
    assert not any(t.name == "kale-prefetch" and t.is_alive() for t in threading.enumerate())
    assert len(produced) == count  # the producer stopped with the consumer


def test_an_image_gone_since_ingest_is_rejected_and_the_shard_completes(shard, tiny_models_dir):
    """A tar member that was validated at ingest but cannot be read now is one sample's problem, not the step's."""
    ref, ingest = shard
    manifest = ingest.manifest
    gone = manifest["key"][0]
    manifest = manifest.with_columns(
        pl.when(pl.col("key") == gone).then(pl.lit("no-such-member.jpg")).otherwise(pl.col("member")).alias("member"))
    teacher = build_engine(tiny_preset(tiny_models_dir).teacher)
    out = run_teacher(ref, manifest, teacher)
    assert out.n_input == len(out.captions) + len(out.rejected) == len(manifest)
    row = out.rejected.filter(pl.col("key") == gone).row(0, named=True)
    assert row["reason"] == "image_unavailable" and "no-such-member.jpg" in row["detail"]
    assert set(out.captions["key"]) == set(manifest["key"]) - {gone}
