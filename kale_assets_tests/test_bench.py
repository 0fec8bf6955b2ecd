"""`kale bench` harness: the measures run end to end in smoke mode (tiny inputs, not timed assertions).

Speed goals live in `kale bench` and benchmarks/RESULTS.md, not here: these tests check that every measure
runs, prints one JSON object of the agreed shape, and measures positive numbers. About 40 s, plus about 60 s
for the vLLM comparison (vLLM's worker start-up dominates).
"""

from __future__ import annotations

import json
from importlib import util

import pytest

from kale_assets import bench
from kale_assets.cli import main

KEYS = {"measure", "value", "unit", "goal", "meets_goal", "details"}


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_bench_smoke_prints_one_json_object_per_measure_and_writes_results(tmp_path, tiny_models_dir, capfd):
    results = tmp_path / "RESULTS.md"
    rc = main(["bench", "--smoke", "--only", "filter,ingest,dagster,stage", "--workdir", str(tmp_path / "work"),
               "--models-dir", tiny_models_dir, "--results", str(results)])
    assert rc == 0
    lines = _json_lines(capfd.readouterr().out)
    by_name = {m["measure"]: m for m in lines}
    # the filter step also reports precision/recall on the dev set (the held-out set is never read in smoke mode)
    assert list(by_name) == ["filter_vs_raw_regex", "filter_dev_recall", "filter_dev_precision",
                             "ingest_parallel_efficiency", "dagster_overhead_per_partition", "stage_overhead_ratio"]
    for m in lines:
        assert set(m) == KEYS
        assert isinstance(m["meets_goal"], bool)
        assert isinstance(m["details"], dict) and m["details"]["limited_by"]
        assert m["value"] > 0, m
        assert m["goal"].startswith((">=", "<="))

    flt = by_name["filter_vs_raw_regex"]["details"]
    assert flt["rows"] == 2000 and flt["filter_captions_per_s"] > 0 and flt["raw_scan_captions_per_s"] > 0
    assert flt["rows_with_removals"] > 0  # the synthetic mix does leak
    ingest = by_name["ingest_parallel_efficiency"]["details"]
    assert ingest["images"] == ingest["shards"] * 6 and ingest["one_worker_images_per_s"] > 0
    dag = by_name["dagster_overhead_per_partition"]["details"]
    assert dag["partitions"] == 3 and dag["dagster_total_s"] > dag["bare_body_total_s"] > 0
    stage = by_name["stage_overhead_ratio"]["details"]
    # the pipeline reused the warm engine and wrote exactly what the bare engine call wrote
    assert stage["same_captions_both_sides"] is True
    assert stage["rows_kept"] == 16 and stage["bare_generate_s"] > 0 and stage["engine_startup_s"] > 0

    text = results.read_text()
    for section in ("## Machine", "## Versions", "## Command", "| measure | number | goal | met | what limits it |"):
        assert section in text
    assert "kale bench --smoke --only filter,ingest,dagster,stage" in text
    for name in by_name:
        assert f"| {name} |" in text
    if not bench.cuda_available():
        assert bench.NO_GPU_NOTE in text
    # the scratch folder given with --workdir is kept; without it a temporary one is removed
    assert (tmp_path / "work" / "stage_work" / "kale.yaml").exists()


@pytest.mark.slow
@pytest.mark.skipif(util.find_spec("vllm") is None, reason="vllm is not installed (scripts/setup --dev installs it)")
def test_engine_measure_compares_vllm_and_transformers(tmp_path, tiny_models_dir):
    from pathlib import Path

    (m,) = bench.measure_engine_speedup(tmp_path, Path(tiny_models_dir), bench.SIZES["smoke"])
    assert m.skipped is None, m.details
    d = m.details
    assert set(d["captions_per_s"]) == {"vllm", "transformers_b8", "transformers_b32"}
    assert all(v > 0 for v in d["captions_per_s"].values())
    assert all(n == 0 for n in d["request_errors"].values())
    assert d["engine_startup_s"]["vllm"] > 0 and m.value > 0


def test_gpu_student_code_path_runs_on_cpu_at_tiny_size():
    torch = pytest.importorskip("torch")
    caption, train = bench.measure_student(bench.TINY_STUDENT, "cpu", bench.SIZES["smoke"])
    assert caption.measure == "gpu_student_captions_per_s" and caption.value > 0
    assert caption.details["output_tokens"] == bench.TINY_STUDENT.output_tokens
    assert caption.details["image_tokens"] == 16 and caption.details["tflop_per_caption"] > 0
    assert train.details["tokens_per_s"] > 0 and torch.isfinite(torch.tensor(train.details["final_loss"]))
    assert train.value is None  # no peak FLOP/s for a CPU, so no MFU


def test_real_student_is_about_three_tflop_per_caption():
    torch = pytest.importorskip("torch")
    model, n_img = bench.build_random_student(bench.REAL_STUDENT, "meta", torch.bfloat16)
    shape = bench.REAL_STUDENT
    flops = bench.student_forward_flops(model, n_img, n_img + shape.alt_text_tokens + shape.instruction_tokens
                                        + shape.output_tokens, shape.output_tokens)
    assert n_img == 729
    assert 0.38e9 < flops["params_vision"] < 0.45e9  # SigLIP-so400m
    assert 1.2e9 < flops["params_lm_non_embedding"] < 1.4e9  # Qwen2.5-1.5B without its embeddings
    assert 2.7e12 < flops["total"] < 3.3e12
    assert 300 < bench.PEAK_BF16_FLOPS["H100"] / flops["total"] < 370  # the ~330 captions/s ceiling


def test_gpu_measure_is_skipped_with_a_message_without_cuda():
    if bench.cuda_available():
        pytest.skip("CUDA is available here")
    measures = bench.measure_gpu(bench.SIZES["smoke"])
    assert [m.measure for m in measures] == ["gpu_student_captions_per_s", "gpu_student_train_mfu"]
    assert all(m.value is None and "no GPU" in m.skipped for m in measures)


def test_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="unknown measure"):
        bench.run_bench(mode="smoke", only=["nope"])
