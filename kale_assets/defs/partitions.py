"""Partitions: one dynamic partition per input shard, shared by every partitioned asset.

The stage-1 / stage-2 split is data (the pool rule in kale.yaml), not a separate partition set. Dagster
refuses backfills across an identity mapping when a downstream key has no upstream partition ("depends on
non-existent partitions"), so per-pool partition sets would block every backfill of `kale_shards`, which
spans both pools. With one set, a pool-specific asset materializes a partition of the other pool as an
empty, instant no-op (metadata says so), and any asset can be backfilled over all shards.
"""

from __future__ import annotations

from collections.abc import Iterable

from dagster import DagsterInstance, DynamicPartitionsDefinition

from kale_assets.commit import shards_with_commits
from kale_assets.config import PoolRule
from kale_assets.layout import WorkLayout
from kale_assets.shard_groups import is_group_key, key_range

SHARDS = "shards"
shard_partitions = DynamicPartitionsDefinition(name=SHARDS)


def register_shards(instance: DagsterInstance, shard_ids: Iterable[str]) -> list[str]:
    """Add shards as partitions (idempotent). Returns the newly added keys."""
    existing = set(instance.get_dynamic_partitions(SHARDS))
    new = sorted(set(shard_ids) - existing)
    if new:
        instance.add_dynamic_partitions(SHARDS, new)
    return new


def registered_shards(instance: DagsterInstance, layout: WorkLayout) -> list[str]:
    """The shard ids behind the registered partitions: a single-shard key is its shard; a group key
    (`kale_assets.shard_groups`) stands for the shards of its range that were ingested (have a commit)."""
    keys = instance.get_dynamic_partitions(SHARDS)
    shards = {k for k in keys if not is_group_key(k)}
    groups = [key_range(k) for k in keys if is_group_key(k)]
    if groups:
        ingested = [s for s in shards_with_commits(layout, "datacomp_shards") if s.isdigit()]
        shards.update(s for s in ingested if any(lo <= int(s) <= hi for lo, hi in groups))
    return sorted(shards)


def pool_shards(instance: DagsterInstance, layout: WorkLayout, rule: PoolRule, pool: str) -> list[str]:
    return [s for s in registered_shards(instance, layout) if rule.pool_of(s) == pool]
