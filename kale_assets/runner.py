"""Run the whole graph through Dagster on the embedded default instance (SQLite in the work folder).

Used by `kale demo` and `kale run`: registers the shards as partitions, then executes the jobs of
`definitions.py` partition by partition against the persistent instance, so `dagster dev` pointed at
the same DAGSTER_HOME shows the same runs, materializations and check results.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import sqlalchemy.exc
from dagster import DagsterError

from kale_assets.commit import is_committed, read_committed
from kale_assets.config import PipelineConfig
from kale_assets.errors import KaleUsageError
from kale_assets.faults import failpoint
from kale_assets.fleet.cluster import cluster_for_run
from kale_assets.io_utils import atomic_write_bytes, atomic_write_json
from kale_assets.layout import WorkLayout
from kale_assets.run_control import (
    DiskReserve,
    PoolWaitWatcher,
    WorkdirLock,
    is_disk_full,
    reclaim_dead_runs,
    runner_tags,
    sweep_work_folder,
)
from kale_assets.shard_groups import group

# (job, which shards it runs for) in pipeline order; None = unpartitioned.
PIPELINE_STEPS = [
    ("ingest_job", "all"),
    # Pool-specific jobs run for every shard: for the other pool's shards they are instant no-ops, and having
    # them materialized keeps the UI from flagging kale_shards' upstream as missing.
    ("teacher_job", "all"),
    ("fusion_job", "all"),
    ("distill_job", None),
    ("stage2_job", "all"),
    ("finalize_job", "all"),
    ("card_job", None),
]
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class RunRecord:
    job: str
    partition: str | None
    success: bool
    seconds: float
    run_id: str | None = None
    failed_checks: list[str] = field(default_factory=list)
    skipped_reason: str | None = None
    error: str | None = None  # the last line of the failing step's error


def prepare_workdir(config: PipelineConfig) -> WorkLayout:
    """Write kale.yaml and the instance's dagster.yaml, and point this process at them."""
    layout = config.layout()
    if not layout.is_remote:
        config.root.mkdir(parents=True, exist_ok=True)
    config.save()
    layout.dagster_home.mkdir(parents=True, exist_ok=True)
    instance_yaml = resources.files("kale_assets").joinpath("instance_dagster.yaml")
    with resources.as_file(instance_yaml) as src:
        atomic_write_bytes(layout.dagster_home / "dagster.yaml", Path(src).read_bytes())
    os.environ["DAGSTER_HOME"] = str(layout.dagster_home.resolve())
    os.environ["KALE_WORKDIR"] = config.workdir if layout.is_remote else str(config.root.resolve())
    return layout


def run_pipeline(config: PipelineConfig, *, console=None, command: str = "kale run") -> dict:
    """Materialize the whole graph for every shard of ``config.source``; returns (and writes) the summary.

    One runner per work folder (`WorkdirLock`); what a killed run left behind (temporary files, staging
    folders, runs marked STARTED that hold pool slots) is cleared first, so a plain re-run finishes by itself.
    A full disk or another I/O error stops the run with one clear line in the summary, which is still written.
    """
    started = time.perf_counter()
    layout = config.layout()
    with WorkdirLock(layout, command), DiskReserve(layout.scratch) as reserve:
        sweep_work_folder(layout)
        prepare_workdir(config)
        with cluster_for_run(config.executor, config.ray_settings()):
            records, shard_ids, fatal = _run_all(config, console)
        summary = build_summary(config, shard_ids, records, time.perf_counter() - started)
        if fatal is not None:
            summary.update(all_succeeded=False, fatal_error=fatal)
        try:
            atomic_write_json(layout.summary, summary)
        except OSError as err:
            if not is_disk_full(err):
                raise
            reserve.release()  # what the reserve was kept for
            atomic_write_json(layout.summary, summary)
    return summary


def _run_all(config: PipelineConfig, console) -> tuple[list[RunRecord], list[str], str | None]:
    from dagster import DagsterInstance

    from kale_assets.defs.partitions import register_shards
    from kale_assets.shard_io import list_shards

    if config.preset == "tiny":
        from kale_assets.tiny_models import build_tiny_models

        build_tiny_models(config.models_root)
    shard_ids = [ref.shard_id for ref in list_shards(config.source, storage_options=config.storage_options or None)]
    if not shard_ids:
        raise FileNotFoundError(f"no NNNNNNNN.tar shards found in {config.source}")
    with DagsterInstance.get() as instance:
        reclaimed = reclaim_dead_runs(instance)
        if reclaimed and console is not None:
            console.print(f"marked {len(reclaimed)} run(s) of a killed kale run as failed and freed their pool slots")
        groups = _groups(config, shard_ids)
        register_shards(instance, list(groups))
        records, fatal = _execute_plan(instance, config, _plan(config, groups), console, groups)
    return records, shard_ids, fatal


def _groups(config: PipelineConfig, shard_ids: list[str]) -> dict[str, list[str]]:
    """Partition key -> its shards (`kale_assets.shard_groups`)."""
    try:
        return group(shard_ids, config.shards_per_partition)
    except ValueError as err:
        raise KaleUsageError(str(err)) from None


def _plan(config: PipelineConfig, groups: dict[str, list[str]]) -> list[tuple[str, str | None]]:
    plan: list[tuple[str, str | None]] = []
    for job, pool in PIPELINE_STEPS:
        if pool is None:
            plan.append((job, None))
        else:
            plan.extend((job, key) for key, shards in groups.items()
                        if pool == "all" or any(config.pool_rule.pool_of(s) == pool for s in shards))
    return plan


def _execute_plan(instance, config: PipelineConfig, plan, console,
                  groups: dict[str, list[str]]) -> tuple[list[RunRecord], str | None]:
    """Run the plan step by step; returns the records and, when the run had to stop, the one-line reason."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from kale_assets.definitions import build_definitions

    defs = build_definitions()
    records: list[RunRecord] = []
    failed_shards: set[str] = set()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        task = progress.add_task("runs", total=len(plan))
        for job_name, key in plan:
            progress.update(task, description=f"{job_name} {key or ''}".strip())
            skip = _skip_reason(job_name, key, failed_shards, records, config, groups)
            if skip:
                records.append(RunRecord(job_name, key, False, 0.0, skipped_reason=skip))
                progress.advance(task)
                continue
            try:
                record = _execute_one(instance, defs, job_name, key, progress.console)
            except (OSError, DagsterError, sqlite3.Error, sqlalchemy.exc.SQLAlchemyError) as err:
                # The instance's own storage failed (SQLite on a full disk, say): nothing after this can be
                # recorded, so the run stops here with one line; errors of other kinds are bugs and propagate.
                if not is_disk_full(err) and not isinstance(err, OSError):
                    raise
                reason = _fatal_line(err, job_name, key)
                records.append(RunRecord(job_name, key, False, 0.0, failed_checks=[], skipped_reason=reason))
                return records, reason
            records.append(record)
            failpoint("runner:after_run")
            if not record.success and key is not None:
                failed_shards.add(key)
            if record.error and is_disk_full_text(record.error):
                return records, _fatal_line(record.error, job_name, key)
            progress.advance(task)
    return records, None


def _execute_one(instance, defs, job_name: str, key: str | None, console) -> RunRecord:
    t0 = time.perf_counter()
    run_id = str(uuid.uuid4())
    with PoolWaitWatcher(instance, run_id, lambda msg: console.print(f"[yellow]{msg}")):
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, partition_key=key, raise_on_error=False, run_config=QUIET_LOGS, run_id=run_id,
            tags=runner_tags())
    failed_checks = [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in (ev.asset_check_evaluation_data for ev in result.all_events
                  if ev.event_type_value == "ASSET_CHECK_EVALUATION")
        if not e.passed
    ]
    error = None
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error is not None:
            error = root_cause_message(event.step_failure_data.error)
    ok = result.success and not failed_checks
    return RunRecord(job_name, key, ok, time.perf_counter() - t0, result.run_id, failed_checks, error=error)


def root_cause_message(error) -> str:
    """The innermost message of a Dagster SerializableErrorInfo (user code errors come wrapped)."""
    while error.cause is not None:
        error = error.cause
    lines = error.message.strip().splitlines()
    return lines[-1] if lines else error.cls_name or "error"


def is_disk_full_text(text: str) -> bool:
    return "No space left on device" in text or "database or disk is full" in text


def _fatal_line(err, job_name: str, key: str | None) -> str:
    where = f"{job_name} {key or ''}".strip()
    text = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
    full = is_disk_full_text(err) if isinstance(err, str) else is_disk_full(err)
    if full:
        return f"disk full during {where} ({text}): free space under the work folder, then run the same command again"
    return f"I/O error during {where} ({text}): fix it, then run the same command again"


def _skip_reason(job: str, key: str | None, failed_shards: set[str], records: list[RunRecord],
                 config: PipelineConfig, groups: dict[str, list[str]]) -> str | None:
    if key is not None and key in failed_shards:
        return "an earlier step of this shard failed"
    succeeded = {(r.job, r.partition) for r in records if r.success}
    if job == "distill_job" and not any(j == "fusion_job" for j, _ in succeeded):
        return "no stage-1 shard finished fusion"
    has_stage2 = key is not None and any(config.pool_rule.pool_of(s) == "stage2" for s in groups.get(key, [key]))
    if job == "stage2_job" and has_stage2 and ("distill_job", None) not in succeeded:
        return "the student was not trained"
    if job == "finalize_job" and has_stage2 and ("stage2_job", key) not in succeeded:
        return "stage-2 captions missing"
    return None


def build_summary(config: PipelineConfig, shard_ids: list[str], records: list[RunRecord], seconds: float) -> dict:
    import json

    layout = config.layout()
    shards = {}
    for shard_id in shard_ids:
        final_path = layout.shard_output("kale_shards", shard_id)
        rejected_path = layout.shard_rejected("kale_shards", shard_id)
        complete = is_committed(layout, "kale_shards", shard_id)
        entry: dict = {"pool": config.pool_rule.pool_of(shard_id), "complete": complete}
        if complete:
            kept = read_committed(layout, "kale_shards", shard_id, columns=["uid"]).height
            rejected = read_committed(layout, "kale_shards", shard_id, "rejected", columns=["stage", "reason"])
            entry.update(
                input=kept + rejected.height,
                kept=kept,
                rejected=rejected.height,
                rejected_by_reason={f"{s}:{r}": int(n) for s, r, n in
                                    rejected.group_by("stage", "reason").len().sort("stage", "reason").iter_rows()},
                outputs={"final": str(final_path), "rejected": str(rejected_path)},
            )
        shards[shard_id] = entry
    card_json = layout.card_dir / "card.json"
    return {
        "workdir": config.workdir if layout.is_remote else str(config.root),
        "dagster_home": str(layout.dagster_home.resolve()),
        "source": config.source,
        "preset": config.preset,
        "seconds": round(seconds, 1),
        "shards": shards,
        "dataset_card": json.loads(card_json.read_text()) if card_json.exists() else None,
        "dataset_card_path": str(layout.card_dir / "README.md"),
        "runs": [r.__dict__ for r in records],
        "all_succeeded": all(r.success for r in records),
    }
