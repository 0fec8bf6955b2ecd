"""The stage loop keeps the engine busy: image digests are taken in the prefetch thread, progress chunks are
saved on a writer thread, the transformers engine starts on its first batch, and none of it changes what a
stage writes or how it fails."""

from __future__ import annotations

import threading

import pytest

from kale_assets.captioning import (
    _collect,
    _image_requests,
    _Pending,
    _Progress,
    teacher_request,
)
from kale_assets.demo_data import write_demo_shards
from kale_assets.engines import (
    EngineFailure,
    GenerationRequest,
    GenerationResult,
    ModelSpec,
    TransformersEngine,
)
from kale_assets.prompts import fusion_messages
from kale_assets.shard_io import list_shards, read_shard


@pytest.fixture(scope="module")
def shard(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    write_demo_shards(src, n_shards=1, samples_per_shard=7, seed=3, hostile=False)
    ref = list_shards(str(src))[0]
    return ref, read_shard(ref).manifest


def test_chunk_keys_are_the_same_wherever_the_image_digest_is_taken(shard, tmp_path):
    ref, manifest = shard
    early = list(_image_requests(ref, manifest, teacher_request, [], "stage1_captions", None, with_digest=True))
    late = list(_image_requests(ref, manifest, teacher_request, [], "stage1_captions", None))
    assert all(p.image_digest for p in early) and not any(p.image_digest for p in late)
    progress = _Progress(tmp_path, "fingerprint")
    # the same key as one taken from the pixels when the key is built: chunks saved before still resume
    assert progress.chunk_path(0, early[:4]) == progress.chunk_path(0, late[:4])
    assert progress.chunk_path(1, early[4:]) == progress.chunk_path(1, late[4:])
    other = early[4:5] + [_Pending(early[5].row, early[5].request, False, early[6].image_digest)] + early[6:]
    assert progress.chunk_path(1, other) != progress.chunk_path(1, early[4:])  # other pixels, other key


class FakeEngine:
    """A deterministic engine (generate only) that can fail on a chosen call."""

    name, version, model_id, model_revision, num_parameters = "fake", "1", "fake-model", "r1", 1

    def __init__(self, fail_on_call: int | None = None):
        self.runtime = {"device": "cpu"}
        self.spec = ModelSpec("fake-model")
        self.calls = 0
        self.fail_on_call = fail_on_call

    def generate(self, requests):
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise EngineFailure("device lost")
        return [GenerationResult(r.request_id, f"caption of {r.request_id}", None, 3, 2) for r in requests]


def _pending(n: int) -> list[_Pending]:
    rows = [{"uid": f"u{i:03d}", "key": f"{i:09d}", "shard": "00000000"} for i in range(n)]
    return [_Pending(row, GenerationRequest(row["uid"], fusion_messages("a bus", row["uid"])), False) for row in rows]


def _run(engine, progress_dir, n=10, chunk_size=3):
    return _collect(iter(_pending(n)), engine, stage="fused_captions", pool="stage1", chunk_size=chunk_size,
                    late_rejected=[], n_input=n, on_progress=None, progress_dir=progress_dir)


def _writers_alive() -> bool:
    return any(t.name == "kale-progress-writer" and t.is_alive() for t in threading.enumerate())


def test_every_chunk_is_saved_before_the_stage_returns_and_a_retry_generates_nothing(tmp_path):
    out = _run(FakeEngine(), tmp_path)
    assert out.captions.height == 10 and not _writers_alive()
    assert len(list(tmp_path.glob("chunk-*.parquet"))) == len(list(tmp_path.glob("chunk-*.json"))) == 4
    again = FakeEngine()
    resumed = _run(again, tmp_path)
    assert again.calls == 0 and resumed.resumed_requests == 10 and resumed.captions.equals(out.captions)


def test_a_failed_chunk_save_fails_the_stage(tmp_path, monkeypatch):
    real_save = _Progress.save
    saved = []

    def save(self, path, results):
        if len(saved) == 1:
            raise OSError(28, "No space left on device")
        saved.append(path)
        real_save(self, path, results)

    monkeypatch.setattr(_Progress, "save", save)
    with pytest.raises(OSError, match="No space left"):
        _run(FakeEngine(), tmp_path)
    assert not _writers_alive()


def test_an_engine_failure_keeps_the_chunks_finished_before_it_and_is_the_error_raised(tmp_path, monkeypatch):
    # generate is called per window of 3 (the chunk size): calls 1 and 2 finish chunks 0 and 1, call 3 fails
    with pytest.raises(EngineFailure, match="device lost"):
        _run(FakeEngine(fail_on_call=3), tmp_path)
    assert not _writers_alive()
    assert len(list(tmp_path.glob("chunk-*.json"))) == 2  # both saved (their sidecars come last)
    resumed_engine = FakeEngine()
    out = _run(resumed_engine, tmp_path)
    assert out.resumed_requests == 6 and resumed_engine.calls == 2 and out.captions.height == 10

    # a save failing while the engine fails too: the engine's failure is what the step reports
    def broken_save(self, path, results):
        raise OSError("disk gone")

    monkeypatch.setattr(_Progress, "save", broken_save)
    with pytest.raises(EngineFailure):
        _run(FakeEngine(fail_on_call=2), tmp_path / "other")


def test_the_transformers_stream_generates_batch_by_batch_as_generate_does(monkeypatch):
    engine = TransformersEngine.__new__(TransformersEngine)  # only the stream's grouping is under test
    engine.spec = ModelSpec("fake-model", batch_size=3)
    groups: list[list[str]] = []

    def generate(requests):
        groups.append([r.request_id for r in requests])
        return [GenerationResult(r.request_id, "text") for r in requests]

    monkeypatch.setattr(engine, "generate", generate, raising=False)
    pulled: list[int] = []

    def requests():
        for i in range(8):
            pulled.append(i)
            yield GenerationRequest(f"r{i}", [])

    stream = engine.generate_stream(requests(), max_in_flight=64)
    first = next(stream)
    assert first.request_id == "r0" and len(pulled) == 3  # the first batch started without waiting for 64
    assert [first.request_id] + [r.request_id for r in stream] == [f"r{i}" for i in range(8)]
    assert groups == [["r0", "r1", "r2"], ["r3", "r4", "r5"], ["r6", "r7"]]


def test_a_real_stream_gives_what_generate_gives(shard, tiny_models_dir):
    from dataclasses import replace

    from kale_assets.config import tiny_preset

    ref, manifest = shard
    spec = tiny_preset(tiny_models_dir).teacher
    engine = TransformersEngine(replace(spec, batch_size=2, sampling=replace(spec.sampling, max_new_tokens=8)))
    requests = [p.request for p in _image_requests(ref, manifest, teacher_request, [], "stage1_captions", None)]
    # a window that is no multiple of the batch size: the stream's batches are still generate's
    streamed = list(engine.generate_stream(iter(requests), max_in_flight=5))
    assert [(r.request_id, r.text, r.output_tokens) for r in streamed] == \
        [(r.request_id, r.text, r.output_tokens) for r in engine.generate(requests)]
