"""The cross-shard uid index: a uid held by several shards survives once, in the lowest shard id, whatever the
order shards are ingested (or re-ingested) in, also with two processes claiming at once."""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import sqlite3

import polars as pl
import pytest

from kale_assets.schemas import StageRejectedSchema
from kale_assets.uid_index import (
    DUPLICATE_REASON,
    UidIndex,
    reject_cross_shard_duplicates,
)


def uid(n: int) -> str:
    return hashlib.md5(str(n).encode()).hexdigest()


def sid(n: int) -> str:
    return f"{n:08d}"


@pytest.fixture
def index(tmp_path):
    with UidIndex(tmp_path / "_index" / "uids.sqlite") as idx:
        yield idx


def _survivors(idx: UidIndex, holdings: dict[str, set[str]]) -> dict[str, set[str]]:
    """What each shard keeps when it finalizes (the question `kale_shards` asks)."""
    return {s: uids - set(idx.owned_elsewhere(s, uids)) for s, uids in holdings.items()}


@pytest.mark.parametrize("order", [("00000000", "00000001"), ("00000001", "00000000")])
def test_the_lower_shard_keeps_a_shared_uid_whatever_the_ingest_order(index, order):
    shared, only0, only1 = uid(1), uid(2), uid(3)
    holdings = {"00000000": {shared, only0}, "00000001": {shared, only1}}
    returned = {s: index.claim(s, holdings[s]) for s in order}
    # The lower shard never has to reject anything; the higher one does when it comes second.
    assert returned["00000000"] == {}
    assert returned["00000001"] == ({shared: "00000000"} if order[0] == "00000000" else {})
    assert index.owned_elsewhere("00000001", holdings["00000001"]) == {shared: "00000000"}
    assert index.owned_elsewhere("00000000", holdings["00000000"]) == {}
    assert _survivors(index, holdings) == {"00000000": {shared, only0}, "00000001": {only1}}


def test_every_ingest_order_of_overlapping_shards_gives_one_survivor_per_uid(tmp_path):
    # Four shards with pairwise and three-way overlaps; every one of the 24 orders must agree.
    holdings = {sid(0): {uid(i) for i in range(10)}, sid(1): {uid(i) for i in range(5, 15)},
                sid(2): {uid(i) for i in range(8, 20)}, sid(3): {uid(i) for i in (0, 9, 19, 30)}}
    expected = {}
    for shard in sorted(holdings):
        expected[shard] = holdings[shard] - set().union(*(holdings[s] for s in holdings if s < shard))
    for n, order in enumerate(itertools.permutations(holdings)):
        with UidIndex(tmp_path / f"{n}.sqlite") as idx:
            for shard in order:
                idx.claim(shard, holdings[shard])
            survivors = _survivors(idx, holdings)
        assert survivors == expected, order
        kept = [u for s in survivors.values() for u in s]
        assert len(kept) == len(set(kept)) == len(set().union(*holdings.values()))


def test_reclaiming_a_shard_with_fewer_uids_releases_the_ones_it_dropped(index):
    index.claim(sid(0), [uid(1), uid(2)])
    assert index.claim(sid(1), [uid(2), uid(3)]) == {uid(2): sid(0)}
    # Shard 0 is re-ingested (its source changed) and no longer holds uid 2: shard 1 must not lose it for nothing.
    assert index.claim(sid(0), [uid(1)]) == {}
    assert index.owned_elsewhere(sid(1), [uid(2), uid(3)]) == {}
    assert index.claim(sid(1), [uid(2), uid(3)]) == {}
    # Re-claiming with the same uids is idempotent, and a uid given back to shard 0 moves back to it.
    assert index.claim(sid(0), [uid(1)]) == {}
    index.claim(sid(0), [uid(1), uid(2)])
    assert index.owned_elsewhere(sid(1), [uid(2), uid(3)]) == {uid(2): sid(0)}


def test_releasing_a_uid_hands_it_to_the_next_lowest_holder(index):
    shared = uid(7)
    for s in (0, 1, 2):
        index.claim(sid(s), [shared, uid(100 + s)])
    index.claim(sid(0), [uid(100)])  # shard 0 drops the shared uid
    # Shards 1 and 2 both still hold it: exactly one of them (the lower) may keep it.
    assert index.owned_elsewhere(sid(1), [shared]) == {}
    assert index.owned_elsewhere(sid(2), [shared]) == {shared: sid(1)}


def test_an_emptied_shard_releases_everything(index):
    index.claim(sid(0), [uid(1), uid(2)])
    index.claim(sid(0), [])
    assert index.claim(sid(5), [uid(1), uid(2)]) == {}


def test_owned_elsewhere_is_read_only(index):
    index.claim(sid(3), [uid(1)])
    assert index.owned_elsewhere(sid(5), [uid(1), uid(2)]) == {uid(1): sid(3)}
    # Asking for a lower shard's view records nothing: uid 2 stays unowned, uid 1 stays with shard 3.
    assert index.owned_elsewhere(sid(1), [uid(1), uid(2)]) == {}
    assert index.owned_elsewhere(sid(9), [uid(1), uid(2)]) == {uid(1): sid(3)}
    with sqlite3.connect(index.path) as db:
        assert db.execute("SELECT COUNT(*) FROM holders").fetchone()[0] == 1


def test_a_second_connection_sees_claims_and_the_file_persists(tmp_path):
    path = tmp_path / "uids.sqlite"
    with UidIndex(path) as first:
        first.claim(sid(0), [uid(1)])
        with UidIndex(path) as second:
            assert second.claim(sid(1), [uid(1)]) == {uid(1): sid(0)}
    with UidIndex(path) as reopened:
        assert reopened.owned_elsewhere(sid(1), [uid(1)]) == {uid(1): sid(0)}


def _vm_steps(idx: UidIndex, call) -> int:
    """SQLite virtual-machine steps (in units of 100) that ``call`` costs: a measure of work that, unlike a
    timing, does not depend on the machine or its load."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    idx._db.set_progress_handler(tick, 100)
    try:
        call()
    finally:
        idx._db.set_progress_handler(None, 100)
    return steps[0]


def test_claims_and_lookups_do_not_scan_the_index(tmp_path):
    # The same question asked of an index of 1k uids and of one of 201k: an indexed lookup per probed uid costs
    # the same; a plan that scans the table (what SQLite picks for a plain JOIN here) costs 200 times more.
    probe = [uid(i) for i in range(0, 1000, 20)] + [uid(10**7 + i) for i in range(150)]
    costs = {}
    for name, extra_shards in (("small", 0), ("big", 20)):
        with UidIndex(tmp_path / f"{name}.sqlite") as idx:
            idx.claim(sid(0), [uid(i) for i in range(1000)])
            for s in range(1, extra_shards + 1):
                idx.claim(sid(s), [uid(s * 10_000 + i) for i in range(10_000)])
            lookup = _vm_steps(idx, lambda idx=idx: idx.owned_elsewhere(sid(99), probe))
            claim = _vm_steps(idx, lambda idx=idx: idx.claim(sid(99), probe))
            assert idx.owned_elsewhere(sid(99), probe) == {u: sid(0) for u in probe[:50]}
        costs[name] = (lookup, claim)
    (small_lookup, small_claim), (big_lookup, big_claim) = costs["small"], costs["big"]
    assert big_lookup < 1.5 * small_lookup + 5, costs
    assert big_claim < 1.5 * small_claim + 5, costs


def _manifest(shard: str, n: int) -> pl.DataFrame:
    return pl.DataFrame({"uid": [uid(i) for i in range(n)], "key": [f"{shard}{i:04d}" for i in range(n)],
                         "shard": [shard] * n, "alt_text": [f"alt {i}" for i in range(n)]})


def test_reject_cross_shard_duplicates_moves_rows_and_keeps_the_accounting():
    shard = sid(4)
    manifest = _manifest(shard, 6)
    rejected = pl.DataFrame({"uid": [None, uid(50)], "key": [f"{shard}0100", f"{shard}0002"], "shard": [shard] * 2,
                             "reason": ["download_failed", "corrupt_image"], "detail": [None, "truncated"],
                             "stage": ["datacomp_shards"] * 2})
    owners = {uid(1): sid(0), uid(4): sid(2), uid(999): sid(1)}  # an owner of a uid this shard lacks is ignored

    kept, merged = reject_cross_shard_duplicates(manifest, rejected, owners, "datacomp_shards")

    assert kept["uid"].to_list() == [uid(0), uid(2), uid(3), uid(5)]
    assert len(kept) + len(merged) == len(manifest) + len(rejected)
    assert merged.columns == rejected.columns
    StageRejectedSchema.validate(merged)
    dupes = merged.filter(pl.col("reason") == DUPLICATE_REASON)
    assert dict(zip(dupes["uid"], dupes["detail"])) == {
        uid(1): f"uid also in shard {sid(0)}, which keeps it (the lowest shard id wins)",
        uid(4): f"uid also in shard {sid(2)}, which keeps it (the lowest shard id wins)",
    }
    assert set(dupes["stage"]) == {"datacomp_shards"} and set(dupes["shard"]) == {shard}
    assert merged["key"].to_list() == sorted(merged["key"].to_list())


def test_reject_cross_shard_duplicates_into_an_empty_rejected_frame():
    # kale_shards passes an empty frame with the rejected schema and captions as the "manifest".
    captions = _manifest(sid(2), 3).rename({"alt_text": "caption"})
    empty = pl.DataFrame(schema={"uid": pl.Utf8, "key": pl.Utf8, "shard": pl.Utf8, "reason": pl.Utf8,
                                 "detail": pl.Utf8, "stage": pl.Utf8})
    kept, merged = reject_cross_shard_duplicates(captions, empty, {uid(2): sid(0)}, "kale_shards")
    assert kept["uid"].to_list() == [uid(0), uid(1)]
    assert merged.schema == empty.schema
    assert merged.row(0, named=True)["stage"] == "kale_shards" and len(merged) == 1


def test_reject_cross_shard_duplicates_without_owners_changes_nothing():
    manifest = _manifest(sid(0), 3)
    empty = pl.DataFrame(schema={"uid": pl.Utf8, "key": pl.Utf8, "shard": pl.Utf8, "reason": pl.Utf8})
    kept, merged = reject_cross_shard_duplicates(manifest, empty, {}, "datacomp_shards")
    assert kept is manifest and merged is empty


# Two processes claim interleaved shards that overlap, starting together on a fresh file (the schema and WAL
# set-up race too). Module-level so the spawn start method can import it.
def _claim_worker(path: str, shards: list[int], barrier, errors) -> None:
    try:
        barrier.wait(timeout=60)
        with UidIndex(path) as idx:
            for s in shards:
                # Shard s holds uids 100*s .. 100*s+149: each overlaps the next shard by 50 uids.
                idx.claim(sid(s), [uid(i) for i in range(100 * s, 100 * s + 150)])
    except BaseException as err:  # reported to the parent, which fails the test with it
        errors.put(repr(err))
        raise


def test_concurrent_claims_from_two_processes_neither_corrupt_nor_deadlock(tmp_path):
    path = tmp_path / "uids.sqlite"
    ctx = multiprocessing.get_context("spawn")
    barrier, errors = ctx.Barrier(2), ctx.Queue()
    shards = list(range(40))
    workers = [ctx.Process(target=_claim_worker, args=(str(path), shards[k::2][::-1 if k else 1], barrier, errors))
               for k in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    alive = [w.pid for w in workers if w.is_alive()]
    for w in workers:
        if w.is_alive():
            w.kill()
    assert not alive, f"claim workers {alive} still running after 120 s: deadlock?"
    assert errors.empty(), errors.get()
    assert [w.exitcode for w in workers] == [0, 0]

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    holdings = {sid(s): {uid(i) for i in range(100 * s, 100 * s + 150)} for s in shards}
    with UidIndex(path) as idx:
        survivors = _survivors(idx, holdings)
    for s in shards:
        # Uids 100*s .. 100*s+49 are also in shard s-1, which keeps them.
        lost = {uid(i) for i in range(100 * s, 100 * s + 50)} if s else set()
        assert survivors[sid(s)] == holdings[sid(s)] - lost


def test_forgetting_a_removed_shard_hands_its_uids_back(tmp_path):
    """`kale demo` removes the shards of an earlier, larger demo: their uids must not keep others' rows out."""
    with UidIndex(tmp_path / "uids.sqlite") as index:
        index.claim("00000003", ["a", "b"])
        assert index.claim("00000005", ["b", "c"]) == {"b": "00000003"}
        assert index.forget("00000003") == 2
        assert index.owned_elsewhere("00000005", ["b", "c"]) == {}
