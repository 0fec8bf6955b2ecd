"""Sensors: new shards in the source, a changed filter-rules file, and a dataset card that follows kale_shards.

The decisions (which partitions need which run) are plain functions over a Dagster instance and the work
folder's `PipelineConfig` (the set logic itself is in `kale_assets.control_plane`), so tests call them with a
real instance; the `build_*` factories only wire them into sensors. The jobs are passed in because they live
in `definitions.py`, which imports this module.

Partitions are shard ids, or shard-group keys when kale.yaml's `shards_per_partition` is above 1
(`kale_assets.shard_groups`). Every sensor says in its tick log what it requested and why, or returns a
`SkipReason` that says why not.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
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

from kale_assets.commit import is_committed, shards_with_commits
from kale_assets.config import PipelineConfig
from kale_assets.control_plane import (
    PartitionRange,
    keys_in_range,
    plan_groups,
    refilter_ranges,
)
from kale_assets.defs.partitions import SHARDS, shard_partitions
from kale_assets.defs.resources import KaleResource
from kale_assets.filtering import load_rules
from kale_assets.layout import WorkLayout
from kale_assets.run_control import reclaim_dead_runs
from kale_assets.shard_groups import partition_key
from kale_assets.shard_io import list_shards_after, listing_token
from kale_assets.student_store import current_student_ref

# Tags Dagster itself sets on runs (documented names; the constants live in a private module).
RUN_KEY_TAG = "dagster/run_key"
PARTITION_TAG = "dagster/partition"
# A run over a range of partitions (one step materializes every key from start to end, in partition order).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

KALE_SHARDS = AssetKey("kale_shards")
DATASET_CARD = AssetKey("kale_dataset_card")
# The asset whose file proves a shard has captions of its own pool (what kale_shards reads).
POOL_CAPTIONS = {"stage1": "fused_captions", "stage2": "stage2_captions"}

# What one partition needs, as the assets of one run. definitions.py builds the per-pool jobs from these lists
# and the backfill schedule selects them from its job, so a "plan" means the same steps everywhere.
# The other pool's caption assets are in each plan too: for this shard they are instant no-ops, but once
# materialized the UI no longer warns "upstream data missing" when someone launches kale_shards by hand.
# "stage1_captions" and "release" are for shard groups, which mix pools: before the student exists a group's
# stage-1 shards get their captions (its stage-2 shards are ingested), and once it exists the group's stage-2
# captions and every final shard follow, without recomputing the stage-1 captions.
PLAN_ASSETS: dict[str, list[str]] = {
    "stage1": ["datacomp_shards", "stage1_captions", "fused_captions", "stage2_captions", "kale_shards"],
    "stage2": ["datacomp_shards", "stage1_captions", "fused_captions", "stage2_captions", "kale_shards"],
    "finalize": ["kale_shards"],
    "ingest": ["datacomp_shards"],
    "stage1_captions": ["datacomp_shards", "stage1_captions", "fused_captions"],
    "release": ["stage2_captions", "kale_shards"],
}
# The plans that run a subset of their job (RunRequest.asset_selection); the others run the whole job.
SUBSET_PLANS = ("stage1_captions", "release")

FINISHED_STATUSES = (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)
UNFINISHED_STATUSES = [s for s in DagsterRunStatus if s not in FINISHED_STATUSES]

# Run requests per tick. A listing of thousands of new shards (or a rules change over thousands of final
# shards) would otherwise queue thousands of runs in one tick; the rest follows on the next ticks.
MAX_DISCOVERY_RUNS_PER_TICK = 50
MAX_RULES_RUNS_PER_TICK = 200
# Partitions per re-finalize run for shard groups when kale.yaml does not say: 1.3k DataComp-1B groups are 3 runs.
DEFAULT_REFILTER_PARTITIONS_PER_RUN = 500
# Keeps IN (...) queries well under SQLite's limit on bound variables.
_QUERY_CHUNK = 500
# Up to this many listed shards, discovery looks up each one's ingest commit instead of listing the folder.
_PER_SHARD_LOOKUPS = 5000
# Shard ids that can belong to a shard group (`kale_assets.shard_groups`).
_GROUPABLE = re.compile(r"\d{8}")


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


def busy_partitions(instance: DagsterInstance) -> set[str]:
    """Partitions with a run that has not finished (one partition, or every key of a range run): nothing else
    should be requested for them now."""
    busy: set[str] = set()
    order: list[str] | None = None
    for run in unfinished_runs(instance):
        if PARTITION_TAG in run.tags:
            busy.add(run.tags[PARTITION_TAG])
        elif RANGE_START_TAG in run.tags and RANGE_END_TAG in run.tags:
            order = order if order is not None else instance.get_dynamic_partitions(SHARDS)
            busy.update(keys_in_range(order, run.tags[RANGE_START_TAG], run.tags[RANGE_END_TAG]))
    return busy


# The name schedules.py and older callers use.
busy_shards = busy_partitions


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
    """The latest kale_shards materialization of one partition."""

    storage_id: int
    rules_hash: str | None


def latest_final_states(instance: DagsterInstance, wanted: set[str], page: int = 1000) -> dict[str, FinalState]:
    """Latest kale_shards materialization per partition in `wanted`, newest first, stopping once all are seen.

    After a full re-finalization the newest len(wanted) events cover every partition, so this is usually one page.
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
    """Registered partitions that kale_shards can be rebuilt for without recomputing captions: one-shard keys
    whose ingest and own pool's captions are committed, group keys with at least one such shard (the files
    decide, not Dagster's records)."""
    layout = config.layout()
    registered = instance.get_dynamic_partitions(SHARDS)
    if config.shards_per_partition == 1:
        return sorted(s for s in registered if is_committed(layout, "datacomp_shards", s)
                      and is_committed(layout, POOL_CAPTIONS[pool_of(config, s)], s))
    # One listing of each commit folder instead of a manifest read per shard: 130k shards stay one second.
    ingested = set(shards_with_commits(layout, "datacomp_shards"))
    captioned = {pool: set(shards_with_commits(layout, asset)) for pool, asset in POOL_CAPTIONS.items()}
    ready = {partition_key(s, config.shards_per_partition) for s in ingested
             if _GROUPABLE.fullmatch(s) and s in captioned[pool_of(config, s)]}
    return sorted(k for k in registered if k in ready)


@dataclass(frozen=True)
class Refinalize:
    shard_id: str  # the partition key
    previous: FinalState | None  # None: kale_shards never materialized (captions exist)

    def run_key(self, rules_hash: str) -> str:
        # The storage id of the materialization being replaced makes the key unique per change, also when a
        # hash comes back (A -> B -> A) and so was used before.
        after = self.previous.storage_id if self.previous else "new"
        return f"rules:{rules_hash}:{self.shard_id}:{after}"


def shards_to_refinalize(instance: DagsterInstance, config: PipelineConfig, rules_hash: str, *,
                         only_materialized: bool) -> list[Refinalize]:
    """Partitions whose final rows do not carry `rules_hash` and whose captions exist.

    `only_materialized`: consider only partitions with a kale_shards materialization (the first evaluation,
    which must not race the runs that are producing new shards).
    """
    if only_materialized:
        candidates = sorted(set(instance.get_dynamic_partitions(SHARDS))
                            & instance.get_materialized_partitions(KALE_SHARDS))
    else:
        candidates = shards_with_captions(instance, config)
    states = latest_final_states(instance, set(candidates))
    return [Refinalize(s, states.get(s)) for s in candidates
            if states.get(s) is None or states[s].rules_hash != rules_hash]


def refilter_per_run(config: PipelineConfig) -> int:
    """Partitions per re-finalize run: kale.yaml's `refilter_partitions_per_run`, else one per run for
    one-shard partitions (as before shard groups) and DEFAULT_REFILTER_PARTITIONS_PER_RUN for groups."""
    if config.refilter_partitions_per_run:
        return config.refilter_partitions_per_run
    return 1 if config.shards_per_partition == 1 else DEFAULT_REFILTER_PARTITIONS_PER_RUN


def range_run_key(rules_hash: str, batch: PartitionRange, states: dict[str, Refinalize]) -> str:
    # Like Refinalize.run_key, over every partition of the range: a new key per change, the same key for the
    # same range of the same change on the next tick.
    replaced = "\n".join(f"{k}@{states[k].previous.storage_id if states[k].previous else 'new'}" for k in batch.keys)
    return f"rules:{rules_hash}:{batch.start}..{batch.end}:{hashlib.sha256(replaced.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class RefinalizeRun:
    run_key: str
    keys: tuple[str, ...]

    def request(self, job_name: str, rules_version: str) -> RunRequest:
        tags = {"kale/trigger": "rules_change", "kale/rules_version": rules_version}
        if len(self.keys) == 1:
            return RunRequest(run_key=self.run_key, job_name=job_name, partition_key=self.keys[0], tags=tags)
        return RunRequest(run_key=self.run_key, job_name=job_name,
                          tags={**tags, RANGE_START_TAG: self.keys[0], RANGE_END_TAG: self.keys[-1],
                                "kale/partitions": str(len(self.keys))})


def plan_refinalize(instance: DagsterInstance, config: PipelineConfig, rules_hash: str, *,
                    only_materialized: bool) -> list[RefinalizeRun]:
    """The runs a rules change needs, not yet requested: one per stale partition, or partition ranges of
    `refilter_per_run(config)` keys, never over a partition another run is working on."""
    stale = shards_to_refinalize(instance, config, rules_hash, only_materialized=only_materialized)
    per_run = refilter_per_run(config)
    if per_run == 1:
        runs = [RefinalizeRun(r.run_key(rules_hash), (r.shard_id,)) for r in stale]
    else:
        by_key = {r.shard_id: r for r in stale}
        busy = busy_partitions(instance)
        ranges = refilter_ranges(instance.get_dynamic_partitions(SHARDS), set(by_key) - busy, per_run)
        runs = [RefinalizeRun(range_run_key(rules_hash, b, by_key), b.keys) for b in ranges]
    used = used_run_keys(instance, [r.run_key for r in runs])
    return [r for r in runs if r.run_key not in used]


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
    """Re-finalize partitions (kale_shards only, captions untouched) when the rules file's sha256 changes.

    Cursor: JSON {"rules_hash", "rules_version", "backlog"}; backlog is true while more runs than one tick's
    quota still wait. Run key: rules:<sha256>:<partition>:<storage id of the replaced materialization>, or for
    a range of partitions rules:<sha256>:<first>..<last>:<digest of the replaced materializations>.
    """

    @sensor(
        name="rules_change_sensor",
        jobs=[finalize_job],
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "When the filter rules change (the rules hash covers the rules file and the leak classifier's "
            "weights), re-runs kale_shards for every partition with captions, once per change; the captions are "
            "not recomputed. Shard-group partitions are re-finalized in ranges of refilter_partitions_per_run "
            "(kale.yaml) per run. The dataset card follows through dataset_card_sensor."
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
        todo = plan_refinalize(context.instance, config, rules.sha256, only_materialized=first)
        batch = todo[:max_runs_per_tick]
        cursor = json.dumps({"rules_hash": rules.sha256, "rules_version": rules.version,
                             "backlog": len(todo) > len(batch)})
        if not batch:
            if first:
                message = (f"first evaluation: every materialized kale_shards partition already carries rules "
                           f"version {rules.version} (sha256 {short}); recorded it in the cursor")
            else:
                message = (f"rules now version {rules.version} (sha256 {short}), but no partition needs a new "
                           f"kale_shards: all carry this hash, have no captions yet, or were already requested")
            context.log.info(message)
            return SensorResult(skip_reason=message, cursor=cursor)
        before = (state or {}).get("rules_hash")
        keys = [k for run in batch for k in run.keys]
        context.log.info(
            f"rules {'first seen' if first else 'changed'}: {rules_file} version {rules.version}, sha256 {short} "
            f"(was {before[:12] if before else 'not recorded'}); requesting {len(batch)} finalize_job run(s) for "
            f"{len(keys)} partition(s) {', '.join(keys[:20])}{' ...' if len(keys) > 20 else ''}"
            + (f"; {len(todo) - len(batch)} more run(s) on the next ticks" if len(todo) > len(batch) else "")
        )
        return SensorResult(run_requests=[run.request(finalize_job.name, rules.version) for run in batch],
                            cursor=cursor)

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
    shard_id: str  # the partition key: a shard id, or a shard-group key
    plan: str  # a key of PLAN_ASSETS
    run_key: str
    pool: str = ""  # the pool(s) of the shards the run is for; "" = the pool of shard_id


@dataclass
class DiscoveryPlan:
    add: list[str] = field(default_factory=list)  # new partitions (only those whose run is requested now)
    runs: list[ShardRun] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # new stage-2 shards only ingested: no student yet
    released: list[str] = field(default_factory=list)  # earlier stage-2 partitions now sent to the student
    new_left: int = 0  # new shards (groups) left for the next ticks
    release_left: bool = False  # stage-2 partitions waiting for the student left for the next ticks
    deferred: list[str] = field(default_factory=list)  # open groups (shards still arriving) left for later
    busy: list[str] = field(default_factory=list)  # groups with new shards and a run in progress
    after: str | None = None  # every listed shard up to here is handled: the next incremental listing starts here


def discovery_run_key(shard_id: str, plan: str) -> str:
    return f"discover:{shard_id}:{plan}"


def stage2_waiting_for_student(instance: DagsterInstance, config: PipelineConfig) -> list[str]:
    """Registered partitions with stage-2 shards and without stage-2 captions or a final shard, not being
    worked on. A group counts when one of its ingested shards is of the stage-2 pool."""
    spp = config.shards_per_partition
    if spp == 1:
        registered = [s for s in instance.get_dynamic_partitions(SHARDS) if pool_of(config, s) == "stage2"]
    else:
        ingested = shards_with_commits(config.layout(), "datacomp_shards")
        keys = {partition_key(s, spp) for s in ingested
                if _GROUPABLE.fullmatch(s) and pool_of(config, s) == "stage2"}
        registered = [k for k in instance.get_dynamic_partitions(SHARDS) if k in keys]
    if not registered:
        return []
    done = instance.get_materialized_partitions(KALE_SHARDS) | instance.get_materialized_partitions(
        AssetKey(POOL_CAPTIONS["stage2"]))
    busy = busy_partitions(instance)
    return sorted(s for s in registered if s not in done and s not in busy)


def _plan_new_shards(instance: DagsterInstance, config: PipelineConfig, listed: Sequence[str], *,
                     student_ready: bool, max_runs: int, after: str | None) -> DiscoveryPlan:
    """One partition per shard (shards_per_partition 1): every listed shard not registered is new."""
    plan = DiscoveryPlan(after=after)
    if not listed:
        return plan
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
    blocked_at = new[len(plan.add)] if plan.new_left else None
    handled = [s for s in listed if blocked_at is None or (int(s), s) < (int(blocked_at), blocked_at)]
    if handled and (after is None or (int(handled[-1]), handled[-1]) > (int(after), after)):
        plan.after = handled[-1]
    return plan


def _ingested(layout: WorkLayout, shard_ids: Sequence[str]) -> set[str]:
    """Which of the listed shards have an ingest commit: a look per shard for an incremental listing's few, one
    listing of the commit folder for a full relist's many."""
    if len(shard_ids) <= _PER_SHARD_LOOKUPS:
        return {s for s in shard_ids if layout.commit_manifest("datacomp_shards", s).exists()}
    return set(shards_with_commits(layout, "datacomp_shards"))


def _plan_new_groups(instance: DagsterInstance, config: PipelineConfig, listed: Sequence[str], *,
                     student_ready: bool, max_runs: int, after: str | None, full: bool) -> DiscoveryPlan:
    """Shard groups: one run per group with new shards (`control_plane.plan_groups`)."""
    groupable = [s for s in listed if _GROUPABLE.fullmatch(s)]
    if not groupable:
        return DiscoveryPlan(after=after)
    groups = plan_groups(
        groupable, spp=config.shards_per_partition, pool_of=config.pool_rule.pool_of,
        registered=set(instance.get_dynamic_partitions(SHARDS)),
        ingested=_ingested(config.layout(), groupable),
        busy=busy_partitions(instance), used_run_keys=lambda keys: used_run_keys(instance, keys),
        student_ready=student_ready, max_runs=max_runs, run_open_groups=full, after=after)
    return DiscoveryPlan(
        add=groups.add, runs=[ShardRun(r.key, r.plan, r.run_key, r.pool) for r in groups.runs],
        waiting=groups.waiting, new_left=groups.left, deferred=groups.deferred, busy=groups.busy,
        after=groups.after)


def plan_discovery(instance: DagsterInstance, config: PipelineConfig, listed: Sequence[str], *,
                   student_ready: bool, release_waiting: bool, max_runs: int, after: str | None = None,
                   full: bool = True) -> DiscoveryPlan:
    """Which listed shards (sorted) to register and run now, and which waiting stage-2 partitions to release.

    A new partition is registered in the same tick as its run, so the shards beyond `max_runs` stay unregistered
    and are simply new again on the next tick (the cursor's `after` stops before them), and the backfill
    schedule never sees a registered partition that nobody has started. `full`: the listing is the whole
    source (a group whose shards are still arriving is run all the same).
    """
    if config.shards_per_partition == 1:
        plan = _plan_new_shards(instance, config, listed, student_ready=student_ready, max_runs=max_runs,
                                after=after)
    else:
        plan = _plan_new_groups(instance, config, listed, student_ready=student_ready, max_runs=max_runs,
                                after=after, full=full)
    if student_ready and release_waiting:
        release_plan = "stage2" if config.shards_per_partition == 1 else "release"
        waiting = stage2_waiting_for_student(instance, config)
        keys = [discovery_run_key(s, release_plan) for s in waiting]
        used = used_run_keys(instance, keys)
        todo = [s for s, k in zip(waiting, keys, strict=True) if k not in used]
        room = max(0, max_runs - len(plan.runs))
        for shard_id in todo[:room]:
            plan.released.append(shard_id)
            plan.runs.append(ShardRun(shard_id, release_plan, discovery_run_key(shard_id, release_plan)))
        plan.release_left = len(todo) > room
    return plan


def listing_digest(shard_ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(shard_ids).encode()).hexdigest()


@dataclass(frozen=True)
class TickListing:
    """What one discovery tick listed, and how."""

    shard_ids: list[str]
    mode: str  # "full", "incremental" (prefix blocks beyond `after`), "filtered" (whole folder, beyond `after`)
    #          or "unchanged" (the local folder's mtime did not move: nothing listed)
    objects_listed: int
    token: str | None


def list_for_tick(config: PipelineConfig, state: dict, *, now: float, full_relist_seconds: float) -> TickListing:
    """A full relist when one is due (never done, older than `full_relist_seconds`, or an earlier full relist
    left work for the next ticks); otherwise only what is new beyond the cursor's `after`, and nothing at all
    for a local folder whose mtime has not changed."""
    options = config.storage_options or None
    token = listing_token(config.source, options)
    due = (state.get("full_at") is None or now - float(state["full_at"]) >= full_relist_seconds
           or bool(state.get("full_backlog")))
    if due:
        full = list_shards_after(config.source, None, options)
        return TickListing([r.shard_id for r in full.refs], "full", full.objects_listed, token)
    if token is not None and token == state.get("token"):
        return TickListing([], "unchanged", 0, token)
    listing = list_shards_after(config.source, state.get("after"), options)
    return TickListing([r.shard_id for r in listing.refs], "incremental" if listing.incremental else "filtered",
                       listing.objects_listed, token)


def _discovery_request(run: ShardRun, config: PipelineConfig, job_for_plan: dict[str, str]) -> RunRequest:
    return RunRequest(
        run_key=run.run_key, job_name=job_for_plan[run.plan], partition_key=run.shard_id,
        asset_selection=[AssetKey(a) for a in PLAN_ASSETS[run.plan]] if run.plan in SUBSET_PLANS else None,
        tags={"kale/trigger": "shard_discovery", "kale/pool": run.pool or pool_of(config, run.shard_id)})


def _discovery_cursor(listing: TickListing, plan: DiscoveryPlan, state: dict, student, now: float) -> str:
    full = listing.mode == "full"
    return json.dumps({
        "listing_sha256": listing_digest(listing.shard_ids) if full else state.get("listing_sha256"),
        "shards_listed": len(listing.shard_ids) if full else state.get("shards_listed"),
        "after": plan.after,
        # Only once everything listed was handled: shards left for the next ticks must be listed again even
        # when the folder does not change.
        "token": None if plan.new_left or plan.busy else listing.token,
        "full_at": now if full else state.get("full_at"),
        # A full relist that could not request everything goes on relisting until it has.
        "full_backlog": bool(full and (plan.new_left or plan.busy)),
        "last_mode": listing.mode,
        "last_objects_listed": listing.objects_listed,
        # Recorded once every waiting stage-2 partition was handed to this student.
        "student": str(student) if student is not None and not plan.release_left else state.get("student"),
        "release_backlog": plan.release_left,
    })


def _log_discovery(context: SensorEvaluationContext, plan: DiscoveryPlan, student, job_for_plan: dict[str, str],
                   source: str) -> None:
    if plan.waiting:
        context.log.info(f"{len(plan.waiting)} new stage-2 shard(s) ({', '.join(plan.waiting[:20])}) are only "
                         "ingested: stage 2 waits for the student (materialize distilled_captioner)")
    if plan.released:
        context.log.info(f"student {student} is ready: {len(plan.released)} stage-2 partition(s) that waited for "
                         "it are released")
    if plan.deferred:
        context.log.info(f"shard group(s) {', '.join(plan.deferred[:10])} are still filling up: run once complete, "
                         "once a later shard arrives, or at the next full relist")
    if plan.busy:
        context.log.info(f"shard group(s) {', '.join(plan.busy[:10])} have new shards and a run in progress: "
                         "they follow once it has finished")
    if plan.runs:
        by_job: dict[str, int] = {}
        for run in plan.runs:
            by_job[job_for_plan[run.plan]] = by_job.get(job_for_plan[run.plan], 0) + 1
        new = [r.shard_id for r in plan.runs if r.shard_id not in plan.released]
        context.log.info(
            f"{len(new)} partition(s) with new shards in {source} ({', '.join(new[:20])}"
            f"{' ...' if len(new) > 20 else ''}); requesting "
            + ", ".join(f"{n} {job}" for job, n in sorted(by_job.items()))
            + (f"; {plan.new_left} more on the next ticks" if plan.new_left else ""))


def build_shard_discovery_sensor(stage1_shard_job, stage2_shard_job, ingest_job, *,
                                 minimum_interval_seconds: int = 60,
                                 max_runs_per_tick: int = MAX_DISCOVERY_RUNS_PER_TICK):
    """Register new shards of the source as partitions (shard ids, or their shard-group keys) and request the
    runs that make them final shards.

    A tick lists only what is new: the shards beyond the cursor's `after` (by key prefix on S3/GCS; a local
    folder is not listed at all while its mtime stands still). Every `discovery_full_relist_seconds`
    (kale.yaml) the whole source is listed, which catches shards that arrived out of order.
    Cursor: JSON {"after", "token", "full_at", "full_backlog", "listing_sha256", "shards_listed", "last_mode",
    "student", "release_backlog"}.
    Run key: discover:<shard>:<stage1|stage2|ingest>; for a group discover:<group>:<plan>:<digest of its new
    shards>, and discover:<group>:release when the student releases it.
    """
    job_for_plan = {"stage1": stage1_shard_job.name, "stage2": stage2_shard_job.name, "ingest": ingest_job.name,
                    "stage1_captions": stage1_shard_job.name, "release": stage2_shard_job.name}

    @sensor(
        name="shard_discovery_sensor",
        jobs=[stage1_shard_job, stage2_shard_job, ingest_job],
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "Lists what is new in the configured shard source (the whole source every "
            "discovery_full_relist_seconds), adds new shards as partitions and runs each partition through its "
            "pool (stage1_shard_job / stage2_shard_job; stage-2 shards are only ingested until a student "
            f"exists). At most {max_runs_per_tick} runs per tick."
        ),
    )
    def shard_discovery_sensor(context: SensorEvaluationContext, kale: KaleResource):
        config, reason = work_settings(kale)
        if config is None:
            return SkipReason(reason)
        state = _read_json_cursor(context) or {}
        now = time.time()
        try:
            listing = list_for_tick(config, state, now=now, full_relist_seconds=config.discovery_full_relist_seconds)
        except (FileNotFoundError, NotADirectoryError) as exc:
            return SkipReason(f"cannot list the shard source: {exc}")
        student = current_student_ref(config.layout())
        release = student is not None and (state.get("student") != str(student) or state.get("release_backlog"))
        plan = plan_discovery(context.instance, config, listing.shard_ids, student_ready=student is not None,
                              release_waiting=bool(release), max_runs=max_runs_per_tick, after=state.get("after"),
                              full=listing.mode == "full")
        cursor = _discovery_cursor(listing, plan, state, student, now)
        _log_discovery(context, plan, student, job_for_plan, config.source)
        if not plan.runs:
            message = (f"no new shards: {listing.mode} listing of {config.source} ({listing.objects_listed} "
                       f"object(s) listed, {len(listing.shard_ids)} shard(s)), every one registered or waiting")
            context.log.info(message)
            return SensorResult(skip_reason=message, cursor=cursor)
        return SensorResult(
            run_requests=[_discovery_request(run, config, job_for_plan) for run in plan.runs],
            dynamic_partitions_requests=[shard_partitions.build_add_request(plan.add)] if plan.add else [],
            cursor=cursor,
        )

    return shard_discovery_sensor
