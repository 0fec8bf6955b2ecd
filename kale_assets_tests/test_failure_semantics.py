"""Failures fail loudly and checks gate data (issue: failures fail loudly), through real Dagster runs on a copy
of a materialized tiny work folder: an out-of-memory error fails the step and the retry writes identical rows;
a failed blocking check withdraws the partition so later runs cannot read it; duplicates across shards
survive once; every check result names its partition."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest
import torch
from dagster import DagsterInstance

from kale_assets.commit import is_committed, read_committed
from kale_assets.definitions import defs
from kale_assets.defs.partitions import register_shards
from kale_assets.engines import GenerationResult, TransformersEngine, release_engines
from kale_assets.layout import WorkLayout
from kale_assets.runner import QUIET_LOGS, root_cause_message
from kale_assets.uid_index import DUPLICATE_REASON, UidIndex
from kale_assets_tests.dagster_servers import copy_of_work_folder

STAGE1 = "00000000"


@pytest.fixture(scope="module")
def work(tmp_path_factory, tiny_models_dir):
    return copy_of_work_folder(tmp_path_factory.mktemp("failure-semantics"), tmp_path_factory, tiny_models_dir)


def _run(job: str, shard: str, instance: DagsterInstance):
    return defs.resolve_job_def(job).execute_in_process(instance=instance, partition_key=shard,
                                                        run_config=QUIET_LOGS, raise_on_error=False)


def _step_errors(result) -> list[str]:
    return [root_cause_message(e.step_failure_data.error) for e in result.all_events
            if e.is_step_failure and e.step_failure_data.error is not None]


def _check_evaluations(result):
    return [e.asset_check_evaluation_data for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"]


def test_out_of_memory_fails_the_step_and_the_retry_writes_identical_rows(work, instance, env, monkeypatch):
    layout = WorkLayout(work.root)
    before = read_committed(layout, "stage1_captions", STAGE1)
    calls = {"n": 0}
    original = TransformersEngine._generate_batch

    def out_of_memory_once(self, prepared):
        calls["n"] += 1
        if calls["n"] == 1:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (injected)")
        return original(self, prepared)

    release_engines()
    monkeypatch.setattr(TransformersEngine, "_generate_batch", out_of_memory_once)
    result = _run("teacher_job", STAGE1, instance)
    assert result.success, _step_errors(result)
    kinds = [e.event_type_value for e in result.all_events]
    assert "STEP_UP_FOR_RETRY" in kinds, "the engine failure must fail the step (and be retried), not reject rows"
    assert read_committed(layout, "stage1_captions", STAGE1).equals(before)
    rejected = read_committed(layout, "stage1_captions", STAGE1, "rejected")
    assert "request_error" not in rejected["reason"].to_list() and rejected.height == 0


def test_a_failed_blocking_check_withdraws_the_partition_for_later_runs(work, instance, env, monkeypatch):
    layout = WorkLayout(work.root)
    final_before = read_committed(layout, "kale_shards", STAGE1)

    def refuse_everything(self, prepared):
        return [GenerationResult(request.request_id, None, "prompt_too_long: injected") for request, _ in prepared]

    release_engines()
    with monkeypatch.context() as patch:
        patch.setattr(TransformersEngine, "_generate_batch", refuse_everything)
        failed = _run("fusion_job", STAGE1, instance)
    assert not failed.success
    evaluations = _check_evaluations(failed)
    assert {e.check_name for e in evaluations if not e.passed} == {"generation_reject_share"}
    # Each check result names its shard (the UI shows it per partition).
    assert {e.partition for e in evaluations} == {STAGE1}
    assert not is_committed(layout, "fused_captions", STAGE1), "a partition whose checks failed must not be read"
    assert (layout.quarantine_dir("fused_captions", STAGE1) / "rejected.parquet").exists()

    # A later run of the downstream asset refuses it, naming the asset to materialize.
    finalize = _run("finalize_job", STAGE1, instance)
    assert not finalize.success
    assert any("fused_captions" in m and STAGE1 in m and "materialize" in m for m in _step_errors(finalize))

    # Repaired by recomputing the partition; the final shard comes back identical.
    release_engines()
    assert _run("fusion_job", STAGE1, instance).success
    assert _run("finalize_job", STAGE1, instance).success
    assert read_committed(layout, "kale_shards", STAGE1).drop("rules_hash").equals(final_before.drop("rules_hash"))


def test_an_edited_upstream_file_is_named_and_not_read(work, instance, env):
    layout = WorkLayout(work.root)
    path = layout.shard_output("stage1_captions", STAGE1)
    original = path.read_bytes()
    edited = pl.read_parquet(path).with_columns(pl.lit("edited by hand").alias("caption"))
    edited.write_parquet(path)
    try:
        result = _run("fusion_job", STAGE1, instance)
        assert not result.success
        assert any(str(path) in m and "does not match its commit" in m for m in _step_errors(result))
    finally:
        path.write_bytes(original)
    assert is_committed(layout, "stage1_captions", STAGE1)


def test_a_uid_in_two_shards_survives_once_in_the_lowest(work, instance, env):
    layout = WorkLayout(work.root)
    source = WorkLayout(work.root).root.parent / "source"
    copy = "00000007"
    for ext in (".tar", ".parquet"):
        shutil.copyfile(source / f"{STAGE1}{ext}", source / f"{copy}{ext}")
    register_shards(instance, [copy])
    assert _run("ingest_job", copy, instance).success
    kept = read_committed(layout, "datacomp_shards", copy)
    rejected = read_committed(layout, "datacomp_shards", copy, "rejected")
    original = read_committed(layout, "datacomp_shards", STAGE1)
    dupes = rejected.filter(pl.col("reason") == DUPLICATE_REASON)
    assert kept.height == 0 and sorted(dupes["uid"].to_list()) == sorted(original["uid"].to_list())
    assert dupes["detail"].str.contains(f"shard {STAGE1}").all()
    # Input = kept + rejected still holds, and the original shard keeps every uid.
    with UidIndex(layout.uid_index) as index:
        assert index.owned_elsewhere(STAGE1, original["uid"].to_list()) == {}
    instance.delete_dynamic_partition("shards", copy)


def test_a_copied_work_folder_uses_its_own_student(work, tmp_path):
    """The CURRENT pointer is relative to the student folder, so a copy never reaches back to the original."""
    from kale_assets.distillation import latest_student

    layout = WorkLayout(work.root)
    original = latest_student(layout.student_dir)
    assert original is not None and str(original).startswith(str(layout.student_dir))
    assert not json.loads((layout.student_dir / "CURRENT").read_text())["path"].startswith("/")
    copy = tmp_path / "moved-student"
    shutil.copytree(layout.student_dir, copy)
    assert latest_student(copy) == copy / original.relative_to(layout.student_dir)
