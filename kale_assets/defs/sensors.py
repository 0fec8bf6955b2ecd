"""Sensors: new shards in the source, a changed filter-rules file, and a dataset card that follows kale_shards.

The decisions (which shards need which run) are plain functions over a Dagster instance and the work folder's
`PipelineConfig`, so tests call them with a real instance; the `build_*` factories only wire them into
sensors. The jobs are passed in because they live in `definitions.py`, which imports this module.

Every sensor says in its tick log what it requested and why, or returns a `SkipReason` that says why not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from kale_assets.commit import is_committed
from kale_assets.config import PipelineConfig
from kale_assets.defs.partitions import SHARDS, shard_partitions
from kale_assets.defs.resources import KaleResource
from kale_assets.distillation import latest_student
from kale_assets.filtering import load_rules
from kale_assets.layout import WorkLayout
from kale_assets.run_control import reclaim_dead_runs
from kale_assets.shard_io import list_shards

# Tags Dagster itself sets on runs (documented names; the constants live in a private module).
RUN_KEY_TAG = "dagster/run_key"
PARTITION_TAG = "dagster/partition"

KALE_SHARDS = AssetKey("kale_shards")
DATASET_CARD = AssetKey("kale_dataset_card")
# The asset whose file proves a shard has captions of its own pool (what kale_shards reads).
POOL_CAPTIONS = {"stage1": "fused_captions", "stage2": "stage2_captions"}

# What one shard needs, as the assets of one run. definitions.py builds the per-pool jobs from these lists
# and the backfill schedule selects them from its job, so a "plan" means the same steps everywhere.
# The other pool's caption assets are in each plan too: for this shard they are instant no-ops, but once
# materialized the UI no longer warns "upstream data missing" when someone launches kale_shards by hand.
PLAN_ASSETS: dict[str, list[str]] = {
    "stage1": ["datacomp_shards", "stage1_captions", "fused_captions", "stage2_captions", "kale_shards"],
    "stage2": ["datacomp_shards", "stage1_captions", "fused_captions", "stage2_captions", "kale_shards"],
    "finalize": ["kale_shards"],
    "ingest": ["datacomp_shards"],
}

FINISHED_STATUSES = (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)
UNFINISHED_STATUSES = [s for s in DagsterRunStatus if s not in FINISHED_STATUSES]

# Run requests per tick. A listing of thousands of new shards (or a rules change over thousands of final
# shards) would otherwise queue thousands of runs in one tick; the rest follows on the next ticks.
MAX_DISCOVERY_RUNS_PER_TICK = 50
MAX_RULES_RUNS_PER_TICK = 200
# Keeps IN (...) queries well under SQLite's limit on bound variables.
_QUERY_CHUNK = 500


# --------------------------------------------------------------------------------------------------------
# Shared helpers (also used by schedules.py)


def work_settings(kale: KaleResource) -> tuple[PipelineConfig | None, str | None]:
    """The work folder's configuration, or None and the reason a sensor should skip."""
    if not kale.root():
        return None, ("no work folder configured: set KALE_WORKDIR to a folder created by `kale run` or "
                      "`kale demo`")
    try:
        return kale.config(), None
    except FileNotFoundError as exc:
        return None, f"work folder not configured: {exc}"


def unfinished_runs(instance: DagsterInstance):
    """Runs that are queued, starting, running or being cancelled.

    Runs left STARTED by a `kale run` process that died are marked failed first: otherwise their shards
    would look busy for ever (the daemon's run monitoring only watches the runs it launched itself).
    """
    reclaim_dead_runs(instance)
    return [record.dagster_run for record in instance.get_run_records(RunsFilter(statuses=UNFINISHED_STATUSES))]


def busy_shards(instance: DagsterInstance) -> set[str]:
    """Shards with a run that has not finished: nothing else should be requested for them now."""
    return {run.tags[PARTITION_TAG] for run in unfinished_runs(instance) if PARTITION_TAG in run.tags}


def chunked(items: Sequence[str], size: int = _QUERY_CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def used_run_keys(instance: DagsterInstance, keys: Sequence[str]) -> set[str]:
    """The run keys among `keys` that some run already carries (the daemon would skip them anyway; filtering
    them here keeps them from using up a tick's quota)."""
    used: set[str] = set()
    for chunk in chunked(list(keys)):
        for record in instance.get_run_records(RunsFilter(tags={RUN_KEY_TAG: list(chunk)})):
            used.add(record.dagster_run.tags[RUN_KEY_TAG])
    return used


def pool_of(config: PipelineConfig, shard_id: str) -> str:
    return config.pool_rule.pool_of(shard_id)


# --------------------------------------------------------------------------------------------------------
# Rules change


@dataclass(frozen=True)
class FinalState:
    """The latest kale_shards materialization of one shard."""

    storage_id: int
    rules_hash: str | None


def latest_final_states(instance: DagsterInstance, wanted: set[str], page: int = 1000) -> dict[str, FinalState]:
    """Latest kale_shards materialization per shard in `wanted`, newest first, stopping once all are seen.

    After a full re-finalization the newest len(wanted) events cover every shard, so this is usually one page.
    """
    states: dict[str, FinalState] = {}
    cursor = None
    while len(states) < len(wanted):
        result = instance.fetch_materializations(KALE_SHARDS, limit=page, cursor=cursor)
        for record in result.records:
            key = record.partition_key
            if key in wanted and key not in states:
                entry = record.asset_materialization.metadata.get("rules_hash")
                states[key] = FinalState(record.storage_id, entry.value if entry is not None else None)
        if not result.has_more:
            break
        cursor = result.cursor
    return states


def shards_with_captions(instance: DagsterInstance, config: PipelineConfig) -> list[str]:
    """Registered shards that kale_shards can be rebuilt for without recomputing captions: those whose
    ingest and own pool's captions are committed (the files decide, not Dagster's records)."""
    layout = WorkLayout(config.root)
    return sorted(
        s for s in instance.get_dynamic_partitions(SHARDS)
        if is_committed(layout, "datacomp_shards", s) and is_committed(layout, POOL_CAPTIONS[pool_of(config, s)], s)
    )


@dataclass(frozen=True)
class Refinalize:
    shard_id: str
    previous: FinalState | None  # None: kale_shards never materialized (captions exist)

    def run_key(self, rules_hash: str) -> str:
        # The storage id of the materialization being replaced makes the key unique per change, also when a
        # hash comes back (A -> B -> A) and so was used before.
        after = self.previous.storage_id if self.previous else "new"
        return f"rules:{rules_hash}:{self.shard_id}:{after}"


def shards_to_refinalize(instance: DagsterInstance, config: PipelineConfig, rules_hash: str, *,
                         only_materialized: bool) -> list[Refinalize]:
    """Shards whose final rows do not carry `rules_hash` and whose captions exist.

    `only_materialized`: consider only shards with a kale_shards materialization (the first evaluation, which
    must not race the runs that are producing new shards).
    """
    if only_materialized:
        candidates = sorted(set(instance.get_dynamic_partitions(SHARDS))
                            & instance.get_materialized_partitions(KALE_SHARDS))
    else:
        candidates = shards_with_captions(instance, config)
    states = latest_final_states(instance, set(candidates))
    return [Refinalize(s, states.get(s)) for s in candidates
            if states.get(s) is None or states[s].rules_hash != rules_hash]


def _read_json_cursor(context: SensorEvaluationContext) -> dict | None:
    if not context.cursor:
        return None
    try:
        value = json.loads(context.cursor)
    except json.JSONDecodeError:
        context.log.warning(f"ignoring a cursor that is not JSON: {context.cursor[:80]!r}")
        return None
    return value if isinstance(value, dict) else None


def _rules_cursor(context: SensorEvaluationContext) -> dict | None:
    # A bare sha256 (typed into the UI's cursor field) is accepted as "this hash was handled".
    raw = (context.cursor or "").strip()
    if len(raw) == 64 and all(c in "0123456789abcdef" for c in raw):
        return {"rules_hash": raw}
    return _read_json_cursor(context)


def build_rules_change_sensor(finalize_job, *, minimum_interval_seconds: int = 10,
                              max_runs_per_tick: int = MAX_RULES_RUNS_PER_TICK):
    """Re-finalize shards (kale_shards only, captions untouched) when the rules file's sha256 changes.

    Cursor: JSON {"rules_hash", "rules_version", "backlog"}; backlog is true while more shards than one
    tick's quota still wait. Run key: rules:<sha256>:<shard>:<storage id of the replaced materialization>.
    """

    @sensor(
        name="rules_change_sensor",
        jobs=[finalize_job],
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "When the filter rules change (the rules hash covers the rules file and the leak classifier's "
            "weights), re-runs kale_shards for every shard with captions, once per change; the captions are not "
            "recomputed. The dataset card follows through dataset_card_sensor."
        ),
    )
    def rules_change_sensor(context: SensorEvaluationContext, kale: KaleResource):
        config, reason = work_settings(kale)
        if config is None:
            return SkipReason(reason)
        rules_file = config.rules_path or "the packaged artifact_rules.yaml"
        try:
            rules = load_rules(config.rules_path)
        except (OSError, ValueError) as exc:
            # An editor saving half a file must not start a re-run of every shard; the next tick looks again.
            return SkipReason(f"rules file {rules_file} cannot be used yet: {exc}")
        state = _rules_cursor(context)
        short = rules.sha256[:12]
        if state and state.get("rules_hash") == rules.sha256 and not state.get("backlog"):
            return SkipReason(f"rules unchanged: {rules_file} version {rules.version}, sha256 {short}")

        first = state is None
        stale = shards_to_refinalize(context.instance, config, rules.sha256, only_materialized=first)
        keys = {r.shard_id: r.run_key(rules.sha256) for r in stale}
        used = used_run_keys(context.instance, list(keys.values()))
        todo = [r for r in stale if keys[r.shard_id] not in used]
        batch = todo[:max_runs_per_tick]
        cursor = json.dumps({"rules_hash": rules.sha256, "rules_version": rules.version,
                             "backlog": len(todo) > len(batch)})
        if not batch:
            if first:
                message = (f"first evaluation: every materialized kale_shards partition already carries rules "
                           f"version {rules.version} (sha256 {short}); recorded it in the cursor")
            else:
                message = (f"rules now version {rules.version} (sha256 {short}), but no shard needs a new "
                           f"kale_shards: all carry this hash, have no captions yet, or were already requested")
            context.log.info(message)
            return SensorResult(skip_reason=message, cursor=cursor)
        before = (state or {}).get("rules_hash")
        context.log.info(
            f"rules {'first seen' if first else 'changed'}: {rules_file} version {rules.version}, sha256 {short} "
            f"(was {before[:12] if before else 'not recorded'}); requesting finalize_job for {len(batch)} shard(s)"
            f" {', '.join(r.shard_id for r in batch[:20])}{' ...' if len(batch) > 20 else ''}"
            + (f"; {len(todo) - len(batch)} more on the next ticks" if len(todo) > len(batch) else "")
        )
        return SensorResult(
            run_requests=[
                RunRequest(run_key=keys[r.shard_id], job_name=finalize_job.name, partition_key=r.shard_id,
                           tags={"kale/trigger": "rules_change", "kale/rules_version": rules.version})
                for r in batch
            ],
            cursor=cursor,
        )

    return rules_change_sensor


# --------------------------------------------------------------------------------------------------------
# Dataset card


def newest_storage_id(instance: DagsterInstance, key: AssetKey) -> int | None:
    records = instance.fetch_materializations(key, limit=1).records
    return records[0].storage_id if records else None


def runs_writing_shards(instance: DagsterInstance, shard_job_names: Iterable[str]):
    """Unfinished runs that will write kale_shards: runs of the shard jobs, or asset runs (UI, backfills)
    whose selection includes kale_shards."""
    names = set(shard_job_names)
    return [run for run in unfinished_runs(instance)
            if run.job_name in names or (run.asset_selection and KALE_SHARDS in run.asset_selection)]


def build_dataset_card_sensor(card_job, shard_jobs: Sequence, *, minimum_interval_seconds: int = 15):
    """Rebuild the dataset card once kale_shards changed and no run that writes kale_shards is pending.

    Cursor: the kale_shards storage id the card was last requested for. Run key: card:<that storage id>.
    """
    shard_job_names = [job.name for job in shard_jobs]

    @sensor(
        name="dataset_card_sensor",
        job=card_job,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "Requests card_job when the newest kale_shards materialization is newer than the dataset card and no "
            "run that writes kale_shards is queued or in progress."
        ),
    )
    def dataset_card_sensor(context: SensorEvaluationContext, kale: KaleResource):
        config, reason = work_settings(kale)
        if config is None:
            return SkipReason(reason)
        instance = context.instance
        newest_shard = newest_storage_id(instance, KALE_SHARDS)
        if newest_shard is None:
            return SkipReason("no kale_shards partition is materialized yet")
        newest_card = newest_storage_id(instance, DATASET_CARD)
        if newest_card is not None and newest_card > newest_shard:
            return SkipReason(f"the dataset card (event {newest_card}) is newer than the newest kale_shards "
                              f"materialization (event {newest_shard})")
        if context.cursor == str(newest_shard):
            return SkipReason(f"card_job was already requested for kale_shards event {newest_shard}")
        pending = runs_writing_shards(instance, shard_job_names)
        if pending:
            return SkipReason(f"waiting for {len(pending)} run(s) that write kale_shards to finish "
                              f"(e.g. {pending[0].job_name} {pending[0].run_id[:8]})")
        cards = [run for run in unfinished_runs(instance) if run.job_name == card_job.name]
        if cards:
            return SkipReason(f"card_job run {cards[0].run_id[:8]} has not finished yet")
        context.log.info(f"kale_shards changed (event {newest_shard}, card at "
                         f"{newest_card if newest_card is not None else 'never built'}): requesting card_job")
        return SensorResult(
            run_requests=[RunRequest(run_key=f"card:{newest_shard}", job_name=card_job.name,
                                     tags={"kale/trigger": "kale_shards_changed"})],
            cursor=str(newest_shard),
        )

    return dataset_card_sensor


# --------------------------------------------------------------------------------------------------------
# Shard discovery


@dataclass(frozen=True)
class ShardRun:
    shard_id: str
    plan: str  # a key of PLAN_ASSETS
    run_key: str


@dataclass
class DiscoveryPlan:
    add: list[str] = field(default_factory=list)  # new partitions (only those whose run is requested now)
    runs: list[ShardRun] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # new stage-2 shards only ingested: no student yet
    released: list[str] = field(default_factory=list)  # earlier stage-2 shards now sent to the student
    new_left: int = 0  # new shards left for the next ticks
    release_left: bool = False  # stage-2 shards waiting for the student left for the next ticks


def discovery_run_key(shard_id: str, plan: str) -> str:
    return f"discover:{shard_id}:{plan}"


def stage2_waiting_for_student(instance: DagsterInstance, config: PipelineConfig) -> list[str]:
    """Registered stage-2 shards without stage-2 captions or a final shard, not being worked on."""
    registered = [s for s in instance.get_dynamic_partitions(SHARDS) if pool_of(config, s) == "stage2"]
    if not registered:
        return []
    done = instance.get_materialized_partitions(KALE_SHARDS) | instance.get_materialized_partitions(
        AssetKey(POOL_CAPTIONS["stage2"]))
    busy = busy_shards(instance)
    return sorted(s for s in registered if s not in done and s not in busy)


def plan_discovery(instance: DagsterInstance, config: PipelineConfig, listed: Sequence[str], *,
                   student_ready: bool, release_waiting: bool, max_runs: int) -> DiscoveryPlan:
    """Which listed shards to register and run now.

    A new shard is registered in the same tick as its run, so the shards beyond `max_runs` stay unregistered
    and are simply new again on the next tick (no queue to keep in the cursor), and the backfill schedule
    never sees a registered shard that nobody has started.
    """
    plan = DiscoveryPlan()
    registered = set(instance.get_dynamic_partitions(SHARDS))
    new = [s for s in listed if s not in registered]
    for shard_id in new:
        if len(plan.runs) >= max_runs:
            break
        pool = pool_of(config, shard_id)
        if pool == "stage1":
            run_plan = "stage1"
        elif student_ready:
            run_plan = "stage2"
        else:
            run_plan = "ingest"
            plan.waiting.append(shard_id)
        plan.add.append(shard_id)
        plan.runs.append(ShardRun(shard_id, run_plan, discovery_run_key(shard_id, run_plan)))
    plan.new_left = len(new) - len(plan.add)
    if student_ready and release_waiting:
        waiting = stage2_waiting_for_student(instance, config)
        keys = [discovery_run_key(s, "stage2") for s in waiting]
        used = used_run_keys(instance, keys)
        todo = [s for s, k in zip(waiting, keys, strict=True) if k not in used]
        room = max(0, max_runs - len(plan.runs))
        for shard_id in todo[:room]:
            plan.released.append(shard_id)
            plan.runs.append(ShardRun(shard_id, "stage2", discovery_run_key(shard_id, "stage2")))
        plan.release_left = len(todo) > room
    return plan


def listing_digest(shard_ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(shard_ids).encode()).hexdigest()


def build_shard_discovery_sensor(stage1_shard_job, stage2_shard_job, ingest_job, *,
                                 minimum_interval_seconds: int = 60,
                                 max_runs_per_tick: int = MAX_DISCOVERY_RUNS_PER_TICK):
    """Register new shards of the source as partitions and request the runs that make them final shards.

    Cursor: JSON {"listing_sha256", "shards_listed", "student", "release_backlog"}: the last listing, and the
    student checkpoint for which the stage-2 shards that waited for it were released.
    Run key: discover:<shard>:<stage1|stage2|ingest>.
    """
    job_for_plan = {"stage1": stage1_shard_job.name, "stage2": stage2_shard_job.name, "ingest": ingest_job.name}

    @sensor(
        name="shard_discovery_sensor",
        jobs=[stage1_shard_job, stage2_shard_job, ingest_job],
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "Lists the configured shard source, adds new shards as partitions and runs each through its pool "
            f"(stage1_shard_job / stage2_shard_job; stage-2 shards are only ingested until a student exists). "
            f"At most {max_runs_per_tick} runs per tick."
        ),
    )
    def shard_discovery_sensor(context: SensorEvaluationContext, kale: KaleResource):
        config, reason = work_settings(kale)
        if config is None:
            return SkipReason(reason)
        try:
            refs = list_shards(config.source, storage_options=config.storage_options or None)
        except (FileNotFoundError, NotADirectoryError) as exc:
            return SkipReason(f"cannot list the shard source: {exc}")
        listed = [ref.shard_id for ref in refs]
        student = latest_student(WorkLayout(config.root).student_dir)
        state = _read_json_cursor(context) or {}
        release = student is not None and (state.get("student") != str(student) or state.get("release_backlog"))
        plan = plan_discovery(context.instance, config, listed, student_ready=student is not None,
                              release_waiting=bool(release), max_runs=max_runs_per_tick)
        cursor = json.dumps({
            "listing_sha256": listing_digest(listed),
            "shards_listed": len(listed),
            # Recorded once every waiting stage-2 shard was handed to this student.
            "student": str(student) if student is not None and not plan.release_left else state.get("student"),
            "release_backlog": plan.release_left,
        })
        if plan.waiting:
            context.log.info(f"{len(plan.waiting)} new stage-2 shard(s) ({', '.join(plan.waiting[:20])}) are only "
                             "ingested: stage 2 waits for the student (materialize distilled_captioner)")
        if plan.released:
            context.log.info(f"student {student} is ready: {len(plan.released)} stage-2 shard(s) that waited for it "
                             "go to stage2_shard_job")
        if not plan.runs:
            message = f"no new shards: {len(listed)} listed in {config.source}, all registered"
            context.log.info(message)
            return SensorResult(skip_reason=message, cursor=cursor)
        by_job: dict[str, int] = {}
        for run in plan.runs:
            by_job[job_for_plan[run.plan]] = by_job.get(job_for_plan[run.plan], 0) + 1
        context.log.info(
            f"{len(plan.add)} new shard(s) in {config.source} ({', '.join(plan.add[:20])}"
            f"{' ...' if len(plan.add) > 20 else ''}); requesting "
            + ", ".join(f"{n} {job}" for job, n in sorted(by_job.items()))
            + (f"; {plan.new_left} more new shard(s) on the next ticks" if plan.new_left else "")
        )
        return SensorResult(
            run_requests=[
                RunRequest(run_key=run.run_key, job_name=job_for_plan[run.plan], partition_key=run.shard_id,
                           tags={"kale/trigger": "shard_discovery", "kale/pool": pool_of(config, run.shard_id)})
                for run in plan.runs
            ],
            dynamic_partitions_requests=[shard_partitions.build_add_request(plan.add)] if plan.add else [],
            cursor=cursor,
        )

    return shard_discovery_sensor
