"""End to end: every asset, every partition, through Dagster on a persistent SQLite instance (tiny preset)."""

import json
from pathlib import Path

import polars as pl
import pytest

from kale_assets.config import PipelineConfig, PoolRule
from kale_assets.demo_data import write_demo_shards
from kale_assets.schemas import FinalShardSchema
from kale_assets_tests.dagster_servers import run_environment_restored


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, tiny_models_dir):
    from kale_assets.runner import run_pipeline

    root = tmp_path_factory.mktemp("e2e")
    source = root / "source"
    write_demo_shards(source, n_shards=3, samples_per_shard=8, seed=1)
    config = PipelineConfig(workdir=str(root / "work"), source=str(source), preset="tiny",
                            pool_rule=PoolRule(stage1_fraction=0.5), models_dir=tiny_models_dir)
    with run_environment_restored():
        summary = run_pipeline(config)
        yield config, summary


def test_every_run_succeeds_and_summary_accounts_for_every_sample(finished_run):
    config, summary = finished_run
    assert summary["all_succeeded"], [r for r in summary["runs"] if not r["success"]]
    on_disk = json.loads((config.root / "summary.json").read_text())
    assert on_disk["shards"] == summary["shards"]
    assert {s: v["pool"] for s, v in summary["shards"].items()} == {
        "00000000": "stage1", "00000001": "stage2", "00000002": "stage1"}
    for shard_id, entry in summary["shards"].items():
        source_rows = pl.read_parquet(config.source + f"/{shard_id}.parquet").height
        assert entry["complete"]
        assert entry["input"] == entry["kept"] + entry["rejected"]
        assert entry["input"] >= source_rows  # the tar can hold samples the parquet does not list
        assert entry["kept"] > 0
    # the hostile samples of shard 0 are rejected at ingest with their reasons
    reasons = summary["shards"]["00000000"]["rejected_by_reason"]
    assert any(r.startswith("datacomp_shards:corrupt_image") for r in reasons)
    assert any(r.startswith("datacomp_shards:unsafe_member_name") for r in reasons)


def test_final_shards_have_provenance_and_load_with_hf_datasets(finished_run):
    config, summary = finished_run
    import datasets

    paths = [summary["shards"][s]["outputs"]["final"] for s in sorted(summary["shards"])]
    frames = [pl.read_parquet(p) for p in paths]
    for frame in frames:
        FinalShardSchema.validate(frame)
    stage2 = pl.read_parquet(summary["shards"]["00000001"]["outputs"]["final"])
    assert stage2["student_model_id"].null_count() == 0
    assert stage2["caption_model_id"].str.contains("student").all()
    ds = datasets.load_dataset("parquet", data_files=paths, split="train")
    assert "caption" in ds.column_names and len(ds) == sum(f.height for f in frames)
    # The final folder alone is a dataset: rejected rows and commit manifests live elsewhere.
    folder = datasets.load_dataset(str(Path(paths[0]).parent), split="train")
    assert folder.column_names == ds.column_names and len(folder) == len(ds)


def test_dataset_card_and_history_in_the_instance(finished_run):
    config, summary = finished_run
    card = summary["dataset_card"]
    assert card["samples"] == sum(s["kept"] for s in summary["shards"].values())
    assert card["tiny_preset"]
    assert card["stage1_captioner_params"] > 0 and card["stage2_captioner_params"] > 0
    assert card["words_per_caption"] > 0 and 0.0 <= card["knowledge_augmented_share"] <= 1.0
    readme = (config.root / "kale_dataset_card" / "README.md").read_text()
    assert "Table 1" in readme and "carry no" in readme
    assert (config.root / "kale_dataset_card" / "caption_length_hist.png").read_bytes()[:4] == b"\x89PNG"

    from dagster import AssetKey, DagsterInstance

    with DagsterInstance.from_config(str(config.root / "dagster_home")) as instance:
        for name in ("datacomp_shards", "kale_shards"):
            materialized = instance.get_materialized_partitions(AssetKey(name))
            assert materialized == set(summary["shards"]), name
        # pool-specific stages are materialized for every shard (no-ops for the other pool) ...
        assert instance.get_materialized_partitions(AssetKey("fused_captions")) == set(summary["shards"])
        assert instance.get_materialized_partitions(AssetKey("stage2_captions")) == set(summary["shards"])
        assert instance.get_latest_materialization_event(AssetKey("kale_dataset_card")) is not None
    # ... but only write data for their own pool
    assert sorted(p.name for p in (config.root / "fused_captions").glob("*[0-9].parquet")) == [
        "00000000.parquet", "00000002.parquet"]
    assert sorted(p.name for p in (config.root / "stage2_captions").glob("*[0-9].parquet")) == ["00000001.parquet"]


def test_rerunning_a_partition_rewrites_identical_content(finished_run):
    config, summary = finished_run
    from dagster import DagsterInstance

    from kale_assets.definitions import build_definitions
    from kale_assets.runner import QUIET_LOGS, prepare_workdir

    prepare_workdir(config)
    path = summary["shards"]["00000002"]["outputs"]["final"]
    before = pl.read_parquet(path)
    with DagsterInstance.get() as instance:
        job = build_definitions().resolve_job_def("finalize_job")
        result = job.execute_in_process(instance=instance, partition_key="00000002", run_config=QUIET_LOGS)
    assert result.success
    assert pl.read_parquet(path).equals(before)


def test_a_stage_asked_for_a_shard_of_the_other_pool_is_a_no_op(finished_run):
    config, summary = finished_run
    from dagster import AssetKey, DagsterInstance

    from kale_assets.definitions import build_definitions
    from kale_assets.layout import WorkLayout
    from kale_assets.runner import QUIET_LOGS, prepare_workdir

    prepare_workdir(config)
    layout = WorkLayout(config.root)
    with DagsterInstance.get() as instance:
        result = build_definitions().resolve_job_def("stage1_job").execute_in_process(
            instance=instance, partition_key="00000001", run_config=QUIET_LOGS)
        assert result.success
        event = instance.get_latest_materialization_event(AssetKey("stage1_captions"))
        metadata = event.asset_materialization.metadata
        assert event.asset_materialization.partition == "00000001"
        assert "stage2 pool" in metadata["skipped"].value and metadata["rows_in"].value == 0
    assert not layout.shard_output("stage1_captions", "00000001").exists()
    assert not layout.shard_output("fused_captions", "00000001").exists()
