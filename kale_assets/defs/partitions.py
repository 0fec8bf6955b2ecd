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

from kale_assets.config import PoolRule

SHARDS = "shards"
shard_partitions = DynamicPartitionsDefinition(name=SHARDS)


def register_shards(instance: DagsterInstance, shard_ids: Iterable[str]) -> list[str]:
    """Add shards as partitions (idempotent). Returns the newly added keys."""
    existing = set(instance.get_dynamic_partitions(SHARDS))
    new = sorted(set(shard_ids) - existing)
    if new:
        instance.add_dynamic_partitions(SHARDS, new)
    return new


def pool_shards(instance: DagsterInstance, rule: PoolRule, pool: str) -> list[str]:
    return sorted(s for s in instance.get_dynamic_partitions(SHARDS) if rule.pool_of(s) == pool)
