"""Training as a job: stop and resume in a fresh process, and two gloo ranks vs one process (CPU, tiny models).

Both read real shard tars (demo shards) through the streaming dataset, with DataLoader workers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import torch
from safetensors.torch import load_file

from kale_assets.commit import commit_tables
from kale_assets.demo_data import write_demo_shards
from kale_assets.filtering import load_rules
from kale_assets.layout import WorkLayout
from kale_assets.shard_io import list_shards, read_shard
from kale_assets.training.checkpoint import latest_checkpoint
from kale_assets.training.data import (
    TarImages,
    prepare_training_data,
    stage1_training_tables,
)
from kale_assets.training.loop import FINAL, FINAL_STATE, TrainingJob
from kale_assets.training.specs import StudentSpec, TrainSpec

WORDS = ["dog", "cat", "tree", "bird", "car", "boat", "house", "bridge", "tower", "garden"]


def _caption(uid: str) -> str:
    n = int(uid[:8], 16)
    a, b, c = (WORDS[(n >> s) % len(WORDS)] for s in (0, 4, 8))
    return f"A painting of a {a} next to a {b} in the park, with a small {c} near the old museum."


def stage1_work(root: Path, n_shards: int, samples_per_shard: int) -> tuple[WorkLayout, dict[str, str]]:
    """Demo shards ingested, with a fused caption for every sample (what stage 1 would leave behind)."""
    write_demo_shards(root / "src", n_shards=n_shards, samples_per_shard=samples_per_shard, hostile=False)
    layout = WorkLayout(root / "work")
    tar_urls = {}
    for ref in list_shards(str(root / "src")):
        manifest = read_shard(ref).manifest
        commit_tables(layout, "datacomp_shards", ref.shard_id, manifest)
        fused = manifest.select("uid", pl.col("uid").map_elements(_caption, return_dtype=pl.String).alias("caption"),
                                pl.lit("fusion-model").alias("model_id"), pl.lit("r1").alias("model_revision"))
        commit_tables(layout, "fused_captions", ref.shard_id, fused)
        tar_urls[ref.shard_id] = ref.tar_url
    return layout, tar_urls


@pytest.fixture(scope="module")
def setup(tiny_models, tmp_path_factory):
    root = tmp_path_factory.mktemp("training-job")
    layout, tar_urls = stage1_work(root, n_shards=2, samples_per_shard=14)
    prepared = prepare_training_data(stage1_training_tables(layout, sorted(tar_urls)), root / "data",
                                     rules=load_rules(None), heldout_fraction=0.15, min_heldout=2, seed=0)
    spec = StudentSpec(
        recipe="llava_compose", vision_tower_id=str(tiny_models.student_vision),
        language_model_id=str(tiny_models.student_lm),
        train=TrainSpec(global_batch_size=4, micro_batch_size=2, data_streams=4, max_steps=6, eval_every_steps=3,
                        checkpoint_every_steps=2, keep_checkpoints=2, learning_rate=3e-3, warmup_ratio=0.2,
                        num_workers=2, heldout_eval_samples=4, max_target_tokens=32))
    return root, prepared, TarImages(tar_urls), spec


def _run(root: Path, name: str, spec: StudentSpec, prepared, images, *, world: int = 1,
         stop_after: int | None = None) -> tuple[str, Path]:
    run_dir = root / name
    run_dir.mkdir(exist_ok=True)
    job = TrainingJob(spec.to_json(), prepared.root, str(run_dir), images.to_json(), "cpu", stop_after)
    job.save(run_dir / "job.json")
    module = ["-m", "kale_assets.training.loop", str(run_dir / "job.json")]
    launcher = [] if world == 1 else ["-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={world}"]
    # One intra-op thread everywhere: float sums then happen in the same order in every process.
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, *launcher, *module], env=env, capture_output=True, text=True, timeout=240,
                         check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1], run_dir


def _curve(run_dir: Path, split: str) -> list[tuple[int, float]]:
    state = json.loads((run_dir / FINAL / FINAL_STATE).read_text())
    return [(p["step"], p["loss"]) for p in state["curve"] if p["split"] == split]


def test_stopped_run_resumes_in_a_fresh_process_to_the_same_weights(setup):
    root, prepared, images, spec = setup
    assert _run(root, "whole", spec, prepared, images)[0] == "done"
    outcome, resumed = _run(root, "resumed", spec, prepared, images, stop_after=3)
    assert outcome == "stopped" and not (resumed / FINAL).exists()
    assert latest_checkpoint(resumed).name == "step-00000003"
    assert sorted(p.name for p in (resumed / "checkpoints").iterdir()) == ["step-00000002", "step-00000003"]
    saved = latest_checkpoint(resumed)
    assert {p.name for p in saved.iterdir()} == {"trainable.safetensors", "optimizer.safetensors", "optimizer.json",
                                                 "rng-rank-0.safetensors", "state.json"}
    assert _run(root, "resumed", spec, prepared, images)[0] == "done"
    state = json.loads((resumed / FINAL / FINAL_STATE).read_text())
    assert state["resumed_from"] == "step-00000003" and state["steps"] == 6
    whole = (root / "whole" / FINAL / "model.safetensors").read_bytes()
    assert whole == (resumed / FINAL / "model.safetensors").read_bytes()  # bit-exact
    assert _curve(root / "whole", "train") == _curve(resumed, "train")
    assert _curve(root / "whole", "heldout") == _curve(resumed, "heldout")


def test_two_gloo_ranks_follow_the_one_process_loss_curve(setup):
    root, prepared, images, spec = setup
    if not (root / "whole" / FINAL).exists():
        _run(root, "whole", spec, prepared, images)
    assert _run(root, "two-ranks", spec, prepared, images, world=2)[0] == "done"
    one, two = _curve(root / "whole", "train"), _curve(root / "two-ranks", "train")
    assert [s for s, _ in one] == [s for s, _ in two] == list(range(1, 7))
    # Same samples per step; only the float summation order differs (micro-batch split, gradient all-reduce).
    assert [b for _, b in two] == pytest.approx([a for _, a in one], rel=1e-4)
    assert [b for _, b in _curve(root / "two-ranks", "heldout")] == pytest.approx(
        [a for _, a in _curve(root / "whole", "heldout")], rel=1e-4)
    assert one[-1][1] < one[0][1]  # and it learns
    a = load_file(str(root / "whole" / FINAL / "model.safetensors"))
    b = load_file(str(root / "two-ranks" / FINAL / "model.safetensors"))
    assert a.keys() == b.keys()
    assert max((a[k] - b[k]).abs().max().item() for k in a) < 1e-4
    assert json.loads((root / "two-ranks" / FINAL / FINAL_STATE).read_text())["world_size"] == 2
    assert all(torch.isfinite(t).all() for t in b.values())
