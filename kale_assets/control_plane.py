"""Control-plane decisions at DataComp scale, as plain functions over sets (no Dagster): which new shards a
discovery tick runs as which shard-group partitions, and how a rules change is cut into partition ranges.

`kale_assets.defs.sensors` feeds them from the Dagster instance and the work folder; the scale simulation
(`kale_assets_tests/scale_control_plane.py`) feeds them 130k shards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from kale_assets.shard_groups import key_range, partition_key

# What a group run computes, by what its new shards need (keys of sensors.PLAN_ASSETS).
FULL_PLAN = {"stage1": "stage1", "stage2": "stage2"}


@dataclass(frozen=True)
class GroupRun:
    key: str  # the partition key (a shard id when shards_per_partition is 1)
    plan: str  # a key of sensors.PLAN_ASSETS
    shards: tuple[str, ...]  # the new shards this run is for
    run_key: str
    pool: str  # "stage1", "stage2" or "mixed": the pools of its new shards


@dataclass
class GroupDiscovery:
    runs: list[GroupRun] = field(default_factory=list)
    add: list[str] = field(default_factory=list)  # partition keys to register with these runs
    waiting: list[str] = field(default_factory=list)  # new stage-2 shards only ingested: no student yet
    deferred: list[str] = field(default_factory=list)  # keys of open groups left for a later tick
    busy: list[str] = field(default_factory=list)  # keys with new shards whose group run is in progress
    left: int = 0  # groups with new shards beyond this tick's quota
    after: str | None = None  # every listed shard up to this id is handled (the next incremental listing's start)


def group_run_key(key: str, plan: str, shards: Iterable[str]) -> str:
    """Unique per set of new shards: a later arrival in the same group gets a run of its own, while the same
    set seen again (a relist, a failed ingest) maps to the key already used and is not requested twice."""
    digest = hashlib.sha256("\n".join(sorted(shards)).encode()).hexdigest()[:12]
    return f"discover:{key}:{plan}:{digest}"


def _group_plan(new_pools: set[str], student_ready: bool) -> str:
    if student_ready:
        return FULL_PLAN["stage1" if "stage1" in new_pools else "stage2"]
    if new_pools == {"stage1"}:
        return "stage1"
    # Stage-2 shards cannot be captioned yet: their group's stage-1 shards get captions now, the final shards
    # of the whole group follow once the student is released ("release" plan).
    return "stage1_captions" if "stage1" in new_pools else "ingest"


def plan_groups(listed: Sequence[str], *, spp: int, pool_of: Callable[[str], str], registered: set[str],
                ingested: set[str], busy: set[str], used_run_keys: Callable[[list[str]], set[str]],
                student_ready: bool, max_runs: int, run_open_groups: bool, after: str | None) -> GroupDiscovery:
    """Which listed shards (sorted ascending) to run now, one run per shard group.

    A shard is new when its group is not registered or it was never ingested. A group whose range is neither
    full nor followed by a later listed shard is *open* (its shards are still arriving): it waits, so one run
    covers the whole group, unless `run_open_groups` (the periodic full relist, which bounds the wait).
    `after` advances over every listed shard that is known, requested now or requested before (same run key).
    """
    plan = GroupDiscovery(after=after)
    new_by_key: dict[str, list[str]] = {}
    listed_by_key: dict[str, int] = {}
    for shard_id in listed:
        key = partition_key(shard_id, spp)
        listed_by_key[key] = listed_by_key.get(key, 0) + 1
        if key not in registered or shard_id not in ingested:
            new_by_key.setdefault(key, []).append(shard_id)
    highest = listed[-1] if listed else None
    candidates: list[GroupRun] = []
    blocked_at: str | None = None  # the first listed shard that is not handled by this tick
    for key, shards in new_by_key.items():
        bounds = key_range(key)
        is_open = (bounds is not None and listed_by_key[key] < spp and highest is not None
                   and int(highest) <= bounds[1])
        if key in busy or (is_open and not run_open_groups):
            (plan.busy if key in busy else plan.deferred).append(key)
            blocked_at = blocked_at or shards[0]
            continue
        pools = {pool_of(s) for s in shards}
        run_plan = _group_plan(pools, student_ready)
        pool = pools.pop() if len(pools) == 1 else "mixed"
        candidates.append(GroupRun(key, run_plan, tuple(shards), group_run_key(key, run_plan, shards), pool))
    used = used_run_keys([c.run_key for c in candidates])
    for run in candidates:
        if run.run_key in used:
            continue
        if len(plan.runs) >= max_runs:
            plan.left += 1
            if blocked_at is None or run.shards[0] < blocked_at:
                blocked_at = run.shards[0]
            continue
        plan.runs.append(run)
        if run.key not in registered:
            plan.add.append(run.key)
        if run.plan in ("stage1_captions", "ingest"):
            plan.waiting.extend(s for s in run.shards if pool_of(s) == "stage2")
    handled = [s for s in listed if blocked_at is None or s < blocked_at]
    if handled and (after is None or handled[-1] > after):
        plan.after = handled[-1]
    return plan


@dataclass(frozen=True)
class PartitionRange:
    start: str
    end: str
    keys: tuple[str, ...]


def refilter_ranges(order: Sequence[str], stale: set[str], per_run: int) -> list[PartitionRange]:
    """Cut the stale partitions into ranges of at most `per_run` keys, in the partition set's own order.

    A Dagster range run covers every key between its ends, so a range never spans a key that is not stale
    (already carries the rules, or is being finalized by another run): a rules change over P partitions
    becomes ceil(P / per_run) runs when every partition is stale, as after an edit of the rules file.
    """
    ranges: list[PartitionRange] = []
    current: list[str] = []
    for key in order:
        if key in stale and len(current) < per_run:
            current.append(key)
            continue
        if current:
            ranges.append(PartitionRange(current[0], current[-1], tuple(current)))
        current = [key] if key in stale else []
    if current:
        ranges.append(PartitionRange(current[0], current[-1], tuple(current)))
    return ranges


def keys_in_range(order: Sequence[str], start: str, end: str) -> list[str]:
    """The keys a range run [start, end] covers, in the partition set's order ([] when an end is unknown)."""
    index = {k: i for i, k in enumerate(order)}
    if start not in index or end not in index:
        return []
    return list(order[index[start]:index[end] + 1])
