"""Snapshot of the graph: an accidental change to assets, partitions, checks or jobs shows up here."""

from dagster import AssetKey

from kale_assets.definitions import defs


def _graph():
    return defs.resolve_asset_graph()


def test_assets_groups_and_partitions():
    graph = _graph()
    expected = {
        "datacomp_shards": ("ingest", "shards"),
        "stage1_captions": ("stage1", "shards"),
        "fused_captions": ("stage1", "shards"),
        "distilled_captioner": ("distillation", None),
        "stage2_captions": ("stage2", "shards"),
        "kale_shards": ("release", "shards"),
        "kale_dataset_card": ("release", None),
    }
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == set(expected)
    for name, (group, partitions) in expected.items():
        node = graph.get(AssetKey(name))
        assert node.group_name == group
        assert (node.partitions_def.name if node.partitions_def else None) == partitions
        assert node.description, name


def test_lineage():
    graph = _graph()
    parents = {k.to_user_string(): {p.to_user_string() for p in graph.get(k).parent_keys}
               for k in graph.get_all_asset_keys()}
    assert parents == {
        "datacomp_shards": set(),
        "stage1_captions": {"datacomp_shards"},
        "fused_captions": {"stage1_captions"},
        "distilled_captioner": {"fused_captions"},
        "stage2_captions": {"datacomp_shards", "distilled_captioner"},
        "kale_shards": {"datacomp_shards", "fused_captions", "stage2_captions"},
        "kale_dataset_card": {"kale_shards"},
    }


def test_every_asset_has_blocking_checks():
    graph = _graph()
    checks = {}
    for key in graph.asset_check_keys:
        checks.setdefault(key.asset_key.to_user_string(), set()).add(key.name)
    stage = {"schema", "unique_uid", "non_empty_captions", "provenance_non_null", "accounting"}
    assert checks["datacomp_shards"] == {"schema", "unique_uid", "accounting"}
    for name in ("stage1_captions", "fused_captions", "stage2_captions"):
        assert checks[name] == stage | {"generation_reject_share"}, name
    assert checks["kale_shards"] == stage
    assert checks["distilled_captioner"] == {"checkpoint_complete", "accounting", "losses_finite"}
    assert checks["kale_dataset_card"] == {"accounting"}
    for asset_def in defs.assets:
        for spec in asset_def.check_specs:
            assert spec.blocking, spec.key


def test_gpu_stages_declare_the_gpu_pool():
    pools = {}
    for asset_def in defs.assets:
        for key in asset_def.keys:
            pools[key.to_user_string()] = asset_def.op.pool
    assert {k for k, p in pools.items() if p == "gpu"} == {
        "stage1_captions", "fused_captions", "distilled_captioner", "stage2_captions"}


def test_jobs():
    names = {job.name for job in defs.jobs}
    assert {"ingest_job", "teacher_job", "fusion_job", "stage1_job", "distill_job", "stage2_job", "finalize_job", "card_job",
            "stage1_shard_job", "stage2_shard_job", "shard_repair_job"} <= names


def test_automation():
    assert {s.name for s in defs.sensors} == {"shard_discovery_sensor", "rules_change_sensor", "dataset_card_sensor"}
    assert {s.name for s in defs.schedules} == {"backfill_missing_shards"}


def test_resource_needs_no_environment_to_load(monkeypatch):
    from kale_assets.defs.resources import KaleResource

    monkeypatch.delenv("KALE_WORKDIR", raising=False)
    resource = KaleResource()
    assert resource.root() == ""
    import pytest

    with pytest.raises(FileNotFoundError, match="KALE_WORKDIR"):
        resource.config()


def test_instance_yaml_shipped_in_package_matches_repo_copy():
    from importlib import resources
    from pathlib import Path

    repo_copy = Path(__file__).resolve().parents[1] / "dagster.yaml"
    packaged = resources.files("kale_assets").joinpath("instance_dagster.yaml").read_text()
    assert repo_copy.read_text() == packaged


def test_dg_loads_the_project():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    dg = Path(sys.executable).with_name("dg")
    env = {**os.environ, "VIRTUAL_ENV": str(Path(sys.executable).parents[1])}
    proc = subprocess.run([str(dg), "check", "defs"], cwd=root, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All definitions loaded successfully" in proc.stdout + proc.stderr
