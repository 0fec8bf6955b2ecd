"""The sensors, evaluated against a real tiny work folder and its SQLite Dagster instance.

The requested runs are executed in-process on the same instance (with the run key tag the daemon would set),
so each test follows a sensor's decision through to the data it produces. The tests share one work folder
and run in file order: rules change -> card -> discovery -> a stage-2 shard waiting for the student.
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from dagster import AssetKey, DagsterInstance, DagsterRunStatus, build_sensor_context

from kale_assets.config import PipelineConfig
from kale_assets.definitions import defs, ingest_job, stage1_shard_job, stage2_shard_job
from kale_assets.defs.resources import KaleResource
from kale_assets.defs.sensors import build_shard_discovery_sensor
from kale_assets.demo_data import write_demo_shards
from kale_assets.filtering import load_rules
from kale_assets.layout import WorkLayout
from kale_assets.runner import QUIET_LOGS
from kale_assets_tests.dagster_servers import build_work_folder

UPSTREAM = ("datacomp_shards", "stage1_captions", "fused_captions", "stage2_captions", "distilled_captioner")


@pytest.fixture(scope="module")
def work(tmp_path_factory, tiny_models_dir) -> PipelineConfig:
    return build_work_folder(tmp_path_factory.mktemp("sensors"), tiny_models_dir, n_shards=2, samples_per_shard=8,
                             seed=1, stage1_fraction=0.5)


def evaluate(sensor_def, instance, workdir, cursor=None):
    # instance_ref as the daemon passes it: partitioned run requests are resolved against the instance's
    # dynamic partitions only when the context has one
    context = build_sensor_context(instance=instance, instance_ref=instance.get_ref(), cursor=cursor, definitions=defs,
                                   resources={"kale": KaleResource(workdir=str(workdir))})
    return sensor_def.evaluate_tick(context)


def execute(instance, request):
    """Run a RunRequest in-process the way the daemon would launch it (same job, partition and run key)."""
    result = defs.resolve_job_def(request.job_name).execute_in_process(
        instance=instance, partition_key=request.partition_key, run_config=QUIET_LOGS, raise_on_error=False,
        tags={"dagster/run_key": request.run_key, **{k: v for k, v in request.tags.items() if k.startswith("kale/")}})
    assert result.success, request
    return result


def materializations(instance, name: str) -> int:
    return len(instance.fetch_materializations(AssetKey(name), limit=10_000).records)


def final_rows(work, shard_id: str) -> pl.DataFrame:
    return pl.read_parquet(WorkLayout(work.root).shard_output("kale_shards", shard_id))


def test_sensors_skip_with_a_reason_when_the_work_folder_is_not_configured(tmp_path):
    (tmp_path / "home").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "home")) as inst:
        for name in ("rules_change_sensor", "dataset_card_sensor", "shard_discovery_sensor"):
            sensor_def = defs.resolve_sensor_def(name)
            missing_yaml = evaluate(sensor_def, inst, tmp_path / "empty")
            assert missing_yaml.run_requests == [] and "kale.yaml" in missing_yaml.skip_message, name
            no_workdir = evaluate(sensor_def, inst, "")
            assert no_workdir.run_requests == [] and "KALE_WORKDIR" in no_workdir.skip_message, name


def test_definitions_wire_the_sensors():
    sensors = {s.name: s for s in defs.sensors}
    assert set(sensors) == {"rules_change_sensor", "dataset_card_sensor", "shard_discovery_sensor"}
    assert sensors["rules_change_sensor"].minimum_interval_seconds == 10
    assert sensors["dataset_card_sensor"].minimum_interval_seconds == 15
    assert sensors["shard_discovery_sensor"].minimum_interval_seconds == 60
    for s in sensors.values():
        assert s.default_status.value == "RUNNING", s.name
    assert {j.name for j in sensors["rules_change_sensor"].jobs} == {"finalize_job"}
    assert {j.name for j in sensors["shard_discovery_sensor"].jobs} == {
        "stage1_shard_job", "stage2_shard_job", "ingest_job"}


def test_a_rules_change_refinalizes_every_shard_once_without_recomputing_captions(work, instance, env):
    sensor_def = defs.resolve_sensor_def("rules_change_sensor")
    old = load_rules(work.rules_path)
    shards = sorted(instance.get_dynamic_partitions("shards"))
    assert shards == ["00000000", "00000001"]

    first = evaluate(sensor_def, instance, work.root)
    assert first.run_requests == [] and "first evaluation" in first.skip_message
    assert old.sha256 in first.cursor
    unchanged = evaluate(sensor_def, instance, work.root, cursor=first.cursor)
    assert unchanged.run_requests == [] and "unchanged" in unchanged.skip_message

    upstream_before = {name: materializations(instance, name) for name in UPSTREAM}
    finals_before = materializations(instance, "kale_shards")
    path = work.rules_path
    text = open(path).read()
    with open(path, "w") as f:
        f.write(text.replace(f'version: "{old.version}"', f'version: "{old.version}-sensor-test"', 1))
    new = load_rules(path)
    assert new.sha256 != old.sha256 and new.version == f"{old.version}-sensor-test"

    changed = evaluate(sensor_def, instance, work.root, cursor=unchanged.cursor)
    assert changed.skip_message is None
    assert sorted(r.partition_key for r in changed.run_requests) == shards
    assert {r.job_name for r in changed.run_requests} == {"finalize_job"}
    assert all(new.sha256 in r.run_key for r in changed.run_requests)
    assert len({r.run_key for r in changed.run_requests}) == len(shards)
    assert new.sha256 in changed.cursor

    again = evaluate(sensor_def, instance, work.root, cursor=changed.cursor)
    assert again.run_requests == [], "the same change must not be requested twice"

    for request in changed.run_requests:
        execute(instance, request)
    for shard_id in shards:
        rows = final_rows(work, shard_id)
        assert len(rows) > 0
        assert rows["rules_hash"].unique().to_list() == [new.sha256], shard_id
        assert rows["rules_version"].unique().to_list() == [new.version], shard_id
    assert {name: materializations(instance, name) for name in UPSTREAM} == upstream_before
    assert materializations(instance, "kale_shards") == finals_before + len(shards)

    # no loop: the finished runs do not look like a change, with or without a cursor
    after = evaluate(sensor_def, instance, work.root, cursor=changed.cursor)
    assert after.run_requests == [] and "unchanged" in after.skip_message
    fresh = evaluate(sensor_def, instance, work.root)
    assert fresh.run_requests == [] and "first evaluation" in fresh.skip_message


def test_first_evaluation_requests_the_shards_finalized_with_other_rules(work, instance):
    sensor_def = defs.resolve_sensor_def("rules_change_sensor")
    path = work.rules_path
    text = open(path).read()
    try:
        with open(path, "a") as f:
            f.write("\n# an edit that only changes the hash\n")
        current = load_rules(path)
        result = evaluate(sensor_def, instance, work.root)  # no cursor: a sensor turned on for the first time
        assert sorted(r.partition_key for r in result.run_requests) == ["00000000", "00000001"]
        assert all(current.sha256 in r.run_key for r in result.run_requests)
    finally:
        with open(path, "w") as f:
            f.write(text)


def test_the_card_follows_kale_shards_once_the_shard_runs_are_done(work, instance, env):
    sensor_def = defs.resolve_sensor_def("dataset_card_sensor")
    newest = instance.fetch_materializations(AssetKey("kale_shards"), limit=1).records[0].storage_id

    # a finalize run that has not finished (created, not started) holds the card back
    pending = instance.create_run_for_job(defs.resolve_job_def("finalize_job"), status=DagsterRunStatus.NOT_STARTED,
                                          tags={"dagster/partition": "00000000"})
    try:
        waiting = evaluate(sensor_def, instance, work.root)
        assert waiting.run_requests == [] and "waiting" in waiting.skip_message
    finally:
        instance.delete_run(pending.run_id)

    requested = evaluate(sensor_def, instance, work.root)
    assert [(r.job_name, r.run_key) for r in requested.run_requests] == [("card_job", f"card:{newest}")]
    repeat = evaluate(sensor_def, instance, work.root, cursor=requested.cursor)
    assert repeat.run_requests == []

    execute(instance, requested.run_requests[0])
    built = evaluate(sensor_def, instance, work.root)
    assert built.run_requests == [] and "newer" in built.skip_message
    card = (WorkLayout(work.root).card_dir / "card.json").read_text()
    assert load_rules(work.rules_path).version in card


def _add_source_shards(work, tmp_path, shard_ids):
    extra = tmp_path / "extra"
    write_demo_shards(extra, n_shards=max(int(s) for s in shard_ids) + 1, samples_per_shard=8, seed=2, hostile=False)
    for shard_id in shard_ids:
        for suffix in (".tar", ".parquet"):
            shutil.copyfile(extra / f"{shard_id}{suffix}", f"{work.source}/{shard_id}{suffix}")


def test_discovery_registers_new_shards_and_runs_each_through_its_pool(work, instance, env, tmp_path):
    assert work.pool_rule.pool_of("00000002") == "stage1" and work.pool_rule.pool_of("00000003") == "stage2"
    _add_source_shards(work, tmp_path, ["00000002", "00000003"])
    # one run per tick, so the two shards arrive on two ticks
    sensor_def = build_shard_discovery_sensor(stage1_shard_job, stage2_shard_job, ingest_job, max_runs_per_tick=1)
    cursor = None
    for expected_shard, expected_job in (("00000002", "stage1_shard_job"), ("00000003", "stage2_shard_job")):
        tick = evaluate(sensor_def, instance, work.root, cursor=cursor)
        assert [r.partition_keys for r in tick.dynamic_partitions_requests] == [[expected_shard]]
        assert [(r.partition_key, r.job_name) for r in tick.run_requests] == [(expected_shard, expected_job)]
        pool = work.pool_rule.pool_of(expected_shard)
        assert tick.run_requests[0].run_key == f"discover:{expected_shard}:{pool}"
        # what the daemon does with the result: add the partition, then launch the run
        instance.add_dynamic_partitions("shards", [expected_shard])
        execute(instance, tick.run_requests[0])
        cursor = tick.cursor

    quiet = evaluate(sensor_def, instance, work.root, cursor=cursor)
    assert quiet.run_requests == [] and quiet.dynamic_partitions_requests == []
    assert "no new shards" in quiet.skip_message
    default = evaluate(defs.resolve_sensor_def("shard_discovery_sensor"), instance, work.root, cursor=cursor)
    assert default.run_requests == [] and default.dynamic_partitions_requests == []

    for shard_id, pool in (("00000002", "stage1"), ("00000003", "stage2")):
        rows = final_rows(work, shard_id)
        assert len(rows) > 0 and rows["pool"].unique().to_list() == [pool]
    assert {"00000002", "00000003"} <= instance.get_materialized_partitions(AssetKey("kale_shards"))
    assert "00000002" in instance.get_materialized_partitions(AssetKey("fused_captions"))
    assert "00000003" in instance.get_materialized_partitions(AssetKey("stage2_captions"))


def test_a_new_stage2_shard_is_only_ingested_until_a_student_exists(work, instance, env, tmp_path):
    shard_id = "00000005"
    assert work.pool_rule.pool_of(shard_id) == "stage2"
    _add_source_shards(work, tmp_path, [shard_id])
    sensor_def = defs.resolve_sensor_def("shard_discovery_sensor")
    pointer = WorkLayout(work.root).student_dir / "CURRENT"
    hidden = pointer.with_name("CURRENT.hidden-by-test")
    pointer.rename(hidden)
    try:
        tick = evaluate(sensor_def, instance, work.root)
        assert [(r.partition_key, r.job_name, r.run_key) for r in tick.run_requests] == [
            (shard_id, "ingest_job", f"discover:{shard_id}:ingest")]
        assert [r.partition_keys for r in tick.dynamic_partitions_requests] == [[shard_id]]
        instance.add_dynamic_partitions("shards", [shard_id])
        execute(instance, tick.run_requests[0])
        still_no_student = evaluate(sensor_def, instance, work.root, cursor=tick.cursor)
        assert still_no_student.run_requests == []
    finally:
        hidden.rename(pointer)

    released = evaluate(sensor_def, instance, work.root, cursor=still_no_student.cursor)
    assert [(r.partition_key, r.job_name, r.run_key) for r in released.run_requests] == [
        (shard_id, "stage2_shard_job", f"discover:{shard_id}:stage2")]
    assert released.dynamic_partitions_requests == []
    after = evaluate(sensor_def, instance, work.root, cursor=released.cursor)
    assert after.run_requests == []
