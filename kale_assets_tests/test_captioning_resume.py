"""Chunked progress of the generation stages: an interrupted stage resumes where it stopped, identically."""

from dataclasses import replace

import polars as pl
import pytest

from kale_assets.captioning import run_fusion, run_teacher
from kale_assets.config import tiny_preset
from kale_assets.demo_data import write_demo_shards
from kale_assets.engines import TransformersEngine
from kale_assets.prompts import AltTextBudget
from kale_assets.shard_io import list_shards, read_shard

CHUNK = 3


class Interrupted(Exception):
    """Raised from the progress callback to stop a stage midway, as a crash would."""


def stop_after(n_chunks: int):
    seen = []

    def on_progress(n: int) -> None:
        seen.append(n)
        if len(seen) == n_chunks:
            raise Interrupted(f"stopped after {n_chunks} chunks")

    return on_progress


class CountingEngine:
    """A real engine that counts the requests it is asked to generate (resumed chunks are not)."""

    def __init__(self, inner):
        self.inner = inner
        self.generated: list[str] = []
        for attr in ("name", "version", "model_id", "model_revision", "num_parameters", "spec", "runtime"):
            setattr(self, attr, getattr(inner, attr))

    def generate(self, requests):
        self.generated.extend(r.request_id for r in requests)
        return self.inner.generate(requests)

    def count_tokens(self, text):
        return self.inner.count_tokens(text)

    def truncate_to_tokens(self, text, n):
        return self.inner.truncate_to_tokens(text, n)


@pytest.fixture(scope="module")
def shard(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    write_demo_shards(src, n_shards=1, samples_per_shard=10, seed=11, hostile=False)
    ref = list_shards(str(src))[0]
    return ref, read_shard(ref).manifest


@pytest.fixture(scope="module")
def preset(tiny_models_dir):
    tiny = tiny_preset(tiny_models_dir)
    # Short outputs keep the repeated stage runs quick; sampling stays seeded as in the preset.
    return replace(tiny, teacher=replace(tiny.teacher, sampling=replace(tiny.teacher.sampling, max_new_tokens=12)),
                   fusion=replace(tiny.fusion, sampling=replace(tiny.fusion.sampling, max_new_tokens=12)))


@pytest.fixture(scope="module")
def teacher(preset):
    return TransformersEngine(preset.teacher)


@pytest.fixture(scope="module")
def fusion(preset):
    return TransformersEngine(preset.fusion)


def _chunk_files(progress):
    return sorted(p.name for p in progress.glob("chunk-*.parquet"))


def test_interrupted_teacher_stage_resumes_and_writes_what_an_uninterrupted_run_writes(shard, teacher, tmp_path):
    ref, manifest = shard
    n = len(manifest)
    assert n > 3 * CHUNK  # at least four chunks, so the interruption is midway
    reference = run_teacher(ref, manifest, teacher, chunk_size=CHUNK)

    progress = tmp_path / "00000000.progress"
    with pytest.raises(Interrupted):
        run_teacher(ref, manifest, teacher, chunk_size=CHUNK, progress_dir=progress, on_progress=stop_after(2))
    assert len(_chunk_files(progress)) == 2 and (progress / "fingerprint.json").exists()
    saved_ids = [uid for f in _chunk_files(progress) for uid in pl.read_parquet(progress / f)["request_id"]]

    counting = CountingEngine(teacher)
    resumed = run_teacher(ref, manifest, counting, chunk_size=CHUNK, progress_dir=progress)
    # the first two chunks came from disk; only the rest was generated
    assert resumed.resumed_requests == 2 * CHUNK
    assert len(counting.generated) == n - 2 * CHUNK
    assert set(counting.generated).isdisjoint(saved_ids)
    assert set(counting.generated) | set(saved_ids) == set(manifest["uid"])
    assert resumed.captions.equals(reference.captions)
    assert resumed.rejected.equals(reference.rejected)
    assert resumed.n_input == reference.n_input
    # every chunk is on disk until the caller has stored the output
    assert len(_chunk_files(progress)) == -(-n // CHUNK)
    resumed.discard_progress()
    assert not progress.exists()


def test_progress_of_another_configuration_is_deleted_not_reused(shard, teacher, preset, tmp_path):
    ref, manifest = shard
    progress = tmp_path / "p.progress"
    with pytest.raises(Interrupted):
        run_teacher(ref, manifest, teacher, chunk_size=CHUNK, progress_dir=progress, on_progress=stop_after(2))
    old_chunks = set(_chunk_files(progress))

    # another sampling seed: another fingerprint, so nothing of the old folder may be reused
    other = TransformersEngine(replace(preset.teacher, sampling=replace(preset.teacher.sampling, seed=99)))
    counting = CountingEngine(other)
    with pytest.raises(Interrupted):
        run_teacher(ref, manifest, counting, chunk_size=CHUNK, progress_dir=progress, on_progress=stop_after(1))
    assert len(counting.generated) == CHUNK
    assert old_chunks.isdisjoint(_chunk_files(progress))
    assert len(_chunk_files(progress)) == 1

    counting = CountingEngine(other)
    out = run_teacher(ref, manifest, counting, chunk_size=CHUNK, progress_dir=progress)
    assert out.resumed_requests == CHUNK and len(counting.generated) == len(manifest) - CHUNK
    assert out.captions.equals(run_teacher(ref, manifest, other, chunk_size=CHUNK).captions)


def test_chunks_whose_inputs_changed_are_generated_again(shard, teacher, fusion, tmp_path):
    ref, manifest = shard
    dense = run_teacher(ref, manifest, teacher, chunk_size=CHUNK).captions
    progress = tmp_path / "f.progress"
    narrow = AltTextBudget(4, fusion.truncate_to_tokens)
    wide = AltTextBudget(32, fusion.truncate_to_tokens)
    with pytest.raises(Interrupted):
        run_fusion(dense, manifest, fusion, narrow, chunk_size=CHUNK, progress_dir=progress,
                   on_progress=stop_after(3))
    assert len(_chunk_files(progress)) == 3

    # same engine and settings, but another alt-text budget changes the prompts: the chunk keys no longer match
    counting = CountingEngine(fusion)
    out = run_fusion(dense, manifest, counting, wide, chunk_size=CHUNK, progress_dir=progress)
    assert out.resumed_requests == 0 and len(counting.generated) == len(dense)
    assert out.captions.equals(run_fusion(dense, manifest, fusion, wide, chunk_size=CHUNK).captions)
    # the stale chunk files of the narrow budget were replaced, not kept beside the new ones
    assert len(_chunk_files(progress)) == -(-len(dense) // CHUNK)


@pytest.mark.parametrize("damage", ["garbage_text", "truncated", "other_ids", "no_sidecar"])
def test_a_damaged_progress_chunk_is_generated_again_not_reused(shard, teacher, tmp_path, damage):
    ref, manifest = shard
    reference = run_teacher(ref, manifest, teacher, chunk_size=CHUNK)
    progress = tmp_path / "d.progress"
    with pytest.raises(Interrupted):
        run_teacher(ref, manifest, teacher, chunk_size=CHUNK, progress_dir=progress, on_progress=stop_after(2))
    first = progress / _chunk_files(progress)[0]
    frame = pl.read_parquet(first)
    if damage == "garbage_text":
        frame.with_columns(pl.lit("garbage written by someone else").alias("text")).write_parquet(first)
    elif damage == "truncated":
        first.write_bytes(first.read_bytes()[: first.stat().st_size // 2])
    elif damage == "other_ids":
        frame.with_columns(pl.col("request_id").str.reverse()).write_parquet(first)
    else:
        first.with_suffix(".json").unlink()
    counting = CountingEngine(teacher)
    out = run_teacher(ref, manifest, counting, chunk_size=CHUNK, progress_dir=progress)
    # only the damaged chunk is generated again; the intact one is reused
    assert out.resumed_requests == CHUNK and len(counting.generated) == len(manifest) - CHUNK
    assert out.captions.equals(reference.captions)


def test_progress_of_another_runtime_is_not_reused(shard, teacher, tmp_path):
    """Library versions, device and dtype are part of the fingerprint: another build's chunks are not mixed in."""
    ref, manifest = shard
    progress = tmp_path / "r.progress"
    with pytest.raises(Interrupted):
        run_teacher(ref, manifest, teacher, chunk_size=CHUNK, progress_dir=progress, on_progress=stop_after(2))
    counting = CountingEngine(teacher)
    counting.runtime = {**teacher.runtime, "torch": "0.0.0-another-build"}
    out = run_teacher(ref, manifest, counting, chunk_size=CHUNK, progress_dir=progress)
    assert out.resumed_requests == 0 and len(counting.generated) == len(manifest)
