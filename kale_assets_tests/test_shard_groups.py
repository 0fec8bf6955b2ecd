"""Shard groups: partition keys that name a range of shards, and a whole run over them."""


import polars as pl
import pytest

from kale_assets.config import PipelineConfig, PoolRule
from kale_assets.demo_data import write_demo_shards
from kale_assets.shard_groups import (
    group,
    in_partition,
    is_group_key,
    key_range,
    partition_key,
    shards_in,
)
from kale_assets.shard_io import list_shards_in_range
from kale_assets_tests.dagster_servers import run_environment_restored


def test_one_shard_per_partition_keeps_the_shard_id_as_the_key():
    assert partition_key("00000042", 1) == "00000042"
    assert group(["00000001", "00000000"], 1) == {"00000000": ["00000000"], "00000001": ["00000001"]}
    assert not is_group_key("00000042") and key_range("00000042") is None


def test_groups_are_aligned_ranges_that_never_move():
    assert partition_key("00000042", 100) == "00000000-00000099"
    assert partition_key("00000100", 100) == "00000100-00000199"
    assert partition_key("00012345", 100) == "00012300-00012399"
    assert key_range("00012300-00012399") == (12300, 12399)
    # a shard discovered later joins the group it always belonged to; the other keys stay as they were
    before = group(["00000000", "00000001", "00000005"], 4)
    after = group(["00000000", "00000001", "00000005", "00000003", "00000009"], 4)
    assert before == {"00000000-00000003": ["00000000", "00000001"], "00000004-00000007": ["00000005"]}
    assert after == {"00000000-00000003": ["00000000", "00000001", "00000003"],
                     "00000004-00000007": ["00000005"], "00000008-00000011": ["00000009"]}
    assert in_partition("00000004-00000007", "00000007") and not in_partition("00000004-00000007", "00000008")
    assert shards_in("00000004-00000007", ["00000009", "00000006", "00000004", "x"]) == ["00000004", "00000006"]


def test_groups_need_numbered_shards_and_a_positive_size():
    with pytest.raises(ValueError, match="8 digits"):
        partition_key("shard-a", 10)
    with pytest.raises(ValueError, match=">= 1"):
        partition_key("00000001", 0)
    with pytest.raises(ValueError, match="shards_per_partition"):
        PipelineConfig(workdir="/tmp/w", source="/tmp/s", shards_per_partition=0)


def test_listing_a_range_reads_only_its_prefix(tmp_path):
    for n in (0, 5, 99, 100, 150, 1000):
        (tmp_path / f"{n:08d}.tar").write_bytes(b"")
    (tmp_path / "00000007.parquet").write_bytes(b"")
    assert list_shards_in_range(str(tmp_path), 0, 99) == ["00000000", "00000005", "00000099"]
    assert list_shards_in_range(str(tmp_path), 100, 199) == ["00000100", "00000150"]
    assert list_shards_in_range(str(tmp_path), 200, 299) == []


def _run(root, source, tiny_models_dir, spp):
    from kale_assets.runner import run_pipeline

    config = PipelineConfig(workdir=str(root), source=str(source), preset="tiny",
                            pool_rule=PoolRule(stage1_fraction=0.5), models_dir=tiny_models_dir,
                            shards_per_partition=spp)
    return config, run_pipeline(config)


@pytest.fixture(scope="module")
def grouped_and_single(tmp_path_factory, tiny_models_dir):
    root = tmp_path_factory.mktemp("groups")
    source = root / "source"
    write_demo_shards(source, n_shards=3, samples_per_shard=6, seed=3)
    with run_environment_restored():
        yield _run(root / "grouped", source, tiny_models_dir, 2), _run(root / "single", source, tiny_models_dir, 1)


def test_a_run_over_shard_groups_writes_the_same_final_shards_per_shard(grouped_and_single):
    (grouped, g_summary), (single, s_summary) = grouped_and_single
    assert g_summary["all_succeeded"], [r for r in g_summary["runs"] if not r["success"]]
    assert s_summary["all_succeeded"]
    # runs are per group: 2 partitions for 3 shards instead of 3
    assert {r["partition"] for r in g_summary["runs"] if r["partition"]} == {"00000000-00000001",
                                                                             "00000002-00000003"}
    assert g_summary["shards"].keys() == s_summary["shards"].keys() == {"00000000", "00000001", "00000002"}
    for shard_id, entry in g_summary["shards"].items():
        assert entry["complete"] and entry["input"] == entry["kept"] + entry["rejected"]
        assert entry["rejected_by_reason"] == s_summary["shards"][shard_id]["rejected_by_reason"]
        a, b = (_comparable(config.root / "kale_shards" / f"{shard_id}.parquet") for config in (grouped, single))
        assert a.equals(b), shard_id


def _comparable(path) -> pl.DataFrame:
    """A final shard without what names its own work folder: the student is a path under it (same revision)."""
    frame = pl.read_parquet(path)
    local = [c for c in ("caption_model_id", "student_model_id") if c in frame.columns]
    frame = frame.with_columns(pl.col(c).str.split("/").list.last() for c in local)
    return frame.select(sorted(frame.columns))


def test_checks_report_per_group_partition(grouped_and_single):
    from dagster import AssetKey, DagsterInstance

    (grouped, _), _ = grouped_and_single
    with DagsterInstance.from_config(str(grouped.root / "dagster_home")) as instance:
        records = instance.event_log_storage.get_asset_check_execution_history(
            check_key=_check_key(AssetKey("stage1_captions"), "accounting"), limit=20)
        partitions = {r.event.dagster_event.event_specific_data.partition for r in records
                      if r.event and r.event.dagster_event}
    assert partitions == {"00000000-00000001", "00000002-00000003"}


def _check_key(asset_key, name):
    from dagster import AssetCheckKey

    return AssetCheckKey(asset_key, name)


def test_groups_over_shards_without_8_digit_names_are_refused_before_any_work():
    from kale_assets.errors import KaleUsageError
    from kale_assets.preflight import check_shard_groups

    check_shard_groups(1, ["00001", "abc"], "/src")  # one shard per partition takes any name
    check_shard_groups(100, ["00000000", "00000001"], "/src")
    with pytest.raises(KaleUsageError, match="8-digit shard names, but /src holds 00001") as err:
        check_shard_groups(100, ["00001", "00002"], "/src")
    assert "--shards-per-partition 1" in err.value.fix


def test_the_datacomp_1b_kale_yaml_loads_with_groups_of_100(tmp_path):
    import shutil
    from pathlib import Path

    shutil.copyfile(Path(__file__).parents[1] / "infra" / "kale.datacomp-1b.yaml", tmp_path / "kale.yaml")
    config = PipelineConfig.load(tmp_path)
    assert config.shards_per_partition == 100 and config.executor == "ray"
    assert config.ray_settings().num_gpus_per_actor == 1
    # DataComp-1B's ~128k shards: ~1.3k partitions, under Dagster's guidance of <= 100k per asset
    keys = {partition_key(f"{n:08d}", config.shards_per_partition) for n in range(128_000)}
    assert len(keys) == 1_280
    assert config.resolve_preset().teacher.vllm_args  # the per-role vLLM settings reach the engine spec


def test_a_group_reruns_only_the_shards_whose_work_changed(grouped_and_single, monkeypatch):
    """A group's committed shards with the same work key (engine spec, committed inputs, code version) are reused;
    a shard without its commit (a straggler, a withdrawn partition) is the only one generated again."""
    from dagster import AssetKey, DagsterInstance

    from kale_assets.commit import load_manifest, withdraw
    from kale_assets.definitions import defs
    from kale_assets.runner import QUIET_LOGS

    (grouped, _), _ = grouped_and_single
    layout = grouped.layout()
    key = "00000000-00000001"
    mine = [s for s in ("00000000", "00000001") if grouped.pool_rule.pool_of(s) == "stage1"]
    assert mine, "the fixture's first group holds a stage-1 shard"
    before = {s: load_manifest(layout, "stage1_captions", s) for s in mine}
    monkeypatch.setenv("DAGSTER_HOME", str(layout.dagster_home))
    monkeypatch.setenv("KALE_WORKDIR", str(grouped.root))
    job = defs.resolve_job_def("teacher_job")

    def materialize() -> dict:
        with DagsterInstance.get() as instance:
            assert job.execute_in_process(instance=instance, partition_key=key, run_config=QUIET_LOGS).success
            event = instance.get_latest_materialization_event(AssetKey("stage1_captions"))
            return {k: getattr(v, "value", v) for k, v in event.asset_materialization.metadata.items()}

    meta = materialize()
    assert meta["reused_shards"] == len(mine) and meta["rows_in"] == sum(
        before[s]["tables"]["output"]["rows"] + before[s]["tables"]["rejected"]["rows"] for s in mine)
    assert {s: load_manifest(layout, "stage1_captions", s) for s in mine} == before  # nothing regenerated

    withdraw(layout, "stage1_captions", mine[0])
    meta = materialize()
    assert meta.get("reused_shards", 0) == len(mine) - 1
    again = load_manifest(layout, "stage1_captions", mine[0])
    assert again["tables"]["output"]["sha256"] == before[mine[0]]["tables"]["output"]["sha256"]  # same work
    assert again["versions"]["work_key"] == before[mine[0]]["versions"]["work_key"]
