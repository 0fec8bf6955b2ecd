"""SIGKILL `kale run` at exact points, then a plain re-run: it must finish by itself, within a time bound, with
final shards identical to an uninterrupted run (crash-safety issue). The full 20-point measurement is
`python -m kale_assets_tests.crash_harness --points 20`; CI runs the three hardest points."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from kale_assets.demo_data import write_demo_shards
from kale_assets_tests.crash_harness import (
    RERUN_TIMEOUT_S,
    kale_command,
    kill_and_rerun,
    run_reference,
)

POINTS = [
    "stage:after_chunk@1",         # inside a GPU-pool step: generated, not yet committed
    "atomic_dir:before_rename@1",  # during the student save
    "commit:after_file@3",         # during a commit: one file renamed, the manifest not written
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, tiny_models_dir):
    root = tmp_path_factory.mktemp("crash")
    source = root / "source"
    write_demo_shards(source, n_shards=2, samples_per_shard=6, seed=3)
    return root, source, Path(tiny_models_dir), run_reference(source, Path(tiny_models_dir), root / "reference")


@pytest.mark.parametrize("point", POINTS)
def test_a_plain_rerun_after_sigkill_gives_identical_final_shards(reference, point):
    root, source, models, frames = reference
    workdir = root / point.replace(":", "-").replace("@", "-")
    result = kill_and_rerun(point, source, models, workdir, frames)
    assert result.killed, f"{point} was never reached: the run finished without being killed"
    assert result.rerun_rc == 0 and result.identical, result.detail
    assert result.rerun_seconds < RERUN_TIMEOUT_S
    # Nothing of the killed run is left behind: no staging folder, no temporary files.
    assert not [p for p in (workdir / "_staging").rglob("*") if p.is_file()]
    assert not [p for p in workdir.rglob(".*.tmp-*")]
    summary = json.loads((workdir / "summary.json").read_text())
    assert summary["all_succeeded"]


def test_a_second_kale_run_on_the_same_work_folder_is_refused_naming_the_holder(reference, tmp_path):
    root, source, models, _ = reference
    workdir = tmp_path / "locked"
    command = kale_command(source, workdir, models)
    env = {k: v for k, v in os.environ.items() if k not in ("KALE_WORKDIR", "DAGSTER_HOME")}
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        lock = workdir / ".kale.lock"
        for _ in range(600):
            if lock.exists() and lock.read_text().strip():
                break
            first.poll()
            assert first.returncode is None, "the first run ended before taking the lock"
            import time

            time.sleep(0.05)
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert f"pid {first.pid}" in second.stderr and "in use by another kale run" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.kill()
        first.wait()


@pytest.fixture
def small_disk(tmp_path):
    """A real 14 MiB file system (tmpfs): the work folder fills it during the run."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=14m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_fails_with_one_line_and_a_summary_then_a_rerun_with_space_completes(reference, small_disk):
    root, source, models, frames = reference
    workdir = small_disk / "work"
    command = kale_command(source, workdir, models)
    env = {k: v for k, v in os.environ.items() if k not in ("KALE_WORKDIR", "DAGSTER_HOME")}
    full = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RERUN_TIMEOUT_S)
    assert full.returncode == 1, full.stderr[-2000:]
    assert "Traceback" not in full.stderr
    errors = [line for line in full.stderr.splitlines() if line.startswith("kale: error:")]
    assert len(errors) == 1 and "disk full" in errors[0] and "run the same command again" in errors[0]
    summary = json.loads((workdir / "summary.json").read_text())
    assert summary["all_succeeded"] is False and "disk full" in summary["fatal_error"]
    assert not all(s["complete"] for s in summary["shards"].values())

    subprocess.run(["mount", "-o", "remount,size=256m", str(small_disk)], check=True)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RERUN_TIMEOUT_S)
    assert again.returncode == 0, again.stderr[-2000:]
    from kale_assets_tests.crash_harness import final_frames, same_output

    identical, detail = same_output(final_frames(workdir), frames)
    assert identical, detail
