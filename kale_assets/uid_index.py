"""Which shard owns each uid, across all shards: a uid seen in several shards survives once, in the lowest.

DataComp uids are unique by construction, but overlapping img2dataset runs and re-downloads put the same
sample in several shards. Looking beyond one shard must not mean re-reading every shard for every partition
(DataComp-1B is ~128k shards, 1.28B uids), so ingest records each shard's uids in one SQLite B-tree keyed by
uid (``_index/uids.sqlite`` in the work folder): claiming a shard's 10k uids and finding which are owned by
a lower shard is a few indexed lookups per uid, whatever the shard count.

The outcome does not depend on the order shards are ingested in: ownership always moves to the lowest shard
id, and `kale_shards` asks the index again when it finalizes, so a lower shard ingested later still wins
(re-finalize the higher shard to apply it; `kale run` ingests every shard before it finalizes any).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

import polars as pl

DUPLICATE_REASON = "duplicate_uid_across_shards"
_BUSY_TIMEOUT_S = 120.0


def _enable_wal(db: sqlite3.Connection) -> None:
    """Switch a new index to WAL (readers never block the one writer). The switch needs a moment of exclusive
    access, and SQLite answers "locked" at once instead of waiting when two processes open a new index together,
    so wait here as the busy timeout would."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class UidIndex:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        _enable_wal(self._db)
        self._db.execute("PRAGMA synchronous=FULL")
        # Every (uid, shard) holding, not only the owner: when the owner drops a uid (re-ingested), the next
        # lowest holder must take it over, and only a full list of holders knows which one that is.
        self._db.execute("CREATE TABLE IF NOT EXISTS holders (uid TEXT NOT NULL, shard TEXT NOT NULL, "
                         "PRIMARY KEY (uid, shard)) WITHOUT ROWID")
        self._db.execute("CREATE INDEX IF NOT EXISTS holders_by_shard ON holders (shard)")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> UidIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def claim(self, shard_id: str, uids: Iterable[str]) -> dict[str, str]:
        """Record that ``shard_id`` holds ``uids`` (replacing what it held before); return {uid: lower owner}
        for the uids a lower shard owns, which this shard must reject."""
        uids = sorted(set(uids))
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            self._load_probe(uids)
            # A re-ingested shard that no longer holds a uid gives it up (else others lose it for nothing).
            db.execute("DELETE FROM holders WHERE shard = ? AND uid NOT IN (SELECT uid FROM probe)", (shard_id,))
            db.execute("INSERT OR IGNORE INTO holders (uid, shard) SELECT uid, ? FROM probe", (shard_id,))
            owned = self._owners_below(shard_id)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return owned

    def forget(self, shard_id: str) -> int:
        """Drop a shard that no longer exists (its uids go back to nobody); returns how many it held."""
        cursor = self._db.execute("DELETE FROM holders WHERE shard = ?", (shard_id,))
        return cursor.rowcount

    def owned_elsewhere(self, shard_id: str, uids: Iterable[str]) -> dict[str, str]:
        """{uid: owner} for those of ``uids`` that a lower shard owns now (read-only)."""
        db = self._db
        db.execute("BEGIN")
        try:
            self._load_probe(sorted(set(uids)))
            owned = self._owners_below(shard_id)
        finally:
            db.execute("ROLLBACK")
        return owned

    def _load_probe(self, uids: list[str]) -> None:
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS probe (uid TEXT PRIMARY KEY) WITHOUT ROWID")
        self._db.execute("DELETE FROM probe")
        self._db.executemany("INSERT INTO probe (uid) VALUES (?)", ((u,) for u in uids))

    def _owners_below(self, shard_id: str) -> dict[str, str]:
        # CROSS JOIN keeps probe the outer loop (SQLite's rule for it): left to itself the planner scans all
        # of holders to save a sort, which makes every claim cost the whole index (measured: 8 ms -> 250 ms per
        # 50-uid claim between 0 and 1M uids). This way it is one primary-key search per probed uid.
        rows = self._db.execute("SELECT probe.uid, MIN(holders.shard) FROM probe CROSS JOIN holders "
                                "ON holders.uid = probe.uid WHERE holders.shard < ? GROUP BY probe.uid", (shard_id,))
        return dict(rows.fetchall())


def reject_cross_shard_duplicates(manifest: pl.DataFrame, rejected: pl.DataFrame, owners: dict[str, str],
                                  stage: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Move rows whose uid a lower shard owns from ``manifest`` (or captions) to ``rejected``, with the owner."""
    if not owners:
        return manifest, rejected
    dupes = manifest.filter(pl.col("uid").is_in(list(owners)))
    moved = dupes.select(
        "uid", "key", "shard",
        pl.lit(DUPLICATE_REASON).alias("reason"),
        pl.format("uid also in shard {}, which keeps it (the lowest shard id wins)",
                  pl.col("uid").replace_strict(owners, return_dtype=pl.Utf8)).alias("detail"),
        pl.lit(stage).alias("stage"),
    )
    kept = manifest.filter(~pl.col("uid").is_in(list(owners)))
    merged = pl.concat([rejected, moved], how="diagonal_relaxed").select(rejected.columns)
    return kept, merged.sort("key", "reason")
