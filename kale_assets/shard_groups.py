"""Shard groups: the partition keys of every partitioned asset when one partition spans several shards.

DataComp-1B is ~128k shards, above Dagster's guidance of at most 100k partitions per asset, and one run per
shard makes a rules change launch 128k runs. With ``shards_per_partition`` = k, shard number n belongs to the
partition whose key names the aligned range ``[n // k * k, n // k * k + k - 1]``, e.g. ``00000100-00000199``.
Aligned ranges never move: a shard discovered later joins the group it always belonged to, and no group's key
depends on which other shards exist. With k = 1 (the default) the key is the shard id itself, so a single-shard
work folder looks exactly as it did before groups existed.

Outputs, commits, accounting and rejected rows stay per shard inside a group; only Dagster sees the group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SHARD_RE = re.compile(r"\d{8}")
_RANGE_RE = re.compile(r"(\d{8})-(\d{8})")


def _shard_number(shard_id: str) -> int:
    if not _SHARD_RE.fullmatch(shard_id):
        raise ValueError(f"shard id {shard_id!r} is not 8 digits (NNNNNNNN, img2dataset's naming): shard groups "
                         "need numbered shards; use shards_per_partition: 1 for other names")
    return int(shard_id)


def partition_key(shard_id: str, shards_per_partition: int) -> str:
    """The partition a shard belongs to: the shard id itself when k = 1, else its aligned range."""
    if shards_per_partition < 1:
        raise ValueError(f"shards_per_partition must be >= 1, got {shards_per_partition}")
    if shards_per_partition == 1:
        return shard_id
    start = _shard_number(shard_id) // shards_per_partition * shards_per_partition
    return f"{start:08d}-{start + shards_per_partition - 1:08d}"


def is_group_key(key: str) -> bool:
    return _RANGE_RE.fullmatch(key) is not None


def key_range(key: str) -> tuple[int, int] | None:
    """The first and last shard number a group key names; None for a single-shard key."""
    match = _RANGE_RE.fullmatch(key)
    if match is None:
        return None
    first, last = int(match.group(1)), int(match.group(2))
    if first > last:
        raise ValueError(f"partition key {key!r} names an empty range")
    return first, last


def in_partition(key: str, shard_id: str) -> bool:
    bounds = key_range(key)
    if bounds is None:
        return shard_id == key
    return bool(_SHARD_RE.fullmatch(shard_id)) and bounds[0] <= int(shard_id) <= bounds[1]


def shards_in(key: str, shard_ids: Iterable[str]) -> list[str]:
    """The given shard ids that belong to partition ``key``, sorted."""
    return sorted(s for s in shard_ids if in_partition(key, s))


def group(shard_ids: Iterable[str], shards_per_partition: int) -> dict[str, list[str]]:
    """Partition key -> its shards (sorted), keys in shard order."""
    groups: dict[str, list[str]] = {}
    for shard_id in sorted(set(shard_ids)):
        groups.setdefault(partition_key(shard_id, shards_per_partition), []).append(shard_id)
    return groups
