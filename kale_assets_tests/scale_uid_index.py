"""Scale measurement of the cross-shard uid index (not a test: it asserts nothing about time, it prints numbers).

    .venv/bin/python kale_assets_tests/scale_uid_index.py [--shards 20000] [--uids-per-shard 50] [--big 10000]

Fills an index through the real `UidIndex.claim` (one transaction per shard, as ingest does), then measures what
one ingest / finalize step pays at that size: claiming a new 10k-uid shard (some uids already owned by lower
shards), re-claiming it unchanged (a retried step), and the read-only `owned_elsewhere` lookup of finalize.
Prints one JSON object; ``--json FILE`` also writes it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from kale_assets.uid_index import UidIndex


def _uid(n: int) -> str:
    return hashlib.md5(n.to_bytes(8, "little")).hexdigest()


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def measure(root: Path, shards: int, per_shard: int, big: int, dup_every: int) -> dict:
    path = root / "uids.sqlite"
    fill_started = time.perf_counter()
    with UidIndex(path) as index:
        for s in range(shards):
            index.claim(f"{s + 1:08d}", [_uid(s * per_shard + i) for i in range(per_shard)])
    fill_s = time.perf_counter() - fill_started
    n_existing = shards * per_shard
    # The big shard has the highest id; every `dup_every`-th uid is already held by a lower shard.
    big_uids = [_uid(i * dup_every) if i % 100 == 0 else _uid(n_existing + i) for i in range(big)]
    n_dupes = sum(1 for i in range(big) if i % 100 == 0 and i * dup_every < n_existing)
    shard_id = f"{shards + 1:08d}"
    with UidIndex(path) as index:  # a fresh connection, as each Dagster step opens its own
        owned, claim_s = _timed(lambda: index.claim(shard_id, big_uids))
        _, reclaim_s = _timed(lambda: index.claim(shard_id, big_uids))
        looked_up, lookup_s = _timed(lambda: index.owned_elsewhere(shard_id, big_uids))
        _, low_lookup_s = _timed(lambda: index.owned_elsewhere("00000000", big_uids))
    assert len(owned) == len(looked_up) == n_dupes, (len(owned), len(looked_up), n_dupes)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the size the index settles at
    return {
        "shards": shards, "uids_per_shard": per_shard, "uids_in_index": n_existing + big - n_dupes,
        "fill_seconds": round(fill_s, 2), "fill_ms_per_claim": round(1000 * fill_s / shards, 3),
        "big_shard_uids": big, "big_shard_duplicates_found": len(owned),
        "claim_big_shard_ms": round(1000 * claim_s, 1), "reclaim_same_shard_ms": round(1000 * reclaim_s, 1),
        "owned_elsewhere_big_shard_ms": round(1000 * lookup_s, 1),
        "owned_elsewhere_lowest_shard_ms": round(1000 * low_lookup_s, 1),
        "file_bytes": _size(path), "bytes_per_uid": round(_size(path) / (n_existing + big - n_dupes), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=20_000)
    parser.add_argument("--uids-per-shard", type=int, default=50)
    parser.add_argument("--big", type=int, default=10_000, help="uids of the shard claimed at the end")
    parser.add_argument("--dup-every", type=int, default=7, help="spacing of the big shard's duplicate uids")
    parser.add_argument("--dir", help="where to build the index (default: a temporary folder, removed after)")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as root:
        numbers = measure(Path(root), args.shards, args.uids_per_shard, args.big, args.dup_every)
    numbers["cpu_count"] = os.cpu_count()
    text = json.dumps(numbers, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
