"""The backfill schedule, evaluated against a real tiny work folder and its SQLite Dagster instance.

Requested runs are executed in-process with the asset subset the schedule selects from shard_repair_job, as
the daemon would launch them. Tests share the work folder and run in file order.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest
from dagster import AssetKey, DagsterInstance, DagsterRunStatus, build_schedule_context

from kale_assets.config import PipelineConfig
from kale_assets.definitions import defs, shard_repair_job
from kale_assets.defs.resources import KaleResource
from kale_assets.defs.schedules import build_backfill_schedule
from kale_assets.defs.sensors import PLAN_ASSETS
from kale_assets.demo_data import write_demo_shards
from kale_assets.layout import WorkLayout
from kale_assets.runner import QUIET_LOGS
from kale_assets_tests.dagster_servers import build_work_folder

TICK = datetime(2026, 11, 21, 12, 30, tzinfo=timezone.utc)
NEXT_TICK = datetime(2026, 11, 21, 13, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def work(tmp_path_factory, tiny_models_dir) -> PipelineConfig:
    return build_work_folder(tmp_path_factory.mktemp("schedules"), tiny_models_dir, n_shards=2, samples_per_shard=8,
                             seed=1, stage1_fraction=0.5)


def evaluate(schedule_def, instance, workdir, when=TICK):
    context = build_schedule_context(instance=instance, instance_ref=instance.get_ref(), scheduled_execution_time=when,
                                     resources={"kale": KaleResource(workdir=str(workdir))},
                                     repository_def=defs.get_repository_def())
    return schedule_def.evaluate_tick(context)


def execute(instance, request, raise_on_error=True):
    result = defs.resolve_job_def("shard_repair_job").execute_in_process(
        instance=instance, partition_key=request.partition_key, asset_selection=list(request.asset_selection),
        tags={"dagster/run_key": request.run_key}, run_config=QUIET_LOGS, raise_on_error=False)
    if raise_on_error:
        assert result.success, request
    return result


def plans(result) -> list[tuple[str, str]]:
    return [(r.partition_key, r.tags["kale/plan"]) for r in result.run_requests]


def _add_source_shards(work, tmp_path, shard_ids):
    extra = tmp_path / "extra"
    write_demo_shards(extra, n_shards=max(int(s) for s in shard_ids) + 1, samples_per_shard=8, seed=3, hostile=False)
    for shard_id in shard_ids:
        for suffix in (".tar", ".parquet"):
            shutil.copyfile(extra / f"{shard_id}{suffix}", f"{work.source}/{shard_id}{suffix}")


def test_the_schedule_is_wired_to_the_shard_repair_job():
    schedule_def = defs.resolve_schedule_def("backfill_missing_shards")
    assert schedule_def.cron_schedule == "*/30 * * * *"
    assert schedule_def.job_name == "shard_repair_job"
    assert schedule_def.default_status.value == "RUNNING"
    graph = defs.resolve_asset_graph()
    job = defs.resolve_job_def("shard_repair_job")
    job_assets = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert job_assets == {a for assets in PLAN_ASSETS.values() for a in assets}
    assert {graph.get(AssetKey(a)).partitions_def.name for a in job_assets} == {"shards"}


def test_the_schedule_skips_with_a_reason_when_the_work_folder_is_not_configured(tmp_path):
    (tmp_path / "home").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "home")) as inst:
        schedule_def = defs.resolve_schedule_def("backfill_missing_shards")
        result = evaluate(schedule_def, inst, tmp_path / "empty")
        assert result.run_requests == [] and "kale.yaml" in result.skip_message


def test_a_complete_work_folder_needs_nothing(work, instance):
    result = evaluate(defs.resolve_schedule_def("backfill_missing_shards"), instance, work.root)
    assert result.run_requests == []
    assert "nothing to backfill" in result.skip_message and "2 shard(s) registered" in result.skip_message


def test_missing_shards_get_their_pool_path_capped_per_tick(work, instance, env, tmp_path):
    assert work.pool_rule.pool_of("00000002") == "stage1" and work.pool_rule.pool_of("00000003") == "stage2"
    _add_source_shards(work, tmp_path, ["00000002", "00000003"])
    instance.add_dynamic_partitions("shards", ["00000002", "00000003"])  # registered, never materialized
    schedule_def = defs.resolve_schedule_def("backfill_missing_shards")

    result = evaluate(schedule_def, instance, work.root)
    assert plans(result) == [("00000002", "stage1"), ("00000003", "stage2")]
    assert [set(r.asset_selection) for r in result.run_requests] == [
        {AssetKey(a) for a in PLAN_ASSETS["stage1"]}, {AssetKey(a) for a in PLAN_ASSETS["stage2"]}]
    keys = [r.run_key for r in result.run_requests]
    assert len(set(keys)) == 2 and all(TICK.isoformat() in k for k in keys)
    # the same tick evaluated again asks for the same runs (the daemon drops them); the next tick is new
    assert [r.run_key for r in evaluate(schedule_def, instance, work.root).run_requests] == keys
    assert not set(keys) & {r.run_key for r in evaluate(schedule_def, instance, work.root, NEXT_TICK).run_requests}

    capped = evaluate(build_backfill_schedule(shard_repair_job, max_runs_per_tick=1), instance, work.root)
    assert plans(capped) == [("00000002", "stage1")]

    # a shard with a run that has not finished is left alone
    pending = instance.create_run_for_job(defs.resolve_job_def("stage1_shard_job"), status=DagsterRunStatus.NOT_STARTED,
                                          tags={"dagster/partition": "00000002"})
    try:
        assert plans(evaluate(schedule_def, instance, work.root)) == [("00000003", "stage2")]
    finally:
        instance.delete_run(pending.run_id)

    # without a student a stage-2 shard is only ingested, then waits
    pointer = WorkLayout(work.root).student_dir / "CURRENT"
    hidden = pointer.with_name("CURRENT.hidden-by-test")
    pointer.rename(hidden)
    try:
        no_student = evaluate(schedule_def, instance, work.root)
        assert plans(no_student) == [("00000002", "stage1"), ("00000003", "ingest")]
        execute(instance, no_student.run_requests[1])
        waiting = evaluate(schedule_def, instance, work.root)
        assert plans(waiting) == [("00000002", "stage1")]
    finally:
        hidden.rename(pointer)

    # with the student back, the stage-2 path runs as one run of the shard_repair_job subset
    ready = evaluate(schedule_def, instance, work.root)
    assert plans(ready) == [("00000002", "stage1"), ("00000003", "stage2")]
    execute(instance, ready.run_requests[1])
    assert "00000003" in instance.get_materialized_partitions(AssetKey("kale_shards"))
    assert plans(evaluate(schedule_def, instance, work.root)) == [("00000002", "stage1")]
    # the stage-1 path is exercised by the sensor tests; drop the shard so the folder is complete again
    instance.delete_dynamic_partition("shards", "00000002")
    assert evaluate(schedule_def, instance, work.root).run_requests == []


def test_a_failed_final_shard_is_refinalized_then_given_up_after_repeated_failures(work, instance, env, monkeypatch):
    schedule_def = defs.resolve_schedule_def("backfill_missing_shards")
    finalize = defs.resolve_job_def("finalize_job")

    def broken(**_):
        raise RuntimeError("injected finalize failure")

    with monkeypatch.context() as patch:
        patch.setattr("kale_assets.defs.assets.kale_shards.assemble_final_shard", broken)
        for attempt in range(1, 4):
            failed = finalize.execute_in_process(instance=instance, partition_key="00000000", run_config=QUIET_LOGS,
                                                 raise_on_error=False)
            assert not failed.success
            result = evaluate(schedule_def, instance, work.root)
            if attempt < 3:
                # kale_shards is still committed, but its latest run failed; captions are committed, so only finalize
                assert plans(result) == [("00000000", "finalize")]
                assert set(result.run_requests[0].asset_selection) == {AssetKey("kale_shards")}
            else:
                assert result.run_requests == [] and "1 given up" in result.skip_message
    retried = build_backfill_schedule(shard_repair_job, max_consecutive_failures=4)
    request = evaluate(retried, instance, work.root).run_requests[0]
    execute(instance, request)
    assert evaluate(schedule_def, instance, work.root).run_requests == []


def test_a_deleted_caption_file_recomputes_captions_not_finalize_forever(work, instance, env):
    """The files decide: a committed caption partition whose file is gone is not captioned any more."""
    schedule_def = defs.resolve_schedule_def("backfill_missing_shards")
    layout = WorkLayout(work.root)
    fused = layout.shard_output("fused_captions", "00000000")
    final_manifest = layout.commit_manifest("kale_shards", "00000000")
    hidden, hidden_final = fused.with_name("hidden-by-test"), final_manifest.with_name("hidden-by-test")
    fused.rename(hidden)
    final_manifest.rename(hidden_final)  # the final shard is gone too: the shard needs work
    try:
        assert plans(evaluate(schedule_def, instance, work.root)) == [("00000000", "stage1")]
    finally:
        hidden.rename(fused)
        hidden_final.rename(final_manifest)
    assert evaluate(schedule_def, instance, work.root).run_requests == []
