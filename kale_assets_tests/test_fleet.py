"""The Ray executor (`kale_assets.fleet`) on a real local Ray cluster: a head node without CPUs and two worker
nodes on 127.0.0.1, so every decode task and engine actor runs in a worker node's processes.

What must hold: the three generation stages give exactly the local executor's tables; an engine actor killed
mid-stage costs nothing (its batch is retried, nothing lost or counted twice, accounts balance); every actor
loads its model once per stage run whatever the number of shards.
"""

from __future__ import annotations

import os
import signal
from dataclasses import replace

import polars as pl
import pytest

from kale_assets.captioning import run_fusion, run_student, run_teacher
from kale_assets.config import tiny_preset
from kale_assets.demo_data import write_demo_shards
from kale_assets.engines import build_engine, release_engines
from kale_assets.fleet import RaySettings, pipeline
from kale_assets.fleet.cluster import LocalCluster, connected, quiet_ray_data
from kale_assets.fleet.tokens import driver_budget
from kale_assets.prompts import AltTextBudget
from kale_assets.shard_io import list_shards, read_shard

SETTINGS = RaySettings(batch_size=3)


@pytest.fixture(scope="module")
def cluster():
    # Worker nodes get 3 logical CPUs: two 1-CPU actors plus decode tasks fit on either node alone, so an actor
    # restarted after its process was killed always finds room.
    with LocalCluster(head_cpus=0, worker_nodes=2, cpus_per_worker=3) as local:
        local.wait_for_nodes()
        with connected(local.address):
            quiet_ray_data()
            yield local


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    src = tmp_path_factory.mktemp("fleet_src")
    write_demo_shards(src, n_shards=2, samples_per_shard=8, seed=11)
    return [(ref, read_shard(ref).manifest) for ref in list_shards(str(src))]


@pytest.fixture(scope="module")
def specs(tiny_models_dir, tiny_models):
    preset = tiny_preset(tiny_models_dir)
    # The ready-made tiny VLM stands in for a trained student: same engine path, no training needed here.
    return preset, replace(preset.student_generation, model_id=str(tiny_models.student_vlm))


@pytest.fixture(scope="module")
def local_outputs(shards, specs):
    preset, student = specs
    teacher = {ref.shard_id: run_teacher(ref, manifest, build_engine(preset.teacher)) for ref, manifest in shards}
    fusion_engine = build_engine(preset.fusion)
    budget = AltTextBudget.for_engine(preset.alt_text_max_tokens, fusion_engine)
    fused = {ref.shard_id: run_fusion(teacher[ref.shard_id].captions, manifest, fusion_engine, budget)
             for ref, manifest in shards}
    student_engine = build_engine(student)
    budget = AltTextBudget.for_engine(preset.alt_text_max_tokens, student_engine)
    stage2 = {ref.shard_id: run_student(ref, manifest, student_engine, budget) for ref, manifest in shards}
    release_engines()
    return {"teacher": teacher, "fusion": fused, "student": stage2}


def _assert_same(ray_outputs: dict, local: dict) -> None:
    assert ray_outputs.keys() == local.keys()
    for shard_id, out in ray_outputs.items():
        assert out.captions.equals(local[shard_id].captions), shard_id
        assert out.rejected.equals(local[shard_id].rejected), shard_id
        assert out.n_input == local[shard_id].n_input == len(out.captions) + len(out.rejected)


def test_three_stages_on_ray_equal_the_local_executor(cluster, shards, specs, local_outputs):
    preset, student = specs
    teacher = pipeline.run_teacher(shards, preset.teacher, SETTINGS)
    _assert_same(teacher.outputs, local_outputs["teacher"])
    # Two actors, two shards, one stage run: no actor loaded its model more than once (with this little work the
    # first actor ready may serve every batch before the second has loaded).
    assert 1 <= teacher.model_loads <= SETTINGS.actors["teacher"]
    assert teacher.requests == sum(len(m) for _, m in shards)

    fused = pipeline.run_fusion([(ref.shard_id, teacher.outputs[ref.shard_id].captions, manifest)
                                 for ref, manifest in shards], preset.fusion,
                                driver_budget(preset.fusion, preset.alt_text_max_tokens), SETTINGS)
    _assert_same(fused.outputs, local_outputs["fusion"])

    stage2 = pipeline.run_student(shards, student, driver_budget(student, preset.alt_text_max_tokens), SETTINGS)
    _assert_same(stage2.outputs, local_outputs["student"])
    assert set(stage2.outputs["00000000"].captions["engine"]) == {"transformers"}


def test_an_actor_killed_mid_stage_loses_and_duplicates_nothing(cluster, shards, specs, local_outputs):
    preset, _ = specs
    killed: list[int] = []

    def kill_first_actor(batch: dict) -> None:
        # The first answer comes while other batches are still queued on both actors: kill the actor that
        # answered, hard, as the OOM killer or a lost machine would.
        if not killed:
            killed.append(int(batch["pid"][0]))
            os.kill(killed[0], signal.SIGKILL)

    run = pipeline.run_teacher(shards, preset.teacher, replace(SETTINGS, batch_size=1), on_batch=kill_first_actor)
    assert killed
    _assert_same(run.outputs, local_outputs["teacher"])
    for out in run.outputs.values():
        out.check_accounting()
    # The killed actor's process came back (Ray Data restarts pool actors) and served its batches again.
    assert run.model_loads >= 3
    assert run.requests == sum(len(m) for _, m in shards)


def test_empty_shards_still_report_the_engine(cluster, shards, specs):
    preset, _ = specs
    ref, manifest = shards[0]
    run = pipeline.run_teacher([(ref, manifest.head(0))], preset.teacher, SETTINGS)
    out = run.outputs[ref.shard_id]
    assert (out.n_input, len(out.captions), len(out.rejected)) == (0, 0, 0)
    assert run.info.model_id == preset.teacher.model_id and run.model_loads == 0


def test_ray_settings_reject_nonsense():
    with pytest.raises(ValueError, match="roles"):
        RaySettings(actors={"painter": 1})
    with pytest.raises(ValueError, match=">= 1"):
        RaySettings(actors={"teacher": 0})
    with pytest.raises(ValueError, match="unknown ray settings"):
        RaySettings.from_dict({"adress": "x"})
    assert RaySettings.from_dict({"actors": {"student": 4}}).actors == {"teacher": 2, "fusion": 2, "student": 4}
    from kale_assets.config import PipelineConfig

    with pytest.raises(ValueError, match="executor must be one of"):
        PipelineConfig(workdir="w", source="s", executor="spark")


def test_the_registered_ray_resource_never_connects_at_step_start():
    # A step of the local executor must not start or join Ray; only a stage on the ray executor connects.
    from kale_assets.definitions import defs

    lifecycle = defs.resources["ray_cluster"].lifecycle
    assert (lifecycle.create, lifecycle.wait, lifecycle.connect, lifecycle.cleanup) == (False, False, False, "never")


def test_ray_options_without_the_ray_executor_are_a_usage_error(demo_source, tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "kale_assets.cli", "run", "--source", str(demo_source), "--workdir",
                           str(tmp_path / "w"), "--ray-address", "127.0.0.1:6379"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "--executor ray" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------------------------- through Dagster
# `kale run` end to end (every asset through Dagster, the stage assets on Ray) against the local executor, on the
# same demo shards and tiny models. Runs are subprocesses: each `kale run` points its process at its own
# DAGSTER_HOME and work folder.


def _kale_run(source, workdir, models_dir, *extra: str) -> dict:
    import json
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "DAGSTER_HOME", "KALE_WORKDIR")}
    proc = subprocess.run([sys.executable, "-m", "kale_assets.cli", "run", "--source", str(source), "--workdir",
                           str(workdir), "--models-dir", models_dir, "--stage1-fraction", "0.5", *extra],
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads((workdir / "summary.json").read_text())


def _tables(workdir) -> dict[str, pl.DataFrame]:
    """Every stage and final table, output and rejected, with the work folder's own path taken out (the student's
    model_id is its folder inside the work folder)."""
    tables = {}
    for asset in ("stage1_captions", "fused_captions", "stage2_captions", "kale_shards"):
        for sub in ("", "rejected/"):
            for path in sorted((workdir / sub / asset).glob("*.parquet")):
                frame = pl.read_parquet(path)
                tables[f"{sub}{asset}/{path.name}"] = frame.with_columns(
                    pl.col(c).str.replace_all(str(workdir.resolve()), "<workdir>", literal=True)
                    for c, t in frame.schema.items() if t == pl.Utf8)
    return tables


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory):
    src = tmp_path_factory.mktemp("fleet_demo")
    write_demo_shards(src, n_shards=2, samples_per_shard=4, seed=2)
    return src


@pytest.fixture(scope="module")
def local_run(demo_source, tiny_models_dir, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fleet_local") / "work"
    summary = _kale_run(demo_source, workdir, tiny_models_dir)
    assert summary["all_succeeded"]
    return workdir, _tables(workdir)


def _assert_same_tables(workdir, local_run) -> None:
    _, expected = local_run
    tables = _tables(workdir)
    assert tables.keys() == expected.keys()
    assert {name.split("/")[-2] for name in tables} >= {"stage1_captions", "fused_captions", "stage2_captions",
                                                       "kale_shards"}
    for name, frame in tables.items():
        assert frame.equals(expected[name]), name


def test_kale_run_on_the_two_node_cluster_by_address_equals_local(cluster, demo_source, tiny_models_dir, local_run,
                                                                   tmp_path):
    workdir = tmp_path / "work"
    summary = _kale_run(demo_source, workdir, tiny_models_dir, "--executor", "ray", "--ray-address", cluster.address)
    assert summary["all_succeeded"]
    _assert_same_tables(workdir, local_run)
    for shard in summary["shards"].values():  # every sample ends as a final row or a rejected row
        assert shard["complete"] and shard["input"] == shard["kept"] + shard["rejected"]


def test_kale_run_executor_ray_starts_a_local_cluster(demo_source, tiny_models_dir, local_run, tmp_path):
    workdir = tmp_path / "work"
    summary = _kale_run(demo_source, workdir, tiny_models_dir, "--executor", "ray")
    assert summary["all_succeeded"]
    _assert_same_tables(workdir, local_run)
    from kale_assets.config import PipelineConfig

    assert PipelineConfig.load(workdir).executor == "ray"
