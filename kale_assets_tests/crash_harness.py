"""Kill `kale run` with SIGKILL at chosen points, re-run the same command, compare with an uninterrupted run.

Used by `test_crash_recovery.py` (a few points, in CI) and as a script for the full measurement:

    .venv/bin/python -m kale_assets_tests.crash_harness --points 20 --out test-artifacts/crash_points.json

Kill points are named fail points (`kale_assets.faults`: inside a GPU-pool step after a chunk, between the
files of a commit, before the rename of an atomic folder such as the student save, between runs) and
wall-clock kills spread over the run. Each point uses a fresh work folder; the tiny models are built once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from kale_assets.faults import FAILPOINT_ENV

RERUN_TIMEOUT_S = 600
# Named points over a 2-shard run (7 commits of 2 files, 12 runs, 1 student save).
NAMED_POINTS = [
    "stage:after_chunk@1", "commit:after_file@1", "atomic_dir:before_rename@1", "runner:after_run@2",
    "commit:after_file@2", "stage:after_chunk@2", "commit:after_file@4", "runner:after_run@5",
    "commit:after_file@6", "stage:after_chunk@3", "commit:after_file@8", "runner:after_run@8",
    "commit:after_file@10", "runner:after_run@10", "commit:after_file@12", "commit:after_file@13",
    "runner:after_run@11",
]
# Wall-clock kills, as fractions of the uninterrupted run's time: early enough that the run is still going
# (re-runs are often faster than the first run, which also wrote the models' caches).
TIMED_FRACTIONS = (0.15, 0.35, 0.55)


@dataclass
class PointResult:
    point: str
    killed: bool
    rerun_rc: int
    rerun_seconds: float
    identical: bool
    detail: str = ""


def kale_command(source: Path, workdir: Path, models_dir: Path) -> list[str]:
    return [sys.executable, "-m", "kale_assets.cli", "run", "--source", str(source), "--workdir", str(workdir),
            "--models-dir", str(models_dir), "--stage1-fraction", "0.5"]


def _env(failpoint: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KALE_WORKDIR", "DAGSTER_HOME", FAILPOINT_ENV)}
    if failpoint:
        env[FAILPOINT_ENV] = failpoint
    return env


def final_frames(workdir: Path) -> dict[str, pl.DataFrame]:
    """Final shards with the work folder's own path written as ``<workdir>`` (the student's model id is its
    folder), so runs in different folders compare equal when their content is."""
    frames = {}
    for path in sorted((workdir / "kale_shards").glob("*.parquet")):
        frame = pl.read_parquet(path)
        frames[path.name] = frame.with_columns(
            pl.col(pl.String).str.replace_all(str(workdir.resolve()), "<workdir>", literal=True))
    return frames


def same_output(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> tuple[bool, str]:
    if a.keys() != b.keys():
        return False, f"shards differ: {sorted(a)} vs {sorted(b)}"
    for name in a:
        if not a[name].equals(b[name]):
            return False, f"{name} differs"
    return True, ""


def run_reference(source: Path, models_dir: Path, workdir: Path) -> dict[str, pl.DataFrame]:
    subprocess.run(kale_command(source, workdir, models_dir), env=_env(None), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=RERUN_TIMEOUT_S)
    return final_frames(workdir)


def kill_and_rerun(point: str, source: Path, models_dir: Path, workdir: Path,
                   reference: dict[str, pl.DataFrame]) -> PointResult:
    """``point`` is a fail point name (``name@n``) or ``time:<seconds>`` for a wall-clock SIGKILL."""
    command = kale_command(source, workdir, models_dir)
    failpoint = None if point.startswith("time:") else point
    process = subprocess.Popen(command, env=_env(failpoint), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    if point.startswith("time:"):
        try:
            process.wait(float(point.split(":", 1)[1]))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(RERUN_TIMEOUT_S)
    killed = process.returncode == -signal.SIGKILL
    # Anything the killed run left (a vLLM worker, a spawned step) dies with its session.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    started = time.perf_counter()
    rerun = subprocess.run(command, env=_env(None), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=RERUN_TIMEOUT_S)
    seconds = time.perf_counter() - started
    identical, detail = same_output(final_frames(workdir), reference)
    if rerun.returncode != 0:
        detail = (detail + " " + rerun.stderr.strip()[-300:]).strip()
    return PointResult(point, killed, rerun.returncode, round(seconds, 1), identical and rerun.returncode == 0, detail)


def main(argv: list[str] | None = None) -> int:
    from kale_assets.demo_data import write_demo_shards
    from kale_assets.tiny_models import build_tiny_models

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--root", default="test-artifacts/crash")
    parser.add_argument("--out", default="test-artifacts/crash_points.json")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    source, models = root / "source", root / "models"
    write_demo_shards(source, n_shards=2, samples_per_shard=6, seed=3)
    build_tiny_models(models)
    started = time.perf_counter()
    reference = run_reference(source, models, root / "reference")
    wall = time.perf_counter() - started
    n_timed = max(0, args.points - len(NAMED_POINTS))
    points = NAMED_POINTS[:args.points] + [f"time:{wall * f:.1f}" for f in TIMED_FRACTIONS[:n_timed]]
    results = []
    for i, point in enumerate(points):
        result = kill_and_rerun(point, source, models, root / f"point-{i:02d}", reference)
        results.append(asdict(result))
        print(json.dumps(results[-1]), flush=True)
    good = sum(r["identical"] for r in results)
    killed = sum(r["killed"] for r in results)
    report = {"points": len(results), "killed": killed, "identical_after_rerun": good,
              "reference_seconds": round(wall, 1),
              "max_rerun_seconds": max(r["rerun_seconds"] for r in results), "results": results}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"{good} of {len(results)} kill points ({killed} of them reached before the run ended): a plain re-run "
          f"finished with identical final shards")
    return 0 if good == len(results) == killed else 1


if __name__ == "__main__":
    sys.exit(main())
