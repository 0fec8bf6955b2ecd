"""Peak host memory of student training against the number of stage-1 shards (tiny models, CPU).

    python -m kale_assets.training.measure --shards 1 4 8 --samples-per-shard 48 [--out DIR]

For each shard count it writes demo shards with a fused caption per sample, prepares them, and trains one epoch
over all of them in a fresh process (DataLoader workers on); it prints the peak RSS of the training process and
of its largest DataLoader worker (``/proc``: VmHWM, polled VmRSS), and, for contrast, of a process that decodes every training
image into one list (what training did before it streamed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def _status_kib(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _own_peak_mib() -> float:
    # VmHWM belongs to this process image; getrusage's ru_maxrss would also count the parent's peak before
    # exec (Linux keeps it across execve), which hides what this process itself used.
    return _status_kib("self", "VmHWM") / 1024


class _ChildWatch:
    """Polls the RSS of this process's children (the DataLoader workers) and keeps the largest seen."""

    def __init__(self, every_s: float = 0.05):
        import threading

        self.peak_kib, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every_s,), daemon=True)

    def _run(self, every_s: float) -> None:
        me = os.getpid()
        while not self._stop.wait(every_s):
            for pid in Path(f"/proc/{me}/task/{me}/children").read_text().split():
                try:
                    self.peak_kib = max(self.peak_kib, _status_kib(pid, "VmRSS"))
                except (FileNotFoundError, ProcessLookupError):
                    continue  # a worker that just ended

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _prepare_work(root: Path, n_shards: int, samples: int, models_dir: Path) -> Path:
    """Demo shards + fused captions + prepared tables + a job file; returns the job file."""
    import polars as pl

    from kale_assets.commit import commit_tables
    from kale_assets.demo_data import write_demo_shards
    from kale_assets.filtering import load_rules
    from kale_assets.layout import WorkLayout
    from kale_assets.shard_io import list_shards, read_shard
    from kale_assets.tiny_models import build_tiny_models
    from kale_assets.training.data import (
        TarImages,
        prepare_training_data,
        stage1_training_tables,
    )
    from kale_assets.training.loop import TrainingJob
    from kale_assets.training.specs import StudentSpec, TrainSpec

    tiny = build_tiny_models(models_dir)
    write_demo_shards(root / "src", n_shards=n_shards, samples_per_shard=samples, hostile=False)
    layout = WorkLayout(root / "work")
    tar_urls = {}
    for ref in list_shards(str(root / "src")):
        manifest = read_shard(ref).manifest
        commit_tables(layout, "datacomp_shards", ref.shard_id, manifest)
        fused = manifest.select("uid", (pl.lit("A detailed painting of ") + pl.col("alt_text") +
                                        pl.lit(" in a park near the old museum.")).alias("caption"),
                                pl.lit("fusion").alias("model_id"), pl.lit("r").alias("model_revision"))
        commit_tables(layout, "fused_captions", ref.shard_id, fused)
        tar_urls[ref.shard_id] = ref.tar_url
    prepared = prepare_training_data(stage1_training_tables(layout, sorted(tar_urls)), root / "data",
                                     rules=load_rules(None), heldout_fraction=0.05, min_heldout=1, seed=0)
    spec = StudentSpec(recipe="llava_compose", vision_tower_id=str(tiny.student_vision),
                       language_model_id=str(tiny.student_lm),
                       train=TrainSpec(epochs=1, global_batch_size=8, micro_batch_size=4, data_streams=4,
                                       num_workers=2, eval_every_steps=0, heldout_eval_samples=8,
                                       max_target_tokens=32, shuffle_window=16))
    job = TrainingJob(spec.to_json(), prepared.root, str(root / "run"), TarImages(tar_urls).to_json(), "cpu")
    job.save(root / "job.json")
    return root / "job.json"


def _train_and_report(job_file: str) -> None:
    from kale_assets.training.data import PreparedData
    from kale_assets.training.loop import TrainingJob, run_training

    job = TrainingJob.load(job_file)
    with _ChildWatch() as workers:
        run_training(job)
    prepared = PreparedData.load(job.prepared_root)
    print(json.dumps({"train_rows": prepared.n_train, "peak_rss_mib": round(_own_peak_mib(), 1),
                      "largest_worker_rss_mib": round(workers.peak_kib / 1024, 1)}))


def _decode_everything(job_file: str) -> None:
    """The old way: every training image decoded into one list before training."""
    from kale_assets.training.data import (
        PreparedData,
        image_source_from_json,
        read_rows,
    )
    from kale_assets.training.loop import TrainingJob

    job = TrainingJob.load(job_file)
    prepared = PreparedData.load(job.prepared_root)
    images = image_source_from_json(job.images)
    held = []
    for shard in prepared.shards:
        held += [img for _, img in read_rows(images, shard.shard_id, prepared.row_dicts(shard, heldout=False))]
    print(json.dumps({"images": len(held), "peak_rss_mib": round(_own_peak_mib(), 1)}))


def _child(flag: str, job_file: Path) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-m", "kale_assets.training.measure", flag, str(job_file)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shards", type=int, nargs="+", default=[1, 4, 8])
    p.add_argument("--samples-per-shard", type=int, default=48)
    p.add_argument("--out", default=None)
    p.add_argument("--train", default=None, help=argparse.SUPPRESS)
    p.add_argument("--decode-all", default=None, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.train:
        return _train_and_report(a.train)
    if a.decode_all:
        return _decode_everything(a.decode_all)
    root = Path(a.out or tempfile.mkdtemp(prefix="kale-train-mem-"))
    rows = []
    for n in a.shards:
        job = _prepare_work(root / f"shards-{n}", n, a.samples_per_shard, root / "models")
        rows.append({"shards": n, **_child("--train", job),
                     "decode_all_peak_rss_mib": _child("--decode-all", job)["peak_rss_mib"]})
        print(json.dumps(rows[-1]), flush=True)
    (root / "training_memory.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
