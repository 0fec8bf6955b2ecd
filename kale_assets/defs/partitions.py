"""Partitions: one dynamic partition per input shard, and one set per pool.

Stage-1 assets are partitioned by the stage-1 pool only and stage 2 by the stage-2 pool only, so a
backfill of either stage never waits on, or fails for, shards that belong to the other pool. Keys are
the shard ids themselves in every set; identity mappings connect them.
"""

from __future__ import annotations

from collections.abc import Iterable

from dagster import DagsterInstance, DynamicPartitionsDefinition

from kale_assets.config import PoolRule

shard_partitions = DynamicPartitionsDefinition(name="shards")
stage1_partitions = DynamicPartitionsDefinition(name="stage1_shards")
stage2_partitions = DynamicPartitionsDefinition(name="stage2_shards")

POOL_PARTITIONS = {"stage1": stage1_partitions, "stage2": stage2_partitions}


def register_shards(instance: DagsterInstance, shard_ids: Iterable[str], rule: PoolRule) -> dict[str, list[str]]:
    """Add shards as partitions (idempotent) and place each in its pool. Returns the newly added keys."""
    wanted = sorted(set(shard_ids))
    added: dict[str, list[str]] = {}
    for name, keys in [
        ("shards", wanted),
        ("stage1_shards", [s for s in wanted if rule.pool_of(s) == "stage1"]),
        ("stage2_shards", [s for s in wanted if rule.pool_of(s) == "stage2"]),
    ]:
        existing = set(instance.get_dynamic_partitions(name))
        new = [k for k in keys if k not in existing]
        if new:
            instance.add_dynamic_partitions(name, new)
        added[name] = new
    return added
