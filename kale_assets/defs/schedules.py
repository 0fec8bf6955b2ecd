"""The backfill schedule: every tick, start the partitions with a shard that has no final shard, or whose last
run failed.

One partition (a shard, or a shard group when kale.yaml's `shards_per_partition` is above 1) per run, chunked
by runs per tick: a repair run recomputes whatever its partition lacks, so it stays as small as one partition.

A Dagster schedule submits every RunRequest against its single target job, so the schedule targets
`shard_repair_job` (every partitioned asset) and each request selects the assets its shard needs: the same
steps as stage1_shard_job, stage2_shard_job, finalize_job or ingest_job (`PLAN_ASSETS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRunStatus,
    DefaultScheduleStatus,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from kale_assets.commit import committed_partitions, shards_with_commits
from kale_assets.config import PipelineConfig
from kale_assets.defs.partitions import SHARDS
from kale_assets.defs.resources import KaleResource
from kale_assets.defs.sensors import (
    PARTITION_TAG,
    PLAN_ASSETS,
    POOL_CAPTIONS,
    busy_shards,
    chunked,
    pool_of,
    work_settings,
)
from kale_assets.layout import WorkLayout
from kale_assets.shard_groups import group
from kale_assets.shard_io import list_shards
from kale_assets.student_store import current_student_ref

DEFAULT_CRON = "*/30 * * * *"
MAX_RUNS_PER_TICK = 20
# A shard whose last runs all failed this many times in a row is left alone (and named in the tick log) until
# someone looks at it: a corrupt shard must not take a slot every tick forever.
MAX_CONSECUTIVE_FAILURES = 3
# How many of the newest failed runs a tick looks at to find shards whose latest run failed. A shard with no
# final shard is found anyway (it is missing); this bound only matters for re-runs that failed.
FAILED_RUNS_SCANNED = 1000


@dataclass(frozen=True)
class RunHistory:
    latest_status: DagsterRunStatus
    latest_run_id: str
    consecutive_failures: int


def failed_shard_histories(instance: DagsterInstance, shards: set[str]) -> dict[str, RunHistory]:
    """For shards in `shards` whose latest finished run failed: that run and how many failed in a row."""
    failed = instance.get_run_records(RunsFilter(statuses=[DagsterRunStatus.FAILURE]), limit=FAILED_RUNS_SCANNED)
    suspects = sorted({r.dagster_run.tags[PARTITION_TAG] for r in failed
                       if r.dagster_run.tags.get(PARTITION_TAG) in shards})
    histories: dict[str, RunHistory] = {}
    for chunk in chunked(suspects):
        runs_by_shard: dict[str, list] = {}
        # newest first
        for record in instance.get_run_records(RunsFilter(tags={PARTITION_TAG: list(chunk)})):
            run = record.dagster_run
            runs_by_shard.setdefault(run.tags[PARTITION_TAG], []).append(run)
        for shard_id, runs in runs_by_shard.items():
            finished = [r for r in runs if r.status in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE)]
            if not finished or finished[0].status != DagsterRunStatus.FAILURE:
                continue
            streak = 0
            for run in finished:
                if run.status != DagsterRunStatus.FAILURE:
                    break
                streak += 1
            histories[shard_id] = RunHistory(finished[0].status, finished[0].run_id, streak)
    return histories


@dataclass(frozen=True)
class RepairRun:
    shard_id: str
    plan: str  # a key of PLAN_ASSETS
    reason: str  # "missing" or "failed"


@dataclass
class BackfillPlan:
    runs: list[RepairRun] = field(default_factory=list)
    waiting_for_student: list[str] = field(default_factory=list)
    gave_up: dict[str, RunHistory] = field(default_factory=dict)
    busy: int = 0
    left: int = 0  # shards that need a run but are beyond this tick's quota
    registered: int = 0


def _shards_by_partition(config: PipelineConfig, registered: list[str]) -> dict[str, list[str]]:
    """Each registered partition's shards: the key itself for one shard, else the source's shards in the
    group's range (one listing of the source per tick: the schedule runs every half hour)."""
    if config.shards_per_partition == 1:
        return {key: [key] for key in registered}
    listed = [ref.shard_id for ref in list_shards(config.source, storage_options=config.storage_options or None)]
    groups = group([s for s in listed if s.isdigit() and len(s) == 8], config.shards_per_partition)
    return {key: groups.get(key, []) for key in registered}


def _repair_plan(config: PipelineConfig, shards: list[str], ingested: set[str], captioned: dict[str, set[str]],
                 student_ready: bool) -> str | None:
    """The cheapest plan that completes a partition's shards; None when it can only wait for the student."""
    pools = {pool_of(config, s) for s in shards}
    if all(s in ingested and s in captioned[pool_of(config, s)] for s in shards):
        return "finalize"
    if student_ready or pools == {"stage1"}:
        return "stage1" if "stage1" in pools else "stage2"
    if len(shards) > 1 and any(pool_of(config, s) == "stage1" and s not in captioned["stage1"] for s in shards):
        return "stage1_captions"  # a group's stage-1 shards get captions; its stage-2 shards wait
    if any(s not in ingested for s in shards):
        return "ingest"
    return None


def plan_backfill(instance: DagsterInstance, config: PipelineConfig, *, student_ready: bool, max_runs: int,
                  max_consecutive_failures: int = MAX_CONSECUTIVE_FAILURES) -> BackfillPlan:
    """Partitions with a shard that has no committed final shard, or whose latest run failed, and the run
    each needs.

    The plan is the cheapest that completes the partition: only kale_shards when its shards' ingest and own
    pool's captions are committed (a failed finalize must not recompute GPU captions), else its pool's
    whole path; stage-2 shards without a student are only ingested (or wait when they already are).
    """
    registered = sorted(instance.get_dynamic_partitions(SHARDS))
    plan = BackfillPlan(registered=len(registered))
    layout = config.layout()
    shards_of = _shards_by_partition(config, registered)
    every_shard = [s for shards in shards_of.values() for s in shards]
    # The files decide, not Dagster's records: a partition counts only while its commit is intact (a deleted
    # or withdrawn output, or one whose blocking checks failed, is not done).
    final = _committed(layout, "kale_shards", every_shard, config)
    busy = busy_shards(instance)
    histories = failed_shard_histories(instance, set(registered))
    needs = [k for k in registered if any(s not in final for s in shards_of[k]) or k in histories]
    plan.busy = sum(1 for k in needs if k in busy)
    needs = [k for k in needs if k not in busy]
    if not needs:
        return plan
    wanted = [s for k in needs for s in shards_of[k]]
    ingested = _committed(layout, "datacomp_shards", wanted, config)
    captioned = {pool: _committed(layout, asset, wanted, config) for pool, asset in POOL_CAPTIONS.items()}
    todo: list[RepairRun] = []
    for key in needs:
        history = histories.get(key)
        if history and history.consecutive_failures >= max_consecutive_failures:
            plan.gave_up[key] = history
            continue
        run_plan = _repair_plan(config, shards_of[key], ingested, captioned, student_ready)
        if run_plan is None:
            plan.waiting_for_student.append(key)
        else:
            todo.append(RepairRun(key, run_plan, "failed" if history else "missing"))
    plan.runs = todo[:max_runs]
    plan.left = len(todo) - len(plan.runs)
    return plan


def _committed(layout: WorkLayout, asset: str, shard_ids: list[str], config: PipelineConfig) -> set[str]:
    if config.shards_per_partition == 1:
        return committed_partitions(layout, asset, shard_ids)
    # Shard groups: one listing of the commit folder, then the full check (`is_committed`) only for those listed.
    listed = set(shards_with_commits(layout, asset))
    return committed_partitions(layout, asset, [s for s in shard_ids if s in listed])


def _pool_tag(config: PipelineConfig, key: str) -> str:
    return pool_of(config, key) if config.shards_per_partition == 1 else "group"


def backfill_run_key(shard_id: str, tick: datetime | None) -> str:
    return f"backfill:{shard_id}:{tick.isoformat() if tick else 'manual'}"


def build_backfill_schedule(shard_repair_job, *, cron_schedule: str = DEFAULT_CRON,
                            max_runs_per_tick: int = MAX_RUNS_PER_TICK,
                            max_consecutive_failures: int = MAX_CONSECUTIVE_FAILURES,
                            default_status: DefaultScheduleStatus = DefaultScheduleStatus.RUNNING):
    """RUNNING by default: it only starts shards that are missing or failed (never more than
    `max_runs_per_tick`, never one that is running, never one that failed `max_consecutive_failures` times in
    a row), so on a healthy work folder every tick is a skip."""

    @schedule(
        name="backfill_missing_shards",
        cron_schedule=cron_schedule,
        target=shard_repair_job,
        default_status=default_status,
        description=(
            f"Each tick requests up to {max_runs_per_tick} one-shard runs for shards with no final shard or whose "
            f"latest run failed (giving up after {max_consecutive_failures} failures in a row)."
        ),
    )
    def backfill_missing_shards(context: ScheduleEvaluationContext, kale: KaleResource):
        config, reason = work_settings(kale)
        if config is None:
            return SkipReason(reason)
        student = current_student_ref(config.layout())
        plan = plan_backfill(context.instance, config, student_ready=student is not None,
                             max_runs=max_runs_per_tick, max_consecutive_failures=max_consecutive_failures)
        for shard_id, history in sorted(plan.gave_up.items()):
            context.log.warning(f"shard {shard_id}: {history.consecutive_failures} failed runs in a row (latest "
                                f"{history.latest_run_id}); not retrying until it is fixed and re-run by hand")
        if plan.waiting_for_student:
            context.log.info(f"{len(plan.waiting_for_student)} stage-2 shard(s) are ingested and wait for the "
                             f"student: {', '.join(plan.waiting_for_student[:20])}")
        if plan.busy:
            context.log.info(f"{plan.busy} shard(s) that need work already have a run queued or in progress")
        if not plan.runs:
            return SkipReason(
                f"nothing to backfill: {plan.registered} shard(s) registered; none is missing its final shard or "
                f"failed its latest run, other than {plan.busy} in progress, "
                f"{len(plan.waiting_for_student)} waiting for the student and {len(plan.gave_up)} given up")
        context.log.info(
            f"requesting {len(plan.runs)} shard run(s): "
            + ", ".join(f"{r.shard_id} {r.plan} ({r.reason})" for r in plan.runs[:20])
            + (f"; {plan.left} more on the next ticks" if plan.left else "")
        )
        return [
            RunRequest(run_key=backfill_run_key(r.shard_id, context.scheduled_execution_time),
                       partition_key=r.shard_id, asset_selection=[AssetKey(a) for a in PLAN_ASSETS[r.plan]],
                       tags={"kale/trigger": "backfill", "kale/plan": r.plan, "kale/pool": _pool_tag(config, r.shard_id)})
            for r in plan.runs
        ]

    return backfill_missing_shards

