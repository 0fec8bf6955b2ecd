"""The control plane at scale, kept lean: incremental shard listing, shard-group discovery and the batched
re-filter after a rules change, through real stores, a real SQLite Dagster instance and real sensor ticks.

The numbers at DataComp scale come from `kale_assets_tests/scale_control_plane.py` (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance, build_sensor_context

from kale_assets.commit import is_committed, withdraw
from kale_assets.config import PipelineConfig, PoolRule
from kale_assets.control_plane import keys_in_range, refilter_ranges
from kale_assets.definitions import (
    defs,
    finalize_job,
    ingest_job,
    stage1_shard_job,
    stage2_shard_job,
)
from kale_assets.defs.resources import KaleResource
from kale_assets.defs.schedules import plan_backfill
from kale_assets.defs.sensors import (
    PLAN_ASSETS,
    RANGE_END_TAG,
    RANGE_START_TAG,
    build_shard_discovery_sensor,
)
from kale_assets.demo_data import write_demo_shards
from kale_assets.filtering import DEFAULT_RULES_PATH, load_rules
from kale_assets.layout import WorkLayout
from kale_assets.runner import QUIET_LOGS
from kale_assets.shard_io import list_shards, list_shards_after, listing_token
from kale_assets_tests import prefix_store
from kale_assets_tests.s3_server import moto_s3

# --------------------------------------------------------------------------------------------------------
# Incremental listing (kale_assets.shard_io)


def _touch_shards(folder: Path, numbers) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        for suffix in (".tar", ".parquet", "_stats.json"):
            (folder / f"{n:08d}{suffix}").write_bytes(b"")


def test_a_prefix_store_lists_only_the_blocks_beyond_the_known_shard():
    prefix_store.register()
    prefix_store.PrefixListingStore.reset()
    source = f"{prefix_store.PROTOCOL}://bucket/datacomp"
    prefix_store.PrefixListingStore.put_empty(
        f"{source}/{n:08d}{suffix}" for n in range(5000) if n != 7 for suffix in (".tar", ".parquet", "_stats.json"))
    full = list_shards_after(source, None)
    assert len(full.refs) == 4999 and full.objects_listed == 14997 and not full.incremental

    nothing_new = list_shards_after(source, "00004999")
    assert nothing_new.refs == [] and nothing_new.incremental
    # the block holding 4999 (1000 shards x 3 objects) and the empty block after it: never the whole folder
    assert nothing_new.objects_listed == 3000

    prefix_store.PrefixListingStore.put_empty(
        f"{source}/{n:08d}{suffix}" for n in range(5000, 5100) for suffix in (".tar", ".parquet"))
    new = list_shards_after(source, "00004999")
    assert [r.shard_id for r in new.refs] == [f"{n:08d}" for n in range(5000, 5100)]
    assert all(r.parquet_url and r.parquet_url.endswith(".parquet") for r in new.refs)
    assert new.objects_listed == 3000 + 200

    # a shard that arrives below the known id is not seen incrementally; the full relist finds it
    prefix_store.PrefixListingStore.put_empty([f"{source}/00000007.tar"])
    assert "00000007" not in {r.shard_id for r in list_shards_after(source, "00005099").refs}
    assert "00000007" in {r.shard_id for r in list_shards_after(source, None).refs}
    prefix_store.PrefixListingStore.reset()


def test_incremental_listing_on_s3_through_s3fs(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with moto_s3() as endpoint:
        import boto3

        options = {"key": "test", "secret": "test", "client_kwargs": {"endpoint_url": endpoint,
                                                                        "region_name": "us-east-1"}}
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                              aws_secret_access_key="test")
        client.create_bucket(Bucket="kale")
        for n in list(range(1995, 2003)) + [7]:
            for suffix in (".tar", ".parquet"):
                client.put_object(Bucket="kale", Key=f"src/{n:08d}{suffix}", Body=b"")
        listing = list_shards_after("s3://kale/src", "00001999", options)
        assert listing.incremental
        assert [r.shard_id for r in listing.refs] == ["00002000", "00002001", "00002002"]
        # blocks 00001xxx and 00002xxx hold 16 objects; shard 7 (block 00000) is not listed
        assert listing.objects_listed == 16
        assert list_shards("s3://kale/src", options)[0].shard_id == "00000007"


def test_a_local_folder_is_not_relisted_while_its_mtime_stands_still(tmp_path):
    _touch_shards(tmp_path / "src", range(10))
    token = listing_token(str(tmp_path / "src"))
    assert token is not None and listing_token(str(tmp_path / "src")) == token
    assert [r.shard_id for r in list_shards_after(str(tmp_path / "src"), "00000007").refs] == ["00000008",
                                                                                               "00000009"]
    time.sleep(0.01)
    _touch_shards(tmp_path / "src", [10])
    assert listing_token(str(tmp_path / "src")) != token
    assert listing_token("s3://bucket/prefix") is None


def test_refilter_ranges_never_span_a_partition_that_is_not_stale():
    order = [f"k{i:02d}" for i in range(12)]
    ranges = refilter_ranges(order, set(order), 5)
    assert [(r.start, r.end, len(r.keys)) for r in ranges] == [("k00", "k04", 5), ("k05", "k09", 5),
                                                               ("k10", "k11", 2)]
    gaps = refilter_ranges(order, set(order) - {"k03"}, 5)
    assert [(r.start, r.end) for r in gaps] == [("k00", "k02"), ("k04", "k08"), ("k09", "k11")]
    assert keys_in_range(order, "k04", "k08") == order[4:9]


# --------------------------------------------------------------------------------------------------------
# Discovery over shard groups, through the sensor and a SQLite instance


def _evaluate(sensor_def, instance, workdir, cursor=None):
    context = build_sensor_context(instance=instance, instance_ref=instance.get_ref(), cursor=cursor,
                                   definitions=defs, resources={"kale": KaleResource(workdir=str(workdir))})
    return sensor_def.evaluate_tick(context)


def _launch(instance, tick) -> None:
    """What the daemon does with a tick: add the partitions, then run each request (here in process)."""
    for request in tick.dynamic_partitions_requests:
        instance.add_dynamic_partitions("shards", list(request.partition_keys))
    for request in tick.run_requests:
        result = defs.resolve_job_def(request.job_name).execute_in_process(
            instance=instance, partition_key=request.partition_key, run_config=QUIET_LOGS, raise_on_error=False,
            tags={"dagster/run_key": request.run_key, **request.tags})
        assert result.success, request


def _copy_shards(demo: Path, source: Path, numbers) -> None:
    for n in numbers:
        for suffix in (".tar", ".parquet"):
            shutil.copyfile(demo / f"{n:08d}{suffix}", source / f"{n:08d}{suffix}")
    time.sleep(0.01)  # a new folder mtime, also on filesystems with a coarse clock


def _cursor(tick, **changes) -> str:
    return json.dumps({**json.loads(tick.cursor), **changes})


def test_discovery_registers_shard_groups_and_lists_only_what_is_new(tmp_path, monkeypatch):
    demo = tmp_path / "demo"
    write_demo_shards(demo, n_shards=24, samples_per_shard=2, seed=4, hostile=False)
    source = tmp_path / "source"
    source.mkdir()
    _copy_shards(demo, source, [n for n in range(15) if n != 3])
    # every shard in the stage-2 pool and no student: discovery ingests (cheap, no model)
    config = PipelineConfig(workdir=str(tmp_path / "work"), source=str(source), preset="tiny",
                            pool_rule=PoolRule(kind="explicit"), shards_per_partition=10)
    config.save()
    monkeypatch.setenv("KALE_WORKDIR", str(config.root))
    sensor_def = build_shard_discovery_sensor(stage1_shard_job, stage2_shard_job, ingest_job)
    (tmp_path / "home").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "home")) as instance:
        first = _evaluate(sensor_def, instance, config.root)  # no cursor: a full listing
        assert [r.partition_keys for r in first.dynamic_partitions_requests] == [
            ["00000000-00000009", "00000010-00000019"]]
        assert [(r.partition_key, r.job_name) for r in first.run_requests] == [
            ("00000000-00000009", "ingest_job"), ("00000010-00000019", "ingest_job")]
        assert json.loads(first.cursor)["after"] == "00000014"
        _launch(instance, first)
        layout = WorkLayout(config.root)
        assert all(layout.commit_manifest("datacomp_shards", f"{n:08d}").exists() for n in range(15) if n != 3)

        unchanged = _evaluate(sensor_def, instance, config.root, cursor=first.cursor)
        assert unchanged.run_requests == [] and "unchanged listing" in unchanged.skip_message

        # 15..21 arrive: group 10-19 has its new shards (and a later shard exists: it is complete); group 20-29
        # is still filling up, so it waits rather than taking a run now and another one per later arrival
        _copy_shards(demo, source, range(15, 22))
        third = _evaluate(sensor_def, instance, config.root, cursor=unchanged.cursor)
        assert "filtered" in third.cursor
        assert [(r.partition_key, r.job_name) for r in third.run_requests] == [("00000010-00000019", "ingest_job")]
        assert third.dynamic_partitions_requests == []
        assert json.loads(third.cursor)["after"] == "00000019"
        _launch(instance, third)
        assert all(layout.commit_manifest("datacomp_shards", f"{n:08d}").exists() for n in range(15, 20))

        # shard 3 arrives late, below `after`: not listed incrementally ...
        _copy_shards(demo, source, [3])
        fourth = _evaluate(sensor_def, instance, config.root, cursor=third.cursor)
        assert fourth.run_requests == []
        # ... but the periodic full relist catches it, and runs the group that was filling up
        due = _cursor(fourth, full_at=time.time() - config.discovery_full_relist_seconds - 1)
        full = _evaluate(sensor_def, instance, config.root, cursor=due)
        assert [r.partition_key for r in full.run_requests] == ["00000000-00000009", "00000020-00000029"]
        assert [r.partition_keys for r in full.dynamic_partitions_requests] == [["00000020-00000029"]]
        assert len({r.run_key for r in full.run_requests} | {r.run_key for r in first.run_requests}) == 4
        _launch(instance, full)
        assert all(layout.commit_manifest("datacomp_shards", f"{n:08d}").exists() for n in range(22))
        assert sorted(instance.get_dynamic_partitions("shards")) == [
            "00000000-00000009", "00000010-00000019", "00000020-00000029"]
        again = _evaluate(sensor_def, instance, config.root, cursor=_cursor(full, full_at=0))
        assert again.run_requests == [], "a full relist after everything ran requests nothing"


# --------------------------------------------------------------------------------------------------------
# A rules change over 5 shard groups, 2 per run


@pytest.fixture(scope="module")
def grouped_work(tmp_path_factory, tiny_models_dir):
    """Ten shards in five groups of two, every shard in the stage-1 pool (no student needed), brought to final
    shards the way the daemon would: the discovery sensor's requests, executed in process."""
    root = tmp_path_factory.mktemp("control_plane")
    write_demo_shards(root / "source", n_shards=10, samples_per_shard=2, seed=5, hostile=False)
    rules = root / "artifact_rules.yaml"
    shutil.copyfile(DEFAULT_RULES_PATH, rules)
    config = PipelineConfig(workdir=str(root / "work"), source=str(root / "source"), preset="tiny",
                            models_dir=tiny_models_dir, rules_path=str(rules), pool_rule=PoolRule(stage1_fraction=1.0),
                            shards_per_partition=2, refilter_partitions_per_run=2)
    config.save()
    (root / "home").mkdir()
    with pytest.MonkeyPatch.context() as patch, DagsterInstance.local_temp(str(root / "home")) as instance:
        patch.setenv("KALE_WORKDIR", str(config.root))
        discovered = _evaluate(defs.resolve_sensor_def("shard_discovery_sensor"), instance, config.root)
        assert [(r.job_name, len(r.partition_key)) for r in discovered.run_requests] == [("stage1_shard_job", 17)] * 5
        _launch(instance, discovered)
        yield config, instance


def test_a_rules_change_refilters_5_partitions_in_3_runs(grouped_work, monkeypatch):
    import polars as pl

    config, instance = grouped_work
    layout = WorkLayout(config.root)
    monkeypatch.setenv("KALE_WORKDIR", str(config.root))
    keys = instance.get_dynamic_partitions("shards")
    assert len(keys) == 5 and keys[0] == "00000000-00000001"
    sensor_def = defs.resolve_sensor_def("rules_change_sensor")
    first = _evaluate(sensor_def, instance, config.root)
    assert first.run_requests == []
    old = load_rules(config.rules_path)
    text = Path(config.rules_path).read_text()
    Path(config.rules_path).write_text(text.replace(f'version: "{old.version}"', f'version: "{old.version}-cp"', 1))
    new = load_rules(config.rules_path)
    changed = _evaluate(sensor_def, instance, config.root, cursor=first.cursor)
    ranges = [(r.tags.get(RANGE_START_TAG), r.tags.get(RANGE_END_TAG), r.partition_key)
              for r in changed.run_requests]
    # two ranges of two partitions, and the last partition alone (a plain one-partition run)
    assert ranges == [(keys[0], keys[1], None), (keys[2], keys[3], None), (None, None, keys[4])]
    assert {r.job_name for r in changed.run_requests} == {finalize_job.name}
    assert all(new.sha256 in r.run_key for r in changed.run_requests)
    assert _evaluate(sensor_def, instance, config.root, cursor=changed.cursor).run_requests == []

    for request in changed.run_requests:
        result = defs.resolve_job_def(finalize_job.name).execute_in_process(
            instance=instance, partition_key=request.partition_key, run_config=QUIET_LOGS,
            raise_on_error=False, tags={"dagster/run_key": request.run_key, **request.tags})
        assert result.success, request
    for n in range(10):
        rows = pl.read_parquet(layout.shard_output("kale_shards", f"{n:08d}"))
        assert len(rows) > 0 and rows["rules_hash"].unique().to_list() == [new.sha256], n
    # one materialization and one verdict per check for every partition, each carrying its own key
    latest = {r.partition_key: r for r in instance.fetch_materializations(AssetKey("kale_shards"),
                                                                          limit=5).records}
    assert set(latest) == set(keys)
    assert {r.asset_materialization.metadata["rules_hash"].value for r in latest.values()} == {new.sha256}
    evaluations = instance.event_log_storage.get_asset_check_execution_history(
        AssetCheckKey(AssetKey("kale_shards"), "accounting"), limit=5)
    assert {e.event.dagster_event.event_specific_data.partition for e in evaluations} == set(keys)
    assert all(e.status.value == "SUCCEEDED" for e in evaluations)
    after = _evaluate(sensor_def, instance, config.root, cursor=changed.cursor)
    assert after.run_requests == [] and "unchanged" in after.skip_message


def test_the_backfill_schedule_repairs_the_group_of_a_shard_that_lost_its_final_shard(grouped_work, monkeypatch):
    config, instance = grouped_work
    layout = WorkLayout(config.root)
    monkeypatch.setenv("KALE_WORKDIR", str(config.root))
    assert plan_backfill(instance, config, student_ready=False, max_runs=20).runs == []
    assert withdraw(layout, "kale_shards", "00000003")
    plan = plan_backfill(instance, config, student_ready=False, max_runs=20)
    # only the final shard is missing: the group's captions are kept, its finalize alone runs again
    assert [(r.shard_id, r.plan, r.reason) for r in plan.runs] == [("00000002-00000003", "finalize", "missing")]
    result = defs.resolve_job_def("shard_repair_job").execute_in_process(
        instance=instance, partition_key="00000002-00000003", run_config=QUIET_LOGS,
        asset_selection=[AssetKey(a) for a in PLAN_ASSETS["finalize"]])
    assert result.success
    assert is_committed(layout, "kale_shards", "00000003")
    assert plan_backfill(instance, config, student_ready=False, max_runs=20).runs == []
